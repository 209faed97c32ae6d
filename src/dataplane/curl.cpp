#include "podhop/dataplane/curl.hpp"
#include "podhop/core/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "podhop/dataplane/tls.hpp"

namespace podhop::dataplane {

namespace {

constexpr std::string_view kTryHelp = "try 'curl --help' or 'curl --manual' for more information";

using core::iequals;

// curl reads timeouts as seconds with an optional fraction ("5", "2.5").
std::optional<core::Duration> parse_seconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || v < 0 || !std::isfinite(v)) return std::nullopt;
  return core::Duration{static_cast<std::int64_t>(std::llround(v * 1e9))};
}

std::string header_value(const trace::RequestRecord& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

// curl's max5data: a byte count in at most five characters.
std::string max5(std::int64_t v) {
  constexpr std::int64_t kKb = 1024;
  constexpr std::int64_t kMb = 1024 * 1024;
  if (v < 100000) return fmt::format("{:>5}", v);
  if (v < 10000 * kKb) return fmt::format("{:>4}k", v / kKb);
  if (v < 100 * kMb) return fmt::format("{:>2}.{}M", v / kMb, (v % kMb) / (kMb / 10));
  return fmt::format("{:>4}M", v / kMb);
}

// curl's time2str: "--:--:--" for nothing, else H:MM:SS in eight characters.
std::string time2str(std::int64_t seconds) {
  if (seconds <= 0) return "--:--:--";
  std::int64_t h = seconds / 3600;
  if (h <= 99) return fmt::format("{:>2}:{:02}:{:02}", h, (seconds % 3600) / 60, seconds % 60);
  std::int64_t d = seconds / 86400;
  if (d <= 999) return fmt::format("{:>3}d {:02}h", d, (seconds % 86400) / 3600);
  return fmt::format("{:>7}d", d);
}

std::string progress_header() {
  return "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
         "                                 Dload  Upload   Total   Spent    Left  Speed\n";
}

std::string seconds6(const std::optional<core::Duration>& d) {
  std::int64_t ns = d ? d->ns : 0;
  return fmt::format("{}.{:06}", ns / 1'000'000'000, (ns % 1'000'000'000) / 1000);
}

// curl's -w: %{variable} and the \n \r \t \\ escapes.
std::string write_out(const std::string& format, const trace::RequestRecord& r, std::string& err) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      char n = format[i + 1];
      if (n == 'n')
        out += '\n';
      else if (n == 'r')
        out += '\r';
      else if (n == 't')
        out += '\t';
      else if (n == '\\')
        out += '\\';
      else {
        out += c;
        out += n;
      }
      ++i;
      continue;
    }
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    if (i + 1 >= format.size() || format[i + 1] != '{') {
      out += c;
      continue;
    }
    auto close = format.find('}', i + 2);
    if (close == std::string::npos) {
      out += format.substr(i);
      break;
    }
    std::string var = format.substr(i + 2, close - i - 2);
    i = close;
    const int status = r.status.value_or(0);
    if (var == "http_code" || var == "response_code") {
      out += fmt::format("{:03}", status);
    } else if (var == "remote_ip") {
      out += r.remote ? r.remote->ip.str() : "";
    } else if (var == "remote_port") {
      out += r.remote ? std::to_string(r.remote->port) : "0";
    } else if (var == "local_ip") {
      out += r.local ? r.local->ip.str() : "";
    } else if (var == "local_port") {
      out += r.local ? std::to_string(r.local->port) : "0";
    } else if (var == "time_total") {
      out += seconds6(r.elapsed);
    } else if (var == "time_namelookup") {
      out += seconds6(r.time_namelookup);
    } else if (var == "time_connect" || var == "time_pretransfer") {
      out += seconds6(r.time_connect);
    } else if (var == "time_appconnect") {
      out += seconds6(std::nullopt);
    } else if (var == "time_starttransfer") {
      out += seconds6(r.time_starttransfer);
    } else if (var == "size_download") {
      out += std::to_string(r.body.size());
    } else if (var == "url_effective" || var == "url") {
      out += r.url;
    } else if (var == "exitcode") {
      out += std::to_string(r.exit_code);
    } else if (var == "errormsg") {
      out += r.error;
    } else if (var == "content_type") {
      out += header_value(r, "Content-Type");
    } else if (var == "num_connects") {
      out += r.connected_to && !r.reused_connection ? "1" : "0";
    } else if (var == "method") {
      out += r.method;
    } else if (var == "scheme") {
      auto sep = r.url.find("://");
      std::string scheme = sep == std::string::npos ? "http" : r.url.substr(0, sep);
      for (char& ch : scheme) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out += scheme;
    } else if (var == "http_version") {
      out += r.status ? "1.1" : "0";
    } else if (var == "redirect_url") {
      out += redirect_target(r);
    } else {
      err += fmt::format("curl: unknown --write-out variable: '{}'\n", var);
    }
  }
  return out;
}

std::string_view connect_errno_text(const trace::RequestRecord& r) {
  return r.outcome == trace::Outcome::timeout ? "Connection timed out" : "Connection refused";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Options

std::string CurlOptions::effective_method() const {
  if (!method.empty()) return method;
  if (head) return "HEAD";
  if (data) return "POST";
  return "GET";
}

RequestSpec CurlOptions::request_for(const std::string& url) const {
  RequestSpec s;
  s.url = url;
  s.method = effective_method();
  s.headers = headers;
  if (data) {
    s.body = *data;
    bool has_type = std::any_of(headers.begin(), headers.end(), [](const HttpHeader& h) {
      return iequals(h.name, "Content-Type");
    });
    if (!has_type) s.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  }
  s.resolve = resolve;
  s.connect_timeout = connect_timeout;
  s.max_time = max_time;
  s.insecure = insecure;
  s.ca_bundle = ca_bundle;
  s.port_forward = port_forward;
  s.ca_file = cacert;
  s.user_agent = fmt::format("curl/{}", kCurlVersion);
  for (const auto& h : headers) {
    if (iequals(h.name, "User-Agent")) s.user_agent.clear();  // -H replaces curl's own
  }
  return s;
}

CurlOptions parse_curl_args(const std::vector<std::string>& args) {
  CurlOptions o;
  auto fail = [&](int code, std::string message) {
    if (o.error_code == 0) {
      o.error_code = code;
      o.error = std::move(message);
    }
  };
  // Applies one option that takes a value; returns false when the value is unusable.
  auto apply = [&](const std::string& name, const std::string& value) {
    if (name == "X" || name == "request") {
      o.method = value;
    } else if (name == "H" || name == "header") {
      auto colon = value.find(':');
      if (colon == std::string::npos) return true;  // curl ignores a header without a colon
      std::string hname = value.substr(0, colon);
      std::string hvalue = value.substr(colon + 1);
      while (!hvalue.empty() && hvalue.front() == ' ') hvalue.erase(hvalue.begin());
      o.headers.push_back({hname, hvalue});
    } else if (name == "d" || name == "data" || name == "data-raw" || name == "data-binary" ||
               name == "data-urlencode") {
      o.data = o.data ? *o.data + "&" + value : value;
    } else if (name == "o" || name == "output") {
      o.output = value;
    } else if (name == "w" || name == "write-out") {
      o.write_out = value;
    } else if (name == "A" || name == "user-agent") {
      o.headers.push_back({"User-Agent", value});
    } else if (name == "m" || name == "max-time") {
      auto d = parse_seconds(value);
      if (!d) {
        fail(2, fmt::format("option --max-time: expected a proper numerical parameter"));
        return false;
      }
      o.max_time = d;
    } else if (name == "connect-timeout") {
      auto d = parse_seconds(value);
      if (!d) {
        fail(2, "option --connect-timeout: expected a proper numerical parameter");
        return false;
      }
      o.connect_timeout = d;
    } else if (name == "max-redirs") {
      o.max_redirs = std::atoi(value.c_str());
    } else if (name == "resolve") {
      // HOST:PORT:ADDR[,ADDR]...
      auto c1 = value.find(':');
      auto c2 = c1 == std::string::npos ? std::string::npos : value.find(':', c1 + 1);
      if (c2 == std::string::npos) {
        fail(49, fmt::format("Couldn't parse CURLOPT_RESOLVE entry '{}'", value));
        return false;
      }
      std::string host = value.substr(0, c1);
      int port = std::atoi(value.substr(c1 + 1, c2 - c1 - 1).c_str());
      std::string addr = value.substr(c2 + 1);
      if (auto comma = addr.find(','); comma != std::string::npos) addr = addr.substr(0, comma);
      auto ip = core::Ipv4::parse(addr);
      if (!ip || port <= 0 || port > 65535) {
        fail(49, fmt::format("Couldn't parse CURLOPT_RESOLVE entry '{}'", value));
        return false;
      }
      o.resolve.push_back({host, static_cast<std::uint16_t>(port), *ip});
    } else if (name == "url") {
      o.urls.push_back(value);
    } else if (name == "cacert") {
      o.cacert = value;
      std::ifstream in(value, std::ios::binary);
      std::stringstream text;
      if (in) text << in.rdbuf();
      std::string error;
      if (!in || parse_pem_bundle(text.str(), &error, value).empty()) {
        fail(kCurlCacertBadFile, fmt::format("error setting certificate file: {}", value));
        return false;
      }
      o.ca_bundle = std::make_shared<const std::string>(text.str());
    } else if (name == "repeat") {
      char* end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || n < 1 || n > 10'000'000) {
        fail(2, fmt::format("option --repeat: expected a count from 1 to 10000000, got \"{}\"",
                            value));
        return false;
      }
      o.repeat = static_cast<int>(n);
    } else if (name == "u" || name == "user" || name == "e" || name == "referer" || name == "b" ||
               name == "cookie" || name == "c" || name == "cookie-jar" || name == "retry") {
      // Accepted, not simulated.
    }
    return true;
  };
  auto takes_value_short = [](char c) {
    return std::string_view("XHdowAmuebc").find(c) != std::string_view::npos;
  };
  auto flag_short = [&](char c) {
    switch (c) {
      case 's':
        o.silent = true;
        return true;
      case 'S':
        o.show_error = true;
        return true;
      case 'v':
        o.verbose = true;
        return true;
      case 'i':
        o.include = true;
        return true;
      case 'I':
        o.head = true;
        return true;
      case 'k':
        o.insecure = true;
        return true;
      case 'L':
        o.location = true;
        return true;
      case 'f':
        o.fail = true;
        return true;
      default:
        return false;
    }
  };
  static const std::vector<std::string> kLongValue = {
      "request", "header",    "data",       "data-raw", "data-binary",     "data-urlencode",
      "output",  "write-out", "user-agent", "max-time", "connect-timeout", "max-redirs",
      "resolve", "url",       "user",       "referer",  "cookie",          "cookie-jar",
      "cacert",  "retry",     "repeat"};
  bool only_urls = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_urls || a.empty() || a[0] != '-' || a == "-") {
      o.urls.push_back(a);
      continue;
    }
    if (a == "--") {
      only_urls = true;
      continue;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      if (name == "silent")
        o.silent = true;
      else if (name == "show-error")
        o.show_error = true;
      else if (name == "verbose")
        o.verbose = true;
      else if (name == "include")
        o.include = true;
      else if (name == "head")
        o.head = true;
      else if (name == "insecure")
        o.insecure = true;
      else if (name == "location")
        o.location = true;
      else if (name == "fail")
        o.fail = true;
      else if (name == "no-progress-meter")
        o.no_progress_meter = true;
      else if (name == "keepalive")
        o.keepalive = true;
      else if (name == "http1.1" || name == "compressed" || name == "no-keepalive" ||
               name == "globoff" || name == "ipv4" || name == "fail-early")
        continue;  // accepted, nothing to simulate
      else if (std::find(kLongValue.begin(), kLongValue.end(), name) != kLongValue.end()) {
        if (i + 1 >= args.size()) {
          fail(2, fmt::format("option --{}: requires parameter", name));
          break;
        }
        if (!apply(name, args[++i])) break;
      } else {
        fail(2, fmt::format("option --{}: is unknown", name));
        break;
      }
      continue;
    }
    // Short options, possibly combined (-sSL) or with a glued value (-XPOST).
    bool stop = false;
    for (std::size_t k = 1; k < a.size() && !stop; ++k) {
      char c = a[k];
      if (flag_short(c)) continue;
      if (takes_value_short(c)) {
        std::string value;
        if (k + 1 < a.size()) {
          value = a.substr(k + 1);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          fail(2, fmt::format("option -{}: requires parameter", c));
          stop = true;
          break;
        }
        if (!apply(std::string(1, c), value)) stop = true;
        break;
      }
      fail(2, fmt::format("option -{}: is unknown", c));
      stop = true;
    }
    if (stop) break;
  }
  if (o.ok() && o.urls.empty()) fail(2, "no URL specified");
  return o;
}

// ---------------------------------------------------------------------------------------
// Output

std::string progress_line(std::int64_t total, std::int64_t bytes, core::Duration elapsed) {
  const std::int64_t us = elapsed.ns / 1000;
  const std::int64_t speed = us < 1 ? bytes * 1'000'000 : bytes * 1'000'000 / us;
  const std::int64_t percent = total > 0 ? bytes * 100 / total : 0;
  const std::int64_t expected = total > 0 ? total : bytes;
  const std::int64_t spent = elapsed.ns / 1'000'000'000;
  const std::int64_t estimate = total > 0 && speed > 0 ? total / speed : 0;
  const std::int64_t left = total > 0 && speed > 0 ? (total - bytes) / speed : 0;
  return fmt::format("{:>3} {}  {:>3} {}  {:>3} {}  {}  {} {} {} {} {}", percent, max5(expected),
                     percent, max5(bytes), 0, max5(0), max5(speed), max5(0), time2str(estimate),
                     time2str(spent), time2str(left), max5(speed));
}

bool is_followed_redirect(const trace::RequestRecord& r) {
  if (!r.status) return false;
  const int s = *r.status;
  return (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) &&
         !header_value(r, "Location").empty();
}

std::string redirect_target(const trace::RequestRecord& r) {
  std::string loc = header_value(r, "Location");
  if (loc.empty()) return {};
  if (loc.find("://") != std::string::npos) return loc;
  auto parsed = parse_url(r.url);
  if (!parsed.ok()) return loc;
  Url base = *parsed.url;
  if (loc.front() == '/') {
    base.path = loc;
  } else {
    auto slash = base.path.rfind('/');
    base.path = base.path.substr(0, slash + 1) + loc;
  }
  return base.str();
}

namespace {

// What curl 8.8 (OpenSSL 3) prints with -v between "Connected to" and the request: the
// handshake, then the server certificate lines the pipeline recorded (a "tls" hop), or the
// verification error. HTTP/2 is not simulated: ALPN settles on http/1.1.
std::string tls_verbose(const CurlOptions& o, const trace::RequestRecord& r) {
  std::string err;
  err += "* ALPN: curl offers h2,http/1.1\n";
  err += "* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n";
  if (!o.insecure) {
    err += fmt::format("*  CAfile: {}\n", o.cacert.empty()
                                              ? std::string("/etc/ssl/certs/ca-certificates.crt")
                                              : o.cacert);
    err += "*  CApath: none\n";
  }
  err += "* TLSv1.3 (IN), TLS handshake, Server hello (2):\n";
  const trace::Hop* cert = nullptr;
  for (const auto& h : r.hops)
    if (h.depth == 0 && h.stage == kTlsHopStage) cert = &h;
  if (r.outcome == trace::Outcome::tls_error && !cert) {
    err += "* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):\n";
    err += "* TLSv1.3 (IN), TLS handshake, Certificate (11):\n";
    err += "* TLSv1.3 (OUT), TLS alert, unknown CA (560):\n";
    return err;
  }
  if (r.outcome == trace::Outcome::tls_error && r.exit_code == 35) return err;
  err += "* TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):\n";
  err += "* TLSv1.3 (IN), TLS handshake, Certificate (11):\n";
  err += "* TLSv1.3 (IN), TLS handshake, CERT verify (15):\n";
  err += "* TLSv1.3 (IN), TLS handshake, Finished (20):\n";
  err += "* TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):\n";
  err += "* TLSv1.3 (OUT), TLS handshake, Finished (20):\n";
  err += "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384 / X25519 / RSASSA-PSS\n";
  err += "* ALPN: server accepted http/1.1\n";
  if (cert) {
    std::string_view rest = cert->detail;
    while (!rest.empty()) {
      auto bar = rest.find(" | ");
      err += fmt::format("* {}\n", rest.substr(0, bar));
      if (bar == std::string_view::npos) break;
      rest.remove_prefix(bar + 3);
    }
  }
  return err;
}

}  // namespace

CurlOutput render_curl(const CurlOptions& o, const std::vector<CurlTransfer>& transfers) {
  CurlOutput res;
  std::string& out = res.out;
  std::string& err = res.err;
  const bool meter = !o.silent && !o.no_progress_meter;
  const bool body_to_stdout = !o.output || *o.output == "-";
  // curl numbers its connections #0, #1...; a reused one keeps its number.
  std::vector<std::pair<trace::Address, int>> connections;
  int next_connection = 0;
  for (const CurlTransfer& t : transfers) {
    const trace::RequestRecord& r = t.record;
    auto parsed = parse_url(r.url);
    const std::string host = parsed.ok() ? parsed.url->host : r.url;
    const int port = parsed.ok() ? parsed.url->port : 0;
    const bool literal = parsed.ok() && core::Ipv4::parse(host).has_value();
    const bool failed_f = o.fail && r.outcome == trace::Outcome::ok && r.status && *r.status >= 400;
    const std::int64_t body_size = static_cast<std::int64_t>(r.body.size());

    if (meter) {
      err += progress_header();
      err += "\r" + progress_line(0, 0, {});
    }
    if (o.verbose && r.outcome != trace::Outcome::ok && r.exit_code == 3) {
      // A URL curl refused to parse never gets to the network.
    } else if (o.verbose) {
      bool resolved_by_option = false;
      for (const auto& ov : o.resolve) {
        if ((ov.host == "*" || iequals(ov.host, host)) && ov.port == port) {
          err += fmt::format("* Added {}:{}:{} to DNS cache\n", ov.host, ov.port, ov.address.str());
          err += fmt::format("* Hostname {} was found in DNS cache\n", host);
          resolved_by_option = true;
        }
      }
      if (r.outcome == trace::Outcome::dns_failure) {
        err += fmt::format("* Could not resolve host: {}\n", host);
      } else if (!literal && !resolved_by_option && r.remote) {
        err += fmt::format("* Host {}:{} was resolved.\n", host, port);
        err += "* IPv6: (none)\n";
        std::vector<std::string> ips;
        for (const auto& ip : r.resolved) ips.push_back(ip.str());
        err += fmt::format("* IPv4: {}\n", fmt::join(ips, ", "));
      }
      if (r.remote && !r.reused_connection)
        err += fmt::format("*   Trying {}:{}...\n", r.remote->ip.str(), r.remote->port);
      if (r.reused_connection)
        err += fmt::format("* Re-using existing connection with host {}\n", host);
      if (r.connected_to && !r.reused_connection) {
        err += fmt::format("* Connected to {} ({}) port {}\n", host, r.connected_to->ip.str(),
                           r.connected_to->port);
        if (parsed.ok() && parsed.url->scheme == "https") err += tls_verbose(o, r);
      }
      if (r.remote && !r.connected_to) {
        if (r.error.find("Timeout was reached") == std::string::npos &&
            r.outcome != trace::Outcome::dns_failure) {
          err += fmt::format("* connect to {} port {} from {} port {} failed: {}\n",
                             r.remote->ip.str(), r.remote->port,
                             r.local ? r.local->ip.str() : std::string(),
                             r.local ? r.local->port : 0, connect_errno_text(r));
        }
        err += fmt::format("* {}\n", r.error);
      }
      if (r.connected_to && (r.status || r.outcome != trace::Outcome::tls_error)) {
        std::string target = parsed.ok() ? parsed.url->path : "/";
        err += fmt::format("> {} {} HTTP/1.1\r\n", r.method, target);
        err += fmt::format("> Host: {}\r\n", parsed.ok() ? parsed.url->host_header() : host);
        bool custom_ua = std::any_of(o.headers.begin(), o.headers.end(), [](const HttpHeader& h) {
          return iequals(h.name, "User-Agent");
        });
        if (!custom_ua) err += fmt::format("> User-Agent: curl/{}\r\n", kCurlVersion);
        err += "> Accept: */*\r\n";
        for (const auto& h : o.headers) err += fmt::format("> {}: {}\r\n", h.name, h.value);
        if (o.data) {
          err += fmt::format("> Content-Length: {}\r\n", o.data->size());
          bool has_type = std::any_of(o.headers.begin(), o.headers.end(), [](const HttpHeader& h) {
            return iequals(h.name, "Content-Type");
          });
          if (!has_type) err += "> Content-Type: application/x-www-form-urlencoded\r\n";
        }
        err += "> \r\n";
        err += "* Request completely sent off\n";
      }
      if (r.connected_to && r.status) {
        err += fmt::format("< HTTP/1.1 {} {}\r\n", *r.status, http_reason_phrase(*r.status));
        for (const auto& [k, v] : r.headers) err += fmt::format("< {}: {}\r\n", k, v);
        err += "< \r\n";
        if (failed_f)
          err += fmt::format("* The requested URL returned error: {}\n", *r.status);
        else if (body_size > 0 && !o.head)
          err += fmt::format("{{ [{} bytes data]\n", body_size);
      } else if (r.connected_to && r.outcome != trace::Outcome::ok) {
        err += fmt::format("* {}\n", r.error);
      }
    }

    if (meter) {
      // One update per second while it runs, then the final forced one.
      const std::int64_t whole = r.elapsed.ns / 1'000'000'000;
      const std::int64_t total = r.status && !failed_f ? body_size : 0;
      for (std::int64_t s = 1; s <= whole; ++s) {
        if (s * 1'000'000'000 == r.elapsed.ns) break;
        err += "\r" + progress_line(0, 0, core::Duration::seconds(s));
      }
      err += "\r" + progress_line(total, total, r.elapsed);
      err += "\n";
    }
    int connection = next_connection;
    if (r.connected_to) {
      auto it = std::find_if(connections.begin(), connections.end(),
                             [&](const auto& c) { return c.first == *r.connected_to; });
      if (r.reused_connection && it != connections.end()) {
        connection = it->second;
      } else {
        connection = next_connection++;
        connections.emplace_back(*r.connected_to, connection);
      }
    }
    if (o.verbose) {
      if (r.outcome == trace::Outcome::ok && !failed_f) {
        err += fmt::format("* Connection #{} to host {} left intact\n", connection, host);
      } else {
        err += "* Closing connection\n";
      }
    }

    // stdout
    if (r.status && (o.include || o.head) && !failed_f && body_to_stdout) {
      out += fmt::format("HTTP/1.1 {} {}\r\n", *r.status, http_reason_phrase(*r.status));
      for (const auto& [k, v] : r.headers) out += fmt::format("{}: {}\r\n", k, v);
      out += "\r\n";
    }
    if (r.outcome == trace::Outcome::ok && !failed_f && !o.head && !t.followed && body_to_stdout)
      out += r.body;
    if (r.outcome == trace::Outcome::reset && r.exit_code == 1 && body_to_stdout) {
      // curl refuses the bytes of a server that does not speak HTTP.
    }

    int code = r.exit_code;
    std::string message = r.error;
    if (failed_f) {
      code = 22;
      message = fmt::format("The requested URL returned error: {}", *r.status);
    }
    if (!t.followed && !o.write_out.empty()) out += write_out(o.write_out, r, err);
    if (code != 0) {
      if (!o.silent || o.show_error) {
        err += fmt::format("curl: ({}) {}\n", code, message);
        if (code == kCurlPeerFailedVerification) err += curl_peer_verification_advice();
      }
      res.exit_code = code;
    }
  }
  return res;
}

}  // namespace podhop::dataplane
