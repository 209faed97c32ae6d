#include "podhop/trace/result.hpp"

namespace podhop::trace {

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::ok:
      return "ok";
    case Outcome::dns_failure:
      return "dns_failure";
    case Outcome::connection_refused:
      return "connection_refused";
    case Outcome::timeout:
      return "timeout";
    case Outcome::tls_error:
      return "tls_error";
    case Outcome::reset:
      return "reset";
  }
  return "unknown";
}

nlohmann::ordered_json to_json(const Hop& hop) {
  nlohmann::ordered_json j;
  j["t_ns"] = hop.t.ns;
  j["stage"] = hop.stage;
  j["node"] = hop.node;
  j["from"] = hop.from.str();
  j["to"] = hop.to.str();
  j["detail"] = hop.detail;
  j["depth"] = hop.depth;
  return j;
}

nlohmann::ordered_json to_json(const DnsLookup& lookup) {
  nlohmann::ordered_json j;
  j["name"] = lookup.name;
  j["type"] = lookup.type;
  j["rcode"] = lookup.rcode;
  j["answers"] = lookup.answers;
  j["server"] = lookup.server;
  j["t_ns"] = lookup.t.ns;
  return j;
}

nlohmann::ordered_json to_json(const RequestRecord& r) {
  nlohmann::ordered_json j;
  j["outcome"] = to_string(r.outcome);
  j["exit_code"] = r.exit_code;
  j["status"] = r.status ? nlohmann::ordered_json(*r.status) : nlohmann::ordered_json(nullptr);
  j["body"] = r.body;
  j["served_by"] =
      r.served_by ? nlohmann::ordered_json(*r.served_by) : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json client;
  client["kind"] = r.client.kind;
  client["name"] = r.client.name;
  client["ip"] = r.client.ip.str();
  client["node"] = r.client.node.empty() ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json(r.client.node);
  j["client"] = std::move(client);
  j["elapsed_ns"] = r.elapsed.ns;
  auto& dns = j["dns"] = nlohmann::ordered_json::array();
  for (const auto& d : r.dns) dns.push_back(to_json(d));
  auto& hops = j["hops"] = nlohmann::ordered_json::array();
  for (const auto& h : r.hops) hops.push_back(to_json(h));
  auto& upstream = j["upstream"] = nlohmann::ordered_json::array();
  for (const auto& u : r.upstream) upstream.push_back(to_json(u));
  // Extras, after the keys SPEC section 4 names.
  j["url"] = r.url;
  j["method"] = r.method;
  j["connected_to"] = r.connected_to ? nlohmann::ordered_json(r.connected_to->str())
                                     : nlohmann::ordered_json(nullptr);
  auto& headers = j["headers"] = nlohmann::ordered_json::array();
  for (const auto& [k, v] : r.headers) headers.push_back({k, v});
  j["error"] = r.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.error);
  return j;
}

}  // namespace podhop::trace
