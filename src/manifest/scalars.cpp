#include "manifest/scalars.hpp"

#include <cctype>
#include <limits>

#include <fmt/format.h>

namespace podhop::manifest::detail {

namespace {

bool is_true_word(std::string_view t) {
  return t == "y" || t == "Y" || t == "yes" || t == "Yes" || t == "YES" || t == "true" ||
         t == "True" || t == "TRUE" || t == "on" || t == "On" || t == "ON";
}

bool is_false_word(std::string_view t) {
  return t == "n" || t == "N" || t == "no" || t == "No" || t == "NO" || t == "false" ||
         t == "False" || t == "FALSE" || t == "off" || t == "Off" || t == "OFF";
}

bool is_null_word(std::string_view t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

bool is_special_float(std::string_view t) {
  return t == ".nan" || t == ".NaN" || t == ".NAN" || t == ".inf" || t == ".Inf" || t == ".INF" ||
         t == "+.inf" || t == "+.Inf" || t == "+.INF" || t == "-.inf" || t == "-.Inf" ||
         t == "-.INF";
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

/// Go's strconv.ParseInt(s, 0, 64) after `_` removal; sets overflow when the digits are
/// valid but too large.
std::optional<std::int64_t> parse_go_int(std::string_view s, bool& overflow) {
  overflow = false;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
  }
  unsigned long long v = 0;
  const unsigned long long limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
  for (char c : s) {
    int d = digit_value(c);
    if (d >= base) return std::nullopt;
    if (v > (limit - static_cast<unsigned long long>(d)) / static_cast<unsigned long long>(base)) {
      overflow = true;
      // Keep scanning: a bad digit later makes it not a number at all.
      v = limit;
      continue;
    }
    v = v * static_cast<unsigned long long>(base) + static_cast<unsigned long long>(d);
  }
  if (overflow) return std::nullopt;
  if (neg) {
    if (v == 9223372036854775808ULL) return std::numeric_limits<std::int64_t>::min();
    return -static_cast<std::int64_t>(v);
  }
  return static_cast<std::int64_t>(v);
}

/// yaml.v2's float pattern: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_yaml_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digits = [&]() {
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

/// Go's strconv.ParseFloat on text starting with '.', roughly: ".5", ".5e3".
bool is_dot_float(std::string_view s) {
  return is_yaml_float(s);
}

std::string without_underscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '_') out.push_back(c);
  return out;
}

}  // namespace

ScalarKind classify_scalar(std::string_view text, bool quoted) {
  if (quoted) return ScalarKind::string;
  if (is_null_word(text)) return ScalarKind::null;
  char c = text[0];
  if (c == 'y' || c == 'Y' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' ||
      c == 'F' || c == 'o' || c == 'O') {
    if (is_true_word(text) || is_false_word(text)) return ScalarKind::boolean;
    return ScalarKind::string;
  }
  if (c == '.' || ((c == '+' || c == '-') && text.size() > 1 && text[1] == '.')) {
    if (is_special_float(text)) return ScalarKind::floating;
    if (c == '.') return is_dot_float(text) ? ScalarKind::floating : ScalarKind::string;
  }
  if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-') {
    std::string plain = without_underscores(text);
    bool overflow = false;
    if (parse_go_int(plain, overflow)) return ScalarKind::integer;
    if (overflow) return ScalarKind::integer;
    if (is_yaml_float(plain)) return ScalarKind::floating;
    return ScalarKind::string;
  }
  return ScalarKind::string;
}

bool scalar_bool(std::string_view text) {
  return is_true_word(text);
}

std::optional<std::int64_t> scalar_int(std::string_view text) {
  bool overflow = false;
  return parse_go_int(without_underscores(text), overflow);
}

std::string go_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", c);
        else
          out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

std::string go_map(const std::vector<std::pair<std::string, std::string>>& entries, bool nil) {
  if (nil) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : entries) {
    if (!first) out += ", ";
    first = false;
    out += go_quote(k);
    out += ':';
    out += go_quote(v);
  }
  out += '}';
  return out;
}

std::string go_string_slice(const std::vector<std::string>& items) {
  std::string out = "[]string{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += go_quote(items[i]);
  }
  out += '}';
  return out;
}

}  // namespace podhop::manifest::detail
