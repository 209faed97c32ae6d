#pragma once
// A request as the pipeline carries it: the URL, who sends it, and what the sender asked
// for (method, headers, timeouts, --resolve). These are the inputs; the outcome is a
// trace::RequestRecord.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/dataplane/apps.hpp"

namespace podhop::dataplane {

/// The stage of the hop that carries curl -v's server certificate lines, " | " between them
/// (the pipeline records it at an https handshake with the ingress controller; render_curl
/// prints it).
inline constexpr std::string_view kTlsHopStage = "tls";

/// A URL as curl understands it: scheme://host[:port][/path][?query][#fragment].
struct Url {
  std::string scheme = "http";  // lowercase: "http" or "https"
  std::string host;             // as written, without brackets
  std::uint16_t port = 80;      // the effective port
  bool port_given = false;      // the URL named the port
  std::string path = "/";       // path and query, never empty; the fragment is dropped

  /// The default port of the scheme (80, 443).
  static std::uint16_t default_port(std::string_view scheme);
  /// The Host header curl sends: the host, plus ":port" unless it is the scheme's default.
  std::string host_header() const;
  /// The URL as curl normalises it: "http://app1-svc:8888/".
  std::string str() const;
};

/// Why a URL was refused, with curl's exit code and words.
struct UrlError {
  int curl_code = 3;
  std::string message;  // "URL rejected: Bad hostname", "Protocol \"ftp\" not supported"
};

/// The result of parsing: a Url, or why not.
struct ParsedUrl {
  std::optional<Url> url;
  UrlError error;
  bool ok() const { return url.has_value(); }
};

/// Parses a URL the way curl 8 does: a missing scheme means http, the port must be a
/// number in 0-65535, only http and https are simulated.
ParsedUrl parse_url(std::string_view text);

/// The reason phrase HTTP/1.1 servers send with a status ("OK", "Not Found"); empty when
/// podhop does not know one.
std::string_view http_reason_phrase(int status);

/// Who sends a request.
enum class ClientKind : std::uint8_t { pod, node, external };
std::string_view to_string(ClientKind k);

/// A client, named the way a user names it: pod (namespace, name), node (name) or the
/// outside world.
struct ClientRef {
  ClientKind kind = ClientKind::pod;
  std::string namespace_ = "default";  // pods only
  std::string name;                    // pod or node name; empty for external

  static ClientRef pod(std::string ns, std::string name) {
    return {ClientKind::pod, std::move(ns), std::move(name)};
  }
  static ClientRef node(std::string name) { return {ClientKind::node, {}, std::move(name)}; }
  static ClientRef external() { return {ClientKind::external, {}, {}}; }
};

/// curl's --resolve HOST:PORT:ADDR: the address to use for host:port, without DNS.
struct ResolveOverride {
  std::string host;  // compared case-insensitively; "*" matches every host
  std::uint16_t port = 0;
  core::Ipv4 address;
};

/// kubectl port-forward's tunnel: a connection to localhost:local_port goes straight into
/// the pod's network namespace, to pod_port, without kube-proxy; the pod sees 127.0.0.1.
struct PortForward {
  std::uint16_t local_port = 0;
  core::Ipv4 pod_ip;  // the pod is looked up by its IP when the connection opens
  std::uint16_t pod_port = 0;
  std::string pod;  // "namespace/name", for the trace
};

/// What the client asks for.
struct RequestSpec {
  std::string url;  // as given; parsed by the pipeline
  std::string method = "GET";
  std::vector<HttpHeader> headers;  // extra headers (-H), in order
  std::string body;                 // -d
  std::vector<ResolveOverride> resolve;
  /// --connect-timeout: the limit on resolving plus connecting. Without it, DNS waits as
  /// the resolver does and a dropped SYN is given up by the kernel (tcp_syn_retries=6:
  /// 127 s).
  std::optional<core::Duration> connect_timeout;
  /// --max-time: the limit on the whole request.
  std::optional<core::Duration> max_time;
  /// Keep the connection open afterwards, so a later request from this client to the same
  /// address reuses it (and its endpoint).
  bool keep_alive = false;
  /// Reuse a connection kept open earlier, if there is one to the same address.
  bool reuse_connection = true;
  /// Record hops and words (explain). Off for bulk traffic: outcome and timing are the same,
  /// and the record's hops and dns[] stay empty (nothing is formatted for them).
  bool record_hops = true;
  /// -k: accept any certificate (TLS is simulated by the ingress controller, issue 4).
  bool insecure = false;
  /// The User-Agent the client sends; empty sends none.
  std::string user_agent = "curl/8.8.0";
  /// The Host header to send instead of the URL's (a proxy forwarding a request, or
  /// curl -H 'Host: x'); empty: the URL's host[:port].
  std::string host_header;
  /// --cacert: the PEM text of the CA certificates to trust (shared between the requests
  /// of one command); null: the system's CAs, which trust no self-signed certificate.
  std::shared_ptr<const std::string> ca_bundle;
  /// The name of --cacert's file, for curl's verbose lines.
  std::string ca_file;
  /// The SNI name and the name the certificate is checked against; empty: the URL's host.
  std::string tls_server_name;
  /// podhop port-forward: localhost:local_port is this tunnel.
  std::optional<PortForward> port_forward;
};

}  // namespace podhop::dataplane
