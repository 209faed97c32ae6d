#pragma once
// ASCII case folding, as DNS names (RFC 4343) and HTTP header names (RFC 9110) compare:
// byte by byte, the same whatever the C locale is.

#include <string>
#include <string_view>

namespace podhop::core {

/// c in lower case when it is an ASCII capital, else c.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// s with its ASCII capitals in lower case.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

/// True when a and b are equal ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace podhop::core
