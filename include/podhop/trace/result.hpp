#pragma once
// The result of one request, as SPEC section 4 names it, and its JSON document.
//
// The record is plain data filled by the pipeline; this module only knows how to write it.
// Keys are written in the order SPEC section 4 lists them, extras after them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podhop/core/ip.hpp"
#include "podhop/core/time.hpp"
#include "podhop/trace/hop.hpp"

namespace podhop::trace {

/// How a request ended. The curl exit code follows from it (and from -f).
enum class Outcome : std::uint8_t {
  ok,                  // a response arrived (any status)
  dns_failure,         // the host did not resolve (curl 6)
  connection_refused,  // RST or ICMP unreachable (curl 7)
  timeout,             // connect or transfer timed out (curl 28)
  tls_error,           // handshake failed (curl 35) or certificate not trusted (curl 60)
  reset,               // the connection broke after it was established (curl 56)
};
std::string_view to_string(Outcome o);

/// Who sent the request.
struct ClientInfo {
  std::string kind;  // "pod" | "node" | "external"
  std::string name;  // "default/app1", "minikube", "external"
  core::Ipv4 ip;
  std::string node;  // empty for external clients
};

/// One DNS query the client's resolver sent and what came back.
struct DnsLookup {
  core::SimTime t;
  std::string name;                  // absolute, with the trailing dot
  std::string type;                  // "A", "AAAA", ...
  std::string rcode;                 // "NOERROR", "NXDOMAIN", ...
  std::vector<std::string> answers;  // presentation form: "10.96.0.12", "example.com."
  std::string server;                // who answered: "kube-system/coredns-...", "192.168.49.1"
};

/// The result of one request: SPEC section 4's document.
struct RequestRecord {
  Outcome outcome = Outcome::ok;
  int exit_code = 0;
  std::optional<int> status;
  std::string body;
  std::optional<std::string> served_by;  // "ns/name" of the pod, "external/<host>"
  ClientInfo client;
  core::Duration elapsed;
  std::vector<DnsLookup> dns;
  std::vector<Hop> hops;
  std::vector<RequestRecord> upstream;

  // Extras.
  std::string url;
  std::string method = "GET";
  /// The address the client connected to ("10.96.0.12:8888"), when it got that far.
  std::optional<Address> connected_to;
  /// The address it tried (after name resolution), whether or not it connected.
  std::optional<Address> remote;
  /// The client's own address and ephemeral port for the connection.
  std::optional<Address> local;
  /// Every address the name resolved to, in the resolver's order.
  std::vector<core::Ipv4> resolved;
  /// Times since the start, as curl's -w reports them: name lookup done, TCP connected,
  /// first response byte. Unset when the request did not get that far.
  std::optional<core::Duration> time_namelookup;
  std::optional<core::Duration> time_connect;
  std::optional<core::Duration> time_starttransfer;
  /// True when the request went out on a connection kept open by an earlier one.
  bool reused_connection = false;
  /// The response headers, in the order the server sent them.
  std::vector<std::pair<std::string, std::string>> headers;
  /// What went wrong, in curl's words, when it went wrong ("Could not resolve host: x").
  std::string error;
};

/// The JSON document of a record, keys in SPEC order.
nlohmann::ordered_json to_json(const RequestRecord& record);
nlohmann::ordered_json to_json(const Hop& hop);
nlohmann::ordered_json to_json(const DnsLookup& lookup);

}  // namespace podhop::trace
