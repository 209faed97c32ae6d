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
  j["remote"] =
      r.remote ? nlohmann::ordered_json(r.remote->str()) : nlohmann::ordered_json(nullptr);
  j["local"] = r.local ? nlohmann::ordered_json(r.local->str()) : nlohmann::ordered_json(nullptr);
  auto& resolved = j["resolved"] = nlohmann::ordered_json::array();
  for (const auto& ip : r.resolved) resolved.push_back(ip.str());
  nlohmann::ordered_json timings;
  auto put = [&](const char* key, const std::optional<core::Duration>& d) {
    timings[key] = d ? nlohmann::ordered_json(d->ns) : nlohmann::ordered_json(nullptr);
  };
  put("namelookup_ns", r.time_namelookup);
  put("connect_ns", r.time_connect);
  put("starttransfer_ns", r.time_starttransfer);
  j["timings"] = std::move(timings);
  j["reused_connection"] = r.reused_connection;
  auto& headers = j["headers"] = nlohmann::ordered_json::array();
  for (const auto& [k, v] : r.headers) headers.push_back({k, v});
  j["error"] = r.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.error);
  return j;
}

}  // namespace podhop::trace
