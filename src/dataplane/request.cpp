#include "podhop/dataplane/request.hpp"
#include "podhop/core/strings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace podhop::dataplane {

namespace {

using core::lower;

// The characters curl's hostname check (urlapi.c hostname_check) refuses: whitespace (as
// isspace in the C locale) and URL delimiters. A table, as every request parses its URL.
constexpr std::array<bool, 256> kBadHostChar = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view(" \t\n\v\f\r/\\@?#%<>\"^`{|}"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  return std::none_of(host.begin(), host.end(),
                      [](char c) { return kBadHostChar[static_cast<unsigned char>(c)]; });
}

}  // namespace

std::uint16_t Url::default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

namespace {

// Appends ":port" (every request prints its URL: no fmt here).
void append_port(std::string& out, std::uint16_t port) {
  char buf[8];
  buf[0] = ':';
  char* end = std::to_chars(buf + 1, buf + sizeof buf, port).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace

std::string Url::host_header() const {
  if (port == default_port(scheme)) return host;
  std::string out;
  out.reserve(host.size() + 6);
  out.append(host);
  append_port(out, port);
  return out;
}

std::string Url::str() const {
  std::string out;
  out.reserve(scheme.size() + 3 + host.size() + 6 + path.size());
  out.append(scheme).append("://").append(host);
  if (port_given) append_port(out, port);
  out.append(path);
  return out;
}

ParsedUrl parse_url(std::string_view text) {
  ParsedUrl out;
  auto fail = [&](int code, std::string message) {
    out.error = {code, std::move(message)};
    return out;
  };
  Url url;
  std::string_view rest = text;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, sep);
    if (scheme == "http" || scheme == "https")
      url.scheme.assign(scheme);  // as written, already lowercase
    else
      url.scheme = lower(scheme);
    rest.remove_prefix(sep + 3);
    if (url.scheme != "http" && url.scheme != "https")
      return fail(1, fmt::format("Protocol \"{}\" not supported", url.scheme));
  }
  // The fragment never leaves the client.
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  // The authority ends at the first '/' or '?' (a loop: find_first_of calls memchr per
  // character).
  std::size_t auth_end = std::string_view::npos;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '/' || rest[i] == '?') {
      auth_end = i;
      break;
    }
  }
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view path = auth_end == std::string_view::npos ? "" : rest.substr(auth_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);  // user:password@ is curl's business, not the network's

  std::string_view host = authority;
  url.port = Url::default_port(url.scheme);
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail(3, "URL rejected: Bad IPv6 address");
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    authority.remove_prefix(colon);
  } else {
    authority = {};
  }
  if (!authority.empty() && authority.front() == ':') {
    std::string_view digits = authority.substr(1);
    if (!digits.empty()) {
      if (digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          }))
        return fail(3, "URL rejected: Port number was not a decimal number between 0 and 65535");
      int port = 0;
      std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (port > 65535)
        return fail(3, "URL rejected: Port number was not a decimal number between 0 and 65535");
      url.port = static_cast<std::uint16_t>(port);
      url.port_given = true;
    }
  }
  if (host.empty()) return fail(3, "URL rejected: No host part in the URL");
  if (!valid_host(host)) return fail(3, "URL rejected: Bad hostname");
  url.host = std::string(host);
  if (path.empty()) {
    url.path = "/";
  } else if (path.front() == '?') {
    url.path.assign(1, '/').append(path);
  } else {
    url.path = std::string(path);
  }
  out.url = std::move(url);
  return out;
}

std::string_view to_string(ClientKind k) {
  switch (k) {
    case ClientKind::pod:
      return "pod";
    case ClientKind::node:
      return "node";
    case ClientKind::external:
      return "external";
  }
  return "unknown";
}

std::string_view http_reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 418:
      return "I'm a teapot";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 508:
      return "Loop Detected";
    default:
      return "";
  }
}

}  // namespace podhop::dataplane
