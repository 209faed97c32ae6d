#include "helpers.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace podhop::testing {

namespace {

std::string meta_line(const model::ObjectMeta& m) {
  return fmt::format("{}/{} #{} labels[{}] ann[{}] owner[{}/{}] gen[{}] del[{}]", m.namespace_,
                     m.name, m.creation_index, m.labels.str(), m.annotations.str(), m.owner.kind,
                     m.owner.name, m.generate_name, m.deletion ? "y" : "n");
}

std::string ports_line(const std::vector<model::EndpointPort>& ports) {
  std::string out;
  for (const auto& p : ports)
    out += fmt::format("{}:{}/{}/{} ", p.name, p.port.value_or(-1), model::to_string(p.protocol),
                       p.app_protocol);
  return out;
}

}  // namespace

std::string dump(const model::ClusterState& st) {
  std::string out;
  auto line = [&](std::string s) {
    out += s;
    out += '\n';
  };
  line(fmt::format("next_creation_index {}", st.next_creation_index));
  for (const auto& n : st.nodes.items())
    line(fmt::format("node {} ip={} zone={} cidr={} idx={} ready={} last={}", meta_line(n.meta),
                     n.internal_ip.str(), n.zone, n.pod_cidr.str(), n.index, n.ready,
                     n.last_pod_ip.str()));
  for (const auto& n : st.namespaces.items()) line("ns " + meta_line(n.meta));
  for (const auto& d : st.deployments.items())
    line(fmt::format("deploy {} replicas={}", meta_line(d.meta), d.replicas));
  for (const auto& r : st.replica_sets.items())
    line(fmt::format("rs {} replicas={} sel={} drawn={}", meta_line(r.meta), r.replicas,
                     r.selector.str(), r.pod_names_drawn));
  for (const auto& p : st.pods.items())
    line(
        fmt::format("pod {} node={} ip={} host={} phase={} ready={} started={} reason={} "
                    "spec.hostname={} spec.subdomain={}",
                    meta_line(p.meta), p.node_name, p.status.pod_ip.str(), p.status.host_ip.str(),
                    model::to_string(p.status.phase), p.status.ready, p.status.started,
                    p.status.reason, p.spec->hostname, p.spec->subdomain));
  for (const auto& s : st.services.items()) {
    std::string ports;
    for (const auto& p : s.spec.ports)
      ports += fmt::format("{}:{}/{}->{} np={} ", p.name, p.port, model::to_string(p.protocol),
                           p.target_port.str(), p.node_port);
    std::string lb;
    for (const auto& i : s.load_balancer) lb += i.ip.str() + " ";
    line(fmt::format("svc {} type={} ip={} ports[{}] hc={} lb[{}]", meta_line(s.meta),
                     model::to_string(s.spec.type), s.spec.cluster_ip.str(), ports,
                     s.spec.health_check_node_port, lb));
  }
  for (const auto& e : st.endpoints.items()) {
    std::string subs;
    for (const auto& sub : e.subsets) {
      subs += "{";
      for (const auto& a : sub.addresses)
        subs += a.ip.str() + "(" + a.hostname + "," + a.node_name + ") ";
      subs += "| ";
      for (const auto& a : sub.not_ready_addresses) subs += a.ip.str() + " ";
      subs += "| " + ports_line(sub.ports) + "}";
    }
    line(fmt::format("ep {} managed={} {}", meta_line(e.meta), e.managed, subs));
  }
  for (const auto& sl : st.endpoint_slices.items()) {
    std::string eps;
    for (const auto& e : sl.endpoints)
      eps += fmt::format("{}(r={},s={},t={},h={},n={},z={}) ", e.ip.str(), e.conditions.is_ready(),
                         e.conditions.is_serving(), e.conditions.is_terminating(), e.hostname,
                         e.node_name, e.zone);
    line(fmt::format("slice {} svc={} managed={} ports[{}] eps[{}]", meta_line(sl.meta),
                     sl.service_name, sl.managed, ports_line(sl.ports), eps));
  }
  for (const auto& i : st.ingresses.items()) {
    std::string lb;
    for (const auto& a : i.load_balancer) lb += a.ip.str() + " ";
    line(fmt::format("ing {} class={} lb[{}]", meta_line(i.meta), i.effective_class, lb));
  }
  for (const auto& c : st.ingress_classes.items())
    line(fmt::format("ingressclass {} {} default={}", meta_line(c.meta), c.controller,
                     c.is_default));
  for (const auto& e : st.events)
    line(fmt::format("event {} {}/{} {} {} {} ({})", e.involved.kind, e.involved.namespace_,
                     e.involved.name, e.type, e.reason, e.message(), e.source));
  return out;
}

std::vector<const model::Pod*> pods_named(const model::ClusterState& st, std::string_view prefix) {
  std::vector<const model::Pod*> out;
  for (const auto* p : st.pods.sorted())
    if (std::string_view(p->meta.name).starts_with(prefix)) out.push_back(p);
  return out;
}

std::vector<const model::EndpointSlice*> slices_of(const model::ClusterState& st,
                                                   std::string_view ns, std::string_view svc) {
  std::vector<const model::EndpointSlice*> out;
  for (const auto* s : st.endpoint_slices.sorted())
    if (s->meta.namespace_ == ns && s->service_name == svc && s->managed) out.push_back(s);
  return out;
}

std::vector<std::optional<model::Event>> events_about(const model::ClusterState& st,
                                                      std::string_view name,
                                                      std::string_view reason) {
  std::vector<std::optional<model::Event>> out;
  for (const auto& e : st.events)
    if (e.involved.name == name && (reason.empty() || e.reason == reason)) out.emplace_back(e);
  return out;
}

std::string reconcile_text(model::ClusterState& st, const controllers::ReconcileOptions& o) {
  return controllers::reconcile(st, o).str();
}

}  // namespace podhop::testing
