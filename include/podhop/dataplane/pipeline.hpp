#pragma once
// The request pipeline on the discrete-event engine.
//
// A request is a compact state object in a slot table, advanced by engine events that carry
// only (pipeline, request id). Each event runs one step: a DNS query leaves the client, a
// kube-proxy decides, a packet crosses a link, CoreDNS answers, a SYN reaches a pod, an app
// answers or forwards... Every step asks a stage (ResolvConf/SearchWalk, DnsServer,
// KubeProxy, AppCatalog/handle) and turns its answer into a trace::Hop; stages never log.
// Latency is applied by scheduling the next step later. docs/life-of-a-request.md walks one
// request through all of it.
//
// Everything is simulated time on one Simulator: the same inputs and seed give the same
// hops, byte for byte.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "podhop/core/rng.hpp"
#include "podhop/core/time.hpp"
#include "podhop/dataplane/dns.hpp"
#include "podhop/dataplane/ingress.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/request.hpp"
#include "podhop/engine/simulator.hpp"
#include "podhop/trace/hop.hpp"
#include "podhop/trace/result.hpp"

namespace podhop::dataplane {

/// Names a request: (generation << 32) | slot. 0 names none.
using RequestId = std::uint64_t;

/// The kernel gives up on a SYN nobody answers after tcp_syn_retries=6 retransmissions:
/// 1+2+4+8+16+32+64 s.
inline constexpr core::Duration kSynGiveUp = core::Duration::seconds(127);
/// curl's own connect timeout when --connect-timeout is not given (DEFAULT_CONNECT_TIMEOUT).
inline constexpr core::Duration kCurlDefaultConnectTimeout = core::Duration::seconds(300);
/// The wall-clock instant of simulated time 0, for certificate validity: 2027-01-01T00:00:00Z.
/// Fixed, so a run does not depend on the day it runs (examples/seed/tls holds a certificate
/// valid from 2026 to 2036).
inline constexpr std::int64_t kSimulationEpochUnix = 1798761600;
/// ingress-nginx's proxy-connect-timeout (5 s): how long it waits to connect to an endpoint.
inline constexpr core::Duration kIngressProxyConnectTimeout = core::Duration::seconds(5);

/// A URL parsed once and what is derived from it, shared by the requests that name it.
struct ParsedUrlEntry {
  std::string text;  // the URL as given
  Url url;
  std::string normalised;             // Url::str()
  std::string host_header;            // Url::host_header()
  std::optional<core::Ipv4> host_ip;  // Ipv4::parse(host)
};

/// Receives every top-level request when it completes.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  /// `record` stays the pipeline's: read it, or move out of it what you keep. Once this
  /// returns the request is forgotten and its record cleared for the next request in its
  /// slot, which keeps the memory of its strings (bulk traffic then allocates nothing per
  /// request for its record). Starting requests from here is fine.
  virtual void on_complete(RequestId id, trace::RequestRecord& record) = 0;
};

/// One DNS query sent on its own (nslookup, dig) and what came back.
struct DnsExchangeResult {
  bool answered = false;
  DnsAnswer answer;
  core::Duration rtt;
  /// When nothing came back: "timed out" or "connection refused".
  std::string error;
  /// Who answered: "kube-system/coredns-...", "192.168.49.1".
  std::string server;
  std::vector<trace::Hop> hops;
};

/// Runs requests through the cluster's network on a simulator.
class Pipeline {
 public:
  /// `sim` and `net` must outlive the pipeline. `seed` names the random streams the
  /// pipeline draws from itself (the cloud load balancer's choice of node).
  Pipeline(engine::Simulator& sim, Network& net, std::uint64_t seed = 1);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Starts an HTTP request from `client` now. `sink`, when given, receives every hop as
  /// it happens (including the hops of requests the apps forward); it must outlive the
  /// request.
  RequestId start(const Client& client, RequestSpec&& spec, trace::HopSink* sink = nullptr);
  /// The same, copying `spec` into the request's slot, whose strings keep their memory from
  /// the request before: bulk traffic that sends the same specs again allocates nothing.
  RequestId start(const Client& client, const RequestSpec& spec, trace::HopSink* sink = nullptr);
  /// The same, sharing `spec` instead of copying it: the request reads it through the
  /// pointer until it completes (traffic that sends one spec again and again copies
  /// nothing). `spec` must not be null.
  RequestId start_shared(const Client& client, std::shared_ptr<const RequestSpec> spec,
                         trace::HopSink* sink = nullptr);
  /// True once the request has completed (or when the id names nothing).
  bool done(RequestId id) const;
  /// The record of a completed top-level request; the id is forgotten afterwards.
  trace::RequestRecord take(RequestId id);
  /// Starts a request and runs the simulator until it completes. Its record comes back
  /// here, never to the observer (which goes on receiving the other requests meanwhile).
  trace::RequestRecord run(const Client& client, RequestSpec spec, trace::HopSink* sink = nullptr);

  /// Sends one DNS query from `client` to `server`:53/UDP and runs the simulator until the
  /// answer is back or `timeout` passed (then error "timed out").
  DnsExchangeResult run_dns_query(const Client& client, const DnsQuery& query, core::Ipv4 server,
                                  core::Duration timeout, trace::HopSink* sink = nullptr);

  /// With an observer, completed top-level requests started by start() go to it instead of
  /// waiting for take() (those of run() never do).
  void set_observer(RequestObserver* observer) { observer_ = observer; }
  /// Requests started and not yet completed (forwarded ones included).
  std::size_t in_flight() const { return in_flight_; }
  /// Connections kept open for reuse (keep_alive).
  std::size_t open_connections() const { return kept_.size(); }
  /// Closes every kept-alive connection (after a cluster change, or between scenarios).
  void close_connections();
  /// Closes the kept-alive connections of one client (its process ended).
  void close_connections(core::Ipv4 client);

  /// The ingress controller's routing for what ingress-nginx sees: Network::ingress_state()
  /// (rebuilt when Network::ingress_generation() changes).
  IngressRouter& ingress_router();

  struct Request;  // the state of one request (pipeline.cpp)

 private:
  struct StepEvent;
  struct ConnectTimerEvent;
  struct MaxTimerEvent;
  struct ServiceDoneEvent;

  Request* get(RequestId id);
  const Request* get(RequestId id) const;
  RequestId allocate();
  void release(RequestId id);
  // The pipeline's shared copy of `client`: requests hold it instead of a copy each, so a
  // slot stays small and a client that sends again and again is compared, not copied.
  std::shared_ptr<const Client> intern(const Client& client);

  RequestId start_request(const Client& client, RequestSpec&& spec, trace::HopSink* sink,
                          RequestId parent, int depth, bool held);
  // Starts the request allocated as `id`, whose spec is set.
  RequestId launch(RequestId id, const Client& client, trace::HopSink* sink, RequestId parent,
                   int depth, bool held);
  void begin(RequestId id);
  void on_step(RequestId id);
  void on_timer(RequestId id, bool max_time);
  void schedule(Request& r, RequestId id, core::Duration delay);
  // True when an event is pending for the current time: a step scheduled now with no delay
  // would run after it, so it cannot be run in place.
  bool other_event_due_now() const;

  // DNS
  void begin_lookup(Request& r, RequestId id);
  void dns_send(Request& r, RequestId id);
  void dns_at_server(Request& r, RequestId id);
  void dns_answers_leave(Request& r, RequestId id);
  void dns_reply(Request& r, RequestId id);
  void dns_unreachable(Request& r, RequestId id, bool refused);
  void lookup_done(Request& r, RequestId id);

  // TCP and HTTP
  void connect(Request& r, RequestId id);
  void syn_arrive(Request& r, RequestId id);
  void connected(Request& r, RequestId id);
  void request_arrive(Request& r, RequestId id);
  void child_done(RequestId parent, trace::RequestRecord child);
  void respond(Request& r, RequestId id);
  // Capacity: the app's answer goes through its worker pool (docs/apps.md section 6).
  void serve(Request& r, RequestId id, AppQueue& q);
  void start_service(Request& r, RequestId id, core::Duration service, core::Duration waited);
  void service_done(RequestId id);
  void free_worker(Request& r);
  // An established connection to a pod that exited meanwhile: curl sees a RST.
  bool reset_if_gone(Request& r, RequestId id);
  void response_arrive(Request& r, RequestId id);

  // The ingress controller and hostPorts
  void refresh_derived();
  void port_forward_connect(Request& r, RequestId id);
  bool host_port_dnat(Request& r);
  bool controller_tls(Request& r, RequestId id);
  void ingress_arrive(Request& r, RequestId id, ControllerPort port);
  void ingress_answer(Request& r, RequestId id, int status, std::vector<HttpHeader> headers);
  void ingress_child_done(Request& r, RequestId id, trace::RequestRecord child);

  static std::string reverse_nat_text(const Request& r);
  // Hops cost string formatting: call sites check this first, so bulk traffic
  // (record_hops off) formats nothing.
  static bool traced(const Request& r);
  void hop(Request& r, std::string_view stage, std::uint32_t node, trace::Address from,
           trace::Address to, std::string detail);
  void finish(Request& r, RequestId id, trace::Outcome outcome, int exit_code, std::string error);
  void fail_connect(Request& r, RequestId id, bool refused, bool kernel_gave_up);

  engine::Simulator* sim_;
  Network* net_;
  RequestObserver* observer_ = nullptr;
  core::RngStream lb_rng_;
  core::RngStream request_id_rng_;
  std::uint64_t seed_ = 1;
  std::unique_ptr<IngressRouter> ingress_;
  std::uint64_t derived_generation_ = 0;  // the build host_ports_ was derived from
  std::uint64_t ingress_generation_ = 0;  // the ingress view ingress_ was built from
  // (node << 32 | hostPort) -> (pod slot, containerPort) for TCP hostPorts (the CNI portmap
  // plugin's DNAT). Lookups only.
  std::unordered_map<std::uint64_t, std::pair<std::uint32_t, std::int32_t>> host_ports_;
  // Each request in its own block, so a Request (and the record an observer is reading)
  // stays where it is while the table grows.
  std::vector<std::unique_ptr<Request>> requests_;
  // The action of the app that answered last, kept for the capacity of its strings.
  AppAction app_action_;
  // Every URL parsed so far (a pure function of the text) with its normalised form, so a
  // repeated URL is not parsed again; requests share the entries. Looked up only; cleared
  // when it grows past the bound.
  // Large enough for one URL per Service port at the published limits (10,000 Services):
  // at 4,096 the cache was cleared every few thousand requests there and most requests
  // parsed their URL again.
  static constexpr std::size_t kUrlCacheSize = 16384;
  std::unordered_map<std::string, std::shared_ptr<const ParsedUrlEntry>> url_cache_;
  // Entries of url_cache_ by where a spec keeps its URL's text (begin()): no hashing of the
  // text when a shared spec is sent again. An entry is a pure function of its text, so one
  // the cache has dropped is still right here.
  struct UrlMemo {
    const char* where = nullptr;  // the text's address when it was stored
    std::shared_ptr<const ParsedUrlEntry> entry;
  };
  // One entry per URL at the limits (10,000 Service ports, one spec each): at 256 entries
  // the memo missed for most requests there and each miss hashed the text into url_cache_.
  // On the heap: 384 KB.
  static constexpr unsigned kUrlMemoBits = 14;
  std::vector<UrlMemo> url_memo_;
  // Recent clients by address (intern()); a client whose entry holds another is copied
  // anew into it.
  static constexpr unsigned kClientMemoBits = 4;
  std::array<std::shared_ptr<const Client>, std::size_t{1} << kClientMemoBits> client_memo_;
  // The headers of the request an app is handling (request_arrive), kept for their capacity.
  std::vector<HttpHeader> app_headers_;
  std::vector<std::uint32_t> free_;
  std::size_t in_flight_ = 0;

  // Kept-alive connections: (client ip, destination ip, port) -> the client's source port.
  // The node's conntrack keeps the endpoint of that tuple. Looked up per request; walked
  // only to close them, where the order does not matter.
  struct KeptKey {
    core::Ipv4 client;
    core::Ipv4 dst;
    std::uint16_t port = 0;
    bool operator==(const KeptKey&) const = default;
  };
  struct KeptKeyHash {
    std::size_t operator()(const KeptKey& k) const noexcept {
      return (std::size_t{k.client.value} * 0x9E3779B97F4A7C15ULL) ^
             (std::size_t{k.dst.value} << 16) ^ k.port;
    }
  };
  struct KeptConnection {
    std::uint16_t source_port = 0;
    std::uint32_t entry_node = kNoIndex;  // whose kube-proxy holds its conntrack entry
    ConnectionTuple tuple;
    Place target;  // who holds the other end (a pod that exits closes it)
    core::Ipv4 endpoint;
  };
  std::unordered_map<KeptKey, KeptConnection, KeptKeyHash> kept_;
};

}  // namespace podhop::dataplane
