#pragma once
// `curl --repeat N` (podhop curl and exec curl, SPEC section 4): N requests of one URL from
// one client, each on a new connection unless --keepalive, and what they add up to: the
// outcomes, how many each pod and each node served, and latency percentiles.
//
// Built on the facade's data plane (Simulation::network() and pipeline()): the requests run
// one after the other in simulated time, without hop traces.

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "podhop/core/time.hpp"
#include "podhop/dataplane/curl.hpp"
#include "podhop/dataplane/request.hpp"
#include "podhop/simulation.hpp"

namespace podhop {

/// What N requests added up to.
struct RepeatSummary {
  std::string url;
  std::string from;  // "external", "pod default/app1", "node minikube"
  bool keepalive = false;
  int requests = 0;
  std::map<std::string, int> outcomes;  // "ok", "timeout", "connection_refused"...
  std::map<int, int> statuses;          // HTTP status -> count (requests that got one)
  std::map<std::string, int> by_pod;    // "namespace/name" (or "external/<host>") -> count
  std::map<std::string, int> by_node;   // node of the serving pod -> count
  core::Duration p50, p90, p99, max;    // of the requests' elapsed time (nearest rank)
  /// The first failure, in curl's words ("Failed to connect to ..."), when any failed.
  std::string first_error;
  int first_error_code = 0;
};

/// Sends `options.repeat` requests (at least 1) for the first URL of `options` from `from`.
/// Returns false with `error` in kubectl's words when the client does not exist.
bool run_repeat(Simulation& sim, const dataplane::CurlOptions& options,
                const dataplane::ClientRef& from, RepeatSummary& out, std::string& error);

/// The text summary: requests, outcomes, shares per pod and per node, latency.
std::string render_repeat_text(const RepeatSummary& summary);

/// SPEC's document: {"requests", "outcomes", "by_pod", "by_node", "latency_ns": {"p50",
/// "p90", "p99", "max"}}.
nlohmann::ordered_json repeat_json(const RepeatSummary& summary);

}  // namespace podhop
