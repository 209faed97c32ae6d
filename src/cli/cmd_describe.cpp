// `podhop describe KIND NAME`: kubectl's describe output, written the way kubectl's
// describers write it (prefixed lines with tabs) and laid out by the same tabwriter pass
// (padding 2), so the alignment comes out as kubectl's does.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"
#include "podhop/core/rng.hpp"

namespace podhop::cli {

namespace {

// kubectl's PrefixWriter: each write starts with two spaces per level.
class Writer {
 public:
  template <typename... Args>
  void write(int level, fmt::format_string<Args...> f, Args&&... args) {
    text_.append(static_cast<std::size_t>(level) * 2, ' ');
    text_ += fmt::format(f, std::forward<Args>(args)...);
  }
  void raw(std::string_view s) { text_ += s; }
  std::string str() const { return tabwrite(text_, 2); }

 private:
  std::string text_;
};

constexpr std::size_t kMaxAnnotationLen = 140;

void labels_multiline(Writer& w, std::string_view title, const model::StringMap& labels) {
  w.write(0, "{}:\t", title);
  if (labels.empty()) return w.raw("<none>\n");
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) w.raw("\t");
    first = false;
    w.write(0, "{}={}\n", k, v);
  }
}

void annotations_multiline(Writer& w, std::string_view title, const model::StringMap& ann) {
  w.write(0, "{}:\t", title);
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [k, v] : ann)
    if (k != "kubectl.kubernetes.io/last-applied-configuration") entries.emplace_back(k, v);
  if (entries.empty()) return w.raw("<none>\n");
  bool first = true;
  for (const auto& [k, raw_value] : entries) {
    if (!first) w.raw("\t");
    first = false;
    std::string value = raw_value;
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (value.size() + k.size() + 2 > kMaxAnnotationLen || value.find('\n') != std::string::npos) {
      w.write(0, "{}:\n", k);
      std::size_t start = 0;
      for (;;) {
        auto nl = value.find('\n', start);
        std::string line = value.substr(start, nl == std::string::npos ? nl : nl - start);
        if (line.size() > kMaxAnnotationLen - 2)
          line = line.substr(0, kMaxAnnotationLen - 2) + "...";
        w.write(0, "\t  {}\n", line);
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    } else {
      w.write(0, "{}: {}\n", k, value);
    }
  }
}

// The events about one object, oldest first, as kubectl's DescribeEvents prints them.
void describe_events(Writer& w, const model::ClusterState& s, std::string_view kind,
                     const std::string& ns, const std::string& name) {
  std::vector<model::Event> events;
  for (const auto& e : s.events)
    if (e.involved.kind == kind && e.involved.name == name && e.involved.namespace_ == ns)
      events.push_back(e);
  if (events.empty()) return w.raw("Events:\t<none>\n");
  std::stable_sort(events.begin(), events.end(),
                   [](const model::Event& a, const model::Event& b) { return a.at < b.at; });
  w.raw("Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.write(1, "----\t------\t----\t----\t-------\n");
  for (const auto& e : events)
    w.write(1, "{}\t{}\t{}\t{}\t{}\n", e.type, e.reason, age(s, e.at), e.source, e.message());
}

std::string describe_probe(const model::Probe& p) {
  std::string attrs =
      fmt::format("delay={}s timeout={}s period={}s #success={} #failure={}",
                  p.initial_delay.ns / 1'000'000'000, p.timeout.ns / 1'000'000'000,
                  p.period.ns / 1'000'000'000, p.success_threshold, p.failure_threshold);
  switch (p.handler) {
    case model::Probe::Handler::http_get:
      return fmt::format("http-get http://:{}{} {}", p.port.str(), p.path, attrs);
    case model::Probe::Handler::tcp_socket:
      return fmt::format("tcp-socket :{} {}", p.port.str(), attrs);
    case model::Probe::Handler::exec:
      return fmt::format("exec [] {}", attrs);
    case model::Probe::Handler::grpc:
      return fmt::format("grpc <pod>:{}  {}", p.port.str(), attrs);
  }
  return fmt::format("unknown {}", attrs);
}

struct ContainerStatusView {
  bool known = false;  // the pod is scheduled: the kubelet reports its containers
  std::string id;
  std::string image_id;
  bool running = false;
  bool ready = false;
  int restarts = 0;
  core::SimTime started;
};

void describe_containers(Writer& w, std::string_view label,
                         const std::vector<model::Container>& containers, const std::string& space,
                         const model::Pod* pod) {
  w.write(0, "{}{}:{}\n", space, label, containers.empty() ? " <none>" : "");
  const std::string name_indent = space.empty() ? "" : " ";
  for (const auto& c : containers) {
    ContainerStatusView st;
    if (pod && !pod->node_name.empty()) {
      st.known = true;
      st.id = fmt::format("podhop://{:016x}",
                          core::fnv1a(pod->meta.namespace_ + "/" + pod->meta.name + "/" + c.name));
      st.running = pod->status.started;
      st.ready = pod->status.ready;
      st.restarts = pod->status.restarts;
      st.started = pod->meta.created;
      st.image_id = "podhop://" + c.image;
    }
    w.write(1, "{}{}:\n", name_indent, c.name);
    if (st.known) w.write(2, "Container ID:\t{}\n", st.id);
    w.write(2, "Image:\t{}\n", c.image);
    // podhop pulls nothing: the image ID names the image as the simulated runtime knows it.
    if (st.known) w.write(2, "Image ID:\t{}\n", st.image_id);
    std::vector<std::string> ports, host_ports;
    for (const auto& p : c.ports) {
      ports.push_back(fmt::format("{}/{}", p.container_port, model::to_string(p.protocol)));
      host_ports.push_back(fmt::format("{}/{}", p.host_port, model::to_string(p.protocol)));
    }
    std::string port_text = fmt::format("{}", fmt::join(ports, ", "));
    std::string host_text = fmt::format("{}", fmt::join(host_ports, ", "));
    if (ports.size() > 1) {
      w.write(2, "Ports:\t{}\n", port_text);
      w.write(2, "Host Ports:\t{}\n", host_text);
    } else {
      w.write(2, "Port:\t{}\n", port_text.empty() ? "<none>" : port_text);
      w.write(2, "Host Port:\t{}\n", host_text.empty() ? "<none>" : host_text);
    }
    if (!c.command.empty()) {
      w.write(2, "Command:\n");
      for (const auto& part : c.command) w.write(3, "{}\n", part);
    }
    if (!c.args.empty()) {
      w.write(2, "Args:\n");
      for (const auto& part : c.args) w.write(3, "{}\n", part);
    }
    if (st.known) {
      if (st.running) {
        w.write(2, "State:\tRunning\n");
        w.write(3, "Started:\t{}\n", rfc1123z(st.started));
      } else {
        w.write(2, "State:\tWaiting\n");
        w.write(3, "Reason:\tContainerCreating\n");
      }
      w.write(2, "Ready:\t{}\n", st.ready ? "True" : "False");
      w.write(2, "Restart Count:\t{}\n", st.restarts);
    }
    if (c.liveness_probe) w.write(2, "Liveness:\t{}\n", describe_probe(*c.liveness_probe));
    if (c.readiness_probe) w.write(2, "Readiness:\t{}\n", describe_probe(*c.readiness_probe));
    if (c.startup_probe) w.write(2, "Startup:\t{}\n", describe_probe(*c.startup_probe));
    if (c.env.empty()) {
      w.write(2, "Environment:\t<none>\n");
    } else {
      w.write(2, "Environment:\n");
      for (const auto& e : c.env) {
        if (e.value_from) {
          w.write(3, "{}:\t<set to the key of a source podhop does not simulate>\n", e.name);
          continue;
        }
        std::size_t start = 0;
        bool first = true;
        for (;;) {
          auto nl = e.value.find('\n', start);
          std::string line = e.value.substr(start, nl == std::string::npos ? nl : nl - start);
          if (first) {
            w.write(3, "{}:\t{}\n", e.name, line);
          } else {
            w.write(3, "\t{}\n", line);
          }
          first = false;
          if (nl == std::string::npos) break;
          start = nl + 1;
        }
      }
    }
    w.write(2, "Mounts:\t<none>\n");
  }
}

std::string describe_pod(const model::ClusterState& s, const model::Pod& pod) {
  Writer w;
  static const model::PodSpec kEmpty;
  const model::PodSpec& spec = pod.spec ? *pod.spec : kEmpty;
  const std::string node = pod_node_name(s, pod);
  w.write(0, "Name:\t{}\n", pod.meta.name);
  w.write(0, "Namespace:\t{}\n", pod.meta.namespace_);
  w.write(0, "Priority:\t0\n");
  w.write(0, "Service Account:\tdefault\n");
  if (node.empty()) {
    w.write(0, "Node:\t<none>\n");
  } else {
    w.write(0, "Node:\t{}/{}\n", node, pod.status.host_ip.empty() ? "" : pod.status.host_ip.str());
    w.write(0, "Start Time:\t{}\n", rfc1123z(pod.meta.created));
  }
  labels_multiline(w, "Labels", pod.meta.labels);
  annotations_multiline(w, "Annotations", pod.meta.annotations);
  if (pod.meta.deletion) {
    w.write(0, "Status:\tTerminating (lasts {})\n", age(s, *pod.meta.deletion));
    w.write(0, "Termination Grace Period:\t{}s\n",
            spec.termination_grace_period.ns / 1'000'000'000);
  } else {
    w.write(0, "Status:\t{}\n", model::to_string(pod.status.phase));
  }
  std::string ip = pod.status.pod_ip.empty() ? "" : pod.status.pod_ip.str();
  w.write(0, "IP:\t{}\n", ip);
  if (ip.empty()) {
    w.write(0, "IPs:\t<none>\n");
  } else {
    w.write(0, "IPs:\n");
    w.write(1, "IP:\t{}\n", ip);
  }
  if (!pod.meta.owner.empty())
    w.write(0, "Controlled By:\t{}/{}\n", pod.meta.owner.kind, pod.meta.owner.name);
  if (!spec.init_containers.empty())
    describe_containers(w, "Init Containers", spec.init_containers, "", &pod);
  describe_containers(w, "Containers", spec.containers, "", &pod);
  const bool scheduled = !node.empty();
  const bool sandbox = scheduled && pod.status.phase != model::PodPhase::Pending;
  auto tf = [](bool b) { return b ? "True" : "False"; };
  w.raw("Conditions:\n  Type\tStatus\n");
  if (scheduled) {
    w.write(1, "PodReadyToStartContainers \t{} \n", tf(sandbox));
    w.write(1, "Initialized \t{} \n", tf(sandbox));
    w.write(1, "Ready \t{} \n", tf(pod.status.ready));
    w.write(1, "ContainersReady \t{} \n", tf(pod.status.ready));
  }
  w.write(1, "PodScheduled \t{} \n", tf(scheduled));
  w.write(0, "Volumes:\t<none>\n");
  w.write(0, "QoS Class:\tBestEffort\n");
  labels_multiline(w, "Node-Selectors", spec.node_selector);
  // The DefaultTolerationSeconds admission plugin adds these to every pod.
  w.write(0, "Tolerations:\tnode.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n");
  w.write(0, "\tnode.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n");
  describe_events(w, s, "Pod", pod.meta.namespace_, pod.meta.name);
  return w.str();
}

std::string describe_service(const model::ClusterState& s, const model::Service& svc) {
  Writer w;
  w.write(0, "Name:\t{}\n", svc.meta.name);
  w.write(0, "Namespace:\t{}\n", svc.meta.namespace_);
  labels_multiline(w, "Labels", svc.meta.labels);
  annotations_multiline(w, "Annotations", svc.meta.annotations);
  w.write(0, "Selector:\t{}\n",
          svc.spec.has_selector ? format_labels(svc.spec.selector) : "<none>");
  w.write(0, "Type:\t{}\n", model::to_string(svc.spec.type));
  const bool external_name = svc.spec.type == model::ServiceType::ExternalName;
  if (!external_name) w.write(0, "IP Family Policy:\t{}\n", svc.spec.ip_family_policy);
  if (external_name) {
    w.write(0, "IP Families:\t<none>\n");
  } else if (svc.spec.ip_families.empty()) {
    w.write(0, "IP Families:\tIPv4\n");
  } else {
    w.write(0, "IP Families:\t{}\n", fmt::join(svc.spec.ip_families, ","));
  }
  std::string cip = cluster_ip_text(svc);
  w.write(0, "IP:\t{}\n", cip);
  w.write(0, "IPs:\t{}\n", cip.empty() ? "<none>" : cip);
  if (!svc.spec.external_ips.empty()) {
    std::vector<std::string> ips;
    for (auto ip : svc.spec.external_ips) ips.push_back(ip.str());
    w.write(0, "External IPs:\t{}\n", fmt::join(ips, ","));
  }
  if (!svc.spec.load_balancer_ip.empty())
    w.write(0, "Desired LoadBalancer IP:\t{}\n", svc.spec.load_balancer_ip);
  if (!svc.spec.external_name.empty()) w.write(0, "External Name:\t{}\n", svc.spec.external_name);
  if (!svc.load_balancer.empty()) {
    std::vector<std::string> parts;
    for (const auto& i : svc.load_balancer)
      parts.push_back(i.ip.empty() ? i.hostname : i.ip.str() + " (VIP)");
    w.write(0, "LoadBalancer Ingress:\t{}\n", fmt::join(parts, ", "));
  }
  const model::Endpoints* ep = s.endpoints.find(svc.meta.namespace_, svc.meta.name);
  for (const auto& sp : svc.spec.ports) {
    std::string name = sp.name.empty() ? "<unset>" : sp.name;
    std::string proto(model::to_string(sp.protocol));
    w.write(0, "Port:\t{}\t{}/{}\n", name, sp.port, proto);
    std::string target = sp.target_port.is_set() ? sp.target_port.str() : std::to_string(sp.port);
    w.write(0, "TargetPort:\t{}/{}\n", target, proto);
    if (sp.node_port != 0) w.write(0, "NodePort:\t{}\t{}/{}\n", name, sp.node_port, proto);
    std::vector<std::string> names{sp.name};
    w.write(0, "Endpoints:\t{}\n", ep ? format_endpoints(*ep, &names) : "<none>");
  }
  w.write(0, "Session Affinity:\t{}\n",
          svc.spec.session_affinity == model::SessionAffinity::ClientIP ? "ClientIP" : "None");
  if (svc.spec.external_traffic_policy)
    w.write(0, "External Traffic Policy:\t{}\n",
            model::to_string(*svc.spec.external_traffic_policy));
  if (svc.spec.internal_traffic_policy)
    w.write(0, "Internal Traffic Policy:\t{}\n",
            model::to_string(*svc.spec.internal_traffic_policy));
  if (svc.spec.health_check_node_port != 0)
    w.write(0, "HealthCheck NodePort:\t{}\n", svc.spec.health_check_node_port);
  if (!svc.spec.load_balancer_source_ranges.empty()) {
    std::vector<std::string> ranges;
    for (const auto& c : svc.spec.load_balancer_source_ranges) ranges.push_back(c.str());
    w.write(0, "LoadBalancer Source Ranges:\t{}\n", fmt::join(ranges, ","));
  }
  describe_events(w, s, "Service", svc.meta.namespace_, svc.meta.name);
  return w.str();
}

std::string describe_endpoints(const model::ClusterState& s, const model::Endpoints& ep) {
  Writer w;
  w.write(0, "Name:\t{}\n", ep.meta.name);
  w.write(0, "Namespace:\t{}\n", ep.meta.namespace_);
  labels_multiline(w, "Labels", ep.meta.labels);
  annotations_multiline(w, "Annotations", ep.meta.annotations);
  w.write(0, "Subsets:\n");
  for (const auto& ss : ep.subsets) {
    std::vector<std::string> ready, not_ready;
    for (const auto& a : ss.addresses) ready.push_back(a.ip.str());
    for (const auto& a : ss.not_ready_addresses) not_ready.push_back(a.ip.str());
    w.write(1, "Addresses:\t{}\n",
            ready.empty() ? "<none>" : fmt::format("{}", fmt::join(ready, ",")));
    w.write(1, "NotReadyAddresses:\t{}\n",
            not_ready.empty() ? "<none>" : fmt::format("{}", fmt::join(not_ready, ",")));
    if (!ss.ports.empty()) {
      w.write(1, "Ports:\n");
      w.write(2, "Name\tPort\tProtocol\n");
      w.write(2, "----\t----\t--------\n");
      for (const auto& p : ss.ports)
        w.write(2, "{}\t{}\t{}\n", p.name.empty() ? "<unset>" : p.name, p.port.value_or(0),
                model::to_string(p.protocol));
    }
    w.write(0, "\n");
  }
  describe_events(w, s, "Endpoints", ep.meta.namespace_, ep.meta.name);
  return w.str();
}

// "app1-svc:8888 (10.244.0.5:8080)", as describeBackendV1 with the Service's endpoints.
std::string describe_backend(const model::ClusterState& s, const std::string& ns,
                             const model::IngressBackend& b) {
  if (b.service) {
    const auto& sb = *b.service;
    std::string port = sb.port_number != 0 ? std::to_string(sb.port_number) : sb.port_name;
    std::string head = fmt::format("{}:{}", sb.name, port);
    const model::Endpoints* ep = s.endpoints.find(ns, sb.name);
    if (!ep) return fmt::format("{} (<error: endpoints \"{}\" not found>)", head, sb.name);
    const model::Service* svc = s.services.find(ns, sb.name);
    if (!svc) return fmt::format("{}(<error: services \"{}\" not found>)", head, sb.name);
    std::string port_name;
    for (const auto& sp : svc->spec.ports) {
      if ((sb.port_number != 0 && sb.port_number == sp.port) ||
          (!sb.port_name.empty() && sb.port_name == sp.name))
        port_name = sp.name;
    }
    std::vector<std::string> names{port_name};
    return fmt::format("{} ({})", head, format_endpoints(*ep, &names));
  }
  if (b.resource) {
    return fmt::format("APIGroup: {}, Kind: {}, Name: {}",
                       b.resource->api_group.empty() ? "<none>" : b.resource->api_group,
                       b.resource->kind, b.resource->name);
  }
  return {};
}

std::string describe_ingress(const model::ClusterState& s, const model::Ingress& ing) {
  Writer w;
  const std::string& ns = ing.meta.namespace_;
  w.write(0, "Name:\t{}\n", ing.meta.name);
  labels_multiline(w, "Labels", ing.meta.labels);
  w.write(0, "Namespace:\t{}\n", ns);
  std::vector<std::string> addresses;
  for (const auto& i : ing.load_balancer)
    addresses.push_back(i.ip.empty() ? i.hostname : i.ip.str());
  w.write(0, "Address:\t{}\n", fmt::join(addresses, ","));
  w.write(0, "Ingress Class:\t{}\n", ing.spec.ingress_class_name.value_or("<none>"));
  std::string default_backend = "<default>";
  if (ing.spec.default_backend)
    default_backend = describe_backend(s, ns, *ing.spec.default_backend);
  w.write(0, "Default backend:\t{}\n", default_backend);
  if (!ing.spec.tls.empty()) {
    w.write(0, "TLS:\n");
    for (const auto& t : ing.spec.tls) {
      if (t.secret_name.empty()) {
        w.write(1, "SNI routes {}\n", fmt::join(t.hosts, ","));
      } else {
        w.write(1, "{} terminates {}\n", t.secret_name, fmt::join(t.hosts, ","));
      }
    }
  }
  w.raw("Rules:\n  Host\tPath\tBackends\n");
  w.write(1, "----\t----\t--------\n");
  int count = 0;
  for (const auto& rule : ing.spec.rules) {
    if (!rule.has_http) continue;
    ++count;
    w.write(1, "{}\t\n", rule.host.empty() ? "*" : rule.host);
    for (const auto& p : rule.paths)
      w.write(2, "\t{} \t{}\n", p.path, describe_backend(s, ns, p.backend));
  }
  if (count == 0) w.write(1, "*\t*\t{}\n", default_backend);
  annotations_multiline(w, "Annotations", ing.meta.annotations);
  describe_events(w, s, "Ingress", ns, ing.meta.name);
  return w.str();
}

void describe_pod_template(Writer& w, const model::PodTemplate& t) {
  w.write(0, "Pod Template:\n");
  labels_multiline(w, "  Labels", t.labels);
  if (!t.annotations.empty()) annotations_multiline(w, "  Annotations", t.annotations);
  static const model::PodSpec kEmpty;
  const model::PodSpec& spec = t.spec ? *t.spec : kEmpty;
  if (!spec.init_containers.empty())
    describe_containers(w, "Init Containers", spec.init_containers, "  ", nullptr);
  describe_containers(w, "Containers", spec.containers, "  ", nullptr);
  w.write(0, "  Volumes:\t<none>\n");
  labels_multiline(w, "  Node-Selectors", spec.node_selector);
  w.write(0, "  Tolerations:\t<none>\n");
}

std::string describe_deployment(const model::ClusterState& s, const Item& item) {
  const auto& d = item.as<model::Deployment>();
  ReplicaCounts c = replica_counts(s, item);
  Writer w;
  w.write(0, "Name:\t{}\n", d.meta.name);
  w.write(0, "Namespace:\t{}\n", d.meta.namespace_);
  w.write(0, "CreationTimestamp:\t{}\n", rfc1123z(d.meta.created));
  labels_multiline(w, "Labels", d.meta.labels);
  model::StringMap annotations = d.meta.annotations;
  if (!annotations.contains("deployment.kubernetes.io/revision"))
    annotations.set("deployment.kubernetes.io/revision", "1");
  annotations_multiline(w, "Annotations", annotations);
  w.write(0, "Selector:\t{}\n", d.selector.empty() ? "<none>" : d.selector.str());
  w.write(0, "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
          d.replicas, c.updated, c.current, c.available, std::max(0, c.current - c.available));
  w.write(0, "StrategyType:\t{}\n", d.strategy);
  w.write(0, "MinReadySeconds:\t{}\n", d.min_ready_seconds);
  if (d.strategy == "RollingUpdate")
    w.write(0, "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            d.max_unavailable.str(), d.max_surge.str());
  describe_pod_template(w, d.pod_template);
  const bool available = c.available >= d.replicas;
  w.raw("Conditions:\n  Type\tStatus\tReason\n");
  w.write(1, "----\t------\t------\n");
  w.write(1, "Available \t{}\t{}\n", available ? "True" : "False",
          available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable");
  w.write(1, "Progressing \tTrue\t{}\n",
          c.updated == d.replicas ? "NewReplicaSetAvailable" : "ReplicaSetUpdated");
  auto sets = deployment_replica_sets(s, d);
  auto rs_text = [&](std::vector<const model::ReplicaSet*> list) {
    if (list.empty()) return std::string("<none>");
    std::vector<std::string> parts;
    for (const auto* rs : list) {
      auto pods = owned_pods(s, "ReplicaSet", rs->meta.namespace_, rs->meta.name);
      parts.push_back(
          fmt::format("{} ({}/{} replicas created)", rs->meta.name, pods.size(), rs->replicas));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  std::vector<const model::ReplicaSet*> newest, old;
  if (!sets.empty()) newest.push_back(sets.front());
  if (sets.size() > 1) old.assign(sets.begin() + 1, sets.end());
  w.write(0, "OldReplicaSets:\t{}\n", rs_text(old));
  w.write(0, "NewReplicaSet:\t{}\n", rs_text(newest));
  describe_events(w, s, "Deployment", d.meta.namespace_, d.meta.name);
  return w.str();
}

std::string describe_node(const model::ClusterState& s, const model::Node& n) {
  Writer w;
  model::StringMap labels = node_labels(s, n);
  w.write(0, "Name:\t{}\n", n.meta.name);
  w.write(0, "Roles:\t{}\n", node_roles(labels));
  labels_multiline(w, "Labels", labels);
  annotations_multiline(w, "Annotations", n.meta.annotations);
  w.write(0, "CreationTimestamp:\t{}\n", rfc1123z(n.meta.created));
  w.write(0, "Taints:\t<none>\n");
  w.write(0, "Unschedulable:\tfalse\n");
  w.raw("Conditions:\n");
  w.write(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
  w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
  w.write(1, "Ready \t{} \t{} \t{} \t{} \t{}\n", n.ready ? "True" : "Unknown", rfc1123z(s.now),
          rfc1123z(n.meta.created), n.ready ? "KubeletReady" : "NodeStatusUnknown",
          n.ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status.");
  w.write(0, "Addresses:\n");
  w.write(1, "InternalIP:\t{}\n", n.internal_ip.str());
  w.write(1, "Hostname:\t{}\n", n.meta.name);
  w.write(0, "System Info:\n");
  w.write(1, "Operating System:\tlinux\n");
  w.write(1, "Architecture:\tamd64\n");
  w.write(1, "Container Runtime Version:\tpodhop://{}\n", podhop_version());
  w.write(1, "Kubelet Version:\t{}\n", kKubernetesVersion);
  w.write(1, "Kube-Proxy Version:\t{}\n", kKubernetesVersion);
  w.write(0, "PodCIDR:\t{}\n", n.pod_cidr.str());
  w.write(0, "PodCIDRs:\t{}\n", n.pod_cidr.str());
  std::vector<const model::Pod*> pods;
  for (const model::Pod* p : s.pods.sorted())
    if (pod_node_name(s, *p) == n.meta.name && !p->meta.deletion) pods.push_back(p);
  w.write(0, "Non-terminated Pods:\t({} in total)\n", pods.size());
  w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  for (const auto* p : pods)
    w.write(1, "{}\t{}\t\t0 (0%)\t0 (0%)\t0 (0%)\t0 (0%)\t{}\n", p->meta.namespace_, p->meta.name,
            age(s, p->meta.created));
  describe_events(w, s, "Node", "", n.meta.name);
  return w.str();
}

// Kinds without a dedicated describer get kubectl's generic shape.
std::string describe_generic(const model::ClusterState& s, const Item& item) {
  Writer w;
  w.write(0, "Name:\t{}\n", item.meta->name);
  if (item.info->namespaced) w.write(0, "Namespace:\t{}\n", item.meta->namespace_);
  labels_multiline(w, "Labels", item.meta->labels);
  annotations_multiline(w, "Annotations", item.meta->annotations);
  switch (item.info->resource) {
    case Resource::secrets: {
      const auto& sec = item.as<model::Secret>();
      w.write(0, "\nType:\t{}\n\nData\n====\n", sec.type);
      for (const auto& [k, v] : sec.data) w.write(0, "{}:\t{} bytes\n", k, v.size());
      return w.str();
    }
    case Resource::namespaces:
      w.write(0, "Status:\t{}\n\nNo resource quota.\n\nNo LimitRange resource.\n",
              item.meta->deletion ? "Terminating" : "Active");
      return w.str();
    case Resource::ingress_classes:
      w.write(0, "Controller:\t{}\n", item.as<model::IngressClass>().controller);
      break;
    case Resource::replica_sets:
    case Resource::stateful_sets:
    case Resource::daemon_sets:
    case Resource::replication_controllers: {
      ReplicaCounts c = replica_counts(s, item);
      w.write(0, "Replicas:\t{} current / {} desired\n", c.current, c.desired);
      w.write(0, "Pods Status:\t{} Running / 0 Waiting / 0 Succeeded / 0 Failed\n", c.ready);
      break;
    }
    default:
      break;
  }
  describe_events(w, s, item.info->kind, item.meta->namespace_, item.meta->name);
  return w.str();
}

std::string describe_item(const model::ClusterState& s, const Item& item) {
  switch (item.info->resource) {
    case Resource::pods:
      return describe_pod(s, item.as<model::Pod>());
    case Resource::services:
      return describe_service(s, item.as<model::Service>());
    case Resource::endpoints:
      return describe_endpoints(s, item.as<model::Endpoints>());
    case Resource::ingresses:
      return describe_ingress(s, item.as<model::Ingress>());
    case Resource::deployments:
      return describe_deployment(s, item);
    case Resource::nodes:
      return describe_node(s, item.as<model::Node>());
    default:
      return describe_generic(s, item);
  }
}

}  // namespace

int run_describe(const model::ClusterState& s, const DescribeRequest& req, std::ostream& out,
                 std::ostream& err) {
  if (req.args.empty()) {
    err << "You must specify the type of resource to describe. Use \"podhop get -h\" for the "
           "list of supported resources.\n\nerror: Required resource not specified.\n";
    return 1;
  }
  std::vector<std::pair<const ResourceInfo*, std::string>> wanted;  // name "" = all
  if (req.args.front().find('/') != std::string::npos) {
    for (const auto& a : req.args) {
      auto slash = a.find('/');
      const ResourceInfo* info =
          slash == std::string::npos ? nullptr : find_resource(a.substr(0, slash));
      if (!info) {
        err << fmt::format("error: the server doesn't have a resource type \"{}\"\n",
                           a.substr(0, slash));
        return 1;
      }
      wanted.emplace_back(info, a.substr(slash + 1));
    }
  } else {
    const ResourceInfo* info = find_resource(req.args.front());
    if (!info || info->resource == Resource::events) {
      err << fmt::format("error: the server doesn't have a resource type \"{}\"\n",
                         req.args.front());
      return 1;
    }
    if (req.args.size() == 1) wanted.emplace_back(info, "");
    for (std::size_t i = 1; i < req.args.size(); ++i) wanted.emplace_back(info, req.args[i]);
  }
  std::optional<model::LabelSelector> selector;
  if (!req.selector.empty()) {
    std::string error;
    selector = parse_label_selector(req.selector, &error);
    if (!selector) {
      err << "error: " << error << "\n";
      return 1;
    }
  }
  int code = 0;
  bool first = true;
  auto print = [&](const Item& item) {
    if (!first) out << "\n\n";
    first = false;
    out << describe_item(s, item);
  };
  for (const auto& [info, name] : wanted) {
    std::vector<Item> items;
    if (name.empty()) {
      items = list_items(s, *info, info->namespaced ? std::optional(req.namespace_) : std::nullopt);
      if (selector)
        std::erase_if(items, [&](const Item& i) { return !selector->matches(i.meta->labels); });
      if (items.empty()) {
        if (info->namespaced) {
          err << fmt::format("No resources found in {} namespace.\n", req.namespace_);
        } else {
          err << "No resources found\n";
        }
      }
    } else if (auto found = find_item(s, *info, req.namespace_, name)) {
      items.push_back(*found);
    } else {
      // kubectl describe falls back to every object whose name starts with NAME.
      for (const auto& i :
           list_items(s, *info, info->namespaced ? std::optional(req.namespace_) : std::nullopt))
        if (i.meta->name.rfind(name, 0) == 0) items.push_back(i);
      if (items.empty()) {
        std::string resource(info->plural);
        if (!info->group.empty()) resource += "." + std::string(info->group);
        err << fmt::format("Error from server (NotFound): {} \"{}\" not found\n", resource, name);
        code = 1;
      }
    }
    for (const auto& i : items) print(i);
  }
  return code;
}

void register_describe(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("describe", "Show details of an object, as kubectl describe does");
  auto req = std::make_shared<DescribeRequest>();
  cmd->add_option("ARGS", req->args, "TYPE [NAME_PREFIX...] | TYPE/NAME...");
  cmd->add_option("-n,--namespace", req->namespace_, "Namespace (default \"default\")");
  cmd->add_option("-l,--selector", req->selector, "Label selector");
  cmd->footer("Example: podhop -f examples/seed/manifests describe svc app1-svc");
  cmd->callback([&ctx, exit_code, req] {
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    *exit_code = run_describe(sim->state(), *req, *ctx.out, *ctx.err);
  });
}

}  // namespace podhop::cli
