#pragma once
// Applications: what a container does when a request reaches it (SPEC section 3).
//
// The behaviour of each container is chosen once per cluster change, in this order:
//   1. the pod annotation `podhop.dev/app: NAME` naming an App (the App in the pod's own
//      namespace first, then the first App of that name in namespace order);
//   2. an App whose spec.image equals the container image;
//   3. an App whose spec.image is a pattern ending in '*' that prefixes the image (the
//      longest pattern wins; equal patterns: the first App in (namespace, name) order);
//   4. a built-in profile for a well-known image (nginx, hashicorp/http-echo, echoserver,
//      hello-app, httpbin, agnhost, redis, curl/busybox "tools" that listen nowhere...);
//   5. the default echo server.
// docs/apps.md lists every profile with its ports and output.
//
// The result is an AppCatalog built from ClusterState: per pod slot, the resolved behaviour
// of each container and the set of ports the pod listens on. At request time the pipeline
// asks the catalog which container serves (port, protocol) and calls `handle`, which is a
// pure function of the resolved behaviour and the request: it answers, asks the pipeline to
// forward, or closes the connection. Apps never log and never schedule events.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/diagnostic.hpp"
#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::dataplane {

/// The annotation that names the App a pod's containers run.
inline constexpr std::string_view kAppAnnotation = "podhop.dev/app";

/// One HTTP header as it travels (order and duplicates kept, name as written).
struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

/// Where a container's behaviour was chosen from, in the order SPEC 3 tries the rules.
enum class AppSource : std::uint8_t { annotation, app_exact, app_pattern, profile, default_echo };
std::string_view to_string(AppSource s);

/// What a container does with a request.
enum class AppKind : std::uint8_t {
  respond,          // an App with `respond`: fixed status, headers, body, latency
  forward,          // an App with `forward`: the pipeline makes the request, answers with it
  echo,             // podhop's default echo server (format in docs/apps.md)
  nginx,            // nginx's welcome page on /, its 404 page elsewhere
  http_echo,        // hashicorp/http-echo: the -text, with a newline
  echoserver,       // registry.k8s.io/echoserver: the request, printed back
  hello_app,        // gcr.io/google-samples/hello-app: "Hello, world!" + version + hostname
  httpbin,          // kennethreitz/httpbin and go-httpbin: /get /ip /headers /status/N ...
  agnhost_netexec,  // agnhost netexec: /hostname /clientip /echo?msg= ...
  serve_hostname,   // agnhost serve-hostname / serve_hostname: the pod name
  helloworld,       // istio's helloworld sample: "Hello version: v1, instance: <pod>"
  tcp_server,       // a non-HTTP server (redis, postgres...): replies bytes curl rejects, closes
  none,             // listens nowhere (curl, busybox, `sleep`): never reached through a port
};
std::string_view to_string(AppKind k);

/// A port a container listens on.
struct ListenPort {
  std::int32_t port = 0;
  model::Protocol protocol = model::Protocol::TCP;
  auto operator<=>(const ListenPort&) const = default;
};

/// The resolved behaviour of one container: everything `handle` needs, computed once.
struct AppBehavior {
  AppKind kind = AppKind::echo;
  AppSource source = AppSource::default_echo;
  std::string container;  // the container's name
  std::string image;      // the container's image, as written
  std::string app;        // "namespace/name" of the App when chosen from an App
  std::string profile;    // the built-in profile's name when source == profile
  /// Why this behaviour, one line for the trace and describe: "App default/app2 (image
  /// app2:svc)", "profile nginx (image nginx:1.25)", "default echo server (no App or
  /// profile for image my/app:1)".
  std::string explain;

  /// Where it listens, sorted. From containerPorts when declared, else the App's or the
  /// profile's ports (the default echo server: 8080/TCP).
  std::vector<ListenPort> ports;
  bool ports_declared = false;

  /// kind respond: the App's answer.
  model::AppRespond respond;
  /// kind forward: the App's request, url already $(VAR)-expanded from the container's
  /// environment (service env vars, then env in order, as kubelet builds it).
  model::AppForward forward;
  /// Profile parameters: http-echo's -text, tcp_server's reply bytes, ...
  std::string text;
  /// http-echo's -status-code; default 200.
  std::int32_t status = 200;
  /// Version the profile reports: nginx's Server header, hello-app's "Version:", echoserver's
  /// output format ("1.4" style before 1.10, the newer one otherwise).
  std::string version;
  /// echoserver: the container's env names POD_NAME (the downward-API variables), so the
  /// output fills in "Pod Information".
  bool show_pod_info = false;
  /// Capacity (service time, workers, queue); used when requests queue (issue 5).
  model::AppCapacity capacity;

  /// True when the container listens on (port, protocol).
  bool listens(std::int32_t port, model::Protocol protocol = model::Protocol::TCP) const;
};

/// What the apps of one pod do, and where the pod listens.
struct PodApps {
  /// One entry per container (init containers that are sidecars, restartPolicy Always,
  /// come after the regular containers).
  std::vector<AppBehavior> containers;
  /// The union of the containers' ports, sorted and unique.
  std::vector<ListenPort> listening;
  /// Some container has a capacity limit (AppBehavior::capacity.limited()): only then can a
  /// request to the pod need a worker pool, so the pipeline asks Network::app_queue() only
  /// then (the capacity sits in each container's cold lines).
  bool any_limited = false;

  /// True when some container of the pod listens on (port, protocol).
  bool listens(std::int32_t port, model::Protocol protocol = model::Protocol::TCP) const;
  /// The container that serves (port, protocol): the first one listening on it; nullptr when
  /// none (the connection is refused).
  const AppBehavior* serving(std::int32_t port,
                             model::Protocol protocol = model::Protocol::TCP) const;
  /// "8080/TCP, 9090/TCP", or "no ports" when the pod listens nowhere: for the trace line
  /// of a refused connection.
  std::string ports_text() const;
};

/// Resolved behaviour of every pod in a cluster, keyed by pod slot (ClusterState::pods).
/// Build it after every change of the cluster; lookups are O(1). Pods that share a spec
/// (a workload's replicas) share one PodApps.
class AppCatalog {
 public:
  AppCatalog() = default;
  /// Resolves every pod of `state`. Problems in the user's intent (an annotation naming an
  /// App that does not exist) become warnings, and the pod falls through to the next rule.
  explicit AppCatalog(const model::ClusterState& state);

  /// The apps of the pod in `slot`; nullptr when the slot is out of range.
  const PodApps* pod(std::uint32_t slot) const;
  std::size_t size() const { return pod_index_.size(); }
  /// Warnings found while resolving, in pod order.
  const core::Diagnostics& warnings() const { return warnings_; }

 private:
  std::vector<PodApps> distinct_;         // deduplicated resolutions
  std::vector<std::uint32_t> pod_index_;  // pod slot -> index into distinct_
  core::Diagnostics warnings_;
};

/// Resolves one container of `pod` against the Apps of `state` and the built-in profiles.
/// `warnings` (optional) receives the annotation warning. AppCatalog uses this.
AppBehavior resolve_container(const model::ClusterState& state, const model::Pod& pod,
                              const model::Container& container,
                              core::Diagnostics* warnings = nullptr);

/// The environment a container sees, as kubelet builds it: the service environment
/// variables of Services created before the pod (its namespace, plus `kubernetes`), then
/// the container's env in order, each value $(VAR)-expanded against what came before.
/// valueFrom entries are absent (podhop cannot resolve them).
model::StringMap container_environment(const model::ClusterState& state, const model::Pod& pod,
                                       const model::Container& container);

/// Expands $(VAR) references exactly as Kubernetes does for command, args and env:
/// `$(NAME)` becomes the value when NAME is in `env`, and stays as written when it is not;
/// `$$` is an escaped `$`; a `$` followed by anything else, or an unclosed `$(`, stays.
std::string expand_env_refs(std::string_view text, const model::StringMap& env);

/// The request as the application sees it.
struct AppRequest {
  std::string_view pod_namespace;
  std::string_view pod_name;
  core::Ipv4 pod_ip;
  std::string_view node;       // the node the pod runs on
  std::string_view container;  // the container that accepted the connection
  std::int32_t port = 0;       // the port the connection reached (the container port)
  std::string_view scheme = "http";
  std::string_view method = "GET";
  std::string_view host;        // the Host header, as sent ("app1-svc:8888")
  std::string_view path = "/";  // path with query, as sent ("/get?a=1")
  std::span<const HttpHeader> headers;
  std::string_view body;
  /// The client address as the pod sees it: after SNAT, the node's address.
  core::Ipv4 client_ip;
  std::uint16_t client_port = 0;
  /// When the request arrives (agnhost netexec prints it for "/").
  core::SimTime now;
  /// False when nothing records AppAction::detail (bulk traffic): an app may leave it empty.
  bool explain = true;
};

/// An HTTP answer.
struct AppResponse {
  std::int32_t status = 200;
  std::vector<HttpHeader> headers;  // Content-Type and Content-Length included
  std::string body;
  core::Duration latency;  // time the app takes before answering
};

/// A request the app wants made from its pod; the pipeline runs it through the whole path
/// and answers the original client with what came back.
struct AppForwardRequest {
  std::string url;
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  std::string body;
};

/// What an app did with a request.
struct AppAction {
  enum class Kind : std::uint8_t {
    respond,  // `response` is the answer
    forward,  // make `forward`, then answer with its result
    close,    // the server closed the connection: after `raw` bytes (not HTTP; curl says
              // "Received HTTP/0.9 when not allowed", exit 1) or none (curl exit 52,
              // "Empty reply from server")
  };
  Kind kind = Kind::respond;
  AppResponse response;
  AppForwardRequest forward;
  std::string raw;     // kind close: the bytes sent before closing
  std::string detail;  // for the trace: "nginx served /", "forward to http://app2-svc:9999/"
};

/// Whether an app of this kind reads the headers curl sends by default (Host, User-Agent,
/// Accept). The default echo server reads only X-Forwarded-For and X-Real-IP, which only the
/// client's -H headers can carry, so the caller may hand it no headers when there are none.
constexpr bool reads_default_headers(AppKind kind) {
  return kind != AppKind::echo;
}

/// Sets `s` to `v`, writing nothing when it holds `v` already: the strings of reused
/// answers and records mostly hold the same words as last time, and a compare is cheaper
/// than a copy.
inline void assign_if_differs(std::string& s, std::string_view v) {
  // Spelled out: string_view's == goes through compare(), which the compiler keeps as a
  // call; memcmp only tested for zero is expanded in place for a word of known length.
  if (s.size() != v.size() || std::memcmp(s.data(), v.data(), v.size()) != 0) s.assign(v);
}

/// What `app` does with `request`. Pure and deterministic: same inputs, same action.
AppAction handle(const AppBehavior& app, const AppRequest& request);
/// The same action, written into `out` (all of it): the default echo server reuses the
/// memory of out's strings, so a caller that keeps one action allocates nothing per answer.
void handle(const AppBehavior& app, const AppRequest& request, AppAction& out);

}  // namespace podhop::dataplane
