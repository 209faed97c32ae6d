// nslookup and dig: the queries they send and the text they print. Formats follow BIND
// 9.18's bin/dig (nslookup.c printmessage/printsection, dig.c printmessage/received,
// lib/dns/masterdump.c column layout) and BusyBox's networking/nslookup.c
// (FEATURE_NSLOOKUP_BIG). docs/dns.md shows sample output next to real captures.

#include "cli/dns_tools.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "podhop/core/calendar.hpp"
#include "podhop/core/strings.hpp"

namespace podhop::cli {

using dataplane::DnsAnswer;
using dataplane::DnsQuery;
using dataplane::DnsRecord;
using dataplane::DnsType;
using dataplane::Rcode;

namespace {

using core::lower;

std::string absolute(std::string_view name) {
  std::string out(name);
  if (out.empty() || out.back() != '.') out.push_back('.');
  return out;
}

/// dns_name_format: a name without its final dot, the root as ".".
std::string no_dot(std::string_view name) {
  if (name == "." || name.empty()) return ".";
  if (name.back() == '.') name.remove_suffix(1);
  return std::string(name);
}

std::string trim_dot(std::string_view s) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

core::Ipv4 default_server(const std::optional<core::Ipv4>& given,
                          const dataplane::ResolvConf& conf) {
  if (given) return *given;
  if (!conf.nameservers.empty()) return conf.nameservers.front();
  return core::Ipv4{0x7f000001};  // no nameserver line: the resolver's default, 127.0.0.1
}

/// The length of a name on the wire, uncompressed.
std::size_t wire_name_length(std::string_view name) {
  std::string n = absolute(name);
  if (n == ".") return 1;
  return n.size() + 1;  // each dot becomes a length byte, plus the root's zero byte
}

std::size_t rdata_length(const DnsRecord& rr) {
  auto fields = split_spaces(rr.data);
  switch (rr.type) {
    case DnsType::A:
      return 4;
    case DnsType::AAAA:
      return 16;
    case DnsType::NS:
    case DnsType::CNAME:
    case DnsType::PTR:
      return wire_name_length(rr.data);
    case DnsType::MX:
      return 2 + (fields.size() > 1 ? wire_name_length(fields[1]) : 1);
    case DnsType::SRV:
      return 6 + (fields.size() > 3 ? wire_name_length(fields[3]) : 1);
    case DnsType::SOA:
      return 20 +
             (fields.size() > 1 ? wire_name_length(fields[0]) + wire_name_length(fields[1]) : 2);
    case DnsType::TXT: {
      // Each quoted string is a length byte and its characters.
      std::size_t n = 0, strings = 0;
      bool quoted = false;
      for (char c : rr.data) {
        if (c == '"') {
          if (!quoted) ++strings;
          quoted = !quoted;
        } else if (quoted) {
          ++n;
        }
      }
      return n + strings;
    }
    case DnsType::ANY:
      return 0;
  }
  return 0;
}

std::string dig_time(std::int64_t unix_seconds) {
  // strftime("%a %b %d %H:%M:%S %Z %Y") in UTC.
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const core::CivilTime c = core::civil_from_unix(unix_seconds);
  return fmt::format(
      "{} {} {:02} {:02}:{:02}:{:02} UTC {}", kDays[static_cast<std::size_t>(c.weekday)],
      kMonths[static_cast<std::size_t>(c.month - 1)], c.day, c.hour, c.minute, c.second, c.year);
}

/// BIND's indent(): tabs to the tab stop at or before `to`, then spaces; always at least
/// one character of space.
void indent_to(std::string& out, std::size_t& column, std::size_t to) {
  constexpr std::size_t kTab = 8;
  if (to < column + 1) to = column + 1;
  std::size_t tabs = to / kTab - column / kTab;
  if (tabs > 0) {
    out.append(tabs, '\t');
    column = (to / kTab) * kTab;
  }
  out.append(to - column, ' ');
  column = to;
}

// dig's style: TTL at column 24, class at 32, type at 40, rdata at 48, tabs of 8.
constexpr std::size_t kTtlColumn = 24, kClassColumn = 32, kTypeColumn = 40, kRdataColumn = 48;

std::string dig_question_line(const DnsQuery& q) {
  std::string out = ";" + absolute(q.name);
  std::size_t col = out.size();
  indent_to(out, col, kClassColumn);
  out += "IN";
  col += 2;
  indent_to(out, col, kTypeColumn);
  out += dataplane::to_string(q.type);
  return out;
}

/// BIND nslookup's printsection for one record.
std::string bind_record(const DnsRecord& rr, bool answer_section) {
  std::string owner = no_dot(rr.name);
  if ((rr.type == DnsType::A || rr.type == DnsType::AAAA) && answer_section)
    return fmt::format("Name:\t{}\nAddress: {}\n", owner, rr.data);
  if (rr.type == DnsType::SOA) {
    auto f = split_spaces(rr.data);
    if (f.size() < 7) return owner + "\n";
    return fmt::format(
        "{}\n\torigin = {}\n\tmail addr = {}\n\tserial = {}\n\trefresh = {}\n\tretry = {}\n"
        "\texpire = {}\n\tminimum = {}\n",
        owner, no_dot(f[0]), no_dot(f[1]), f[2], f[3], f[4], f[5], f[6]);
  }
  std::string_view label;
  switch (rr.type) {
    case DnsType::A:
      label = "internet address = ";
      break;
    case DnsType::NS:
      label = "nameserver = ";
      break;
    case DnsType::CNAME:
      label = "canonical name = ";
      break;
    case DnsType::PTR:
      label = "name = ";
      break;
    case DnsType::MX:
      label = "mail exchanger = ";
      break;
    case DnsType::TXT:
      label = "text = ";
      break;
    case DnsType::AAAA:
      label = "has AAAA address ";
      break;
    case DnsType::SRV:
      label = "service = ";
      break;
    default:
      label = "rdata = ";
      break;
  }
  return fmt::format("{}\t{}{}\n", owner, label, rr.data);
}

/// BusyBox nslookup's parse_reply for one answer record (names without their final dot).
std::string busybox_record(const DnsRecord& rr) {
  std::string owner = no_dot(rr.name);
  auto f = split_spaces(rr.data);
  switch (rr.type) {
    case DnsType::A:
    case DnsType::AAAA:
      return fmt::format("Name:\t{}\nAddress: {}\n", owner, rr.data);
    case DnsType::NS:
      return fmt::format("{}\tnameserver = {}\n", owner, no_dot(rr.data));
    case DnsType::CNAME:
      return fmt::format("{}\tcanonical name = {}\n", owner, no_dot(rr.data));
    case DnsType::PTR:
      return fmt::format("{}\tname = {}\n", owner, no_dot(rr.data));
    case DnsType::MX:
      return f.size() < 2 ? std::string{}
                          : fmt::format("{}\tmail exchanger = {} {}\n", owner, f[0], no_dot(f[1]));
    case DnsType::TXT: {
      std::string text = rr.data;
      if (text.size() >= 2 && text.front() == '"') text = text.substr(1, text.size() - 2);
      return fmt::format("{}\ttext = \"{}\"\n", owner, text);
    }
    case DnsType::SRV:
      return f.size() < 4 ? std::string{}
                          : fmt::format("{}\tservice = {} {} {} {}\n", owner, f[0], f[1], f[2],
                                        no_dot(f[3]));
    case DnsType::SOA:
      return f.size() < 7
                 ? std::string{}
                 : fmt::format(
                       "{}\n\torigin = {}\n\tmail addr = {}\n\tserial = {}\n\trefresh = {}\n"
                       "\tretry = {}\n\texpire = {}\n\tminimum = {}\n",
                       owner, no_dot(f[0]), no_dot(f[1]), f[2], f[3], f[4], f[5], f[6]);
    case DnsType::ANY:
      return {};
  }
  return {};
}

}  // namespace

NslookupFlavor nslookup_flavor_for_image(std::string_view image) {
  std::string img = lower(image);
  // Strip a registry host ("docker.io/library/busybox").
  for (std::string_view prefix : {"docker.io/", "library/"}) {
    if (img.rfind(prefix, 0) == 0) img = img.substr(prefix.size());
  }
  for (std::string_view bb : {"busybox", "alpine", "curlimages/curl"}) {
    if (img.rfind(bb, 0) == 0) return NslookupFlavor::busybox;
  }
  return NslookupFlavor::bind;
}

std::vector<std::string> bind_search_candidates(std::string_view name, int ndots,
                                                const std::vector<std::string>& search) {
  if (name.empty()) return {"."};
  if (name.back() == '.') return {std::string(name)};
  auto dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
  std::string as_is = std::string(name) + ".";
  if (dots >= ndots) return {as_is};
  std::vector<std::string> out;
  for (const auto& d : search) {
    std::string domain = trim_dot(d);
    if (!domain.empty()) out.push_back(fmt::format("{}.{}.", name, domain));
  }
  out.push_back(as_is);
  return out;
}

// ---------------------------------------------------------------------------------------
// nslookup

NslookupOptions parse_nslookup_args(const std::vector<std::string>& args) {
  NslookupOptions o;
  std::vector<std::string> positional;
  for (const auto& a : args) {
    if (a.size() > 1 && a[0] == '-') {
      auto eq = a.find('=');
      std::string key = lower(a.substr(1, eq == std::string::npos ? std::string::npos : eq - 1));
      std::string value = eq == std::string::npos ? "" : a.substr(eq + 1);
      if (key == "type" || key == "ty" || key == "querytype" || key == "query" || key == "qu" ||
          key == "q" || key == "t") {
        auto t = dataplane::parse_dns_type(value);
        if (!t) {
          o.error = fmt::format("unknown query type: {}", value);
          return o;
        }
        o.type = t;
      }
      // Other options (-debug, -timeout=, -port=...) change nothing podhop simulates.
      continue;
    }
    positional.push_back(a);
  }
  if (positional.empty()) {
    o.error = "nslookup: interactive mode is not simulated; give a name";
    return o;
  }
  o.name = positional[0];
  if (positional.size() > 1) {
    auto ip = core::Ipv4::parse(positional[1]);
    if (!ip) {
      o.error = fmt::format(";; couldn't get address for '{}': not found", positional[1]);
      return o;
    }
    o.server = ip;
  }
  return o;
}

NslookupRun::NslookupRun(NslookupOptions options, const dataplane::ResolvConf& conf,
                         NslookupFlavor flavor)
    : options_(std::move(options)),
      flavor_(flavor),
      server_(default_server(options_.server, conf)) {
  std::vector<std::string> search = conf.searches;
  if (flavor_ == NslookupFlavor::busybox) {
    // BusyBox: A then AAAA (or the asked types), each under every search domain for a
    // name without a dot, else as written; an address is a PTR query. All sent at once.
    auto add_with_search = [&](DnsType type, const std::string& name) {
      if (type == DnsType::PTR || search.empty() || name.find('.') != std::string::npos) {
        busybox_queries_.push_back({absolute(name), type});
        return;
      }
      for (const auto& d : search)
        busybox_queries_.push_back({fmt::format("{}.{}.", name, trim_dot(d)), type});
    };
    auto ip = core::Ipv4::parse(options_.name);
    if (!options_.type && ip) {
      busybox_queries_.push_back({dataplane::reverse_name(*ip), DnsType::PTR});
    } else if (!options_.type) {
      add_with_search(DnsType::A, options_.name);
      add_with_search(DnsType::AAAA, options_.name);
    } else {
      add_with_search(*options_.type, options_.name);
    }
    return;
  }
  // BIND: one lookup with the search list; the default lookup adds AAAA for the name it
  // found; an address given without a type is a reverse (PTR) lookup.
  if (options_.type) {
    main_type_ = *options_.type;
    default_lookups_ = false;
  }
  auto ip = core::Ipv4::parse(options_.name);
  if (ip && (!options_.type || main_type_ == DnsType::PTR)) {
    main_type_ = DnsType::PTR;
    candidates_ = {dataplane::reverse_name(*ip)};
  } else {
    candidates_ = bind_search_candidates(options_.name, conf.ndots, search);
  }
}

std::optional<DnsQuery> NslookupRun::next_query() {
  if (pending_) return pending_;
  if (flavor_ == NslookupFlavor::busybox) {
    if (exchanges_.size() < busybox_queries_.size()) pending_ = busybox_queries_[exchanges_.size()];
    return pending_;
  }
  if (!main_done_ && next_candidate_ < candidates_.size()) {
    pending_ = DnsQuery{candidates_[next_candidate_], main_type_};
  } else if (main_done_ && aaaa_name_ && !aaaa_done_) {
    pending_ = DnsQuery{*aaaa_name_, DnsType::AAAA};
  }
  return pending_;
}

void NslookupRun::on_answer(const DnsAnswer& answer, core::Duration rtt) {
  if (!pending_) return;
  exchanges_.push_back({*pending_, answer, rtt});
  if (flavor_ == NslookupFlavor::busybox) {
    roles_.push_back(Role::main);
  } else if (!main_done_) {
    bool more = next_candidate_ + 1 < candidates_.size();
    if (answer.rcode == Rcode::NXDOMAIN && more) {
      // Only NXDOMAIN moves BIND's search on (next_origin); NODATA ends it.
      roles_.push_back(Role::search_miss);
      ++next_candidate_;
    } else {
      roles_.push_back(Role::main);
      main_done_ = true;
      if (default_lookups_ && main_type_ == DnsType::A && answer.rcode == Rcode::NOERROR)
        aaaa_name_ = dataplane::follow_cnames(pending_->name, answer, nullptr);
    }
  } else {
    roles_.push_back(Role::aaaa);
    aaaa_done_ = true;
  }
  pending_.reset();
}

ToolOutput NslookupRun::output() const {
  return flavor_ == NslookupFlavor::busybox ? render_busybox() : render_bind();
}

ToolOutput NslookupRun::render_bind() const {
  ToolOutput o;
  std::string server = server_.str();
  bool a_noanswer = false;
  for (std::size_t i = 0; i < exchanges_.size(); ++i) {
    const DnsExchange& ex = exchanges_[i];
    const DnsAnswer& ans = ex.answer;
    // Printed as each reply arrives, before anything else about it.
    if (!ans.recursion_available)
      o.out += fmt::format(";; Got recursion not available from {}\n", server);
    if (roles_[i] == Role::search_miss) continue;
    bool main = roles_[i] == Role::main;
    DnsType type = ex.query.type;
    if (main && (!default_lookups_ || type == DnsType::A))
      o.out += fmt::format("Server:\t\t{}\nAddress:\t{}#53\n\n", server, server);
    if (ans.rcode != Rcode::NOERROR) {
      o.out += fmt::format("** server can't find {}: {}\n", no_dot(ex.query.name),
                           dataplane::to_string(ans.rcode));
      o.exit_code = 1;
      continue;
    }
    // The name as the lookup was typed (the user's for the first, the found one for AAAA).
    std::string textname = main ? no_dot(options_.name) : no_dot(ex.query.name);
    if (!ans.authoritative && (!default_lookups_ || type == DnsType::A))
      o.out += "Non-authoritative answer:\n";
    if (!ans.answer.empty()) {
      for (const auto& rr : ans.answer) o.out += bind_record(rr, true);
    } else if (default_lookups_ && type == DnsType::A) {
      a_noanswer = true;
    } else if (!default_lookups_ || (type == DnsType::AAAA && a_noanswer)) {
      o.out += fmt::format("*** Can't find {}: No answer\n", textname);
    }
    if (!ans.authoritative && type != DnsType::A && type != DnsType::AAAA) {
      o.out += "\nAuthoritative answers can be found from:\n";
      for (const auto& rr : ans.authority) o.out += bind_record(rr, false);
      for (const auto& rr : ans.additional) o.out += bind_record(rr, false);
    }
  }
  o.out += "\n";
  return o;
}

ToolOutput NslookupRun::render_busybox() const {
  ToolOutput o;
  if (exchanges_.empty()) return o;
  std::string server = server_.str();
  o.out += fmt::format("Server:\t\t{}\nAddress:\t{}:53\n\n", server, server);
  for (const DnsExchange& ex : exchanges_) {
    std::string name = no_dot(ex.query.name);
    if (ex.answer.rcode != Rcode::NOERROR) {
      o.out +=
          fmt::format("** server can't find {}: {}\n", name, dataplane::to_string(ex.answer.rcode));
      o.exit_code = 1;
    } else {
      if (!ex.answer.authoritative) o.out += "Non-authoritative answer:\n";
      for (const auto& rr : ex.answer.answer) o.out += busybox_record(rr);
      if (ex.answer.answer.empty()) o.out += fmt::format("*** Can't find {}: No answer\n", name);
    }
    o.out += "\n";
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// dig

DigOptions parse_dig_args(const std::vector<std::string>& args) {
  DigOptions o;
  o.args = args;
  bool have_type = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 1 && a[0] == '@') {
      auto ip = core::Ipv4::parse(a.substr(1));
      if (!ip) {
        o.error = fmt::format("dig: couldn't get address for '{}': not found", a.substr(1));
        return o;
      }
      o.server = ip;
    } else if (a == "-x" && i + 1 < args.size()) {
      auto ip = core::Ipv4::parse(args[++i]);
      if (!ip) {
        o.error = fmt::format("Invalid IP address {}", args[i]);
        return o;
      }
      o.name = dataplane::reverse_name(*ip);
      if (!have_type) o.type = DnsType::PTR;
    } else if (a == "-t" && i + 1 < args.size()) {
      auto t = dataplane::parse_dns_type(args[++i]);
      if (!t) {
        o.error = fmt::format("dig: invalid type {}", args[i]);
        return o;
      }
      o.type = *t;
      have_type = true;
    } else if (a.size() > 1 && a[0] == '+') {
      std::string opt = lower(a.substr(1));
      bool on = opt.rfind("no", 0) != 0;
      std::string key = on ? opt : opt.substr(2);
      if (key == "short")
        o.short_form = on;
      else if (key == "search")
        o.search = on;
      else if (key == "all")
        o.cmd = o.comments = o.question = o.answer = o.authority = o.additional = o.stats = on;
      else if (key == "cmd")
        o.cmd = on;
      else if (key == "comments")
        o.comments = on;
      else if (key == "question")
        o.question = on;
      else if (key == "answer")
        o.answer = on;
      else if (key == "authority")
        o.authority = on;
      else if (key == "additional")
        o.additional = on;
      else if (key == "stats")
        o.stats = on;
      // Other +options change nothing podhop simulates.
    } else if (a.size() > 1 && a[0] == '-') {
      // -4, -6 and the like: nothing to simulate.
    } else if (auto t = dataplane::parse_dns_type(a); t && !have_type) {
      o.type = *t;
      have_type = true;
    } else if (lower(a) == "in") {
      // The class; IN is the only one.
    } else {
      o.name = a;
    }
  }
  if (o.name.empty()) {
    // dig with no name asks for the root's name servers.
    o.name = ".";
    if (!have_type) o.type = DnsType::NS;
  }
  return o;
}

DigRun::DigRun(DigOptions options, const dataplane::ResolvConf& conf, DigWire wire)
    : options_(std::move(options)),
      wire_(std::move(wire)),
      server_(default_server(options_.server, conf)) {
  if (options_.search)
    candidates_ = bind_search_candidates(options_.name, conf.ndots, conf.searches);
  else
    candidates_ = {absolute(options_.name)};
}

std::optional<DnsQuery> DigRun::next_query() {
  if (pending_) return pending_;
  if (!done_ && next_candidate_ < candidates_.size())
    pending_ = DnsQuery{candidates_[next_candidate_], options_.type};
  return pending_;
}

void DigRun::on_answer(const DnsAnswer& answer, core::Duration rtt) {
  if (!pending_) return;
  exchanges_.push_back({*pending_, answer, rtt});
  pending_.reset();
  if (answer.rcode == Rcode::NXDOMAIN && next_candidate_ + 1 < candidates_.size())
    ++next_candidate_;
  else
    done_ = true;
}

std::string dig_record_line(const DnsRecord& rr) {
  std::string out = rr.name;
  std::size_t col = out.size();
  indent_to(out, col, kTtlColumn);
  std::string ttl = std::to_string(rr.ttl);
  out += ttl;
  col += ttl.size();
  indent_to(out, col, kClassColumn);
  out += "IN";
  col += 2;
  indent_to(out, col, kTypeColumn);
  std::string_view type = dataplane::to_string(rr.type);
  out += type;
  col += type.size();
  indent_to(out, col, kRdataColumn);
  out += rr.data;
  return out;
}

std::size_t dns_message_size(const DnsQuery& query, const DnsAnswer& answer, bool cookie_echoed) {
  std::size_t n = 12 + wire_name_length(query.name) + 4;
  for (const auto* rrs : {&answer.answer, &answer.authority, &answer.additional}) {
    for (const auto& rr : *rrs) n += wire_name_length(rr.name) + 10 + rdata_length(rr);
  }
  n += 11;                     // the OPT record CoreDNS mirrors from the query
  if (cookie_echoed) n += 12;  // COOKIE option: code, length, 8-byte client cookie
  return n;
}

ToolOutput DigRun::output() const {
  ToolOutput o;
  if (exchanges_.empty()) return o;
  const DnsExchange& ex = exchanges_.back();
  const DnsAnswer& ans = ex.answer;
  if (options_.short_form) {
    for (const auto& rr : ans.answer) o.out += rr.data + "\n";
    return o;
  }
  // CoreDNS echoes dig's COOKIE option in its own answers; the simulated internet's
  // resolver, like most public resolvers, sends none back.
  bool cookie = ans.source == "cluster";
  std::string server = server_.str();
  if (options_.cmd) {
    o.out += fmt::format("\n; <<>> DiG {} <<>>", wire_.version);
    for (const auto& a : options_.args) o.out += " " + a;
    o.out += "\n";
    if (options_.server) o.out += "; (1 server found)\n";
    o.out += ";; global options: +cmd\n";
  }
  if (options_.comments) {
    o.out += ";; Got answer:\n";
    std::string qname = lower(absolute(ex.query.name));
    if (qname == "local." || (qname.size() > 7 && qname.ends_with(".local.")))
      o.out +=
          ";; WARNING: .local is reserved for Multicast DNS\n"
          ";; You are currently testing what happens when an mDNS query is leaked to DNS\n";
    o.out += fmt::format(";; ->>HEADER<<- opcode: QUERY, status: {}, id: {}\n",
                         dataplane::to_string(ans.rcode), wire_.id);
    std::string flags = "qr";
    if (ans.authoritative) flags += " aa";
    flags += " rd";
    if (ans.recursion_available) flags += " ra";
    o.out += fmt::format(";; flags: {}; QUERY: 1, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
                         flags, ans.answer.size(), ans.authority.size(), ans.additional.size() + 1);
    if (!ans.recursion_available) o.out += ";; WARNING: recursion requested but not available\n";
    o.out += "\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n";
    if (cookie) o.out += fmt::format("; COOKIE: {:016x} (echoed)\n", wire_.cookie);
  }
  if (options_.question) {
    if (options_.comments) o.out += ";; QUESTION SECTION:\n";
    o.out += dig_question_line(ex.query) + "\n";
    if (options_.comments) o.out += "\n";
  }
  auto section = [&](bool show, std::string_view title, const std::vector<DnsRecord>& rrs) {
    if (!show || rrs.empty()) return;
    if (options_.comments) o.out += fmt::format(";; {} SECTION:\n", title);
    for (const auto& rr : rrs) o.out += dig_record_line(rr) + "\n";
    if (options_.comments) o.out += "\n";
  };
  section(options_.answer, "ANSWER", ans.answer);
  section(options_.authority, "AUTHORITY", ans.authority);
  section(options_.additional, "ADDITIONAL", ans.additional);
  if (options_.stats) {
    o.out += fmt::format(";; Query time: {} msec\n", ex.rtt.ns / 1'000'000);
    o.out += fmt::format(";; SERVER: {}#53({}) (UDP)\n", server, server);
    o.out += fmt::format(";; WHEN: {}\n", dig_time(wire_.when_unix));
    o.out += fmt::format(";; MSG SIZE  rcvd: {}\n\n", dns_message_size(ex.query, ans, cookie));
  }
  return o;
}

}  // namespace podhop::cli
