#include "podhop/dataplane/pipeline.hpp"
#include "podhop/core/strings.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "podhop/core/check.hpp"
#include "podhop/dataplane/external_web.hpp"

namespace podhop::dataplane {

using core::Duration;
using core::Ipv4;
using core::SimTime;
using trace::Address;
using trace::Outcome;

namespace {

/// The URL of a request that has none parsed (yet): curl's defaults, immutable.
const Url& no_url() {
  static const Url kNone;
  return kNone;
}

/// What the next event of a request does. Each request has at most one step pending;
/// timers are separate events.
enum class Phase : std::uint8_t {
  idle,
  dns_to_server,       // a query is on its way to the DNS server
  dns_forwarded,       // the server is waiting for the simulated internet
  dns_to_client,       // its answer is on its way back
  dns_lost,            // nothing will answer: the resolver's timeout is running
  dns_refused,         // ICMP port unreachable is on its way back
  syn_to_target,       // the SYN is on its way
  synack_to_client,    // the SYN-ACK is on its way back
  rst_to_client,       // a RST is on its way back
  syn_lost,            // nothing will answer the SYN: the kernel's retries are running
  tls_to_client,       // the server's answer to the ClientHello is on its way back
  request_to_target,   // the HTTP request is on its way
  app_working,         // the app is preparing its answer
  app_queued,          // every worker of the app is busy: the request waits (no event)
  waiting_child,       // the app forwarded; its request is running
  response_to_client,  // the HTTP response is on its way back
  done,
};

using core::iequals;
using core::lower;

std::int64_t millis(Duration d) {
  return d.ns / 1'000'000;
}

// glibc's resolver options: timeout:N (default 5 s) and attempts:N (default 2).
Duration resolver_give_up(const ResolvConf& conf) {
  std::int64_t timeout = 5;
  std::int64_t attempts = 2;
  for (const auto& o : conf.options) {
    if (o.rfind("timeout:", 0) == 0) timeout = std::max<std::int64_t>(1, std::atoll(o.c_str() + 8));
    if (o.rfind("attempts:", 0) == 0)
      attempts = std::max<std::int64_t>(1, std::atoll(o.c_str() + 9));
  }
  return Duration::seconds(timeout * attempts);
}

std::string answer_summary(const DnsQuery& q, const DnsAnswer& a) {
  std::string head = fmt::format("{} {}", to_string(q.type), q.name);
  std::string what;
  if (a.rcode != Rcode::NOERROR) {
    what = std::string(to_string(a.rcode));
  } else if (a.answer.empty()) {
    what = "NOERROR, no records (NODATA)";
  } else {
    what = fmt::format("NOERROR {}", fmt::join(a.answer_data(), ", "));
  }
  if (a.detail.empty()) return fmt::format("{}: {}", head, what);
  return fmt::format("{}: {} ({})", head, what, a.detail);
}

// True when answering needed the nodes' upstream resolver: a forwarded name, or an
// ExternalName whose target lies outside the cluster domain.
bool went_upstream(const DnsAnswer& a, std::string_view cluster_domain) {
  if (a.source == "upstream") return true;
  for (const auto& rr : a.answer) {
    if (rr.type != DnsType::CNAME) continue;
    std::string target = lower(rr.data);
    std::string domain = lower(cluster_domain);
    if (!domain.empty() && domain.back() != '.') domain += '.';
    if (target.size() < domain.size() ||
        target.compare(target.size() - domain.size(), domain.size(), domain) != 0)
      return true;
  }
  return false;
}

// One line for a kube-proxy verdict: the Service port, what was done and why, and the
// iptables rule that did it.
std::string verdict_text(const Network& net, const Verdict& v) {
  std::string service =
      v.service_port != kNoIndex ? net.tables().port(v.service_port).name_str + " " : std::string();
  std::string action;
  switch (v.kind) {
    case VerdictKind::dnat:
      action = "DNAT";
      break;
    case VerdictKind::reject:
      action = "REJECT";
      break;
    case VerdictKind::drop:
      action = "DROP";
      break;
    case VerdictKind::not_a_service:
      action = "no rule";
      break;
  }
  std::string out = fmt::format("{}{}: {}", service, action, v.why);
  if (!v.rule.empty()) out += fmt::format(" [{}]", v.rule);
  return out;
}

/// The header value of `name` among the client's -H headers, or nullptr.
const std::string* find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

/// How deep forwarded requests may nest before podhop calls it a loop.
constexpr int kMaxForwardDepth = 16;

}  // namespace

struct alignas(64) Pipeline::Request {
  // Laid out by use: at 1,000 to 10,000 requests in flight a slot is cold when its next
  // event comes, so what a cluster-IP request reads and writes sits together at the front
  // (the hot part), and what only some requests use (DNS, TLS, the ingress controller, a
  // copied spec) comes after it and is reset only when it was used. Aligned to a cache
  // line, so the hot part spans as few lines as its size allows and StepEvent::prefetch
  // knows which lines they are.

  // --- Hot: every request
  std::uint32_t generation = 0;
  bool active = false;
  Phase phase = Phase::idle;
  bool held = false;  // started by run(): completes to run(), never to the observer
  bool dns_only = false;
  bool resolving = false;
  // Whether the DNS fields were written since the last reset: a request that names an
  // address never does, and its reset then leaves their cache lines alone. Set before any
  // of them is written (run_dns_query, begin_lookup past the address check).
  bool dns_used = false;
  // The same for `extra` (TLS errors, bytes that are not HTTP, the ingress controller).
  bool extra_used = false;
  bool dnat = false;
  bool connected = false;
  bool reused = false;
  bool server_closed = false;
  bool host_port = false;      // the connection was DNATed by a hostPort (CNI portmap)
  bool ingress_proxy = false;  // the ingress controller is proxying to an endpoint
  bool ingress_https = false;  // the request reached the controller's https port
  bool holds_worker = false;   // a worker serves it until release_event
  bool peer_reset = false;     // the pod exited with the connection open: a RST comes back
  // request_arrive put the answer in place already: its body in record.body, its headers
  // in header_spare (response_arrive swaps them into the record instead of copying
  // `response`).
  bool answer_staged = false;
  // Copies of what later steps ask of the spec and the URL (the spec's and the URL entry's
  // cache lines are cold again by then when many specs take turns): the spec's
  // record_hops and keep_alive (launch, run_dns_query) and whether the scheme is https
  // (begin).
  bool record_hops = false;
  bool keep_alive = false;
  bool https = false;
  // connect() ran: finish() writes what it learnt into the record (the time of the name
  // lookup, remote and local addresses, reuse, the address as resolved when no lookup
  // gave one). connected() is the same through `connected` and `connected_at`. Written at
  // the end in one place: the record's lines are cold at every step in between.
  bool record_connect = false;
  int depth = 0;
  // What the client asked for: `own_spec` (copied or moved in by start, keeping the memory
  // of its strings for the next request in this slot) or a spec shared by start_shared.
  const RequestSpec* spec = &own_spec;
  std::shared_ptr<const RequestSpec> shared_spec;
  // The parsed URL, shared with the URL cache (nothing copied per request); `url` points
  // into it, or at an empty URL before begin() parsed one.
  std::shared_ptr<const ParsedUrlEntry> parsed;
  const Url* url = &no_url();
  RequestId parent = 0;
  trace::HopSink* sink = nullptr;
  SimTime start;
  engine::EventId step_event;
  engine::EventId connect_timer;
  // The connect timeout is armed only once it can fire (schedule()): until then it holds
  // its place in the order of events, taken when the request began, and its time.
  engine::Simulator::Reservation connect_place;
  SimTime connect_deadline;
  engine::EventId max_timer;
  SimTime connected_at;  // when connected() ran, for the record's time_connect

  // --- TCP
  Ipv4 dst_ip;
  std::uint16_t dst_port = 0;
  std::uint16_t src_port = 0;
  Ipv4 ep_ip;
  std::uint16_t ep_port = 0;
  Place target;
  std::uint32_t entry_node = kNoIndex;
  Ipv4 seen_src;
  SimTime connect_start;  // when the first SYN left: the kernel's retries count from here
  ConnectionTuple tuple;
  // The container syn_arrive found serving (target, ep_port), in the apps of build
  // app_generation (AppCatalog is rebuilt only with the network): request_arrive takes it
  // from here instead of asking PodApps::serving() again, whose lines are cold by then.
  const AppBehavior* app = nullptr;
  std::uint64_t app_generation = 0;
  std::uint32_t app_container = 0;  // its index in PodApps::containers
  bool app_limited = false;         // PodApps::any_limited of its pod

  // --- Capacity (docs/apps.md section 6)
  AppQueue* queue = nullptr;      // the app's worker pool, while queued or holding a worker
  engine::EventId release_event;  // the end of its service time

  // --- HTTP
  AppResponse response;
  std::string served_by;

  trace::RequestRecord record;
  // The strings of the record's headers when it has none: response_arrive swaps them in and
  // reset() back, so a reused slot assigns into them instead of allocating.
  std::vector<std::pair<std::string, std::string>> header_spare;
  // Who sends it, shared with the pipeline's memo of recent clients (intern()): bulk
  // traffic from one client copies and compares nothing per request.
  std::shared_ptr<const Client> client;

  // --- Cold: only some requests. Whoever writes here sets extra_used first.
  struct Extra {
    std::string raw;  // bytes an app sent that are not HTTP
    int tls_code = 0;
    std::string tls_error;
    std::string ingress_cookie;    // Set-Cookie the controller adds (affinity)
    std::string ingress_upstream;  // "default-app1-svc-8888"
    std::string ingress_endpoint;  // "10.244.0.5:8080"
  };
  Extra extra;
  // `extra`, to write into.
  Extra& extra_for_writing() {
    extra_used = true;
    return extra;
  }

  // --- DNS (cold: only requests that resolve a name)
  std::optional<SearchWalk> walk;  // kept for its memory when the slot is reused
  bool has_walk = false;           // `walk` is this request's
  DnsQuery single_query;           // dns_only: the one query to send
  bool single_sent = false;
  Ipv4 dns_server;
  std::uint16_t dns_port = 0;
  DnsQuery trip_q[2];
  // CoreDNS's answers, shared with its cache: nothing is copied per query.
  std::shared_ptr<const DnsAnswer> trip_a[2];
  int trip_n = 0;
  SimTime trip_sent;
  Place dns_place;
  Ipv4 dns_endpoint;
  std::uint32_t dns_entry_node = kNoIndex;
  std::string dns_server_name;
  bool dns_dnat = false;
  int dns_queries = 0;
  // A lone DNS query's result (dns_only): out of line, so the slots of HTTP requests stay
  // smaller.
  std::unique_ptr<DnsExchangeResult> exchange;

  // A copied spec (start(), forwarded requests): cold for traffic that shares its spec.
  RequestSpec own_spec;

  // Back to the state of a fresh Request for the next request in this slot, keeping the
  // capacity of its strings and vectors, so a reused slot neither frees nor allocates.
  // `client` and `own_spec` are left: every start assigns them (start_request,
  // run_dns_query); a shared spec is let go.
  // A member added to Request must be added here.
  void reset();
};

namespace {

// A RequestRecord as default-constructed, cleared in place.
void clear_record(trace::RequestRecord& rec) {
  rec.outcome = Outcome::ok;
  rec.exit_code = 0;
  rec.status.reset();
  rec.body.clear();
  rec.served_by.reset();
  // rec.client and rec.method are left as they are: every start sets them (launch,
  // run_dns_query), mostly to what they hold already.
  rec.elapsed = {};
  rec.dns.clear();
  rec.hops.clear();
  rec.upstream.clear();
  rec.url.clear();
  rec.connected_to.reset();
  rec.remote.reset();
  rec.local.reset();
  rec.resolved.clear();
  rec.time_namelookup.reset();
  rec.time_connect.reset();
  rec.time_starttransfer.reset();
  rec.reused_connection = false;
  rec.headers.clear();
  rec.error.clear();
}

// True when two clients are the same in every member. Lists every member of Client: the
// size check below fails when one is added.
static_assert(sizeof(Client) == 128, "a member added to Client must be compared here");
bool same_client(const Client& a, const Client& b) {
  return a.kind == b.kind && a.ip == b.ip && a.node == b.node && a.pod == b.pod &&
         a.source_kind == b.source_kind && a.resolv_conf == b.resolv_conf && a.hosts == b.hosts &&
         a.name == b.name && a.node_name == b.node_name;
}

// A client's entry in a memo of 2^bits entries (Fibonacci hashing of its address).
std::size_t memo_index(Ipv4 ip, unsigned bits) {
  return static_cast<std::uint32_t>(ip.value * 0x9E3779B9u) >> (32 - bits);
}

// True when `shared` holds a client equal to `client`.
bool is_client(const std::shared_ptr<const Client>& shared, const Client& client) {
  return shared && (shared.get() == &client || same_client(*shared, client));
}

}  // namespace

void Pipeline::Request::reset() {
  active = false;
  phase = Phase::idle;
  held = false;
  dns_only = false;
  resolving = false;
  dnat = false;
  connected = false;
  reused = false;
  server_closed = false;
  host_port = false;
  ingress_proxy = false;
  ingress_https = false;
  holds_worker = false;
  peer_reset = false;
  record_hops = false;
  keep_alive = false;
  https = false;
  record_connect = false;
  depth = 0;
  spec = &own_spec;
  shared_spec.reset();
  parsed.reset();
  url = &no_url();
  parent = 0;
  sink = nullptr;
  start = {};
  step_event = {};
  connect_timer = {};
  connect_place = {};
  connect_deadline = {};
  max_timer = {};
  connected_at = {};

  dst_ip = {};
  dst_port = 0;
  src_port = 0;
  ep_ip = {};
  ep_port = 0;
  target = {};
  entry_node = kNoIndex;
  seen_src = {};
  connect_start = {};
  tuple = {};
  app = nullptr;
  app_generation = 0;
  app_container = 0;
  app_limited = false;

  queue = nullptr;
  release_event = {};

  response.status = 200;
  // response.headers is left as it is, for the memory of its strings: whoever sets a
  // response sets all of its headers (an app's answer swaps them in whole).
  response.body.clear();
  response.latency = {};
  served_by.clear();

  // The record's served_by and headers hand their memory back to the slot before the
  // record is cleared (an observer that kept them moved them out: nothing comes back).
  if (record.served_by) {
    served_by = std::move(*record.served_by);
    served_by.clear();
    record.served_by.reset();
  }
  // header_spare still holds them when the request ended before its staged answer
  // (request_arrive) was delivered.
  if (header_spare.empty()) record.headers.swap(header_spare);
  record.headers.clear();
  answer_staged = false;
  clear_record(record);

  if (extra_used) {
    extra_used = false;
    extra.raw.clear();
    extra.tls_code = 0;
    extra.tls_error.clear();
    extra.ingress_cookie.clear();
    extra.ingress_upstream.clear();
    extra.ingress_endpoint.clear();
  }

  if (dns_used) {
    dns_used = false;
    exchange.reset();  // only a lone DNS query has one
    has_walk = false;
    single_query.name.clear();
    single_query.type = DnsType::A;
    single_sent = false;
    dns_server = {};
    dns_port = 0;
    for (auto& q : trip_q) {
      q.name.clear();
      q.type = DnsType::A;
    }
    for (auto& a : trip_a) a.reset();
    trip_n = 0;
    trip_sent = {};
    dns_place = {};
    dns_endpoint = {};
    dns_entry_node = kNoIndex;
    dns_server_name.clear();
    dns_dnat = false;
    dns_queries = 0;
  }
}

namespace {

// The Host header the client sends: -H 'Host: x', else the proxy's, else the URL's.
const std::string& effective_host(const Pipeline::Request& r) {
  if (const std::string* h = find_header(r.spec->headers, "Host")) return *h;
  if (!r.spec->host_header.empty()) return r.spec->host_header;
  return r.parsed ? r.parsed->host_header : r.url->host;
}

}  // namespace

struct Pipeline::StepEvent {
  Pipeline* p;
  RequestId id;
  void operator()() const { p->on_step(id); }
  // The engine's prefetch hint (engine/handler.hpp), called while the event before this one
  // runs: the first four lines of the request's slot, which every step reads or writes
  // (generation and phase, the spec and URL, the timers, the addresses and target, the app
  // syn_arrive found). Prefetches only: nothing is read but the slot's address. No bounds
  // test: a step names a slot that exists (requests_ only grows), and with one g++ 12
  // dropped the prefetches altogether.
  void prefetch() const {
    const auto slot = static_cast<std::uint32_t>(id & 0xFFFFFFFFu);
    const char* const r = reinterpret_cast<const char*>(p->requests_[slot].get());
    for (std::size_t line = 0; line < kPrefetchLines; ++line) __builtin_prefetch(r + 64 * line);
  }
  static constexpr std::size_t kPrefetchLines = 4;
};
struct Pipeline::ConnectTimerEvent {
  Pipeline* p;
  RequestId id;
  void operator()() const { p->on_timer(id, false); }
};
struct Pipeline::MaxTimerEvent {
  Pipeline* p;
  RequestId id;
  void operator()() const { p->on_timer(id, true); }
};
struct Pipeline::ServiceDoneEvent {
  Pipeline* p;
  RequestId id;
  void operator()() const { p->service_done(id); }
};

// What conntrack undoes on the way back: the DNAT (the reply seems to come from the address
// the client used) and any SNAT (the reply goes back to the client's own address).
std::string Pipeline::reverse_nat_text(const Request& r) {
  std::string out;
  if (r.spec->port_forward && r.dst_ip.str() == "127.0.0.1") return out;  // a tunnel, no NAT
  if (r.dnat)
    out += fmt::format(", un-DNAT {}:{} -> {}:{}", r.ep_ip.str(), r.ep_port, r.dst_ip.str(),
                       r.dst_port);
  if (r.seen_src != r.client->ip)
    out += fmt::format(", un-SNAT {} -> {}", r.seen_src.str(), r.client->ip.str());
  if (!out.empty()) out += " (conntrack)";
  return out;
}

Pipeline::Pipeline(engine::Simulator& sim, Network& net, std::uint64_t seed)
    : sim_(&sim),
      net_(&net),
      lb_rng_(seed, "cloud-load-balancer"),
      request_id_rng_(seed, "ingress-nginx/request-id"),
      seed_(seed),
      url_memo_(std::size_t{1} << kUrlMemoBits) {}
Pipeline::~Pipeline() = default;

// ---------------------------------------------------------------------------------------
// Slots

Pipeline::Request* Pipeline::get(RequestId id) {
  if (id == 0) return nullptr;
  auto slot = static_cast<std::uint32_t>(id & 0xFFFFFFFFu);
  auto gen = static_cast<std::uint32_t>(id >> 32);
  if (slot >= requests_.size()) return nullptr;
  Request& r = *requests_[slot];
  return r.active && r.generation == gen ? &r : nullptr;
}

const Pipeline::Request* Pipeline::get(RequestId id) const {
  return const_cast<Pipeline*>(this)->get(id);
}

RequestId Pipeline::allocate() {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(requests_.size());
    requests_.push_back(std::make_unique<Request>());
  }
  // A free slot was reset by release(); a new one is fresh.
  Request& r = *requests_[slot];
  std::uint32_t gen = r.generation + 1;
  if (gen == 0) gen = 1;  // generation 0 never names a live request
  r.generation = gen;
  r.active = true;
  return (RequestId{gen} << 32) | slot;
}

void Pipeline::release(RequestId id) {
  Request* r = get(id);
  if (!r) return;
  r->reset();
  free_.push_back(static_cast<std::uint32_t>(id & 0xFFFFFFFFu));
}

std::shared_ptr<const Client> Pipeline::intern(const Client& client) {
  std::shared_ptr<const Client>& memo = client_memo_[memo_index(client.ip, kClientMemoBits)];
  if (!is_client(memo, client)) memo = std::make_shared<const Client>(client);
  return memo;
}

bool Pipeline::done(RequestId id) const {
  const Request* r = get(id);
  return r == nullptr || r->phase == Phase::done;
}

trace::RequestRecord Pipeline::take(RequestId id) {
  Request* r = get(id);
  PODHOP_CHECK(r != nullptr && r->phase == Phase::done, "take() of a request that is not done");
  trace::RequestRecord out = std::move(r->record);
  release(id);
  return out;
}

void Pipeline::close_connections() {
  for (const auto& [key, conn] : kept_) {
    if (conn.entry_node != kNoIndex && conn.entry_node < net_->node_count())
      net_->proxy(conn.entry_node).close(conn.tuple);
  }
  kept_.clear();
}

void Pipeline::close_connections(Ipv4 client) {
  std::erase_if(kept_, [&](const auto& kv) {
    if (kv.first.client != client) return false;
    const KeptConnection& conn = kv.second;
    if (conn.entry_node != kNoIndex && conn.entry_node < net_->node_count())
      net_->proxy(conn.entry_node).close(conn.tuple);
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// Starting

RequestId Pipeline::start(const Client& client, RequestSpec&& spec, trace::HopSink* sink) {
  return start_request(client, std::move(spec), sink, 0, 0, false);
}

RequestId Pipeline::start(const Client& client, const RequestSpec& spec, trace::HopSink* sink) {
  RequestId id = allocate();
  Request& r = *get(id);
  r.own_spec = spec;  // copy-assigned: the slot's strings keep their memory
  r.spec = &r.own_spec;
  return launch(id, client, sink, 0, 0, false);
}

RequestId Pipeline::start_shared(const Client& client, std::shared_ptr<const RequestSpec> spec,
                                 trace::HopSink* sink) {
  PODHOP_CHECK(spec != nullptr, "start_shared() without a spec");
  RequestId id = allocate();
  Request& r = *get(id);
  r.spec = spec.get();
  r.shared_spec = std::move(spec);
  return launch(id, client, sink, 0, 0, false);
}

trace::RequestRecord Pipeline::run(const Client& client, RequestSpec spec, trace::HopSink* sink) {
  // Held: the record waits here for take() even while an observer collects other traffic.
  RequestId id = start_request(client, std::move(spec), sink, 0, 0, true);
  while (!done(id) && sim_->step()) {
  }
  PODHOP_CHECK(done(id), "the simulation ran out of events before the request completed");
  return take(id);
}

RequestId Pipeline::start_request(const Client& client, RequestSpec&& spec, trace::HopSink* sink,
                                  RequestId parent, int depth, bool held) {
  RequestId id = allocate();
  Request& r = *get(id);
  r.own_spec = std::move(spec);
  r.spec = &r.own_spec;
  return launch(id, client, sink, parent, depth, held);
}

RequestId Pipeline::launch(RequestId id, const Client& client, trace::HopSink* sink,
                           RequestId parent, int depth, bool held) {
  Request& r = *get(id);
  r.held = held;
  r.record_hops = r.spec->record_hops;
  r.keep_alive = r.spec->keep_alive;
  // The client's entry in the memo, else the slot's last client (more clients than the memo
  // has entries take turns: a slot mostly serves the same one again), else a new copy.
  std::shared_ptr<const Client>& memo = client_memo_[memo_index(client.ip, kClientMemoBits)];
  if (!is_client(memo, client))
    memo = is_client(r.client, client) ? r.client : std::make_shared<const Client>(client);
  // The slot's record still holds the words of its last client. When that was this same
  // client they are left alone: not even compared, as their strings are cold by now. An
  // observer only reads a record or moves out of it, and a moved-from string is empty, so
  // equal sizes mean the words are still there.
  const bool same_client_as_last = r.client == memo;
  const bool same_words = same_client_as_last &&
                          r.record.client.kind.size() == to_string(client.kind).size() &&
                          r.record.client.name.size() == client.name.size() &&
                          r.record.client.node.size() == client.node_name.size();
  // Assigned only when it changes: a copy of a shared_ptr and the release of the one it
  // replaces are two atomic operations, for nothing when a slot serves the same client.
  if (!same_client_as_last) r.client = memo;
  r.parent = parent;
  r.depth = depth;
  r.sink = sink;
  r.start = sim_->now();
  // The slot's record still holds the last request's words: most are the same again.
  assign_if_differs(r.record.method, r.spec->method);
  if (!same_words) {
    assign_if_differs(r.record.client.kind, to_string(client.kind));
    assign_if_differs(r.record.client.name, client.name);
    assign_if_differs(r.record.client.node, client.node_name);
  }
  r.record.client.ip = client.ip;
  ++in_flight_;
  begin(id);
  return id;
}

DnsExchangeResult Pipeline::run_dns_query(const Client& client, const DnsQuery& query, Ipv4 server,
                                          Duration timeout, trace::HopSink* sink) {
  RequestId id = allocate();
  {
    Request& r = *get(id);
    r.client = intern(client);
    r.own_spec = RequestSpec{};
    r.spec = &r.own_spec;
    r.record_hops = r.own_spec.record_hops;
    r.keep_alive = r.own_spec.keep_alive;
    r.sink = sink;
    r.start = sim_->now();
    r.dns_only = true;
    r.dns_used = true;
    r.exchange = std::make_unique<DnsExchangeResult>();
    r.single_query = query;
    r.dns_server = server;
    r.resolving = true;
    r.own_spec.connect_timeout = timeout;
    r.record.client = {std::string(to_string(client.kind)), client.name, client.ip,
                       client.node_name};
    r.record.method.assign("GET");
    r.dns_port = net_->ephemeral_port(client.ip);
    r.connect_timer = sim_->schedule_in(timeout, ConnectTimerEvent{this, id});
    ++in_flight_;
    dns_send(r, id);
  }
  while (!done(id) && sim_->step()) {
  }
  Request& r = *get(id);
  DnsExchangeResult out = std::move(*r.exchange);
  out.hops = std::move(r.record.hops);
  release(id);
  return out;
}

void Pipeline::begin(RequestId id) {
  Request& r = *get(id);
  // Bulk traffic names the same few URLs again and again: each is parsed once. The memo in
  // front of the cache is looked up by where the URL's text lives (a shared spec's stays
  // put) and checked against the text, so it never needs the string hashed; another
  // text's entry is not even read.
  const std::string& text = r.spec->url;
  // Fibonacci hashing of the address: texts allocated one after another spread over the
  // memo instead of falling on a few of its entries.
  const std::uint64_t where = reinterpret_cast<std::uintptr_t>(text.data()) >> 4;
  UrlMemo& m = url_memo_[(where * 0x9E3779B97F4A7C15ULL) >> (64 - kUrlMemoBits)];
  std::shared_ptr<const ParsedUrlEntry>& memo = m.entry;
  if (m.where != text.data() || !memo || memo->text != text) {
    m.where = text.data();
    auto it = url_cache_.find(text);
    if (it == url_cache_.end()) {
      ParsedUrl parsed = parse_url(text);
      if (!parsed.ok()) {
        r.record.url = text;
        finish(r, id, Outcome::dns_failure, parsed.error.curl_code, parsed.error.message);
        return;
      }
      if (url_cache_.size() >= kUrlCacheSize) url_cache_.clear();
      auto entry = std::make_shared<ParsedUrlEntry>();
      entry->text = text;
      entry->normalised = parsed.url->str();
      entry->host_header = parsed.url->host_header();
      entry->host_ip = Ipv4::parse(parsed.url->host);
      entry->url = std::move(*parsed.url);
      it = url_cache_.emplace(text, std::move(entry)).first;
    }
    memo = it->second;
  }
  // Shared, not copied: an entry the cache drops lives on while a request holds it.
  r.parsed = memo;
  r.url = &r.parsed->url;
  r.https = r.url->scheme == "https";
  r.record.url = r.parsed->normalised;
  r.dst_port = r.url->port;
  Duration connect_limit = r.spec->connect_timeout.value_or(kCurlDefaultConnectTimeout);
  // Most connections are answered long before the timeout: scheduling and cancelling a
  // timer for each would cost two queue operations a request. The timer takes its place in
  // the order now and is armed by schedule() once the request waits past the deadline, so
  // it fires exactly when and where an eagerly scheduled one would have.
  r.connect_deadline = sim_->now() + connect_limit;
  r.connect_place = sim_->take_place();
  if (r.spec->max_time) r.max_timer = sim_->schedule_in(*r.spec->max_time, MaxTimerEvent{this, id});
  begin_lookup(r, id);
}

void Pipeline::schedule(Request& r, RequestId id, Duration delay) {
  const SimTime at = sim_->now() + delay;
  // Every wait of a request that has not connected yet is a step scheduled here: the connect
  // timer is armed as soon as a step would run at or after its deadline (it keeps its
  // earlier place, so it still fires first at an equal time).
  if (!r.connect_place.empty() && at >= r.connect_deadline) {
    r.connect_timer =
        sim_->schedule_reserved(r.connect_deadline, r.connect_place, ConnectTimerEvent{this, id});
    r.connect_place = {};
  }
  // A step's delay is nearly always one of the cluster's few link latencies: the engine's
  // lanes for repeated delays take it without a heap operation, in the same order.
  r.step_event = sim_->schedule_after(delay, StepEvent{this, id});
}

bool Pipeline::other_event_due_now() const {
  const std::optional<SimTime> next = sim_->next_time();
  return next && *next <= sim_->now();
}

bool Pipeline::traced(const Request& r) {
  return r.record_hops || r.dns_only;
}

void Pipeline::hop(Request& r, std::string_view stage, std::uint32_t node, Address from, Address to,
                   std::string detail) {
  if (!r.record_hops && !r.dns_only) return;
  trace::Hop h;
  h.t = sim_->now();
  h.stage = std::string(stage);
  h.node = node == kNoIndex ? std::string("external") : net_->node_name(node);
  h.from = from;
  h.to = to;
  h.detail = std::move(detail);
  h.depth = r.depth;
  if (r.sink) r.sink->on_hop(h);
  r.record.hops.push_back(std::move(h));
}

void Pipeline::on_step(RequestId id) {
  Request* rp = get(id);
  if (!rp) return;
  Request& r = *rp;
  r.step_event = {};
  switch (r.phase) {
    case Phase::dns_to_server:
      dns_at_server(r, id);
      break;
    case Phase::dns_forwarded:
      dns_answers_leave(r, id);
      break;
    case Phase::dns_to_client:
      dns_reply(r, id);
      break;
    case Phase::dns_lost:
      dns_unreachable(r, id, false);
      break;
    case Phase::dns_refused:
      dns_unreachable(r, id, true);
      break;
    case Phase::syn_to_target:
      syn_arrive(r, id);
      break;
    case Phase::synack_to_client:
      connected(r, id);
      break;
    case Phase::rst_to_client:
      fail_connect(r, id, true, false);
      break;
    case Phase::syn_lost:
      fail_connect(r, id, false, true);
      break;
    case Phase::tls_to_client:
      finish(r, id, Outcome::tls_error, r.extra.tls_code, r.extra.tls_error);
      break;
    case Phase::request_to_target:
      request_arrive(r, id);
      break;
    case Phase::app_working:
      respond(r, id);
      break;
    case Phase::response_to_client:
      response_arrive(r, id);
      break;
    case Phase::idle:
    case Phase::app_queued:
    case Phase::waiting_child:
    case Phase::done:
      break;
  }
}

void Pipeline::on_timer(RequestId id, bool max_time) {
  Request* rp = get(id);
  if (!rp || rp->phase == Phase::done) return;
  Request& r = *rp;
  if (max_time)
    r.max_timer = {};
  else
    r.connect_timer = {};
  if (r.dns_only) {
    r.exchange->error = "timed out";
    if (traced(r))
      hop(r, trace::stage::dns, r.client->node, {r.client->ip, r.dns_port}, {r.dns_server, 53},
          fmt::format("no answer within {}", core::format_duration(sim_->now() - r.start)));
    finish(r, id, Outcome::timeout, 28, "timed out");
    return;
  }
  if (!max_time && r.connected) return;  // the connect timeout no longer applies
  sim_->cancel(r.step_event);
  r.step_event = {};
  const std::int64_t elapsed = millis(sim_->now() - r.start);
  if (r.resolving) {
    if (traced(r))
      hop(r, trace::stage::resolver, r.client->node, {r.client->ip, r.dns_port}, {r.dns_server, 53},
          fmt::format("curl gave up resolving {} after {} ms ({})", r.url->host, elapsed,
                      max_time ? "--max-time" : "--connect-timeout"));
    finish(r, id, Outcome::timeout, 28,
           fmt::format("Resolving timed out after {} milliseconds", elapsed));
    return;
  }
  if (!r.connected) {
    if (traced(r))
      hop(r, trace::stage::tcp, r.client->node, {r.client->ip, r.src_port}, {r.dst_ip, r.dst_port},
          fmt::format("no SYN-ACK: curl gave up connecting after {} ms ({})", elapsed,
                      max_time ? "--max-time" : "--connect-timeout"));
    finish(r, id, Outcome::timeout, 28,
           fmt::format("Failed to connect to {} port {} after {} ms: Timeout was reached",
                       r.url->host, r.dst_port, elapsed));
    return;
  }
  if (traced(r))
    hop(r, trace::stage::http, r.client->node, {r.client->ip, r.src_port}, {r.dst_ip, r.dst_port},
        fmt::format("no response: curl gave up after {} ms (--max-time)", elapsed));
  if (r.phase == Phase::waiting_child) {
    // The forwarded request goes on; its result will find nobody waiting.
  }
  finish(r, id, Outcome::timeout, 28,
         fmt::format("Operation timed out after {} milliseconds with 0 bytes received", elapsed));
}

// ---------------------------------------------------------------------------------------
// Name resolution

void Pipeline::begin_lookup(Request& r, RequestId id) {
  const std::string& host = r.url->host;
  if (r.spec->port_forward && r.url->port == r.spec->port_forward->local_port &&
      (iequals(host, "localhost") || host == "127.0.0.1")) {
    port_forward_connect(r, id);
    return;
  }
  // --resolve wins over everything, for its host and port only.
  for (const auto& o : r.spec->resolve) {
    if ((o.host == "*" || iequals(o.host, host)) && o.port == r.url->port) {
      r.dst_ip = o.address;
      if (traced(r))
        hop(r, trace::stage::resolver, r.client->node, {r.client->ip, 0}, {o.address, r.url->port},
            fmt::format("--resolve {}:{}:{}: no DNS", host, o.port, o.address.str()));
      connect(r, id);
      return;
    }
  }
  if (r.parsed && r.parsed->host_ip) {  // Ipv4::parse(host), done once per URL
    r.dst_ip = *r.parsed->host_ip;
    connect(r, id);
    return;
  }
  r.dns_used = true;  // from here on the DNS fields may be written (reset() clears them)
  // minikube's ingress-dns addon: the host machine sends *.test to the minikube IP, where
  // ingress-dns answers the hosts of Ingresses with that IP (its own pod's node).
  if (r.client->kind == ClientKind::external && net_->config().has_addon("ingress-dns") &&
      net_->node_count() > 0) {
    std::string name = lower(host);
    while (!name.empty() && name.back() == '.') name.pop_back();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".test") == 0) {
      const Ipv4 minikube_ip = net_->node_ip(0);
      bool known = false;
      std::string ingress;
      for (const auto* ing : net_->state().ingresses.sorted()) {
        for (const auto& rule : ing->spec.rules) {
          const std::string h = lower(rule.host);
          if (!known && (h == name || wildcard_host_matches(h, name))) {
            known = true;
            ingress = fmt::format("{}/{}", ing->meta.namespace_, ing->meta.name);
          }
        }
      }
      trace::DnsLookup l;
      l.t = sim_->now();
      l.name = name + ".";
      l.type = "A";
      l.rcode = known ? "NOERROR" : "NXDOMAIN";
      if (known) l.answers.push_back(minikube_ip.str());
      l.server = fmt::format("ingress-dns ({}:53)", minikube_ip.str());
      r.record.dns.push_back(std::move(l));
      if (traced(r))
        hop(r, trace::stage::dns, r.client->node, {r.client->ip, 0}, {minikube_ip, 53},
            known ? fmt::format("ingress-dns (minikube addon, /etc/resolver/minikube-test sends "
                                "*.test to {}): A {}: {} (host of Ingress {})",
                                minikube_ip.str(), name, minikube_ip.str(), ingress)
                  : fmt::format("ingress-dns (minikube addon): A {}: NXDOMAIN (no Ingress has "
                                "this host)",
                                name));
      if (!known) {
        finish(r, id, Outcome::dns_failure, 6, fmt::format("Could not resolve host: {}", host));
        return;
      }
      r.dst_ip = minikube_ip;
      r.record.resolved.push_back(minikube_ip);
      connect(r, id);
      return;
    }
  }
  const ResolvConf* conf = r.client->resolv_conf.get();
  PODHOP_CHECK(conf != nullptr, "a client without a resolver configuration");
  // A reused slot restarts its walk, whose buffers keep their memory.
  if (r.walk)
    r.walk->restart(host, *conf, r.client->hosts.get());
  else
    r.walk.emplace(host, *conf, r.client->hosts.get());
  r.has_walk = true;
  const Resolution& res0 = r.walk->result();
  if (res0.from_hosts) {
    r.dst_ip = res0.address;
    if (traced(r))
      hop(r, trace::stage::resolver, r.client->node, {r.client->ip, 0}, {res0.address, r.url->port},
          fmt::format("/etc/hosts: {} is {}", host, res0.address.str()));
    connect(r, id);
    return;
  }
  if (conf->nameservers.empty()) {
    if (traced(r))
      hop(r, trace::stage::resolver, r.client->node, {r.client->ip, 0}, {},
          fmt::format("no nameserver in /etc/resolv.conf: {} cannot be resolved", host));
    finish(r, id, Outcome::dns_failure, 6, fmt::format("Could not resolve host: {}", host));
    return;
  }
  r.resolving = true;
  r.dns_server = conf->nameservers.front();
  // One UDP socket for the whole lookup (glibc keeps it for the A and AAAA of every
  // candidate), so every query has the same 5-tuple and conntrack keeps one CoreDNS pod.
  r.dns_port = net_->ephemeral_port(r.client->ip);
  if (traced(r)) {
    const auto& cands = r.walk->candidates();
    const auto dots = std::count(host.begin(), host.end(), '.');
    std::string why;
    if (!host.empty() && host.back() == '.') {
      why = "an absolute name: queried as written";
    } else if (conf->searches.empty()) {
      why = fmt::format("{} dot{}, no search list: queried as written", dots, dots == 1 ? "" : "s");
    } else if (dots >= conf->ndots) {
      why = fmt::format("{} dot{} >= ndots:{}: as written first, then the search list", dots,
                        dots == 1 ? "" : "s", conf->ndots);
    } else {
      why = fmt::format("{} dot{} < ndots:{}: the search list first", dots, dots == 1 ? "" : "s",
                        conf->ndots);
    }
    hop(r, trace::stage::resolver, r.client->node, {r.client->ip, r.dns_port}, {r.dns_server, 53},
        fmt::format("getaddrinfo {} ({}): {} candidate{}, A{} each: {}", host, why, cands.size(),
                    cands.size() == 1 ? "" : "s", conf->no_aaaa() ? "" : " and AAAA",
                    fmt::join(cands, " ")));
  }
  dns_send(r, id);
}

void Pipeline::dns_send(Request& r, RequestId id) {
  // The next query (and, as getaddrinfo sends them together on one socket, its AAAA twin).
  r.trip_n = 0;
  if (r.dns_only) {
    if (r.single_sent) {
      lookup_done(r, id);
      return;
    }
    r.single_sent = true;
    r.trip_q[0] = r.single_query;
    r.trip_n = 1;
  } else {
    if (!r.walk->next_query_into(r.trip_q[0])) {
      lookup_done(r, id);
      return;
    }
    r.trip_n = 1;
    if (r.trip_q[0].type == DnsType::A && !r.client->resolv_conf->no_aaaa()) {
      r.trip_q[1].name.assign(r.trip_q[0].name);
      r.trip_q[1].type = DnsType::AAAA;
      r.trip_n = 2;
    }
  }
  r.trip_sent = sim_->now();
  const Address from{r.client->ip, r.dns_port};
  const Address to{r.dns_server, 53};
  if (traced(r)) {
    std::string what = r.trip_n == 2
                           ? fmt::format("A + AAAA {}", r.trip_q[0].name)
                           : fmt::format("{} {}", to_string(r.trip_q[0].type), r.trip_q[0].name);
    if (r.has_walk && r.walk->candidates().size() > 1) {
      const auto& cands = r.walk->candidates();
      auto pos = std::find(cands.begin(), cands.end(), r.trip_q[0].name) - cands.begin();
      what += fmt::format(" (candidate {} of {})", pos + 1, cands.size());
    }
    hop(r, trace::stage::dns, r.client->node, from, to, fmt::format("query {}", what));
  }

  // The client node's kube-proxy sees the packet first (clients outside have none).
  r.dns_entry_node = r.client->node;
  r.dns_dnat = false;
  Place place = net_->locate(r.dns_server);
  Ipv4 endpoint = r.dns_server;
  if (r.client->node != kNoIndex) {
    NewConnection c;
    c.source_ip = r.client->ip;
    c.source_port = r.dns_port;
    c.source_kind = r.client->source_kind;
    c.dst_ip = r.dns_server;
    c.dst_port = 53;
    c.protocol = model::Protocol::UDP;
    c.time = sim_->now();
    c.explain = r.record_hops || r.dns_only;
    Verdict v = net_->proxy(r.client->node).route(c);
    switch (v.kind) {
      case VerdictKind::dnat: {
        r.dns_dnat = true;
        endpoint = v.endpoint_ip;
        place = net_->locate(v.endpoint_ip);
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.client->node, from, to, verdict_text(*net_, v));
        break;
      }
      case VerdictKind::not_a_service:
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.client->node, from, to, verdict_text(*net_, v));
        break;
      case VerdictKind::reject:
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.client->node, from, to, verdict_text(*net_, v));
        r.phase = Phase::dns_refused;
        schedule(r, id, Duration{});
        return;
      case VerdictKind::drop:
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.client->node, from, to, verdict_text(*net_, v));
        r.phase = Phase::dns_lost;
        schedule(r, id, resolver_give_up(*r.client->resolv_conf));
        return;
    }
  }
  r.dns_place = place;
  r.dns_endpoint = endpoint;
  if (place.kind != PlaceKind::pod && place.kind != PlaceKind::upstream_dns) {
    if (traced(r))
      hop(r, trace::stage::network, r.client->node, from, {endpoint, 53},
          fmt::format("no DNS server at {}: the query is lost", endpoint.str()));
    r.phase = Phase::dns_lost;
    schedule(r, id, resolver_give_up(*r.client->resolv_conf));
    return;
  }
  // The server's name is for the trace and the record's dns[] only.
  if (traced(r))
    r.dns_server_name = place.kind == PlaceKind::pod ? net_->pod_name(place.pod) : endpoint.str();
  Duration lat = net_->latency(r.client->node, place);
  if (place.kind == PlaceKind::pod) {
    if (traced(r))
      hop(r, trace::stage::network, r.client->node, from, {endpoint, 53},
          fmt::format("UDP to {} ({}:53), {}, {}", r.dns_server_name, endpoint.str(),
                      net_->describe_path(r.client->node, place.node), core::format_duration(lat)));
  } else {
    if (traced(r))
      hop(r, trace::stage::network, r.client->node, from, {endpoint, 53},
          fmt::format("UDP to the nodes' resolver ({}:53), {}", endpoint.str(),
                      core::format_duration(lat)));
  }
  r.phase = Phase::dns_to_server;
  schedule(r, id, lat);
}

void Pipeline::dns_at_server(Request& r, RequestId id) {
  const Place& place = r.dns_place;
  const std::uint32_t server_node = place.kind == PlaceKind::pod ? place.node : kNoIndex;
  const Address from{r.client->ip, r.dns_port};
  const Address at{r.dns_endpoint, 53};
  if (place.kind == PlaceKind::pod) {
    const PodApps* apps = net_->apps().pod(place.pod);
    if (!apps || !apps->listens(53, model::Protocol::UDP)) {
      if (traced(r))
        hop(r, trace::stage::dns, server_node, from, at,
            fmt::format("nothing listens on 53/UDP in {} (it listens on {}): ICMP port "
                        "unreachable",
                        r.dns_server_name, apps ? apps->ports_text() : std::string("no ports")));
      r.phase = Phase::dns_refused;
      schedule(r, id, net_->latency(place.node, r.client->node));
      return;
    }
  }
  bool upstream = false;
  for (int i = 0; i < r.trip_n; ++i) {
    // CoreDNS answers through its cache (spec.timing.dnsCache), so a cached answer can
    // hide a change until its TTL runs out.
    r.trip_a[i] = place.kind == PlaceKind::pod
                      ? net_->dns_answer_shared(place.pod, r.trip_q[i], sim_->now())
                      : std::make_shared<const DnsAnswer>(net_->upstream().answer(r.trip_q[i]));
    upstream = upstream || went_upstream(*r.trip_a[i], net_->config().cluster_domain);
  }
  // Answering from the simulated internet costs the recursion there and back; CoreDNS
  // first reaches the nodes' resolver (`forward . /etc/resolv.conf`).
  Duration extra{};
  if (upstream) {
    const auto& lat = net_->config().latency;
    extra = lat.external * 2;
    if (place.kind == PlaceKind::pod) {
      extra = extra + lat.same_node * 2;
      if (traced(r))
        hop(r, trace::stage::dns, server_node, at, {net_->config().node_nameserver, 53},
            fmt::format("{} forwards to the nodes' resolver {}:53 (forward . /etc/resolv.conf), "
                        "which asks the simulated internet: {}",
                        r.dns_server_name, net_->config().node_nameserver.str(),
                        core::format_duration(extra)));
    } else {
      if (traced(r))
        hop(r, trace::stage::dns, server_node, from, at,
            fmt::format("the resolver asks the simulated internet: {}",
                        core::format_duration(extra)));
    }
  }
  if (extra.ns > 0) {
    r.phase = Phase::dns_forwarded;
    schedule(r, id, extra);
    return;
  }
  dns_answers_leave(r, id);
}

void Pipeline::dns_answers_leave(Request& r, RequestId id) {
  const Place& place = r.dns_place;
  const std::uint32_t server_node = place.kind == PlaceKind::pod ? place.node : kNoIndex;
  const Address from{r.client->ip, r.dns_port};
  const Address at{r.dns_endpoint, 53};
  for (int i = 0; i < r.trip_n; ++i)
    if (traced(r))
      hop(r, trace::stage::dns, server_node, from, at, answer_summary(r.trip_q[i], *r.trip_a[i]));
  const Duration back = place.kind == PlaceKind::pod ? net_->latency(place.node, r.client->node)
                                                     : net_->config().latency.same_node;
  std::string unnat = r.dns_dnat && traced(r)
                          ? fmt::format(", un-DNAT {}:53 -> {}:53 (conntrack)",
                                        r.dns_endpoint.str(), r.dns_server.str())
                          : std::string();
  if (traced(r))
    hop(r, trace::stage::network, server_node, at, from,
        fmt::format("reply{}, {}", unnat, core::format_duration(back)));
  r.phase = Phase::dns_to_client;
  schedule(r, id, back);
}

void Pipeline::dns_reply(Request& r, RequestId id) {
  r.dns_queries += r.trip_n;
  // The record's dns[] is part of the trace: bulk traffic (record_hops off) keeps none.
  if (traced(r)) {
    for (int i = 0; i < r.trip_n; ++i) {
      trace::DnsLookup l;
      l.t = sim_->now();
      l.name = r.trip_q[i].name;
      l.type = std::string(to_string(r.trip_q[i].type));
      l.rcode = std::string(to_string(r.trip_a[i]->rcode));
      l.answers = r.trip_a[i]->answer_data();
      l.server = r.dns_server_name;
      r.record.dns.push_back(std::move(l));
    }
  }
  if (r.dns_only) {
    r.exchange->answered = true;
    r.exchange->answer = *r.trip_a[0];
    r.exchange->rtt = sim_->now() - r.start;
    r.exchange->server = r.dns_server_name;
    finish(r, id, Outcome::ok, 0, {});
    return;
  }
  r.walk->on_answer(*r.trip_a[0]);
  if (r.trip_n == 2) {
    auto next = r.walk->next_query_view();
    if (next && next->second == DnsType::AAAA && next->first == r.trip_q[1].name)
      r.walk->on_answer(*r.trip_a[1]);
  }
  dns_send(r, id);
}

void Pipeline::dns_unreachable(Request& r, RequestId id, bool refused) {
  const Address from{r.client->ip, r.dns_port};
  const Address to{r.dns_server, 53};
  if (r.dns_only) {
    r.exchange->error = refused ? "connection refused" : "timed out";
    if (traced(r))
      hop(r, trace::stage::dns, r.client->node, to, from,
          refused ? std::string("ICMP port unreachable: connection refused")
                  : fmt::format("no answer within {}",
                                core::format_duration(sim_->now() - r.trip_sent)));
    finish(r, id, refused ? Outcome::connection_refused : Outcome::timeout, refused ? 7 : 28,
           r.exchange->error);
    return;
  }
  if (traced(r))
    hop(r, trace::stage::resolver, r.client->node, to, from,
        refused ? fmt::format("ICMP port unreachable from {}: getaddrinfo gives up on {}",
                              r.dns_server.str(), r.url->host)
                : fmt::format("no answer from {} within {} (timeout x attempts): getaddrinfo "
                              "gives up on {}",
                              r.dns_server.str(), core::format_duration(sim_->now() - r.trip_sent),
                              r.url->host));
  r.resolving = false;
  finish(r, id, Outcome::dns_failure, 6, fmt::format("Could not resolve host: {}", r.url->host));
}

void Pipeline::lookup_done(Request& r, RequestId id) {
  r.resolving = false;
  if (r.dns_only) {
    finish(r, id, Outcome::ok, 0, {});
    return;
  }
  const Resolution& res = r.walk->result();
  if (!res.ok) {
    if (traced(r))
      hop(r, trace::stage::resolver, r.client->node, {r.client->ip, r.dns_port}, {r.dns_server, 53},
          fmt::format("{} did not resolve: every candidate was NXDOMAIN or NODATA ({} "
                      "quer{})",
                      r.url->host, r.dns_queries, r.dns_queries == 1 ? "y" : "ies"));
    finish(r, id, Outcome::dns_failure, 6, fmt::format("Could not resolve host: {}", r.url->host));
    return;
  }
  r.dst_ip = res.address;
  r.record.resolved = res.addresses;
  std::string via = dns_name_equal(res.canonical_name, r.trip_q[0].name)
                        ? std::string()
                        : fmt::format(" via {}", res.canonical_name);
  if (traced(r))
    hop(r, trace::stage::resolver, r.client->node, {r.client->ip, r.dns_port}, {r.dns_server, 53},
        fmt::format("{} is {}{} ({} quer{}, {})", r.url->host, res.address.str(), via,
                    r.dns_queries, r.dns_queries == 1 ? "y" : "ies",
                    core::format_duration(sim_->now() - r.start)));
  connect(r, id);
}

// ---------------------------------------------------------------------------------------
// Connecting

void Pipeline::connect(Request& r, RequestId id) {
  r.resolving = false;
  r.connect_start = sim_->now();
  const Address to{r.dst_ip, r.dst_port};

  // Keep-alive: an open connection to the same address carries the request; conntrack
  // keeps its endpoint.
  if (r.spec->reuse_connection) {
    auto it = kept_.find(KeptKey{r.client->ip, r.dst_ip, r.dst_port});
    if (it != kept_.end() && it->second.target.kind == PlaceKind::pod &&
        !net_->pod_alive(it->second.target.pod, it->second.endpoint)) {
      // The pod's process exited and its kernel closed the connection (FIN): the client
      // dropped it from its pool and opens a new one (nginx's keepalive close handler).
      const KeptConnection& conn = it->second;
      if (conn.entry_node != kNoIndex && conn.entry_node < net_->node_count())
        net_->proxy(conn.entry_node).close(conn.tuple);
      kept_.erase(it);
      it = kept_.end();
    }
    if (it != kept_.end()) {
      r.reused = true;
      r.src_port = it->second.source_port;
    }
  }
  if (!r.reused) r.src_port = net_->ephemeral_port(r.client->ip);
  const Address from{r.client->ip, r.src_port};
  // The record's time_namelookup, remote, local, reused_connection and resolved: finish().
  r.record_connect = true;
  r.seen_src = r.client->ip;

  // The first kube-proxy on the way: the client's node, or for a client outside the
  // cluster the node it addresses (NodePorts).
  Place addressed = net_->locate(r.dst_ip);
  r.entry_node = r.client->node;
  if (r.entry_node == kNoIndex && addressed.kind == PlaceKind::node) r.entry_node = addressed.node;
  if (r.entry_node == kNoIndex && addressed.kind == PlaceKind::nowhere) {
    // A LoadBalancer IP or an external IP seen from outside: the cloud load balancer (or
    // the route to the external IP) hands the connection to a node whose health check
    // passes, each new connection to one of them with equal chance.
    if (auto vip = net_->tables().find_vip(r.dst_ip, r.dst_port, model::Protocol::TCP);
        vip && vip->kind != controllers::DestinationKind::cluster_ip) {
      // Kept per Service port by the Network until a node's rules change: asking every
      // node's kube-proxy here would cost 5,000 health checks a connection at the limits.
      const std::vector<std::uint32_t>& healthy = net_->lb_nodes(vip->port);
      if (!healthy.empty()) {
        r.entry_node = healthy[lb_rng_.uniform(healthy.size())];
        if (traced(r))
          hop(r, trace::stage::network, kNoIndex, from, to,
              fmt::format("{} {} of {}: {} of {} nodes pass its health check, picked node {}",
                          vip->kind == controllers::DestinationKind::load_balancer_ip
                              ? "load balancer"
                              : "external IP",
                          r.dst_ip.str(), net_->tables().port(vip->port).name_str, healthy.size(),
                          net_->node_count(), net_->node_name(r.entry_node)));
      }
    }
  }

  r.ep_ip = r.dst_ip;
  r.ep_port = r.dst_port;
  r.target = addressed;
  if (r.entry_node != kNoIndex) {
    NewConnection c;
    c.source_ip = r.client->ip;
    c.source_port = r.src_port;
    c.source_kind = r.client->source_kind;
    c.dst_ip = r.dst_ip;
    c.dst_port = r.dst_port;
    c.protocol = model::Protocol::TCP;
    c.time = sim_->now();
    c.explain = r.record_hops;
    r.tuple = c.tuple();
    Verdict v = net_->proxy(r.entry_node).route(c);
    switch (v.kind) {
      case VerdictKind::dnat: {
        r.dnat = true;
        r.ep_ip = v.endpoint_ip;
        r.ep_port = static_cast<std::uint16_t>(v.endpoint_port);
        if (v.pod_slot != kNoIndex) {
          r.target = Place{PlaceKind::pod, v.node_index, v.pod_slot, kNoIndex};
          if (r.target.node == kNoIndex) r.target = net_->locate(v.endpoint_ip);
        } else {
          r.target = net_->locate(v.endpoint_ip);
        }
        if (v.masquerade) r.seen_src = v.snat_ip;
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.entry_node, from, to, verdict_text(*net_, v));
        break;
      }
      case VerdictKind::not_a_service:
        if (r.record_hops)
          if (traced(r))
            hop(r, trace::stage::kube_proxy, r.entry_node, from, to, verdict_text(*net_, v));
        break;
      case VerdictKind::reject:
        // The node itself answers with ICMP port unreachable: refused at once.
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.entry_node, from, to, verdict_text(*net_, v));
        fail_connect(r, id, true, false);
        return;
      case VerdictKind::drop:
        if (traced(r))
          hop(r, trace::stage::kube_proxy, r.entry_node, from, to, verdict_text(*net_, v));
        r.phase = Phase::syn_lost;
        schedule(r, id, kSynGiveUp);
        return;
    }
  }

  // A hostPort on the addressed node (the ingress controller's 80 and 443 on minikube):
  // the CNI portmap plugin DNATs it to the pod.
  if (r.target.kind == PlaceKind::node && !r.dnat) host_port_dnat(r);

  if (r.reused) {
    // No handshake: the request goes out on the established connection.
    connected(r, id);
    return;
  }

  // Leaving the cluster: the node masquerades pod traffic to its own address.
  const bool leaves = r.client->node != kNoIndex && !r.target.in_cluster();
  if (leaves && r.client->source_kind == SourceKind::pod)
    r.seen_src = net_->node_ip(r.client->node);

  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  switch (r.target.kind) {
    case PlaceKind::pod:
    case PlaceKind::node:
    case PlaceKind::external_host:
    case PlaceKind::upstream_dns:
    case PlaceKind::external_client: {
      std::uint32_t from_node = r.entry_node;
      Duration lat = net_->latency(from_node, r.target);
      if (traced(r)) {
        std::string path;
        if (r.target.kind == PlaceKind::external_host) {
          path =
              from_node == kNoIndex
                  ? std::string("to the simulated internet")
                  : fmt::format("SNAT {} -> {} (node {}), to the simulated internet",
                                r.client->ip.str(), r.seen_src.str(), net_->node_name(from_node));
        } else if (r.target.in_cluster()) {
          path = net_->describe_path(from_node, r.target.node);
        } else {
          path = "outside the cluster";
        }
        hop(r, trace::stage::network, from_node, src, ep,
            fmt::format("SYN, {}, {}", path, core::format_duration(lat)));
      }
      r.phase = Phase::syn_to_target;
      schedule(r, id, lat);
      return;
    }
    case PlaceKind::nowhere:
      if (traced(r))
        hop(r, trace::stage::network, r.entry_node, src, ep,
            fmt::format("no host has {}: the SYN is lost, and every retransmission",
                        r.ep_ip.str()));
      r.phase = Phase::syn_lost;
      schedule(r, id, kSynGiveUp);
      return;
  }
}

void Pipeline::syn_arrive(Request& r, RequestId id) {
  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  const std::uint32_t at_node = r.target.in_cluster() ? r.target.node : kNoIndex;
  const Duration back = net_->latency(r.entry_node, r.target);
  bool accepts = false;
  const bool t = traced(r);
  std::string detail;
  switch (r.target.kind) {
    case PlaceKind::pod: {
      const model::Pod& pod = net_->state().pods[r.target.pod];
      const PodApps* apps = net_->apps().pod(r.target.pod);
      if (pod.status.phase != model::PodPhase::Running) {
        if (t)
          hop(r, trace::stage::tcp, at_node, src, ep,
              fmt::format("{} is {}: nothing answers the SYN", net_->pod_name(r.target.pod),
                          to_string(pod.status.phase)));
        r.phase = Phase::syn_lost;
        schedule(r, id, kSynGiveUp - (sim_->now() - r.connect_start));
        return;
      }
      const AppBehavior* app = apps ? apps->serving(r.ep_port) : nullptr;
      if (!app) {
        if (t)
          detail = fmt::format("RST: nothing listens on {}/TCP in {} (it listens on {})", r.ep_port,
                               net_->pod_name(r.target.pod),
                               apps ? apps->ports_text() : std::string("no ports"));
      } else {
        accepts = true;
        r.app = app;
        r.app_generation = net_->generation();
        r.app_container = static_cast<std::uint32_t>(app - apps->containers.data());
        r.app_limited = apps->any_limited;
        if (t)
          detail = fmt::format("SYN-ACK: {} accepts on {}/TCP (container {})",
                               net_->pod_name(r.target.pod), r.ep_port, app->container);
      }
      break;
    }
    case PlaceKind::external_host: {
      const auto& host = net_->config().external_hosts[r.target.host];
      accepts = r.ep_port == 80 || r.ep_port == 443;
      if (t)
        detail = accepts ? fmt::format("SYN-ACK: {} accepts on port {}", host.name, r.ep_port)
                         : fmt::format("RST: {} listens on 80 and 443 only", host.name);
      break;
    }
    case PlaceKind::node:
      if (t) {
        detail = fmt::format("RST: no process listens on node {} port {}",
                             net_->node_name(r.target.node), r.ep_port);
        if (r.ep_port == 80 || r.ep_port == 443) {
          IngressRouter& router = ingress_router();
          if (!router.has_controller() && !router.ignored().empty())
            detail +=
                fmt::format(" (no ingress controller: {})", router.ignored_note(effective_host(r)));
        }
      }
      break;
    default:
      if (t) detail = fmt::format("RST: nothing listens on {} port {}", r.ep_ip.str(), r.ep_port);
      break;
  }
  if (traced(r)) hop(r, trace::stage::tcp, at_node, src, ep, detail);
  const std::string unnat = traced(r) ? reverse_nat_text(r) : std::string();
  if (traced(r))
    hop(r, trace::stage::network, at_node, ep, src,
        fmt::format("{}{}, {}", accepts ? "SYN-ACK" : "RST", unnat, core::format_duration(back)));
  r.phase = accepts ? Phase::synack_to_client : Phase::rst_to_client;
  schedule(r, id, back);
}

void Pipeline::connected(Request& r, RequestId id) {
  r.connected = true;
  // Most requests connect before their timer was ever armed (schedule()): no call then.
  if (!r.connect_timer.empty()) sim_->cancel(r.connect_timer);
  r.connect_timer = {};
  r.connect_place = {};          // never armed: nothing to cancel
  r.connected_at = sim_->now();  // the record's connected_to and time_connect: finish()
  const Address from{r.client->ip, r.src_port};
  const Address to{r.dst_ip, r.dst_port};
  const std::uint32_t at_node = r.target.in_cluster() ? r.target.node : kNoIndex;
  const Duration lat = net_->latency(r.entry_node, r.target);

  if (r.https) {
    // TLS is the ingress controller's (issue 4); here only the simulated internet speaks it.
    if (r.target.kind == PlaceKind::external_host) {
      const auto& host = net_->config().external_hosts[r.target.host];
      if (!r.spec->insecure && !iequals(host.name, r.url->host) &&
          !iequals("www." + host.name, r.url->host)) {
        r.extra_for_writing().tls_code = 60;
        r.extra_for_writing().tls_error = fmt::format(
            "SSL: no alternative certificate subject name matches target host name '{}'",
            r.url->host);
        if (traced(r))
          hop(r, trace::stage::tcp, r.client->node, from, to,
              fmt::format("TLS: {}'s certificate names {}, not {}", host.name, host.name,
                          r.url->host));
        r.phase = Phase::tls_to_client;
        schedule(r, id, lat + lat);
        return;
      }
    } else if (r.target.kind == PlaceKind::pod &&
               ingress_router().controller_port(r.target.pod, r.ep_port) == ControllerPort::https) {
      if (controller_tls(r, id)) return;
    } else if (r.target.kind == PlaceKind::pod) {
      r.extra_for_writing().tls_code = 35;
      r.extra_for_writing().tls_error =
          "OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number";
      if (traced(r))
        hop(r, trace::stage::tcp, r.client->node, from, to,
            fmt::format("TLS ClientHello to {}, which speaks plain HTTP: it answers with an HTTP "
                        "400, not a ServerHello",
                        net_->pod_name(r.target.pod)));
      r.phase = Phase::tls_to_client;
      schedule(r, id, lat + lat);
      return;
    }
  }

  if (traced(r)) {
    std::string ua = r.spec->user_agent.empty() ? std::string() : ", " + r.spec->user_agent;
    hop(r, trace::stage::http, r.client->node, from, to,
        fmt::format("{}{} {} HTTP/1.1 (Host: {}{})", r.reused ? "reused connection: " : "",
                    r.spec->method, r.url->path, effective_host(r), ua));
    const Address ep{r.ep_ip, r.ep_port};
    const Address src{r.seen_src, r.src_port};
    std::string nat = r.dnat ? fmt::format("DNAT {}:{} -> {}:{} (conntrack), ", r.dst_ip.str(),
                                           r.dst_port, r.ep_ip.str(), r.ep_port)
                             : std::string();
    hop(r, trace::stage::network, r.entry_node, src, ep,
        fmt::format("request, {}{}", nat, core::format_duration(lat)));
  }
  (void)at_node;
  r.phase = Phase::request_to_target;
  schedule(r, id, lat);
}

void Pipeline::fail_connect(Request& r, RequestId id, bool refused, bool kernel_gave_up) {
  const std::int64_t elapsed = millis(sim_->now() - r.start);
  if (refused) {
    finish(r, id, Outcome::connection_refused, 7,
           fmt::format("Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                       r.url->host, r.dst_port, elapsed));
    return;
  }
  if (kernel_gave_up) {
    if (traced(r))
      hop(r, trace::stage::tcp, r.client->node, {r.client->ip, r.src_port}, {r.dst_ip, r.dst_port},
          fmt::format("no SYN-ACK after 6 retransmissions: the kernel gives up (ETIMEDOUT) "
                      "after {} ms",
                      elapsed));
  }
  finish(r, id, Outcome::timeout, 28,
         fmt::format("Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                     r.url->host, r.dst_port, elapsed));
}

// ---------------------------------------------------------------------------------------
// The application

void Pipeline::request_arrive(Request& r, RequestId id) {
  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  if (r.target.kind == PlaceKind::external_host) {
    const auto& host = net_->config().external_hosts[r.target.host];
    r.response = external_web_response(host.name, r.spec->method, r.url->path);
    r.served_by = fmt::format("external/{}", host.name);
    if (traced(r))
      hop(r, trace::stage::external, kNoIndex, src, ep,
          fmt::format("{} answers {} ({} bytes)", host.name, r.response.status,
                      r.response.body.size()));
    r.phase = Phase::app_working;
    schedule(r, id, r.response.latency);
    return;
  }
  if (r.target.kind != PlaceKind::pod) {
    // Only pods and the simulated internet accept connections; syn_arrive refused the rest.
    r.response = AppResponse{};
    r.server_closed = true;
    respond(r, id);
    return;
  }
  const std::uint32_t slot = r.target.pod;
  if (auto cp = ingress_router().controller_port(slot, r.ep_port); cp != ControllerPort::none) {
    ingress_arrive(r, id, cp);
    return;
  }
  const model::Pod& pod = net_->state().pods[slot];
  const AppBehavior* app = r.app;
  std::uint32_t container = r.app_container;
  bool limited = r.app_limited;
  if (app == nullptr || r.app_generation != net_->generation()) {
    // A reused connection (no SYN this time), or the network was rebuilt since the SYN.
    const PodApps* apps = net_->apps().pod(slot);
    app = apps ? apps->serving(r.ep_port) : nullptr;
    if (app) {
      container = static_cast<std::uint32_t>(app - apps->containers.data());
      limited = apps->any_limited;
    }
  }
  net_->assign_pod_name(slot, r.served_by);  // into the slot's buffer: no allocation
  const std::string& name = r.served_by;
  if (!app) {
    r.server_closed = true;
    if (traced(r))
      hop(r, trace::stage::app, r.target.node, src, ep,
          fmt::format("{} no longer listens on {}: the connection is reset", name, r.ep_port));
    respond(r, id);
    return;
  }
  // The headers as the app sees them, in a buffer kept between requests: assigning into
  // its strings reuses their capacity.
  std::vector<HttpHeader>& headers = app_headers_;
  std::size_t n_headers = 0;
  auto add_header = [&](std::string_view hname, std::string_view value) {
    if (n_headers == headers.size()) headers.emplace_back();
    headers[n_headers].name.assign(hname);
    headers[n_headers].value.assign(value);
    ++n_headers;
  };
  const std::string& host_header = effective_host(r);
  // Bulk traffic to the default echo server builds no headers (apps.hpp says which apps
  // read them).
  if (reads_default_headers(app->kind) || !r.spec->headers.empty()) {
    add_header("Host", host_header);
    if (!r.spec->user_agent.empty()) add_header("User-Agent", r.spec->user_agent);
    add_header("Accept", "*/*");
    for (const auto& h : r.spec->headers)
      if (!iequals(h.name, "Host")) add_header(h.name, h.value);
  }
  AppRequest req;
  req.pod_namespace = pod.meta.namespace_;
  req.pod_name = pod.meta.name;
  req.pod_ip = pod.status.pod_ip;
  req.node = pod.node_name;
  req.container = app->container;
  req.port = r.ep_port;
  req.scheme = r.url->scheme;
  req.method = r.spec->method;
  req.host = host_header;
  req.path = r.url->path;
  req.headers = std::span<const HttpHeader>(headers.data(), n_headers);
  req.body = r.spec->body;
  req.client_ip = r.seen_src;
  req.client_port = r.src_port;
  req.now = sim_->now();
  req.explain = traced(r);
  // Into the pipeline's action, whose strings keep their memory from the last answer.
  AppAction& action = app_action_;
  handle(*app, req, action);
  switch (action.kind) {
    case AppAction::Kind::respond: {
      // Swapped, not moved: the buffers go round between the action and the slots.
      r.response.status = action.response.status;
      r.response.latency = action.response.latency;
      if (traced(r))
        hop(r, trace::stage::app, r.target.node, src, ep,
            fmt::format("{}: {}, {} bytes{} [{}]", name, action.detail, action.response.body.size(),
                        r.response.latency.ns > 0
                            ? ", after " + core::format_duration(r.response.latency)
                            : std::string(),
                        app->explain));
      // Without a limit in the pod, app_queue() has no queue to give (and creates none).
      if (AppQueue* q = limited ? net_->app_queue(slot, container) : nullptr) {
        r.response.headers.swap(action.response.headers);
        r.response.body.swap(action.response.body);
        serve(r, id, *q);
        return;
      }
      // Nothing can change the answer any more: it goes where the record will hold it now,
      // while the action's strings are warm, so response_arrive copies nothing. The body
      // is swapped with the record's (empty, its memory kept), so a slot keeps one body
      // buffer, not two; the headers are assigned into the strings the slot kept from
      // earlier answers. finish() empties the body again if the answer never arrives.
      r.record.body.swap(action.response.body);
      r.header_spare.resize(action.response.headers.size());
      for (std::size_t i = 0; i < action.response.headers.size(); ++i) {
        assign_if_differs(r.header_spare[i].first, action.response.headers[i].name);
        assign_if_differs(r.header_spare[i].second, action.response.headers[i].value);
      }
      r.answer_staged = true;
      r.phase = Phase::app_working;
      if (r.response.latency.ns == 0 && !other_event_due_now()) {
        // The answer is ready at once and no other event is due now: its step would be the
        // very next event to run, so running it here changes neither a time nor an order
        // (every later event keeps its place) and saves an event a request.
        respond(r, id);
        return;
      }
      schedule(r, id, r.response.latency);
      return;
    }
    case AppAction::Kind::close:
      r.server_closed = true;
      r.extra_for_writing().raw = std::move(action.raw);
      if (traced(r))
        hop(r, trace::stage::app, r.target.node, src, ep,
            fmt::format("{}: {}: closes the connection{}", name, action.detail,
                        r.extra.raw.empty() ? std::string(" without answering")
                                            : fmt::format(" after {} bytes that are not HTTP",
                                                          r.extra.raw.size())));
      respond(r, id);
      return;
    case AppAction::Kind::forward: {
      if (r.depth + 1 > kMaxForwardDepth) {
        r.response.status = 508;
        r.response.body = "forward loop: too many nested requests\n";
        r.response.headers = {{"Content-Type", "text/plain"},
                              {"Content-Length", std::to_string(r.response.body.size())}};
        if (traced(r))
          hop(r, trace::stage::app, r.target.node, src, ep,
              fmt::format("{}: forwards {} levels deep: podhop stops the loop with 508", name,
                          r.depth + 1));
        respond(r, id);
        return;
      }
      auto client = net_->pod_client(slot);
      PODHOP_CHECK(client.has_value(), "a serving pod must be able to send");
      if (traced(r))
        hop(r, trace::stage::app, r.target.node, src, ep,
            fmt::format("{}: forwards to {} [{}]", name, action.forward.url, app->explain));
      RequestSpec spec;
      spec.url = action.forward.url;
      spec.method = action.forward.method;
      spec.headers = action.forward.headers;
      spec.body = action.forward.body;
      spec.record_hops = r.spec->record_hops;
      spec.user_agent = {};  // the app's own HTTP client, not curl
      r.phase = Phase::waiting_child;
      start_request(*client, std::move(spec), r.sink, id, r.depth + 1, false);
      return;
    }
  }
}

void Pipeline::child_done(RequestId parent_id, trace::RequestRecord child) {
  Request* rp = get(parent_id);
  if (!rp || rp->phase != Phase::waiting_child) return;  // the client gave up meanwhile
  Request& r = *rp;
  if (r.ingress_proxy) {
    ingress_child_done(r, parent_id, std::move(child));
    return;
  }
  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  // The forwarded request's hops belong to this request's trace, in time order: they all
  // happened while this one waited.
  r.record.hops.insert(r.record.hops.end(), child.hops.begin(), child.hops.end());
  if (reset_if_gone(r, parent_id)) {
    r.record.upstream.push_back(std::move(child));
    return;
  }
  const std::string name = net_->pod_name(r.target.pod);
  if (child.outcome == Outcome::ok && child.status) {
    r.response.status = *child.status;
    r.response.body = child.body;
    std::string type;
    for (const auto& [k, v] : child.headers) {
      if (iequals(k, "Content-Type")) type = v;
    }
    r.response.headers.clear();
    if (!type.empty()) r.response.headers.push_back({"Content-Type", type});
    r.response.headers.push_back({"Content-Length", std::to_string(r.response.body.size())});
    if (traced(r))
      hop(r, trace::stage::app, r.target.node, src, ep,
          fmt::format("{} answers with what came back from {}: {} {}, {} bytes", name, child.url,
                      r.response.status, http_reason_phrase(r.response.status),
                      r.response.body.size()));
  } else {
    r.response.status = 502;
    r.response.body = fmt::format("Bad Gateway: {}\n", child.error);
    r.response.headers = {{"Content-Type", "text/plain"},
                          {"Content-Length", std::to_string(r.response.body.size())}};
    if (traced(r))
      hop(r, trace::stage::app, r.target.node, src, ep,
          fmt::format("{}: its request to {} failed ({}): answers 502", name, child.url,
                      child.error));
  }
  r.record.upstream.push_back(std::move(child));
  respond(r, parent_id);
}

void Pipeline::respond(Request& r, RequestId id) {
  if (reset_if_gone(r, id)) return;
  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  const std::uint32_t at_node = r.target.in_cluster() ? r.target.node : kNoIndex;
  const Duration back = net_->latency(r.entry_node, r.target);
  const std::string unnat = traced(r) ? reverse_nat_text(r) : std::string();
  if (r.server_closed) {
    if (traced(r))
      hop(r, trace::stage::network, at_node, ep, src,
          fmt::format("FIN{}, {}", unnat, core::format_duration(back)));
  } else {
    if (traced(r))
      hop(r, trace::stage::network, at_node, ep, src,
          fmt::format("response {}{}, {}", r.response.status, unnat, core::format_duration(back)));
  }
  r.phase = Phase::response_to_client;
  schedule(r, id, back);
}

void Pipeline::response_arrive(Request& r, RequestId id) {
  const Address from{r.client->ip, r.src_port};
  const Address to{r.dst_ip, r.dst_port};
  r.record.served_by = std::move(r.served_by);  // r.served_by is not read after this
  if (r.peer_reset) {
    if (traced(r))
      hop(r, trace::stage::http, r.client->node, to, from,
          "the connection was reset before a response came");
    finish(r, id, Outcome::reset, 56, "Recv failure: Connection reset by peer");
    return;
  }
  if (r.server_closed) {
    if (r.extra.raw.empty()) {
      if (traced(r))
        hop(r, trace::stage::http, r.client->node, to, from,
            "the server closed the connection "
            "without a response");
      finish(r, id, Outcome::reset, 52, "Empty reply from server");
    } else {
      if (traced(r))
        hop(r, trace::stage::http, r.client->node, to, from,
            "the server sent bytes that are not an HTTP response");
      r.record.body = r.extra.raw;
      finish(r, id, Outcome::reset, 1, "Received HTTP/0.9 when not allowed");
    }
    return;
  }
  r.record.time_starttransfer = sim_->now() - r.start;
  r.record.status = r.response.status;
  if (traced(r))
    hop(r, trace::stage::http, r.client->node, to, from,
        fmt::format("HTTP/1.1 {} {}, {} bytes, from {} ({})", r.response.status,
                    http_reason_phrase(r.response.status),
                    (r.answer_staged ? r.record.body : r.response.body).size(), *r.record.served_by,
                    core::format_duration(sim_->now() - r.start)));
  // The response is delivered: its strings move into the record.
  // The body is swapped in (the slot keeps both buffers); the headers are assigned into the
  // strings the slot kept from earlier requests.
  r.record.headers.swap(r.header_spare);
  if (r.answer_staged) {
    r.answer_staged = false;
    finish(r, id, Outcome::ok, 0, {});
    return;
  }
  r.record.body.swap(r.response.body);
  r.record.headers.resize(r.response.headers.size());
  for (std::size_t i = 0; i < r.response.headers.size(); ++i) {
    // Compared first: the spare strings usually hold the same words from the slot's last
    // answer (a swap of short strings copies both).
    assign_if_differs(r.record.headers[i].first, r.response.headers[i].name);
    assign_if_differs(r.record.headers[i].second, r.response.headers[i].value);
  }
  finish(r, id, Outcome::ok, 0, {});
}

// ---------------------------------------------------------------------------------------
// Capacity: the worker pool of an App with `capacity` (docs/apps.md section 6)

void Pipeline::serve(Request& r, RequestId id, AppQueue& q) {
  const AppQueue::Admission a = q.admit(id, sim_->now());
  r.queue = &q;
  auto busy = [&] {
    return q.capacity().workers == 1 ? std::string("its one worker is busy")
                                     : fmt::format("all {} workers are busy", q.capacity().workers);
  };
  switch (a.kind) {
    case AppQueue::AdmissionKind::started:
      start_service(r, id, a.service, Duration{});
      return;
    case AppQueue::AdmissionKind::queued:
      if (traced(r))
        hop(r, trace::stage::app, r.target.node, {r.seen_src, r.src_port}, {r.ep_ip, r.ep_port},
            fmt::format("{}: waits in the queue behind {}", busy(), a.ahead));
      r.phase = Phase::app_queued;
      return;
    case AppQueue::AdmissionKind::rejected:
      r.queue = nullptr;
      r.response = AppResponse{};
      r.response.status = 503;
      r.response.body = "Service Unavailable\n";
      r.response.headers = {{"Content-Type", "text/plain"},
                            {"Content-Length", std::to_string(r.response.body.size())}};
      if (traced(r))
        hop(r, trace::stage::app, r.target.node, {r.seen_src, r.src_port}, {r.ep_ip, r.ep_port},
            fmt::format("{} and its queue of {} is full: answers 503", busy(), q.capacity().queue));
      respond(r, id);
      return;
  }
}

void Pipeline::start_service(Request& r, RequestId id, Duration service, Duration waited) {
  if (traced(r))
    hop(r, trace::stage::app, r.target.node, {r.seen_src, r.src_port}, {r.ep_ip, r.ep_port},
        waited.ns > 0
            ? fmt::format("a worker takes it after {} in the queue: {} of service",
                          core::format_duration(waited), core::format_duration(service))
            : fmt::format("a worker takes it: {} of service", core::format_duration(service)));
  r.holds_worker = true;
  r.release_event = sim_->schedule_in(service, ServiceDoneEvent{this, id});
  r.phase = Phase::app_working;
  schedule(r, id, service + r.response.latency);
}

void Pipeline::service_done(RequestId id) {
  Request* r = get(id);
  if (r == nullptr || !r->holds_worker) return;
  r->release_event = {};
  free_worker(*r);
}

void Pipeline::free_worker(Request& r) {
  AppQueue* q = r.queue;
  r.holds_worker = false;
  r.queue = nullptr;
  if (q == nullptr) return;
  // The worker goes to the longest-waiting request, whose service starts now.
  if (auto next = q->release(sim_->now())) {
    Request* w = get(next->token);
    PODHOP_CHECK(w != nullptr && w->phase == Phase::app_queued,
                 "a queued request left without cancelling");
    start_service(*w, next->token, next->service, next->waited);
  }
}

bool Pipeline::reset_if_gone(Request& r, RequestId id) {
  if (r.target.kind != PlaceKind::pod || r.server_closed || r.peer_reset) return false;
  if (net_->pod_alive(r.target.pod, r.ep_ip)) return false;
  // The pod's process exited with the connection open: its kernel answers with a RST.
  r.peer_reset = true;
  const Duration back = net_->latency(r.entry_node, r.target);
  if (traced(r))
    hop(r, trace::stage::network, r.target.in_cluster() ? r.target.node : kNoIndex,
        {r.ep_ip, r.ep_port}, {r.seen_src, r.src_port},
        fmt::format("RST: {} exited with the connection open, {}", r.served_by,
                    core::format_duration(back)));
  r.phase = Phase::response_to_client;
  schedule(r, id, back);
  return true;
}

// ---------------------------------------------------------------------------------------
// hostPorts and the ingress controller

void Pipeline::port_forward_connect(Request& r, RequestId id) {
  const PortForward& pf = *r.spec->port_forward;
  r.resolving = false;
  r.connect_start = sim_->now();
  r.dst_ip = *Ipv4::parse("127.0.0.1");
  r.src_port = net_->ephemeral_port(r.client->ip);
  const Address from{r.dst_ip, r.src_port};
  const Address to{r.dst_ip, r.dst_port};
  r.record.time_namelookup = sim_->now() - r.start;
  r.record.remote = to;
  r.record.local = from;
  r.record.resolved.push_back(r.dst_ip);
  auto slot = net_->tables().pod_by_ip(pf.pod_ip);
  const model::Pod* pod = slot ? &net_->state().pods[*slot] : nullptr;
  std::optional<std::uint32_t> node =
      pod ? net_->tables().node_by_name(pod->node_name) : std::nullopt;
  if (!pod || !node || pod->status.phase != model::PodPhase::Running) {
    if (traced(r))
      hop(r, trace::stage::network, kNoIndex, from, to,
          fmt::format("kubectl port-forward: pod {} ({}) is gone: the tunnel refuses the "
                      "connection",
                      pf.pod, pf.pod_ip.str()));
    fail_connect(r, id, true, false);
    return;
  }
  r.target = Place{PlaceKind::pod, *node, *slot, kNoIndex};
  r.entry_node = *node;
  r.ep_ip = pf.pod_ip;
  r.ep_port = pf.pod_port;
  // The kubelet opens the connection inside the pod's network namespace: to the pod it
  // comes from localhost.
  r.seen_src = *Ipv4::parse("127.0.0.1");
  r.host_port = true;  // no conntrack entry of kube-proxy to close
  const Duration lat = net_->latency(r.entry_node, r.target);
  if (traced(r))
    hop(r, trace::stage::network, r.entry_node, from, {r.ep_ip, r.ep_port},
        fmt::format("kubectl port-forward: 127.0.0.1:{} -> the API server -> kubelet on {} -> "
                    "localhost:{} inside pod {} (no Service, no kube-proxy), {}",
                    pf.local_port, net_->node_name(*node), pf.pod_port, pf.pod,
                    core::format_duration(lat)));
  r.phase = Phase::syn_to_target;
  schedule(r, id, lat);
}

void Pipeline::refresh_derived() {
  // ingress-nginx sees what it was last programmed with (spec.timing.ingressPropagation
  // after a change, docs/time.md): its own view of the state, not the live one.
  if (!ingress_ || ingress_generation_ != net_->ingress_generation()) {
    ingress_generation_ = net_->ingress_generation();
    ingress_ =
        std::make_unique<IngressRouter>(net_->ingress_state(), net_->ingress_tables(), seed_);
  }
  // hostPorts are the CNI's DNAT rules on each node: the live state.
  if (derived_generation_ == net_->generation()) return;
  derived_generation_ = net_->generation();
  host_ports_.clear();
  const auto& st = net_->state();
  for (std::uint32_t slot = 0; slot < st.pods.size(); ++slot) {
    const model::Pod& pod = st.pods[slot];
    if (!pod.spec || pod.spec->host_network || pod.node_name.empty()) continue;
    if (pod.status.phase != model::PodPhase::Running) continue;
    const std::uint32_t node = net_->tables().node_of_pod(slot);
    if (node == controllers::kNoIndex) continue;
    for (const auto& c : pod.spec->containers)
      for (const auto& p : c.ports)
        if (p.host_port > 0 && p.protocol == model::Protocol::TCP)
          host_ports_.emplace((std::uint64_t{node} << 32) | static_cast<std::uint32_t>(p.host_port),
                              std::make_pair(slot, p.container_port));
  }
}

IngressRouter& Pipeline::ingress_router() {
  refresh_derived();
  return *ingress_;
}

bool Pipeline::host_port_dnat(Request& r) {
  refresh_derived();
  auto it = host_ports_.find((std::uint64_t{r.target.node} << 32) | r.ep_port);
  if (it == host_ports_.end()) return false;
  const auto [slot, container_port] = it->second;
  const model::Pod& pod = net_->state().pods[slot];
  const Address before{r.ep_ip, r.ep_port};
  r.dnat = true;
  r.host_port = true;
  r.ep_ip = pod.status.pod_ip;
  r.ep_port = static_cast<std::uint16_t>(container_port);
  r.target = Place{PlaceKind::pod, r.target.node, slot, kNoIndex};
  if (traced(r))
    hop(r, trace::stage::network, r.target.node, {r.seen_src, r.src_port}, before,
        fmt::format("hostPort {} of {}: DNAT {} -> {}:{} [CNI-HOSTPORT-DNAT]", before.port,
                    net_->pod_name(slot), before.str(), r.ep_ip.str(), r.ep_port));
  return true;
}

bool Pipeline::controller_tls(Request& r, RequestId id) {
  const Address from{r.client->ip, r.src_port};
  const Address to{r.dst_ip, r.dst_port};
  const Duration lat = net_->latency(r.entry_node, r.target);
  IngressRouter& router = ingress_router();
  const std::string sni = r.spec->tls_server_name.empty() ? r.url->host : r.spec->tls_server_name;
  // curl sends no SNI for an IP address: the controller has no name to look up.
  const bool no_sni = Ipv4::parse(sni).has_value();
  const ServerCertificate* sc = no_sni ? nullptr : router.certificates().lookup(sni);
  std::vector<Certificate> chain;
  std::string which;
  if (sc && sc->cert) {
    chain = sc->cert->chain;
    which = fmt::format("server {}: {}", sc->host, sc->reason);
  } else {
    chain = {fake_ingress_certificate(kSimulationEpochUnix)};
    which = sc ? fmt::format("server {}: the default fake certificate ({})", sc->host, sc->reason)
            : no_sni
                ? std::string("no SNI (an IP address): the default fake certificate")
                : fmt::format("no server certificate for {}: the default fake certificate", sni);
  }
  TrustOptions trust;
  trust.insecure = r.spec->insecure;
  if (r.spec->ca_bundle) {
    std::string error;
    trust.ca_bundle = parse_pem_bundle(*r.spec->ca_bundle, &error, r.spec->ca_file);
  }
  const std::int64_t now_unix = kSimulationEpochUnix + sim_->now().ns / 1'000'000'000;
  TlsVerification v = verify_server_certificate(chain, r.url->host, now_unix, trust);
  const Address ep{r.ep_ip, r.ep_port};
  if (traced(r)) {
    hop(r, trace::stage::ingress, r.target.node, {r.seen_src, r.src_port}, ep,
        fmt::format("TLS ClientHello{}: ingress-nginx presents {} (subject {}, issuer {})",
                    no_sni ? std::string() : fmt::format(" SNI {}", sni), which,
                    chain.front().subject, chain.front().issuer));
    if (!v.verbose_lines.empty())
      hop(r, kTlsHopStage, r.client->node, from, to,
          fmt::format("{}", fmt::join(v.verbose_lines, " | ")));
  }
  if (v.curl_exit_code != 0) {
    r.extra_for_writing().tls_code = v.curl_exit_code;
    r.extra_for_writing().tls_error = v.message;
    if (traced(r))
      hop(r, trace::stage::tcp, r.client->node, from, to,
          fmt::format("curl rejects the certificate: {}", v.message));
    r.phase = Phase::tls_to_client;
    schedule(r, id, lat + lat);
    return true;
  }
  r.ingress_https = true;
  return false;
}

void Pipeline::ingress_answer(Request& r, RequestId id, int status,
                              std::vector<HttpHeader> headers) {
  r.response = AppResponse{};
  r.response.status = status;
  r.response.body = nginx_status_page(status);
  if (status == 400)
    r.response.body =
        "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>"
        "\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP "
        "request was sent to HTTPS port</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
        "</html>\r\n";
  r.response.headers = {{"Content-Type", "text/html"},
                        {"Content-Length", std::to_string(r.response.body.size())},
                        {"Connection", "keep-alive"}};
  for (auto& h : headers) r.response.headers.push_back(std::move(h));
  respond(r, id);
}

void Pipeline::ingress_arrive(Request& r, RequestId id, ControllerPort port) {
  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  const std::uint32_t slot = r.target.pod;
  r.served_by = net_->pod_name(slot);
  const std::string scheme = port == ControllerPort::https ? "https" : "http";
  if (port == ControllerPort::https && r.url->scheme != "https") {
    if (traced(r))
      hop(r, trace::stage::ingress, r.target.node, src, ep,
          "plain HTTP on the https port: nginx answers 400 (The plain HTTP request was sent to "
          "HTTPS port)");
    ingress_answer(r, id, 400, {});
    return;
  }
  const std::string host = effective_host(r);
  const std::string* cookie = find_header(r.spec->headers, "Cookie");
  IngressRouter& router = ingress_router();
  IngressRequest req{host, r.url->path, scheme,
                     cookie ? std::string_view(*cookie) : std::string_view(), traced(r)};
  IngressDecision d = router.route(req);
  if (traced(r)) {
    std::string note =
        d.verdict == IngressVerdict::not_found ? router.ignored_note(host) : std::string();
    hop(r, trace::stage::ingress, r.target.node, src, ep,
        note.empty() ? d.why : fmt::format("{} ({})", d.why, note));
  }
  switch (d.verdict) {
    case IngressVerdict::redirect:
      ingress_answer(r, id, d.status, {{"Location", d.redirect_to}});
      return;
    case IngressVerdict::not_found:
    case IngressVerdict::unavailable:
      ingress_answer(r, id, d.status, {});
      return;
    case IngressVerdict::proxy:
      break;
  }
  auto client = net_->pod_client(slot);
  PODHOP_CHECK(client.has_value(), "an ingress controller pod must be able to send");
  RequestSpec spec;
  spec.url = fmt::format("http://{}:{}{}", d.endpoint.ip.str(), d.endpoint.port, d.upstream_path);
  spec.method = r.spec->method;
  spec.body = r.spec->body;
  spec.host_header = host;
  // What ingress-nginx's nginx.tmpl sets on the proxied request (proxy_set_header), then
  // the client's own headers.
  const std::string request_id =
      fmt::format("{:016x}{:016x}", request_id_rng_.next_u64(), request_id_rng_.next_u64());
  const std::string client_ip = r.seen_src.str();
  spec.headers = {{"X-Request-ID", request_id},
                  {"X-Real-IP", client_ip},
                  {"X-Forwarded-For", client_ip},
                  {"X-Forwarded-Host", host},
                  {"X-Forwarded-Port", std::to_string(r.dst_port)},
                  {"X-Forwarded-Proto", scheme},
                  {"X-Forwarded-Scheme", scheme},
                  {"X-Scheme", scheme}};
  if (!r.spec->user_agent.empty()) spec.headers.push_back({"User-Agent", r.spec->user_agent});
  for (const auto& h : r.spec->headers)
    if (!iequals(h.name, "Host")) spec.headers.push_back(h);
  spec.user_agent = {};
  spec.record_hops = r.spec->record_hops;
  spec.connect_timeout = kIngressProxyConnectTimeout;
  // Upstream keep-alive is on in ingress-nginx: later requests to the endpoint reuse the
  // connection.
  spec.keep_alive = true;
  r.ingress_proxy = true;
  r.extra_for_writing().ingress_cookie = d.set_cookie;
  r.extra_for_writing().ingress_upstream = d.upstream;
  r.extra_for_writing().ingress_endpoint =
      fmt::format("{}:{}", d.endpoint.ip.str(), d.endpoint.port);
  r.phase = Phase::waiting_child;
  start_request(*client, std::move(spec), r.sink, id, r.depth + 1, false);
}

void Pipeline::ingress_child_done(Request& r, RequestId id, trace::RequestRecord child) {
  const Address ep{r.ep_ip, r.ep_port};
  const Address src{r.seen_src, r.src_port};
  r.record.hops.insert(r.record.hops.end(), child.hops.begin(), child.hops.end());
  if (child.outcome == Outcome::ok && child.status) {
    r.response = AppResponse{};
    r.response.status = *child.status;
    r.response.body = child.body;
    for (const auto& [k, v] : child.headers) r.response.headers.push_back({k, v});
    if (!r.extra.ingress_cookie.empty())
      r.response.headers.push_back({"Set-Cookie", r.extra.ingress_cookie});
    if (r.ingress_https)
      r.response.headers.push_back(
          {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"});
    if (child.served_by) r.served_by = *child.served_by;
    if (traced(r))
      hop(r, trace::stage::ingress, r.target.node, src, ep,
          fmt::format("upstream {} ({}) answered {} {}, {} bytes: passed back to the client{}",
                      r.extra.ingress_upstream, r.extra.ingress_endpoint, r.response.status,
                      http_reason_phrase(r.response.status), r.response.body.size(),
                      r.extra.ingress_cookie.empty()
                          ? std::string()
                          : fmt::format(" with Set-Cookie {}", r.extra.ingress_cookie)));
    r.record.upstream.push_back(std::move(child));
    respond(r, id);
    return;
  }
  // proxy_connect_timeout / proxy_read_timeout give 504; a refused or reset connection 502.
  const int status = child.outcome == Outcome::timeout ? 504 : 502;
  if (traced(r))
    hop(r, trace::stage::ingress, r.target.node, src, ep,
        fmt::format("upstream {} ({}) failed ({}): ingress-nginx answers {}",
                    r.extra.ingress_upstream, r.extra.ingress_endpoint, child.error, status));
  r.record.upstream.push_back(std::move(child));
  r.ingress_proxy = false;
  ingress_answer(r, id, status, {});
}

// ---------------------------------------------------------------------------------------
// The end

void Pipeline::finish(Request& r, RequestId id, Outcome outcome, int exit_code, std::string error) {
  if (r.phase == Phase::done) return;
  if (r.answer_staged) {  // the staged answer never arrived: the record has no body
    r.answer_staged = false;
    r.record.body.clear();
  }
  // A client that gives up leaves the app's queue, or hands its worker on at once (curl
  // closed the connection; the simulated app stops working on it).
  if (r.queue != nullptr && r.phase == Phase::app_queued) {
    r.queue->cancel(id);
    r.queue = nullptr;
  }
  if (r.holds_worker) {
    sim_->cancel(r.release_event);
    r.release_event = {};
    free_worker(r);
  }
  // Usually none is pending (the step that runs now was the last; the connect timer is
  // armed only when needed): cancel() is called only for those that are.
  if (!r.step_event.empty()) sim_->cancel(r.step_event);
  if (!r.connect_timer.empty()) sim_->cancel(r.connect_timer);
  if (!r.max_timer.empty()) sim_->cancel(r.max_timer);
  r.step_event = r.connect_timer = r.max_timer = {};
  r.connect_place = {};
  r.phase = Phase::done;
  --in_flight_;
  // What connect() and connected() learnt, as they would have written it (none of it
  // changes after them: connect_start, dst_ip/dst_port, src_port and reused are set there).
  if (r.record_connect) {
    r.record.time_namelookup = r.connect_start - r.start;
    r.record.remote = Address{r.dst_ip, r.dst_port};
    r.record.local = Address{r.client->ip, r.src_port};
    r.record.reused_connection = r.reused;
    if (r.record.resolved.empty()) r.record.resolved.push_back(r.dst_ip);
  }
  if (r.connected) {
    r.record.connected_to = Address{r.dst_ip, r.dst_port};
    r.record.time_connect = r.connected_at - r.start;
  }
  r.record.outcome = outcome;
  r.record.exit_code = exit_code;
  r.record.error = std::move(error);
  r.record.elapsed = sim_->now() - r.start;
  if (r.connected && r.entry_node != kNoIndex && !r.dns_only) {
    const KeptKey key{r.client->ip, r.dst_ip, r.dst_port};
    if (r.keep_alive && outcome == Outcome::ok) {
      kept_[key] = KeptConnection{r.src_port, r.entry_node, r.tuple, r.target, r.ep_ip};
    } else {
      if (!kept_.empty()) kept_.erase(key);  // no hashing when nothing is kept (bulk traffic)
      net_->proxy(r.entry_node).close(r.tuple);
    }
  }
  if (r.dns_only) return;  // run_dns_query collects it
  if (r.parent != 0) {
    RequestId parent = r.parent;
    trace::RequestRecord record = std::move(r.record);
    release(id);
    child_done(parent, std::move(record));
    return;
  }
  if (observer_ && !r.held) {
    // The record stays in the slot while the observer reads it (requests it starts meanwhile
    // take other slots), then is cleared in place with its memory kept.
    observer_->on_complete(id, r.record);
    release(id);
  }
}

}  // namespace podhop::dataplane
