#pragma once
// Hop events: what happened to a request at one stage, at one simulated instant.
//
// Stages never log. They return what they decided; the pipeline turns each decision into a
// Hop and hands it to the request's record and, when one is attached, to a HopSink. The
// sinks here turn hops into text: one log line per hop (the CLI writes it to stderr through
// spdlog) or one JSON object per line (--trace-file).

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"

namespace podhop::trace {

/// An IPv4 transport address. Port 0 means "no port" (ICMP, or an address alone).
struct Address {
  core::Ipv4 ip;
  std::uint16_t port = 0;

  constexpr bool operator==(const Address&) const = default;
  /// "10.244.0.5:40001", or "10.244.0.5" without a port.
  std::string str() const;
};

/// Well-known stage names, so producers and readers of hops spell them the same way.
namespace stage {
inline constexpr std::string_view resolver = "resolver";      // the client's stub resolver
inline constexpr std::string_view dns = "dns";                // a query on the wire, an answer
inline constexpr std::string_view kube_proxy = "kube-proxy";  // the node's NAT rules
inline constexpr std::string_view network = "network";        // a packet crossing a link
inline constexpr std::string_view tcp = "tcp";                // SYN, SYN-ACK, RST, timeouts
inline constexpr std::string_view http = "http";              // the client's request/response
inline constexpr std::string_view ingress = "ingress";        // the ingress controller
inline constexpr std::string_view app = "app";                // the application in the pod
inline constexpr std::string_view external = "external";      // a host of the simulated internet
}  // namespace stage

/// One hop of a request's trace.
struct Hop {
  core::SimTime t;
  std::string stage;  // see trace::stage
  std::string node;   // where it happened: a node name, or "external"
  Address from;
  Address to;
  std::string detail;  // what was decided, and why
  int depth = 0;       // 0 for the client's request, +1 for each forwarded request
};

/// The log line for a hop: simulated time first, then stage, node, from -> to and the detail,
/// indented two spaces per depth level. No newline.
///   `0.000250s kube-proxy minikube 10.244.0.5:40001 -> 10.96.0.12:8888  DNAT to ...`
std::string format_hop_line(const Hop& hop);

/// The hop as one line of JSON (no newline): {"t_ns", "stage", "node", "from", "to",
/// "detail", "depth"}.
std::string hop_json_line(const Hop& hop);

/// Receives hops as they are recorded.
class HopSink {
 public:
  virtual ~HopSink() = default;
  virtual void on_hop(const Hop& hop) = 0;
};

/// Writes one log line per hop through a callback (the CLI passes spdlog's info).
class LogLineSink final : public HopSink {
 public:
  explicit LogLineSink(std::function<void(const std::string&)> write) : write_(std::move(write)) {}
  void on_hop(const Hop& hop) override { write_(format_hop_line(hop)); }

 private:
  std::function<void(const std::string&)> write_;
};

/// Writes one JSON object per line to a stream (--trace-file).
class JsonLinesSink final : public HopSink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(&out) {}
  void on_hop(const Hop& hop) override;

 private:
  std::ostream* out_;
};

/// Keeps every hop, in order.
class CollectingSink final : public HopSink {
 public:
  void on_hop(const Hop& hop) override { hops.push_back(hop); }
  std::vector<Hop> hops;
};

/// Sends every hop of `hops` to `sink`, in order.
void replay(const std::vector<Hop>& hops, HopSink& sink);

}  // namespace podhop::trace
