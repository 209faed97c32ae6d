#pragma once
// nslookup and dig as they run inside a pod: which queries they send (fed one answer at a
// time, like dataplane::SearchWalk) and the exact text they print for the answers. No I/O:
// the caller carries each query through the simulated network and passes the answer and
// its round-trip time back. Versions (docs/dns.md): BIND 9.18 `nslookup`/`dig` (Debian
// bookworm's dnsutils, nicolaka/netshoot) and BusyBox's own nslookup (FEATURE_NSLOOKUP_BIG,
// 1.30 and later, in Alpine images such as curlimages/curl).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/time.hpp"
#include "podhop/dataplane/dns.hpp"

namespace podhop::cli {

/// Which nslookup a container image ships.
enum class NslookupFlavor : std::uint8_t { bind, busybox };

/// BusyBox for busybox, Alpine and curlimages/curl images; BIND's for everything else
/// (dnsutils, netshoot, Debian and Ubuntu based images).
NslookupFlavor nslookup_flavor_for_image(std::string_view image);

/// What a tool printed and how it exited.
struct ToolOutput {
  std::string out;
  std::string err;
  int exit_code = 0;
};

/// One query a tool sent, what came back and how long it took.
struct DnsExchange {
  dataplane::DnsQuery query;
  dataplane::DnsAnswer answer;
  core::Duration rtt;
};

/// `nslookup [-type=T] NAME [SERVER]`.
struct NslookupOptions {
  std::string name;
  std::optional<dataplane::DnsType> type;  // none: A (then AAAA), or PTR for an address
  std::optional<core::Ipv4> server;        // none: the first nameserver of resolv.conf
  std::string error;                       // set when the arguments are not usable
};
/// Parses nslookup's arguments (without the program name).
NslookupOptions parse_nslookup_args(const std::vector<std::string>& args);

/// One nslookup run: the queries it sends, then what it prints.
///
///   NslookupRun run(opts, conf, NslookupFlavor::bind);
///   while (auto q = run.next_query()) run.on_answer(server.answer(*q), rtt);
///   ToolOutput o = run.output();
class NslookupRun {
 public:
  NslookupRun(NslookupOptions options, const dataplane::ResolvConf& conf, NslookupFlavor flavor);
  std::optional<dataplane::DnsQuery> next_query();
  void on_answer(const dataplane::DnsAnswer& answer, core::Duration rtt = {});
  /// The text nslookup prints for the answers received so far (call when next_query() is
  /// nullopt).
  ToolOutput output() const;
  const std::vector<DnsExchange>& exchanges() const { return exchanges_; }
  core::Ipv4 server() const { return server_; }

 private:
  enum class Role : std::uint8_t { search_miss, main, aaaa };
  void plan_bind();
  void plan_busybox();
  ToolOutput render_bind() const;
  ToolOutput render_busybox() const;

  NslookupOptions options_;
  NslookupFlavor flavor_;
  core::Ipv4 server_;
  // BIND: the candidates of the A (or explicit-type) lookup, tried until one is not
  // NXDOMAIN, then the AAAA lookup of the name it found. BusyBox: every query up front.
  std::vector<std::string> candidates_;
  std::size_t next_candidate_ = 0;
  dataplane::DnsType main_type_ = dataplane::DnsType::A;
  bool default_lookups_ = true;
  bool main_done_ = false;
  std::optional<std::string> aaaa_name_;  // set once the A lookup succeeded
  bool aaaa_done_ = false;
  std::vector<dataplane::DnsQuery> busybox_queries_;
  std::vector<DnsExchange> exchanges_;
  std::vector<Role> roles_;  // what each exchange was, same order
  std::optional<dataplane::DnsQuery> pending_;
};

/// `dig [@SERVER] NAME [TYPE] [-x ADDR] [+short] [+search] [+noall +answer ...]`.
struct DigOptions {
  std::string name;  // as typed; dig queries it as an absolute name unless +search
  dataplane::DnsType type = dataplane::DnsType::A;
  std::optional<core::Ipv4> server;
  std::vector<std::string> args;  // echoed in the "; <<>> DiG ... <<>>" line
  bool search = false;            // +search: walk resolv.conf's search list as nslookup does
  bool short_form = false;        // +short
  bool cmd = true, comments = true, question = true, answer = true, authority = true,
       additional = true, stats = true;
  std::string error;
};
/// Parses dig's arguments (without the program name).
DigOptions parse_dig_args(const std::vector<std::string>& args);

/// Values that are random in the real tools, fixed by the caller for reproducible output.
struct DigWire {
  std::uint16_t id = 0;                 // the query ID in the header line
  std::uint64_t cookie = 0;             // dig's client COOKIE
  std::int64_t when_unix = 1735689600;  // ";; WHEN:" (printed in UTC)
  std::string version = "9.18.24";      // "; <<>> DiG 9.18.24 <<>>"
};

/// One dig run: the queries it sends (one, or the search walk with +search), then what it
/// prints for the last answer.
class DigRun {
 public:
  DigRun(DigOptions options, const dataplane::ResolvConf& conf, DigWire wire = {});
  std::optional<dataplane::DnsQuery> next_query();
  void on_answer(const dataplane::DnsAnswer& answer, core::Duration rtt = {});
  ToolOutput output() const;
  const std::vector<DnsExchange>& exchanges() const { return exchanges_; }
  core::Ipv4 server() const { return server_; }

 private:
  DigOptions options_;
  DigWire wire_;
  core::Ipv4 server_;
  std::vector<std::string> candidates_;
  std::size_t next_candidate_ = 0;
  bool done_ = false;
  std::vector<DnsExchange> exchanges_;
  std::optional<dataplane::DnsQuery> pending_;
};

/// BIND's candidate names for a lookup with the search list on (nslookup, dig +search):
/// a name with ndots or more dots, or an absolute one, is tried as-is only; any other name
/// under each search domain in turn, then as-is. Absolute names, in order.
std::vector<std::string> bind_search_candidates(std::string_view name, int ndots,
                                                const std::vector<std::string>& search);

/// One record as dig prints it (owner, TTL, class and type columns aligned with tabs the
/// way BIND's master-file style does).
std::string dig_record_line(const dataplane::DnsRecord& rr);
/// The size in bytes of the response on the wire (dig's MSG SIZE): uncompressed, as
/// CoreDNS sends replies that fit the client's buffer, with the OPT record.
std::size_t dns_message_size(const dataplane::DnsQuery& query, const dataplane::DnsAnswer& answer,
                             bool cookie_echoed);

}  // namespace podhop::cli
