#pragma once
// The ingress controller: what ingress-nginx does with an HTTP request that reaches one of
// its pods on its http or https port.
//
// ingress-nginx turns every Ingress of its class into nginx configuration: one `server`
// per host (all Ingresses of a host merged, the oldest winning a conflict), one `location`
// per path, and a catch-all server `_` whose `location /` is the default backend (404). The
// IngressRouter builds the same structure from the ClusterState once per cluster change and
// answers, per request, which server and location nginx picks, and what happens then:
// proxy to an endpoint (round robin, or the endpoint a session cookie names), 308 to https,
// 404 from the default backend, 503 when the backend Service has no ready endpoint.
// docs/ingress.md has the rules and their sources (ingress-nginx's controller.go,
// location.go, template.go, nginx's server_name and location documentation).
//
// The router is pure except for the round-robin counters; the pipeline owns one and
// rebuilds it when Network::generation() changes.

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "podhop/controllers/tables.hpp"
#include "podhop/core/ip.hpp"
#include "podhop/core/rng.hpp"
#include "podhop/dataplane/apps.hpp"
#include "podhop/dataplane/tls.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::dataplane {

/// The annotations of ingress-nginx podhop simulates (nginx.ingress.kubernetes.io/...).
namespace ingress_annotation {
inline constexpr std::string_view use_regex = "nginx.ingress.kubernetes.io/use-regex";
inline constexpr std::string_view rewrite_target = "nginx.ingress.kubernetes.io/rewrite-target";
inline constexpr std::string_view ssl_redirect = "nginx.ingress.kubernetes.io/ssl-redirect";
inline constexpr std::string_view force_ssl_redirect =
    "nginx.ingress.kubernetes.io/force-ssl-redirect";
inline constexpr std::string_view affinity = "nginx.ingress.kubernetes.io/affinity";
inline constexpr std::string_view session_cookie_name =
    "nginx.ingress.kubernetes.io/session-cookie-name";
inline constexpr std::string_view session_cookie_path =
    "nginx.ingress.kubernetes.io/session-cookie-path";
}  // namespace ingress_annotation

/// ingress-nginx's default session cookie name (affinity: cookie).
inline constexpr std::string_view kDefaultSessionCookie = "INGRESSCOOKIE";
/// The server name of ingress-nginx's catch-all server.
inline constexpr std::string_view kCatchAllServer = "_";

/// How nginx matches a location, as ingress-nginx writes it.
enum class LocationMatch : std::uint8_t {
  exact,   // `location = /p`: Exact paths, and the exact twin of a Prefix path
  prefix,  // `location /p/`: a string prefix (Prefix paths end in '/', ImplementationSpecific as
           // written)
  regex,   // `location ~* "^p"`: every location of a host once use-regex or rewrite-target is on it
};
std::string_view to_string(LocationMatch m);

/// A Service backend of an Ingress path (the Service is in the Ingress's namespace).
struct IngressBackendRef {
  std::string namespace_;
  std::string service;           // empty: the controller's default backend (404)
  std::int32_t port_number = 0;  // one of number / name
  std::string port_name;

  bool is_default() const { return service.empty(); }
  /// "default/app1-svc:8888", or "the default backend".
  std::string str() const;
};

/// One nginx location of a server.
struct IngressLocation {
  std::string ingress;       // "namespace/name" of the Ingress it comes from; empty for the default
  std::string path;          // the location's path as nginx sees it ("/app1/" for Prefix /app1)
  std::string ingress_path;  // the path as the Ingress wrote it
  model::PathType path_type = model::PathType::Prefix;
  LocationMatch match = LocationMatch::prefix;
  bool twin = false;  // the `= /p` location ingress-nginx adds beside a Prefix `/p/`
  /// The root location a server gets when it is created (the default backend, or the
  /// Ingress's defaultBackend); a rule's own `/` replaces it.
  bool server_default = false;
  IngressBackendRef backend;
  std::string rewrite_target;   // rewrite-target; empty: none
  bool use_regex = false;       // use-regex on its own Ingress
  std::string affinity_cookie;  // affinity: cookie -> the cookie's name; empty: round robin
  std::string cookie_path;
  bool ssl_redirect = true;
  bool force_ssl_redirect = false;
  /// The compiled `~* "^path"` (regex servers only).
  std::shared_ptr<const std::regex> pattern;

  /// `location = /app1`, `location /app1/`, `location ~* "^/app1"`: as in nginx.conf.
  std::string nginx_text() const;
};

/// One nginx server: a host and its locations, in the order nginx tries the regex ones
/// (longest path first).
struct IngressServer {
  std::string host;  // "app.test", "*.example.com", or "_" (the catch-all)
  std::vector<IngressLocation> locations;
  bool regex = false;  // use-regex or rewrite-target on some location: every location is ~*
  /// A certificate is configured for the host (even the fake one): plain HTTP is
  /// redirected (ssl-redirect).
  bool tls = false;
};

/// An endpoint ingress-nginx sends to: the pod's IP and target port, straight (not the
/// ClusterIP).
struct IngressEndpoint {
  core::Ipv4 ip;
  std::int32_t port = 0;
  std::uint32_t pod_slot = controllers::kNoIndex;
  std::uint32_t node_index = controllers::kNoIndex;
};

/// What the controller does with a request.
enum class IngressVerdict : std::uint8_t {
  proxy,        // to `endpoint`
  redirect,     // 308 to https (ssl-redirect)
  not_found,    // 404 from the default backend
  unavailable,  // 503: the Service is missing or has no ready endpoint
};

/// A request as the controller sees it.
struct IngressRequest {
  std::string_view host;    // the Host header (a port is ignored)
  std::string_view path;    // path and query, as sent
  std::string_view scheme;  // "http" or "https"
  std::string_view cookie;  // the Cookie header, if any
  /// False when nothing reads IngressDecision::why (bulk traffic): it is left empty.
  bool explain = true;
};

/// The controller's decision, with its reasons for the trace.
struct IngressDecision {
  IngressVerdict verdict = IngressVerdict::not_found;
  const IngressServer* server = nullptr;
  const IngressLocation* location = nullptr;
  /// One line: the server, the location and why it won; then what happened. Empty unless
  /// the request asked to explain.
  std::string why;
  int status = 0;             // 308, 404, 503 (0 for proxy)
  std::string redirect_to;    // redirect: the Location header
  std::string upstream_path;  // proxy: the path the backend receives (after rewrite-target)
  std::string upstream;       // proxy: ingress-nginx's upstream name "default-app1-svc-8888"
  IngressEndpoint endpoint;   // proxy
  std::string set_cookie;     // proxy with affinity and no valid cookie: the Set-Cookie value
  std::size_t ready_endpoints = 0;
};

/// Which of the controller's ports a connection reached.
enum class ControllerPort : std::uint8_t { none, http, https };

/// An Ingress the controller does not serve, and why (for the trace of a request that no
/// Ingress routes).
struct IgnoredIngress {
  std::string name;  // "namespace/name"
  std::vector<std::string> hosts;
  std::string why;
};

/// ingress-nginx's configuration of one cluster, and its routing.
class IngressRouter {
 public:
  IngressRouter() = default;
  /// Builds the servers from every Ingress ingress-nginx serves in `state` (none without
  /// the `ingress` addon). `tables` give the Services' ready endpoints. `seed` names the
  /// round-robin starting points.
  IngressRouter(const model::ClusterState& state, const controllers::ServiceTables& tables,
                std::uint64_t seed = 1);

  /// Whether the pod in `slot` is an ingress-nginx controller and `port` its http or https
  /// container port.
  ControllerPort controller_port(std::uint32_t pod_slot, std::int32_t port) const;
  /// True when the cluster runs a controller (the `ingress` addon).
  bool has_controller() const { return has_controller_; }

  /// The server nginx picks for a Host header: the exact name, else the longest matching
  /// `*.` wildcard (which, as nginx does, also matches deeper names), else `_`.
  const IngressServer& server_for(std::string_view host) const;
  /// Routes one request (advances the round-robin counter of the upstream it uses).
  IngressDecision route(const IngressRequest& request);

  /// Every server, sorted by host ("_" first).
  const std::vector<IngressServer>& servers() const { return servers_; }
  /// Ingresses the controller ignores (another class, or no controller at all).
  const std::vector<IgnoredIngress>& ignored() const { return ignored_; }
  /// A sentence naming the ignored Ingresses for `host`, or empty.
  std::string ignored_note(std::string_view host) const;

  /// The certificates the controller serves, by server name (built from the
  /// kubernetes.io/tls Secrets the served Ingresses' `tls` entries name).
  const CertificateTable& certificates() const { return certs_; }
  /// Secrets named by `tls` entries that could not be used, with the reason ("Secret
  /// default/x: tls: private key does not match public key"), in Ingress order.
  const std::vector<std::string>& secret_problems() const { return secret_problems_; }

 private:
  struct Upstream {
    std::string name;
    std::vector<IngressEndpoint> endpoints;
    std::string missing;  // why there is no endpoint list (Service or port missing)
    std::uint64_t next = 0;
  };
  Upstream& upstream_for(const IngressBackendRef& ref);

  const model::ClusterState* state_ = nullptr;
  const controllers::ServiceTables* tables_ = nullptr;
  std::uint64_t seed_ = 1;
  bool has_controller_ = false;
  std::vector<IngressServer> servers_;
  std::unordered_map<std::string, std::uint32_t> exact_hosts_;    // lowercase host -> server
  std::vector<std::pair<std::string, std::uint32_t>> wildcards_;  // ".suffix", longest first
  std::vector<IgnoredIngress> ignored_;
  std::vector<std::unique_ptr<TlsCertificate>> pairs_;  // stable addresses for certs_
  CertificateTable certs_;
  std::vector<std::string> secret_problems_;
  // pod slot -> (http port, https port) of controller pods; lookups only.
  std::unordered_map<std::uint32_t, std::pair<std::int32_t, std::int32_t>> controllers_;
  std::unordered_map<std::string, Upstream> upstreams_;  // built lazily; lookups only
};

// --- The pieces, exposed for tests.

/// Kubernetes' Prefix rule: `rule` is an element-wise prefix of `path` (trailing '/'
/// ignored on both sides, `/` matches everything).
bool prefix_path_matches(std::string_view rule, std::string_view path);
/// nginx's `$uri` for location matching: the path without its query, with `//` merged.
std::string normalize_uri(std::string_view path);
/// nginx's server_name wildcard `*.suffix` against a host (any number of labels in front).
bool wildcard_host_matches(std::string_view pattern, std::string_view host);
/// nginx's `rewrite "(?i)regex" target break;`: the new URI (the query appended), or
/// nullopt when the regex does not match.
std::optional<std::string> apply_rewrite(std::string_view regex, std::string_view target,
                                         std::string_view path);
/// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);
/// nginx's built-in error page for a status line ("404 Not Found"): the body ingress-nginx
/// sends (CRLF line ends, "nginx" without a version).
std::string nginx_status_page(int status);

}  // namespace podhop::dataplane
