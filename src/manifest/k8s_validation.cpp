#include "manifest/k8s_validation.hpp"

#include <array>
#include <cctype>
#include <optional>

#include <fmt/format.h>

namespace podhop::manifest::detail {

namespace {

// Formats and messages as apimachinery writes them (pkg/util/validation/validation.go and
// pkg/api/validate/content/kube.go); the exact text is what kubectl prints.
constexpr std::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1123LabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kDns1123SubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character";
constexpr std::string_view kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1035LabelMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr std::string_view kWildcardFmt =
    "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kWildcardMsg =
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kLabelKeyMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kPercentFmt = "[0-9]+%";
constexpr std::string_view kPercentMsg =
    "a valid percent string must be a numeric string followed by an ending '%'";
constexpr std::string_view kConfigMapKeyFmt = "[-._a-zA-Z0-9]+";
constexpr std::string_view kConfigMapKeyMsg =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

/// RegexError: msg (e.g. 'a',  or 'b', regex used for validation is 'fmt').
std::string regex_error(std::string_view msg, std::string_view format,
                        std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  if (examples.size() == 0)
    return out + " (regex used for validation is '" + std::string(format) + "')";
  out += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'";
    out += e;
    out += "', ";
  }
  out += "regex used for validation is '";
  out += format;
  out += "')";
  return out;
}

std::string max_len_error(int n) {
  return fmt::format("must be no more than {} characters", n);
}

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

/// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool match_dns1123_label(std::string_view s) {
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (char c : s)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

bool match_dns1123_subdomain(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!match_dns1123_label(label)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool match_dns1035_label(std::string_view s) {
  if (s.empty() || !(s.front() >= 'a' && s.front() <= 'z') || !lower_alnum(s.back())) return false;
  for (char c : s)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

/// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool match_label_key_name(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::optional<std::array<int, 4>> parse_ipv4_parts(std::string_view s) {
  std::array<int, 4> parts{};
  int n = 0;
  std::size_t i = 0;
  while (n < 4) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    int v = 0;
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i] - '0');
      if (++digits > 3 || v > 255) return std::nullopt;
      ++i;
    }
    parts[static_cast<std::size_t>(n++)] = v;
    if (n < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return parts;
}

/// Parses IPv6 text into 16 bytes (with an optional trailing dotted quad).
std::optional<std::array<unsigned char, 16>> parse_ipv6(std::string_view s) {
  std::array<unsigned char, 16> out{};
  int groups_before = 0;
  std::array<unsigned, 8> before{};
  std::array<unsigned, 8> after{};
  int groups_after = 0;
  bool seen_gap = false;
  std::size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    seen_gap = true;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return std::nullopt;
  }
  bool trailing_v4 = false;
  while (i < s.size()) {
    // An embedded IPv4 at the end.
    std::size_t next_colon = s.find(':', i);
    std::string_view piece = s.substr(i, next_colon == s.npos ? s.npos : next_colon - i);
    if (next_colon == s.npos && piece.find('.') != s.npos) {
      auto v4 = parse_ipv4_parts(piece);
      if (!v4) return std::nullopt;
      unsigned hi = static_cast<unsigned>((*v4)[0] << 8 | (*v4)[1]);
      unsigned lo = static_cast<unsigned>((*v4)[2] << 8 | (*v4)[3]);
      auto& arr = seen_gap ? after : before;
      int& cnt = seen_gap ? groups_after : groups_before;
      if (cnt + 2 > 8) return std::nullopt;
      arr[static_cast<std::size_t>(cnt++)] = hi;
      arr[static_cast<std::size_t>(cnt++)] = lo;
      trailing_v4 = true;
      i = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return std::nullopt;
    unsigned v = 0;
    for (char c : piece) {
      int d = std::isxdigit(static_cast<unsigned char>(c))
                  ? (std::isdigit(static_cast<unsigned char>(c))
                         ? c - '0'
                         : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10))
                  : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(d);
    }
    auto& arr = seen_gap ? after : before;
    int& cnt = seen_gap ? groups_after : groups_before;
    if (cnt >= 8) return std::nullopt;
    arr[static_cast<std::size_t>(cnt++)] = v;
    if (next_colon == s.npos) {
      i = s.size();
      break;
    }
    i = next_colon + 1;
    if (i < s.size() && s[i] == ':') {
      if (seen_gap) return std::nullopt;
      seen_gap = true;
      ++i;
    } else if (i >= s.size()) {
      return std::nullopt;  // trailing single colon
    }
  }
  (void)trailing_v4;
  int total = groups_before + groups_after;
  if (seen_gap ? total > 7 : total != 8) return std::nullopt;
  std::array<unsigned, 8> g{};
  for (int k = 0; k < groups_before; ++k)
    g[static_cast<std::size_t>(k)] = before[static_cast<std::size_t>(k)];
  for (int k = 0; k < groups_after; ++k)
    g[static_cast<std::size_t>(8 - groups_after + k)] = after[static_cast<std::size_t>(k)];
  for (std::size_t k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<unsigned char>(g[k] >> 8);
    out[2 * k + 1] = static_cast<unsigned char>(g[k] & 0xff);
  }
  return out;
}

}  // namespace

Messages is_dns1123_label(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!match_dns1123_label(value)) {
    if (match_dns1123_subdomain(value))
      errs.push_back("must not contain dots");
    else
      errs.push_back(regex_error(kDns1123LabelMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
  }
  return errs;
}

Messages is_dns1123_subdomain(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  if (!match_dns1123_subdomain(value))
    errs.push_back(regex_error(kDns1123SubdomainMsg, kDns1123SubdomainFmt, {"example.com"}));
  return errs;
}

Messages is_dns1035_label(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!match_dns1035_label(value))
    errs.push_back(regex_error(kDns1035LabelMsg, kDns1035LabelFmt, {"my-name", "abc-123"}));
  return errs;
}

Messages is_wildcard_dns1123_subdomain(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  bool ok = value.size() > 2 && value[0] == '*' && value[1] == '.' &&
            match_dns1123_subdomain(value.substr(2));
  if (!ok) errs.push_back(regex_error(kWildcardMsg, kWildcardFmt, {"*.example.com"}));
  return errs;
}

Messages is_valid_port_name(std::string_view port) {
  Messages errs;
  if (port.size() > 15) errs.push_back(max_len_error(15));
  bool charset = !port.empty();
  bool letter = false;
  for (char c : port) {
    if (!lower_alnum(c) && c != '-') charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset)
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos)
    errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-'))
    errs.push_back("must not begin or end with a hyphen");
  return errs;
}

std::string inclusive_range_error(std::int64_t lo, std::int64_t hi) {
  return fmt::format("must be between {} and {}, inclusive", lo, hi);
}

Messages is_valid_port_num(std::int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {inclusive_range_error(1, 65535)};
}

Messages is_qualified_name(std::string_view value) {
  Messages errs;
  std::string_view name;
  std::size_t slashes = 0;
  for (char c : value) slashes += c == '/';
  if (slashes == 0) {
    name = value;
  } else if (slashes == 1) {
    auto pos = value.find('/');
    std::string_view prefix = value.substr(0, pos);
    name = value.substr(pos + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : is_dns1123_subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  } else {
    errs.push_back("a valid label key " +
                   regex_error(kLabelKeyMsg, kLabelKeyFmt, {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty())
    errs.push_back("name part must be non-empty");
  else if (name.size() > 63)
    errs.push_back("name part " + max_len_error(63));
  if (!match_label_key_name(name))
    errs.push_back("name part " +
                   regex_error(kLabelKeyMsg, kLabelKeyFmt, {"MyName", "my.name", "123-abc"}));
  return errs;
}

Messages is_valid_label_value(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!value.empty() && !match_label_key_name(value))
    errs.push_back(regex_error(kLabelValueMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  return errs;
}

Messages is_valid_percent(std::string_view value) {
  bool ok = value.size() >= 2 && value.back() == '%';
  for (std::size_t i = 0; ok && i + 1 < value.size(); ++i)
    ok = std::isdigit(static_cast<unsigned char>(value[i])) != 0;
  if (ok) return {};
  return {regex_error(kPercentMsg, kPercentFmt, {"1%", "93%"})};
}

Messages is_config_map_key(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  bool ok = !value.empty();
  for (char c : value)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  if (!ok)
    errs.push_back(
        regex_error(kConfigMapKeyMsg, kConfigMapKeyFmt, {"key.name", "KEY_NAME", "key-name"}));
  if (value == ".")
    errs.push_back("must not be '.'");
  else if (value == "..")
    errs.push_back("must not be '..'");
  else if (value.substr(0, 2) == "..")
    errs.push_back("must not start with '..'");
  return errs;
}

Messages is_path_segment_name(std::string_view value) {
  if (value == ".") return {"may not be '.'"};
  if (value == "..") return {"may not be '..'"};
  Messages errs;
  if (value.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (value.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

bool is_ipv4(std::string_view text) {
  return parse_ipv4_parts(text).has_value();
}

bool is_ip(std::string_view text) {
  if (is_ipv4(text)) return true;
  return text.find(':') != std::string_view::npos && parse_ipv6(text).has_value();
}

bool is_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view ip = text.substr(0, slash);
  std::string_view bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3) return false;
  int n = 0;
  for (char c : bits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    n = n * 10 + (c - '0');
  }
  if (is_ipv4(ip)) return n <= 32;
  if (ip.find(':') != std::string_view::npos && parse_ipv6(ip)) return n <= 128;
  return false;
}

Messages non_special_ip(std::string_view ip) {
  Messages errs;
  if (auto v4 = parse_ipv4_parts(ip)) {
    const auto& p = *v4;
    if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
      errs.push_back(fmt::format("may not be unspecified ({})", ip));
    if (p[0] == 127) errs.push_back("may not be in the loopback range (127.0.0.0/8, ::1/128)");
    if (p[0] == 169 && p[1] == 254)
      errs.push_back("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
    if (p[0] == 224 && p[1] == 0 && p[2] == 0)
      errs.push_back("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
    return errs;
  }
  auto v6 = ip.find(':') != std::string_view::npos ? parse_ipv6(ip) : std::nullopt;
  if (!v6) {
    errs.push_back("must be a valid IP address");
    return errs;
  }
  const auto& b = *v6;
  bool zero_prefix = true;
  for (std::size_t i = 0; i < 15; ++i) zero_prefix = zero_prefix && b[i] == 0;
  // IPv4-mapped addresses (::ffff:a.b.c.d) are checked as IPv4 by Go.
  bool mapped = true;
  for (std::size_t i = 0; i < 10; ++i) mapped = mapped && b[i] == 0;
  mapped = mapped && b[10] == 0xff && b[11] == 0xff;
  if (mapped) {
    return non_special_ip(fmt::format("{}.{}.{}.{}", b[12], b[13], b[14], b[15]));
  }
  if (zero_prefix && b[15] == 0) errs.push_back(fmt::format("may not be unspecified ({})", ip));
  if (zero_prefix && b[15] == 1)
    errs.push_back("may not be in the loopback range (127.0.0.0/8, ::1/128)");
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    errs.push_back("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
  if (b[0] == 0xff && (b[1] & 0x0f) == 0x02)
    errs.push_back("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
  return errs;
}

Messages validate_name(NameRule rule, std::string_view name) {
  switch (rule) {
    case NameRule::dns1123_subdomain:
      return is_dns1123_subdomain(name);
    case NameRule::dns1123_label:
      return is_dns1123_label(name);
    case NameRule::dns1035_label:
      return is_dns1035_label(name);
  }
  return {};
}

}  // namespace podhop::manifest::detail
