#include "cli/printers.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "podhop/controllers/dns_zone.hpp"
#include "podhop/core/calendar.hpp"
#include "podhop/core/strings.hpp"

namespace podhop::cli {

namespace {

// Width of a cell as tabwriter counts it: runes, not bytes.
int text_width(std::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// A port of Go's text/tabwriter formatting pass (flags 0, minwidth 0, padchar ' ').
class TabFormatter {
 public:
  TabFormatter(std::string_view text, int padding) : padding_(padding) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) {
        if (start < text.size()) {
          lines_.push_back(split(text.substr(start)));
          last_unterminated_ = true;
        }
        break;
      }
      lines_.push_back(split(text.substr(start, nl - start)));
      start = nl + 1;
    }
  }

  std::string run() {
    format(0, lines_.size());
    return std::move(out_);
  }

 private:
  static std::vector<std::string> split(std::string_view line) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (;;) {
      std::size_t tab = line.find('\t', start);
      if (tab == std::string_view::npos) {
        cells.emplace_back(line.substr(start));
        return cells;
      }
      cells.emplace_back(line.substr(start, tab - start));
      start = tab + 1;
    }
  }

  void write_lines(std::size_t line0, std::size_t line1) {
    for (std::size_t i = line0; i < line1; ++i) {
      const auto& line = lines_[i];
      for (std::size_t j = 0; j < line.size(); ++j) {
        out_ += line[j];
        if (j < widths_.size()) out_.append(widths_[j] - text_width(line[j]), ' ');
      }
      if (i + 1 < lines_.size() || !last_unterminated_) out_ += '\n';
    }
  }

  // Go's Writer.format: a column block is a run of consecutive lines that have a
  // tab-terminated cell in the current column (the last cell of a line never counts).
  void format(std::size_t line0, std::size_t line1) {
    const std::size_t column = widths_.size();
    for (std::size_t t = line0; t < line1; ++t) {
      if (column + 1 >= lines_[t].size()) continue;
      write_lines(line0, t);
      line0 = t;
      int width = 0;
      for (; t < line1; ++t) {
        const auto& line = lines_[t];
        if (column + 1 >= line.size()) break;
        width = std::max(width, text_width(line[column]) + padding_);
      }
      widths_.push_back(width);
      format(line0, t);
      widths_.pop_back();
      line0 = t;
      if (t == line1) break;
    }
    write_lines(line0, line1);
  }

  int padding_;
  std::vector<std::vector<std::string>> lines_;
  bool last_unterminated_ = false;
  std::vector<int> widths_;
  std::string out_;
};

}  // namespace

std::string_view podhop_version() {
  return PODHOP_VERSION;
}

std::string tabwrite(std::string_view text, int padding) {
  return TabFormatter(text, padding).run();
}

std::string Table::str() const {
  std::string text;
  auto add_row = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i != 0) text += '\t';
      text += cells[i];
    }
    text += '\n';
  };
  add_row(header);
  for (const auto& r : rows) add_row(r);
  return tabwrite(text, 3);
}

// ---------------------------------------------------------------------------------------
// Time

std::string human_duration(core::Duration d) {
  const std::int64_t ns = d.ns;
  const std::int64_t seconds = ns / 1'000'000'000;  // truncates toward zero, as Go's int()
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return fmt::format("{}s", seconds);
  const std::int64_t minutes = seconds / 60;
  if (minutes < 10) {
    std::int64_t s = seconds % 60;
    if (s == 0) return fmt::format("{}m", minutes);
    return fmt::format("{}m{}s", minutes, s);
  }
  if (minutes < 60 * 3) return fmt::format("{}m", minutes);
  const std::int64_t hours = seconds / 3600;
  if (hours < 8) {
    std::int64_t m = minutes % 60;
    if (m == 0) return fmt::format("{}h", hours);
    return fmt::format("{}h{}m", hours, m);
  }
  if (hours < 48) return fmt::format("{}h", hours);
  if (hours < 24 * 8) {
    std::int64_t h = hours % 24;
    if (h == 0) return fmt::format("{}d", hours / 24);
    return fmt::format("{}d{}h", hours / 24, h);
  }
  if (hours < 24 * 365 * 2) return fmt::format("{}d", hours / 24);
  if (hours < 24 * 365 * 8) {
    std::int64_t dy = (hours / 24) % 365;
    if (dy == 0) return fmt::format("{}y", hours / 24 / 365);
    return fmt::format("{}y{}d", hours / 24 / 365, dy);
  }
  return fmt::format("{}y", hours / 24 / 365);
}

std::string age(const model::ClusterState& state, core::SimTime created) {
  return human_duration(state.now - created);
}

namespace {

// The date and time simulated time t prints as (whole seconds, rounded down): time 0 is
// the instant the DNS zone's SOA serial counts from.
core::CivilTime civil(core::SimTime t) {
  return core::civil_from_unix(
      controllers::kSimulatedEpochUnix +
      (t.ns >= 0 ? t.ns / 1'000'000'000 : -((-t.ns + 999'999'999) / 1'000'000'000)));
}

}  // namespace

std::string rfc3339(core::SimTime t) {
  const core::CivilTime c = civil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour,
                     c.minute, c.second);
}

std::string rfc1123z(core::SimTime t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const core::CivilTime c = civil(t);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[c.weekday], c.day,
                     kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
}

// ---------------------------------------------------------------------------------------
// Resource kinds

std::string ResourceInfo::qualified_singular() const {
  if (group.empty()) return std::string(singular);
  return fmt::format("{}.{}", singular, group);
}

const std::vector<ResourceInfo>& resources() {
  // Immutable table, built once; order is kubectl's discovery order within each group.
  static const std::vector<ResourceInfo> kResources = {
      {Resource::pods, "pods", "pod", "po", "Pod", "", "v1", true},
      {Resource::replication_controllers, "replicationcontrollers", "replicationcontroller", "rc",
       "ReplicationController", "", "v1", true},
      {Resource::services, "services", "service", "svc", "Service", "", "v1", true},
      {Resource::endpoints, "endpoints", "endpoints", "ep", "Endpoints", "", "v1", true},
      {Resource::namespaces, "namespaces", "namespace", "ns", "Namespace", "", "v1", false},
      {Resource::nodes, "nodes", "node", "no", "Node", "", "v1", false},
      {Resource::secrets, "secrets", "secret", "", "Secret", "", "v1", true},
      {Resource::events, "events", "event", "ev", "Event", "", "v1", true},
      {Resource::daemon_sets, "daemonsets", "daemonset", "ds", "DaemonSet", "apps", "apps/v1",
       true},
      {Resource::deployments, "deployments", "deployment", "deploy", "Deployment", "apps",
       "apps/v1", true},
      {Resource::replica_sets, "replicasets", "replicaset", "rs", "ReplicaSet", "apps", "apps/v1",
       true},
      {Resource::stateful_sets, "statefulsets", "statefulset", "sts", "StatefulSet", "apps",
       "apps/v1", true},
      {Resource::endpoint_slices, "endpointslices", "endpointslice", "", "EndpointSlice",
       "discovery.k8s.io", "discovery.k8s.io/v1", true},
      {Resource::ingresses, "ingresses", "ingress", "ing", "Ingress", "networking.k8s.io",
       "networking.k8s.io/v1", true},
      {Resource::ingress_classes, "ingressclasses", "ingressclass", "", "IngressClass",
       "networking.k8s.io", "networking.k8s.io/v1", false},
  };
  return kResources;
}

const ResourceInfo& resource_info(Resource r) {
  for (const auto& info : resources())
    if (info.resource == r) return info;
  return resources().front();
}

const ResourceInfo* find_resource(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string group;
  if (auto dot = lower.find('.'); dot != std::string::npos) {
    group = lower.substr(dot + 1);
    lower.resize(dot);
  }
  for (const auto& info : resources()) {
    std::string kind_lower;
    for (char c : info.kind)
      kind_lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool named = lower == info.plural || lower == info.singular || lower == kind_lower ||
                 (!info.short_name.empty() && lower == info.short_name);
    if (!named) continue;
    if (!group.empty() && group != info.group &&
        group != fmt::format("{}.{}", info.api_version.substr(info.api_version.find('/') + 1),
                             info.group))
      continue;
    return &info;
  }
  return nullptr;
}

const std::string& Item::name() const {
  if (meta) return meta->name;
  return as<model::Event>().involved.name;
}

const std::string& Item::namespace_() const {
  if (meta) return meta->namespace_;
  return as<model::Event>().involved.namespace_;
}

namespace {

template <typename T>
void add_sorted(std::vector<Item>& out, const ResourceInfo& info,
                const model::ObjectTable<T>& table, const std::optional<std::string>& ns) {
  for (const T* obj : table.sorted()) {
    if (info.namespaced && ns && obj->meta.namespace_ != *ns) continue;
    out.push_back({&info, &obj->meta, obj});
  }
}

template <typename T>
std::optional<Item> find_in(const ResourceInfo& info, const model::ObjectTable<T>& table,
                            const std::string& ns, const std::string& name) {
  const T* obj = table.find(info.namespaced ? ns : std::string(), name);
  if (!obj) return std::nullopt;
  return Item{&info, &obj->meta, obj};
}

}  // namespace

std::vector<Item> list_items(const model::ClusterState& s, const ResourceInfo& info,
                             const std::optional<std::string>& ns) {
  std::vector<Item> out;
  switch (info.resource) {
    case Resource::pods:
      add_sorted(out, info, s.pods, ns);
      break;
    case Resource::services:
      add_sorted(out, info, s.services, ns);
      break;
    case Resource::endpoints:
      add_sorted(out, info, s.endpoints, ns);
      break;
    case Resource::endpoint_slices:
      add_sorted(out, info, s.endpoint_slices, ns);
      break;
    case Resource::ingresses:
      add_sorted(out, info, s.ingresses, ns);
      break;
    case Resource::ingress_classes:
      add_sorted(out, info, s.ingress_classes, ns);
      break;
    case Resource::nodes:
      add_sorted(out, info, s.nodes, ns);
      break;
    case Resource::deployments:
      add_sorted(out, info, s.deployments, ns);
      break;
    case Resource::replica_sets:
      add_sorted(out, info, s.replica_sets, ns);
      break;
    case Resource::stateful_sets:
      add_sorted(out, info, s.stateful_sets, ns);
      break;
    case Resource::daemon_sets:
      add_sorted(out, info, s.daemon_sets, ns);
      break;
    case Resource::replication_controllers:
      add_sorted(out, info, s.replication_controllers, ns);
      break;
    case Resource::namespaces:
      add_sorted(out, info, s.namespaces, ns);
      break;
    case Resource::secrets:
      add_sorted(out, info, s.secrets, ns);
      break;
    case Resource::events:
      for (const auto& e : s.events) {
        if (ns && e.involved.namespace_ != *ns) continue;
        auto event = std::make_shared<const model::Event>(e);
        out.push_back({&info, nullptr, event.get(), event});
      }
      // The API server lists by namespace; within one, podhop keeps the order of events.
      std::stable_sort(out.begin(), out.end(), [](const Item& a, const Item& b) {
        return a.namespace_() < b.namespace_();
      });
      break;
  }
  return out;
}

std::optional<Item> find_item(const model::ClusterState& s, const ResourceInfo& info,
                              const std::string& ns, const std::string& name) {
  switch (info.resource) {
    case Resource::pods:
      return find_in(info, s.pods, ns, name);
    case Resource::services:
      return find_in(info, s.services, ns, name);
    case Resource::endpoints:
      return find_in(info, s.endpoints, ns, name);
    case Resource::endpoint_slices:
      return find_in(info, s.endpoint_slices, ns, name);
    case Resource::ingresses:
      return find_in(info, s.ingresses, ns, name);
    case Resource::ingress_classes:
      return find_in(info, s.ingress_classes, ns, name);
    case Resource::nodes:
      return find_in(info, s.nodes, ns, name);
    case Resource::deployments:
      return find_in(info, s.deployments, ns, name);
    case Resource::replica_sets:
      return find_in(info, s.replica_sets, ns, name);
    case Resource::stateful_sets:
      return find_in(info, s.stateful_sets, ns, name);
    case Resource::daemon_sets:
      return find_in(info, s.daemon_sets, ns, name);
    case Resource::replication_controllers:
      return find_in(info, s.replication_controllers, ns, name);
    case Resource::namespaces:
      return find_in(info, s.namespaces, ns, name);
    case Resource::secrets:
      return find_in(info, s.secrets, ns, name);
    case Resource::events:
      return std::nullopt;  // events are listed, never fetched by name
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Label selectors

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_values(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = s.find(',', start);
    auto v = trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start));
    if (!v.empty()) out.emplace_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::optional<model::LabelSelector> parse_label_selector(std::string_view text,
                                                         std::string* error) {
  model::LabelSelector sel;
  // Split on commas outside parentheses.
  std::vector<std::string_view> terms;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      terms.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  auto fail = [&](std::string_view term) -> std::optional<model::LabelSelector> {
    if (error) *error = fmt::format("unable to parse requirement: \"{}\"", term);
    return std::nullopt;
  };
  for (std::string_view term : terms) {
    if (term.empty()) {
      if (terms.size() == 1) continue;  // "" selects everything
      return fail(term);
    }
    if (term.front() == '!') {
      auto key = trim(term.substr(1));
      if (key.empty()) return fail(term);
      sel.match_expressions.push_back({std::string(key), model::SelectorOp::DoesNotExist, {}});
      continue;
    }
    if (auto pos = term.find("!="); pos != std::string_view::npos) {
      sel.match_expressions.push_back({std::string(trim(term.substr(0, pos))),
                                       model::SelectorOp::NotIn,
                                       {std::string(trim(term.substr(pos + 2)))}});
      continue;
    }
    if (auto pos = term.find('='); pos != std::string_view::npos) {
      std::size_t vstart = pos + 1;
      if (vstart < term.size() && term[vstart] == '=') ++vstart;
      auto key = trim(term.substr(0, pos));
      if (key.empty()) return fail(term);
      sel.match_labels.set(std::string(key), std::string(trim(term.substr(vstart))));
      continue;
    }
    auto paren = term.find('(');
    if (paren != std::string_view::npos) {
      if (term.back() != ')') return fail(term);
      auto head = trim(term.substr(0, paren));
      auto values = split_values(term.substr(paren + 1, term.size() - paren - 2));
      auto space = head.rfind(' ');
      if (space == std::string_view::npos) return fail(term);
      auto key = trim(head.substr(0, space));
      auto op = trim(head.substr(space + 1));
      if (op == "in") {
        sel.match_expressions.push_back({std::string(key), model::SelectorOp::In, values});
      } else if (op == "notin") {
        sel.match_expressions.push_back({std::string(key), model::SelectorOp::NotIn, values});
      } else {
        return fail(term);
      }
      continue;
    }
    if (term.find(' ') != std::string_view::npos) return fail(term);
    sel.match_expressions.push_back({std::string(term), model::SelectorOp::Exists, {}});
  }
  return sel;
}

std::string format_labels(const model::StringMap& labels) {
  if (labels.empty()) return "<none>";
  return labels.str();
}

// ---------------------------------------------------------------------------------------
// What kubectl derives from objects

std::string pod_node_name(const model::ClusterState& state, const model::Pod& pod) {
  if (!pod.node_name.empty()) return pod.node_name;
  if (pod.spec && !pod.spec->node_name.empty()) return pod.spec->node_name;
  if (pod.status.host_ip.empty()) return {};
  for (const auto& node : state.nodes.items())
    if (node.internal_ip == pod.status.host_ip) return node.meta.name;
  return {};
}

model::StringMap node_labels(const model::ClusterState& state, const model::Node& node) {
  (void)state;
  model::StringMap labels;
  labels.set("beta.kubernetes.io/arch", "amd64");
  labels.set("beta.kubernetes.io/os", "linux");
  labels.set("kubernetes.io/arch", "amd64");
  labels.set("kubernetes.io/hostname", node.meta.name);
  labels.set("kubernetes.io/os", "linux");
  // Like minikube and kubeadm, the first node is the control plane.
  if (node.index == 0) labels.set("node-role.kubernetes.io/control-plane", "");
  if (!node.zone.empty()) labels.set("topology.kubernetes.io/zone", node.zone);
  for (const auto& [k, v] : node.meta.labels) labels.set(k, v);
  return labels;
}

std::string node_roles(const model::StringMap& labels) {
  std::vector<std::string> roles;
  constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
  for (const auto& [k, v] : labels) {
    if (k.rfind(kPrefix, 0) == 0 && k.size() > kPrefix.size()) {
      roles.push_back(k.substr(kPrefix.size()));
    } else if (k == "kubernetes.io/role" && !v.empty()) {
      roles.push_back(v);
    }
  }
  if (roles.empty()) return "<none>";
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return fmt::format("{}", fmt::join(roles, ","));
}

int container_count(const model::Pod& pod) {
  return pod.spec ? static_cast<int>(pod.spec->containers.size()) : 0;
}

int ready_containers(const model::Pod& pod) {
  return pod.status.ready ? container_count(pod) : 0;
}

std::string pod_status_text(const model::Pod& pod) {
  if (pod.meta.deletion) return "Terminating";
  if (!pod.status.reason.empty()) return pod.status.reason;
  return std::string(model::to_string(pod.status.phase));
}

std::vector<const model::Pod*> owned_pods(const model::ClusterState& state,
                                          std::string_view owner_kind, std::string_view ns,
                                          std::string_view owner_name) {
  std::vector<const model::Pod*> out;
  for (const model::Pod* pod : state.pods.sorted()) {
    if (pod->meta.namespace_ == ns && pod->meta.owner.kind == owner_kind &&
        pod->meta.owner.name == owner_name)
      out.push_back(pod);
  }
  return out;
}

std::vector<const model::ReplicaSet*> deployment_replica_sets(const model::ClusterState& state,
                                                              const model::Deployment& d) {
  std::vector<const model::ReplicaSet*> out;
  for (const auto& rs : state.replica_sets.items()) {
    if (rs.meta.namespace_ == d.meta.namespace_ && rs.meta.owner.kind == "Deployment" &&
        rs.meta.owner.name == d.meta.name)
      out.push_back(&rs);
  }
  std::sort(out.begin(), out.end(), [](const model::ReplicaSet* a, const model::ReplicaSet* b) {
    return a->meta.creation_index > b->meta.creation_index;
  });
  return out;
}

namespace {

void count_pods(ReplicaCounts& c, const std::vector<const model::Pod*>& pods, bool newest) {
  for (const model::Pod* p : pods) {
    if (p->meta.deletion) continue;
    ++c.current;
    if (p->status.ready) {
      ++c.ready;
      ++c.available;
    }
    if (newest) ++c.updated;
  }
}

}  // namespace

ReplicaCounts replica_counts(const model::ClusterState& state, const Item& item) {
  ReplicaCounts c;
  const std::string& ns = item.meta->namespace_;
  const std::string& name = item.meta->name;
  switch (item.info->resource) {
    case Resource::deployments: {
      const auto& d = item.as<model::Deployment>();
      c.desired = d.replicas;
      auto sets = deployment_replica_sets(state, d);
      for (std::size_t i = 0; i < sets.size(); ++i)
        count_pods(c, owned_pods(state, "ReplicaSet", ns, sets[i]->meta.name), i == 0);
      break;
    }
    case Resource::replica_sets:
      c.desired = item.as<model::ReplicaSet>().replicas;
      count_pods(c, owned_pods(state, "ReplicaSet", ns, name), true);
      break;
    case Resource::stateful_sets:
      c.desired = item.as<model::StatefulSet>().replicas;
      count_pods(c, owned_pods(state, "StatefulSet", ns, name), true);
      break;
    case Resource::replication_controllers:
      c.desired = item.as<model::ReplicationController>().replicas;
      count_pods(c, owned_pods(state, "ReplicationController", ns, name), true);
      break;
    case Resource::daemon_sets: {
      auto pods = owned_pods(state, "DaemonSet", ns, name);
      // One pod per node that runs one: what the DaemonSet controller wants.
      c.desired = static_cast<int>(state.nodes.size());
      count_pods(c, pods, true);
      break;
    }
    default:
      break;
  }
  return c;
}

std::string cluster_ip_text(const model::Service& svc) {
  if (svc.spec.headless) return "None";
  if (svc.spec.cluster_ip.empty()) return {};
  return svc.spec.cluster_ip.str();
}

std::string load_balancer_text(const std::vector<model::LoadBalancerIngress>& lb) {
  std::vector<std::string> parts;
  for (const auto& i : lb) {
    if (!i.ip.empty()) {
      parts.push_back(i.ip.str());
    } else if (!i.hostname.empty()) {
      parts.push_back(i.hostname);
    }
  }
  return fmt::format("{}", fmt::join(parts, ","));
}

std::string service_external_ip(const model::Service& svc, bool wide) {
  std::vector<std::string> external;
  for (auto ip : svc.spec.external_ips) external.push_back(ip.str());
  switch (svc.spec.type) {
    case model::ServiceType::ClusterIP:
    case model::ServiceType::NodePort:
      if (!external.empty()) return fmt::format("{}", fmt::join(external, ","));
      return "<none>";
    case model::ServiceType::LoadBalancer: {
      std::string lb = load_balancer_text(svc.load_balancer);
      // kubectl shortens long address lists unless -o wide.
      if (!wide && lb.size() > 16) lb = lb.substr(0, 13) + "...";
      if (!external.empty()) {
        std::vector<std::string> all;
        if (!lb.empty()) all.push_back(lb);
        all.insert(all.end(), external.begin(), external.end());
        return fmt::format("{}", fmt::join(all, ","));
      }
      if (!lb.empty()) return lb;
      return "<pending>";
    }
    case model::ServiceType::ExternalName:
      return svc.spec.external_name;
  }
  return "<unknown>";
}

std::string service_ports_text(const model::Service& svc) {
  std::vector<std::string> parts;
  for (const auto& p : svc.spec.ports) {
    if (p.node_port > 0) {
      parts.push_back(fmt::format("{}:{}/{}", p.port, p.node_port, model::to_string(p.protocol)));
    } else {
      parts.push_back(fmt::format("{}/{}", p.port, model::to_string(p.protocol)));
    }
  }
  if (parts.empty()) return "<none>";
  return fmt::format("{}", fmt::join(parts, ","));
}

std::string format_endpoints(const model::Endpoints& ep,
                             const std::vector<std::string>* port_names) {
  if (ep.subsets.empty()) return "<none>";
  std::vector<std::string> list;
  constexpr std::size_t kMax = 3;
  bool more = false;
  std::size_t count = 0;
  for (const auto& ss : ep.subsets) {
    if (ss.ports.empty()) {
      // Headless Services may have no ports.
      count += ss.addresses.size();
      for (const auto& a : ss.addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(a.ip.str());
      }
      continue;
    }
    for (const auto& port : ss.ports) {
      if (port_names &&
          std::find(port_names->begin(), port_names->end(), port.name) == port_names->end())
        continue;
      count += ss.addresses.size();
      for (const auto& a : ss.addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(fmt::format("{}:{}", a.ip.str(), port.port.value_or(0)));
      }
    }
  }
  std::string ret = fmt::format("{}", fmt::join(list, ","));
  if (more) return fmt::format("{} + {} more...", ret, count - kMax);
  if (ret.empty()) return "<none>";
  return ret;
}

// ---------------------------------------------------------------------------------------
// Objects as JSON

namespace {

Json int_or_string(const model::IntOrString& v) {
  if (v.is_int()) return v.int_value;
  return v.str_value;
}

Json string_map(const model::StringMap& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

Json meta_json(const model::ObjectMeta& meta, bool namespaced) {
  Json j = Json::object();
  if (!meta.annotations.empty()) j["annotations"] = string_map(meta.annotations);
  j["creationTimestamp"] = rfc3339(meta.created);
  if (meta.deletion) j["deletionTimestamp"] = rfc3339(*meta.deletion);
  if (!meta.generate_name.empty()) j["generateName"] = meta.generate_name;
  if (!meta.labels.empty()) j["labels"] = string_map(meta.labels);
  j["name"] = meta.name;
  if (namespaced) j["namespace"] = meta.namespace_;
  if (!meta.owner.empty()) {
    std::string api = "v1";
    if (meta.owner.kind == "ReplicaSet" || meta.owner.kind == "Deployment" ||
        meta.owner.kind == "StatefulSet" || meta.owner.kind == "DaemonSet")
      api = "apps/v1";
    j["ownerReferences"] = Json::array({Json{{"apiVersion", api},
                                             {"blockOwnerDeletion", true},
                                             {"controller", true},
                                             {"kind", meta.owner.kind},
                                             {"name", meta.owner.name}}});
  }
  return j;
}

Json object_head(const ResourceInfo& info, const model::ObjectMeta& meta) {
  Json j = Json::object();
  j["apiVersion"] = info.api_version;
  j["kind"] = info.kind;
  j["metadata"] = meta_json(meta, info.namespaced);
  return j;
}

std::string pull_policy(const std::string& image) {
  // Always for :latest or no tag, IfNotPresent otherwise (the API server's default).
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "Always";
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

Json probe_json(const model::Probe& p) {
  Json j = Json::object();
  switch (p.handler) {
    case model::Probe::Handler::http_get:
      j["httpGet"] = Json{{"path", p.path.empty() ? "/" : p.path},
                          {"port", int_or_string(p.port)},
                          {"scheme", "HTTP"}};
      break;
    case model::Probe::Handler::tcp_socket:
      j["tcpSocket"] = Json{{"port", int_or_string(p.port)}};
      break;
    case model::Probe::Handler::exec:
      j["exec"] = Json::object();
      break;
    case model::Probe::Handler::grpc:
      j["grpc"] = Json{{"port", p.port.int_value}, {"service", ""}};
      break;
  }
  j["failureThreshold"] = p.failure_threshold;
  if (p.initial_delay.ns > 0) j["initialDelaySeconds"] = p.initial_delay.ns / 1'000'000'000;
  j["periodSeconds"] = p.period.ns / 1'000'000'000;
  j["successThreshold"] = p.success_threshold;
  j["timeoutSeconds"] = p.timeout.ns / 1'000'000'000;
  return j;
}

Json container_json(const model::Container& c) {
  Json j = Json::object();
  if (!c.args.empty()) j["args"] = c.args;
  if (!c.command.empty()) j["command"] = c.command;
  if (!c.env.empty()) {
    Json env = Json::array();
    for (const auto& e : c.env) {
      if (e.value_from) {
        env.push_back(Json{{"name", e.name}, {"valueFrom", Json::object()}});
      } else {
        env.push_back(Json{{"name", e.name}, {"value", e.value}});
      }
    }
    j["env"] = env;
  }
  j["image"] = c.image;
  j["imagePullPolicy"] = pull_policy(c.image);
  if (c.liveness_probe) j["livenessProbe"] = probe_json(*c.liveness_probe);
  j["name"] = c.name;
  if (!c.ports.empty()) {
    Json ports = Json::array();
    for (const auto& p : c.ports) {
      Json pj = Json::object();
      pj["containerPort"] = p.container_port;
      if (p.host_port) pj["hostPort"] = p.host_port;
      if (!p.name.empty()) pj["name"] = p.name;
      pj["protocol"] = model::to_string(p.protocol);
      ports.push_back(pj);
    }
    j["ports"] = ports;
  }
  if (c.readiness_probe) j["readinessProbe"] = probe_json(*c.readiness_probe);
  j["resources"] = Json::object();
  if (!c.restart_policy.empty()) j["restartPolicy"] = c.restart_policy;
  if (c.startup_probe) j["startupProbe"] = probe_json(*c.startup_probe);
  j["terminationMessagePath"] = "/dev/termination-log";
  j["terminationMessagePolicy"] = "File";
  return j;
}

Json pod_spec_json(const model::PodSpec& spec, const std::string& node_name) {
  Json j = Json::object();
  Json containers = Json::array();
  for (const auto& c : spec.containers) containers.push_back(container_json(c));
  j["containers"] = containers;
  if (spec.dns_config) {
    Json dc = Json::object();
    if (!spec.dns_config->nameservers.empty()) dc["nameservers"] = spec.dns_config->nameservers;
    if (!spec.dns_config->options.empty()) {
      Json opts = Json::array();
      for (const auto& o : spec.dns_config->options) {
        Json oj{{"name", o.name}};
        if (o.value) oj["value"] = *o.value;
        opts.push_back(oj);
      }
      dc["options"] = opts;
    }
    if (!spec.dns_config->searches.empty()) dc["searches"] = spec.dns_config->searches;
    j["dnsConfig"] = dc;
  }
  j["dnsPolicy"] = model::to_string(spec.dns_policy);
  j["enableServiceLinks"] = true;
  if (!spec.host_aliases.empty()) {
    Json aliases = Json::array();
    for (const auto& a : spec.host_aliases)
      aliases.push_back(Json{{"hostnames", a.hostnames}, {"ip", a.ip}});
    j["hostAliases"] = aliases;
  }
  if (spec.host_network) j["hostNetwork"] = true;
  if (!spec.hostname.empty()) j["hostname"] = spec.hostname;
  if (!spec.init_containers.empty()) {
    Json init = Json::array();
    for (const auto& c : spec.init_containers) init.push_back(container_json(c));
    j["initContainers"] = init;
  }
  if (!node_name.empty()) j["nodeName"] = node_name;
  if (!spec.node_selector.empty()) j["nodeSelector"] = string_map(spec.node_selector);
  j["restartPolicy"] = spec.restart_policy;
  j["schedulerName"] = "default-scheduler";
  j["securityContext"] = Json::object();
  if (!spec.subdomain.empty()) j["subdomain"] = spec.subdomain;
  j["terminationGracePeriodSeconds"] = spec.termination_grace_period.ns / 1'000'000'000;
  return j;
}

Json condition(std::string_view type, bool status, core::SimTime at) {
  return Json{{"lastProbeTime", nullptr},
              {"lastTransitionTime", rfc3339(at)},
              {"status", status ? "True" : "False"},
              {"type", type}};
}

Json pod_json(const model::ClusterState& state, const ResourceInfo& info, const model::Pod& pod) {
  Json j = object_head(info, pod.meta);
  std::string node = pod_node_name(state, pod);
  static const model::PodSpec kEmpty;
  const model::PodSpec& spec = pod.spec ? *pod.spec : kEmpty;
  j["spec"] = pod_spec_json(spec, node);
  Json status = Json::object();
  const bool scheduled = !node.empty();
  const bool sandbox = scheduled && pod.status.phase != model::PodPhase::Pending;
  const core::SimTime at = pod.meta.created;
  if (scheduled) {
    status["conditions"] = Json::array(
        {condition("PodReadyToStartContainers", sandbox, at), condition("Initialized", sandbox, at),
         condition("Ready", pod.status.ready, at),
         condition("ContainersReady", pod.status.ready, at), condition("PodScheduled", true, at)});
  } else {
    status["conditions"] = Json::array({condition("PodScheduled", false, at)});
  }
  if (scheduled) {
    Json statuses = Json::array();
    for (const auto& c : spec.containers) {
      Json cs = Json::object();
      cs["image"] = c.image;
      cs["lastState"] = Json::object();
      cs["name"] = c.name;
      cs["ready"] = pod.status.ready;
      cs["restartCount"] = pod.status.restarts;
      cs["started"] = pod.status.started;
      if (pod.status.started) {
        cs["state"] = Json{{"running", Json{{"startedAt", rfc3339(at)}}}};
      } else {
        cs["state"] = Json{{"waiting", Json{{"reason", "ContainerCreating"}}}};
      }
      statuses.push_back(cs);
    }
    status["containerStatuses"] = statuses;
  }
  if (!pod.status.host_ip.empty()) {
    status["hostIP"] = pod.status.host_ip.str();
    status["hostIPs"] = Json::array({Json{{"ip", pod.status.host_ip.str()}}});
  }
  status["phase"] = model::to_string(pod.status.phase);
  if (!pod.status.pod_ip.empty()) {
    status["podIP"] = pod.status.pod_ip.str();
    status["podIPs"] = Json::array({Json{{"ip", pod.status.pod_ip.str()}}});
  }
  status["qosClass"] = "BestEffort";
  if (scheduled) status["startTime"] = rfc3339(at);
  j["status"] = status;
  return j;
}

Json service_json(const ResourceInfo& info, const model::Service& svc) {
  Json j = object_head(info, svc.meta);
  const auto& s = svc.spec;
  Json spec = Json::object();
  if (s.allocate_load_balancer_node_ports) {
    spec["allocateLoadBalancerNodePorts"] = *s.allocate_load_balancer_node_ports;
  } else if (s.type == model::ServiceType::LoadBalancer) {
    spec["allocateLoadBalancerNodePorts"] = true;
  }
  std::string cip = cluster_ip_text(svc);
  if (!cip.empty()) {
    spec["clusterIP"] = cip;
    spec["clusterIPs"] = Json::array({cip});
  }
  if (!s.external_ips.empty()) {
    Json ips = Json::array();
    for (auto ip : s.external_ips) ips.push_back(ip.str());
    spec["externalIPs"] = ips;
  }
  if (!s.external_name.empty()) spec["externalName"] = s.external_name;
  if (s.external_traffic_policy)
    spec["externalTrafficPolicy"] = model::to_string(*s.external_traffic_policy);
  if (s.health_check_node_port) spec["healthCheckNodePort"] = s.health_check_node_port;
  if (s.internal_traffic_policy)
    spec["internalTrafficPolicy"] = model::to_string(*s.internal_traffic_policy);
  if (s.type != model::ServiceType::ExternalName) {
    spec["ipFamilies"] = s.ip_families.empty() ? Json::array({"IPv4"}) : Json(s.ip_families);
    spec["ipFamilyPolicy"] = s.ip_family_policy;
  }
  if (!s.load_balancer_class.empty()) spec["loadBalancerClass"] = s.load_balancer_class;
  if (!s.load_balancer_ip.empty()) spec["loadBalancerIP"] = s.load_balancer_ip;
  if (!s.load_balancer_source_ranges.empty()) {
    Json ranges = Json::array();
    for (const auto& c : s.load_balancer_source_ranges) ranges.push_back(c.str());
    spec["loadBalancerSourceRanges"] = ranges;
  }
  if (!s.ports.empty()) {
    Json ports = Json::array();
    for (const auto& p : s.ports) {
      Json pj = Json::object();
      if (!p.app_protocol.empty()) pj["appProtocol"] = p.app_protocol;
      if (!p.name.empty()) pj["name"] = p.name;
      if (p.node_port) pj["nodePort"] = p.node_port;
      pj["port"] = p.port;
      pj["protocol"] = model::to_string(p.protocol);
      pj["targetPort"] = p.target_port.is_set() ? int_or_string(p.target_port) : Json(p.port);
      ports.push_back(pj);
    }
    spec["ports"] = ports;
  }
  if (s.publish_not_ready_addresses) spec["publishNotReadyAddresses"] = true;
  if (s.has_selector) spec["selector"] = string_map(s.selector);
  spec["sessionAffinity"] =
      s.session_affinity == model::SessionAffinity::ClientIP ? "ClientIP" : "None";
  if (s.session_affinity == model::SessionAffinity::ClientIP) {
    spec["sessionAffinityConfig"] =
        Json{{"clientIP", Json{{"timeoutSeconds", s.affinity_timeout.ns / 1'000'000'000}}}};
  }
  if (!s.traffic_distribution.empty()) spec["trafficDistribution"] = s.traffic_distribution;
  spec["type"] = model::to_string(s.type);
  j["spec"] = spec;
  Json lb = Json::object();
  if (!svc.load_balancer.empty()) {
    Json ingress = Json::array();
    for (const auto& i : svc.load_balancer) {
      if (!i.ip.empty()) {
        ingress.push_back(Json{{"ip", i.ip.str()}, {"ipMode", "VIP"}});
      } else {
        ingress.push_back(Json{{"hostname", i.hostname}});
      }
    }
    lb["ingress"] = ingress;
  }
  j["status"] = Json{{"loadBalancer", lb}};
  return j;
}

Json target_ref_json(const model::ObjectRef& ref) {
  Json j = Json::object();
  j["kind"] = ref.kind.str();
  j["name"] = ref.name.str();
  if (!ref.namespace_.empty()) j["namespace"] = ref.namespace_.str();
  return j;
}

Json target_ref_json(const model::EventObject& ref) {
  return target_ref_json(model::ObjectRef{ref.kind.str(), ref.namespace_.str(), ref.name.str()});
}

Json endpoints_json(const ResourceInfo& info, const model::Endpoints& ep) {
  Json j = object_head(info, ep.meta);
  auto addresses = [](const std::vector<model::EndpointAddress>& list) {
    Json arr = Json::array();
    for (const auto& a : list) {
      Json aj = Json::object();
      if (!a.hostname.empty()) aj["hostname"] = a.hostname.str();
      aj["ip"] = a.ip.str();
      if (!a.node_name.empty()) aj["nodeName"] = a.node_name.str();
      if (a.target_ref) aj["targetRef"] = target_ref_json(*a.target_ref);
      arr.push_back(aj);
    }
    return arr;
  };
  if (!ep.subsets.empty()) {
    Json subsets = Json::array();
    for (const auto& ss : ep.subsets) {
      Json sj = Json::object();
      if (!ss.addresses.empty()) sj["addresses"] = addresses(ss.addresses);
      if (!ss.not_ready_addresses.empty())
        sj["notReadyAddresses"] = addresses(ss.not_ready_addresses);
      if (!ss.ports.empty()) {
        Json ports = Json::array();
        for (const auto& p : ss.ports) {
          Json pj = Json::object();
          if (!p.app_protocol.empty()) pj["appProtocol"] = p.app_protocol;
          if (!p.name.empty()) pj["name"] = p.name;
          if (p.port) pj["port"] = *p.port;
          pj["protocol"] = model::to_string(p.protocol);
          ports.push_back(pj);
        }
        sj["ports"] = ports;
      }
      subsets.push_back(sj);
    }
    j["subsets"] = subsets;
  }
  return j;
}

Json endpoint_slice_json(const ResourceInfo& info, const model::EndpointSlice& es) {
  Json j = object_head(info, es.meta);
  j["addressType"] = model::to_string(es.address_type);
  Json endpoints = Json::array();
  for (const auto& e : es.endpoints) {
    Json ej = Json::object();
    ej["addresses"] = e.addresses.empty() ? Json::array({e.ip.str()}) : Json(e.addresses.list());
    Json cond = Json::object();
    if (e.conditions.ready) cond["ready"] = *e.conditions.ready;
    if (e.conditions.serving) cond["serving"] = *e.conditions.serving;
    if (e.conditions.terminating) cond["terminating"] = *e.conditions.terminating;
    ej["conditions"] = cond;
    if (!e.hint_zones.empty() || !e.hint_nodes.empty()) {
      Json hints = Json::object();
      if (!e.hint_nodes.empty()) {
        Json nodes = Json::array();
        for (const auto& n : e.hint_nodes) nodes.push_back(Json{{"name", n}});
        hints["forNodes"] = nodes;
      }
      if (!e.hint_zones.empty()) {
        Json zones = Json::array();
        for (const auto& z : e.hint_zones) zones.push_back(Json{{"name", z}});
        hints["forZones"] = zones;
      }
      ej["hints"] = hints;
    }
    if (!e.hostname.empty()) ej["hostname"] = e.hostname.str();
    if (!e.node_name.empty()) ej["nodeName"] = e.node_name.str();
    if (e.target_ref) ej["targetRef"] = target_ref_json(*e.target_ref);
    if (!e.zone.empty()) ej["zone"] = e.zone.str();
    endpoints.push_back(ej);
  }
  j["endpoints"] = endpoints;
  Json ports = Json::array();
  for (const auto& p : es.ports) {
    Json pj = Json::object();
    if (!p.app_protocol.empty()) pj["appProtocol"] = p.app_protocol;
    pj["name"] = p.name;
    pj["port"] = p.port ? Json(*p.port) : Json(nullptr);
    pj["protocol"] = model::to_string(p.protocol);
    ports.push_back(pj);
  }
  j["ports"] = ports;
  return j;
}

Json ingress_backend_json(const model::IngressBackend& b) {
  Json j = Json::object();
  if (b.resource) {
    Json r = Json::object();
    if (!b.resource->api_group.empty()) r["apiGroup"] = b.resource->api_group;
    r["kind"] = b.resource->kind;
    r["name"] = b.resource->name;
    j["resource"] = r;
  }
  if (b.service) {
    Json port = Json::object();
    if (!b.service->port_name.empty()) {
      port["name"] = b.service->port_name;
    } else {
      port["number"] = b.service->port_number;
    }
    j["service"] = Json{{"name", b.service->name}, {"port", port}};
  }
  return j;
}

Json ingress_json(const ResourceInfo& info, const model::Ingress& ing) {
  Json j = object_head(info, ing.meta);
  Json spec = Json::object();
  if (ing.spec.default_backend)
    spec["defaultBackend"] = ingress_backend_json(*ing.spec.default_backend);
  if (ing.spec.ingress_class_name) spec["ingressClassName"] = *ing.spec.ingress_class_name;
  if (!ing.spec.rules.empty()) {
    Json rules = Json::array();
    for (const auto& r : ing.spec.rules) {
      Json rj = Json::object();
      if (!r.host.empty()) rj["host"] = r.host;
      if (r.has_http) {
        Json paths = Json::array();
        for (const auto& p : r.paths) {
          Json pj = Json::object();
          pj["backend"] = ingress_backend_json(p.backend);
          if (!p.path.empty()) pj["path"] = p.path;
          pj["pathType"] = model::to_string(p.path_type);
          paths.push_back(pj);
        }
        rj["http"] = Json{{"paths", paths}};
      }
      rules.push_back(rj);
    }
    spec["rules"] = rules;
  }
  if (!ing.spec.tls.empty()) {
    Json tls = Json::array();
    for (const auto& t : ing.spec.tls) {
      Json tj = Json::object();
      if (!t.hosts.empty()) tj["hosts"] = t.hosts;
      if (!t.secret_name.empty()) tj["secretName"] = t.secret_name;
      tls.push_back(tj);
    }
    spec["tls"] = tls;
  }
  j["spec"] = spec;
  Json lb = Json::object();
  if (!ing.load_balancer.empty()) {
    Json ingress = Json::array();
    for (const auto& i : ing.load_balancer) {
      if (!i.ip.empty()) {
        ingress.push_back(Json{{"ip", i.ip.str()}});
      } else {
        ingress.push_back(Json{{"hostname", i.hostname}});
      }
    }
    lb["ingress"] = ingress;
  }
  j["status"] = Json{{"loadBalancer", lb}};
  return j;
}

Json ingress_class_json(const ResourceInfo& info, const model::IngressClass& ic) {
  Json j = object_head(info, ic.meta);
  if (ic.is_default) {
    j["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] = "true";
  }
  j["spec"] = Json{{"controller", ic.controller}};
  return j;
}

Json node_json(const model::ClusterState& state, const ResourceInfo& info,
               const model::Node& node) {
  Json j = object_head(info, node.meta);
  j["metadata"]["labels"] = string_map(node_labels(state, node));
  Json spec = Json::object();
  if (node.pod_cidr.base.value != 0 || node.pod_cidr.prefix != 32) {
    spec["podCIDR"] = node.pod_cidr.str();
    spec["podCIDRs"] = Json::array({node.pod_cidr.str()});
  }
  j["spec"] = spec;
  Json status = Json::object();
  status["addresses"] =
      Json::array({Json{{"address", node.internal_ip.str()}, {"type", "InternalIP"}},
                   Json{{"address", node.meta.name}, {"type", "Hostname"}}});
  Json ready = Json{{"lastHeartbeatTime", rfc3339(state.now)},
                    {"lastTransitionTime", rfc3339(node.meta.created)},
                    {"message", node.ready ? "kubelet is posting ready status"
                                           : "Kubelet stopped posting node status."},
                    {"reason", node.ready ? "KubeletReady" : "NodeStatusUnknown"},
                    {"status", node.ready ? "True" : "Unknown"},
                    {"type", "Ready"}};
  status["conditions"] = Json::array({ready});
  status["nodeInfo"] =
      Json{{"architecture", "amd64"},
           {"containerRuntimeVersion", fmt::format("podhop://{}", podhop_version())},
           {"kernelVersion", ""},
           {"kubeProxyVersion", kKubernetesVersion},
           {"kubeletVersion", kKubernetesVersion},
           {"operatingSystem", "linux"},
           {"osImage", ""}};
  j["status"] = status;
  return j;
}

Json selector_json(const model::LabelSelector& sel) {
  Json j = Json::object();
  if (!sel.match_expressions.empty()) {
    Json exprs = Json::array();
    for (const auto& r : sel.match_expressions) {
      Json rj = Json::object();
      rj["key"] = r.key;
      switch (r.op) {
        case model::SelectorOp::In:
          rj["operator"] = "In";
          break;
        case model::SelectorOp::NotIn:
          rj["operator"] = "NotIn";
          break;
        case model::SelectorOp::Exists:
          rj["operator"] = "Exists";
          break;
        case model::SelectorOp::DoesNotExist:
          rj["operator"] = "DoesNotExist";
          break;
      }
      if (!r.values.empty()) rj["values"] = r.values;
      exprs.push_back(rj);
    }
    j["matchExpressions"] = exprs;
  }
  if (!sel.match_labels.empty()) j["matchLabels"] = string_map(sel.match_labels);
  return j;
}

Json template_json(const model::PodTemplate& t) {
  Json meta = Json::object();
  if (!t.annotations.empty()) meta["annotations"] = string_map(t.annotations);
  meta["creationTimestamp"] = nullptr;
  if (!t.labels.empty()) meta["labels"] = string_map(t.labels);
  static const model::PodSpec kEmpty;
  return Json{{"metadata", meta}, {"spec", pod_spec_json(t.spec ? *t.spec : kEmpty, "")}};
}

Json workload_status(const ReplicaCounts& c, bool with_updated) {
  Json s = Json::object();
  if (c.available) s["availableReplicas"] = c.available;
  s["observedGeneration"] = 1;
  if (c.ready) s["readyReplicas"] = c.ready;
  s["replicas"] = c.current;
  if (with_updated && c.updated) s["updatedReplicas"] = c.updated;
  return s;
}

Json workload_json(const model::ClusterState& state, const Item& item) {
  Json j = object_head(*item.info, *item.meta);
  ReplicaCounts c = replica_counts(state, item);
  Json spec = Json::object();
  switch (item.info->resource) {
    case Resource::deployments: {
      const auto& d = item.as<model::Deployment>();
      spec["progressDeadlineSeconds"] = 600;
      spec["replicas"] = d.replicas;
      spec["revisionHistoryLimit"] = 10;
      spec["selector"] = selector_json(d.selector);
      Json strategy = Json{{"type", d.strategy}};
      if (d.strategy == "RollingUpdate") {
        strategy["rollingUpdate"] = Json{{"maxSurge", int_or_string(d.max_surge)},
                                         {"maxUnavailable", int_or_string(d.max_unavailable)}};
      }
      spec["strategy"] = strategy;
      spec["template"] = template_json(d.pod_template);
      j["spec"] = spec;
      j["status"] = workload_status(c, true);
      if (!j["metadata"].contains("annotations") ||
          !j["metadata"]["annotations"].contains("deployment.kubernetes.io/revision"))
        j["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "1";
      break;
    }
    case Resource::replica_sets: {
      const auto& rs = item.as<model::ReplicaSet>();
      spec["replicas"] = rs.replicas;
      spec["selector"] = selector_json(rs.selector);
      spec["template"] = template_json(rs.pod_template);
      j["spec"] = spec;
      Json s = workload_status(c, false);
      s["fullyLabeledReplicas"] = c.current;
      j["status"] = s;
      break;
    }
    case Resource::stateful_sets: {
      const auto& ss = item.as<model::StatefulSet>();
      spec["podManagementPolicy"] = ss.pod_management_policy;
      spec["replicas"] = ss.replicas;
      spec["selector"] = selector_json(ss.selector);
      spec["serviceName"] = ss.service_name;
      spec["template"] = template_json(ss.pod_template);
      j["spec"] = spec;
      Json s = workload_status(c, true);
      s["currentReplicas"] = c.current;
      j["status"] = s;
      break;
    }
    case Resource::daemon_sets: {
      const auto& ds = item.as<model::DaemonSet>();
      spec["selector"] = selector_json(ds.selector);
      spec["template"] = template_json(ds.pod_template);
      j["spec"] = spec;
      j["status"] = Json{{"currentNumberScheduled", c.current},
                         {"desiredNumberScheduled", c.desired},
                         {"numberAvailable", c.available},
                         {"numberMisscheduled", 0},
                         {"numberReady", c.ready},
                         {"observedGeneration", 1},
                         {"updatedNumberScheduled", c.updated}};
      break;
    }
    case Resource::replication_controllers: {
      const auto& rc = item.as<model::ReplicationController>();
      spec["replicas"] = rc.replicas;
      spec["selector"] = string_map(rc.selector);
      spec["template"] = template_json(rc.pod_template);
      j["spec"] = spec;
      Json s = workload_status(c, false);
      s["fullyLabeledReplicas"] = c.current;
      j["status"] = s;
      break;
    }
    default:
      break;
  }
  return j;
}

Json event_json(const ResourceInfo& info, const model::Event& e, std::size_t index) {
  Json j = Json::object();
  j["apiVersion"] = info.api_version;
  j["count"] = 1;
  j["firstTimestamp"] = rfc3339(e.at);
  j["involvedObject"] = target_ref_json(e.involved);
  j["kind"] = info.kind;
  j["lastTimestamp"] = rfc3339(e.at);
  j["message"] = e.message();
  Json meta = Json::object();
  meta["creationTimestamp"] = rfc3339(e.at);
  meta["name"] = fmt::format("{}.{:016x}", e.involved.name, index);
  if (!e.involved.namespace_.empty()) meta["namespace"] = e.involved.namespace_.str();
  j["metadata"] = meta;
  j["reason"] = e.reason.str();
  j["source"] = Json{{"component", e.source.str()}};
  j["type"] = e.type.str();
  return j;
}

}  // namespace

std::string event_name(const model::ClusterState& state, const model::Event& e) {
  (void)state;
  return fmt::format("{}.{:016x}", e.involved.name, e.index);
}

Json api_json(const model::ClusterState& state, const Item& item) {
  const ResourceInfo& info = *item.info;
  switch (info.resource) {
    case Resource::pods:
      return pod_json(state, info, item.as<model::Pod>());
    case Resource::services:
      return service_json(info, item.as<model::Service>());
    case Resource::endpoints:
      return endpoints_json(info, item.as<model::Endpoints>());
    case Resource::endpoint_slices:
      return endpoint_slice_json(info, item.as<model::EndpointSlice>());
    case Resource::ingresses:
      return ingress_json(info, item.as<model::Ingress>());
    case Resource::ingress_classes:
      return ingress_class_json(info, item.as<model::IngressClass>());
    case Resource::nodes:
      return node_json(state, info, item.as<model::Node>());
    case Resource::deployments:
    case Resource::replica_sets:
    case Resource::stateful_sets:
    case Resource::daemon_sets:
    case Resource::replication_controllers:
      return workload_json(state, item);
    case Resource::namespaces: {
      Json j = object_head(info, *item.meta);
      j["metadata"]["labels"]["kubernetes.io/metadata.name"] = item.meta->name;
      j["spec"] = Json{{"finalizers", Json::array({"kubernetes"})}};
      j["status"] = Json{{"phase", "Active"}};
      return j;
    }
    case Resource::secrets: {
      const auto& sec = item.as<model::Secret>();
      Json j = object_head(info, sec.meta);
      Json data = Json::object();
      for (const auto& [k, v] : sec.data) data[k] = base64_encode(v);
      if (!data.empty()) j["data"] = data;
      j["type"] = sec.type;
      return j;
    }
    case Resource::events: {
      const auto& e = item.as<model::Event>();
      return event_json(info, e, e.index);
    }
  }
  return Json::object();
}

Json list_json(std::vector<Json> items) {
  Json j = Json::object();
  j["apiVersion"] = "v1";
  j["items"] = Json::array();
  for (auto& i : items) j["items"].push_back(std::move(i));
  j["kind"] = "List";
  j["metadata"] = Json{{"resourceVersion", ""}};
  return j;
}

// ---------------------------------------------------------------------------------------
// base64

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16) |
             (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8) |
             static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < data.size()) {
    auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (i + 1 < data.size())
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// JSON text

std::string to_json_text(const Json& doc) {
  // kubectl prints what the server returned decoded into maps: Go's encoder sorts map keys
  // byte-wise, which is std::map's order (nlohmann::json).
  nlohmann::json sorted = nlohmann::json::parse(doc.dump());
  std::string text = sorted.dump(4);
  std::string out;
  out.reserve(text.size() + 1);
  for (char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  out += '\n';
  return out;
}

// ---------------------------------------------------------------------------------------
// YAML

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

using core::iequals;

// Would go-yaml v2's resolver read this plain scalar as something other than a string
// (null, bool, int, float, timestamp, merge key)? Then it must be quoted.
bool resolves_to_non_string(std::string_view s) {
  if (s.empty()) return true;
  static constexpr std::array<std::string_view, 29> kSpecial = {
      "~",  "null", "Null", "NULL", "y",    "Y",    "yes",  "Yes",   "YES",   "n",
      "N",  "no",   "No",   "NO",   "true", "True", "TRUE", "false", "False", "FALSE",
      "on", "On",   "ON",   "off",  "Off",  "OFF",  "<<",   ".nan",  ".NaN"};
  for (auto v : kSpecial)
    if (s == v) return true;
  for (std::string_view inf :
       {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".NAN"})
    if (s == inf) return true;
  const char c0 = s.front();
  if (!(is_digit(c0) || c0 == '+' || c0 == '-' || c0 == '.')) return false;
  // Timestamps (YYYY-M-D...), tried before numbers for digit-led values.
  if (s.size() >= 8 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
      s[4] == '-')
    return true;
  std::string_view body = s;
  if (body.front() == '+' || body.front() == '-') body.remove_prefix(1);
  if (body.empty()) return false;
  if (iequals(body, "inf") || iequals(body, "infinity") || iequals(body, "nan")) return true;
  // Integers with a base prefix (Go's ParseInt base 0) and underscores.
  auto all_of = [](std::string_view v, auto pred) {
    if (v.empty()) return false;
    for (char c : v)
      if (c != '_' && !pred(c)) return false;
    return true;
  };
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
    return all_of(body.substr(2),
                  [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B'))
    return all_of(body.substr(2), [](char c) { return c == '0' || c == '1'; });
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O'))
    return all_of(body.substr(2), [](char c) { return c >= '0' && c <= '7'; });
  // Decimal integers and floats: digits, one optional '.', an optional exponent.
  std::size_t i = 0;
  bool digits = false;
  while (i < body.size() && (is_digit(body[i]) || body[i] == '_')) digits |= is_digit(body[i++]);
  // Base 60 (YAML 1.1): 1:20, 1:20:30.5
  if (i < body.size() && body[i] == ':' && digits) {
    while (i < body.size() && body[i] == ':') {
      ++i;
      std::size_t n = 0;
      while (i < body.size() && is_digit(body[i])) ++i, ++n;
      if (n == 0 || n > 2) return false;
    }
    if (i < body.size() && body[i] == '.') {
      ++i;
      while (i < body.size() && (is_digit(body[i]) || body[i] == '_')) ++i;
    }
    return i == body.size();
  }
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && (is_digit(body[i]) || body[i] == '_')) digits |= is_digit(body[i++]);
  }
  if (!digits) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t n = 0;
    while (i < body.size() && is_digit(body[i])) ++i, ++n;
    if (n == 0) return false;
  }
  return i == body.size();
}

bool is_blank_or_end(std::string_view s, std::size_t i) {
  return i >= s.size() || s[i] == ' ' || s[i] == '\t' || s[i] == '\n';
}

enum class ScalarStyle { plain, single_quoted, double_quoted, literal };

// libyaml's yaml_emitter_analyze_scalar, for block context.
ScalarStyle choose_style(std::string_view s) {
  if (s.find('\n') != std::string_view::npos) {
    // go-yaml picks the literal style for multi-line strings; libyaml falls back to double
    // quotes when lines carry trailing spaces or special characters.
    for (std::size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if ((c < 0x20 && c != '\n') || c == 0x7F) return ScalarStyle::double_quoted;
      if (c == ' ' && i + 1 < s.size() && s[i + 1] == '\n') return ScalarStyle::double_quoted;
    }
    if (s.front() == ' ' || s.front() == '\n') return ScalarStyle::double_quoted;
    return ScalarStyle::literal;
  }
  if (resolves_to_non_string(s)) return ScalarStyle::double_quoted;
  bool special = false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) special = true;
  }
  if (special) return ScalarStyle::double_quoted;
  bool plain = true;
  if (s.front() == ' ' || s.back() == ' ') plain = false;
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) {
    if (is_blank_or_end(s, 3)) plain = false;
  }
  static constexpr std::string_view kIndicators = ",[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string_view::npos) plain = false;
  if ((s.front() == '?' || s.front() == ':' || s.front() == '-') && is_blank_or_end(s, 1))
    plain = false;
  for (std::size_t i = 0; i < s.size() && plain; ++i) {
    if (s[i] == ':' && is_blank_or_end(s, i + 1)) plain = false;
    if (s[i] == '#' && i > 0 && s[i - 1] == ' ') plain = false;
  }
  return plain ? ScalarStyle::plain : ScalarStyle::single_quoted;
}

constexpr int kBestWidth = 80;

class YamlWriter {
 public:
  std::string take() { return std::move(out_); }

  void write_map(const Json& obj, int indent, bool inline_first) {
    std::vector<std::string> keys;
    for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end(), go_yaml_key_less);
    bool first = true;
    for (const auto& k : keys) {
      if (!(first && inline_first)) write_indent(indent);
      first = false;
      write_scalar_text(k, indent, /*allow_breaks=*/false);
      out_ += ':';
      ++column_;
      write_value(obj[k], indent);
    }
  }

  void write_seq(const Json& arr, int indent, bool inline_first) {
    bool first = true;
    for (const auto& item : arr) {
      if (!(first && inline_first)) write_indent(indent);
      first = false;
      out_ += "- ";
      column_ += 2;
      if (item.is_object() && !item.empty()) {
        write_map(item, indent + 2, true);
      } else if (item.is_array() && !item.empty()) {
        write_seq(item, indent + 2, true);
      } else {
        write_scalar(item, indent + 2);
        newline();
      }
    }
  }

 private:
  // After "key:" — a nested block, or " scalar".
  void write_value(const Json& v, int indent) {
    if (v.is_object() && !v.empty()) {
      newline();
      write_map(v, indent + 2, false);
    } else if (v.is_array() && !v.empty()) {
      newline();
      write_seq(v, indent, false);  // go-yaml does not indent sequences under a key
    } else {
      out_ += ' ';
      ++column_;
      write_scalar(v, indent + 2);
      newline();
    }
  }

  void write_scalar(const Json& v, int continuation_indent) {
    if (v.is_object()) return append("{}");
    if (v.is_array()) return append("[]");
    if (v.is_null()) return append("null");
    if (v.is_boolean()) return append(v.get<bool>() ? "true" : "false");
    if (v.is_number()) return append(v.dump());
    write_scalar_text(v.get<std::string>(), continuation_indent, true);
  }

  void write_scalar_text(const std::string& s, int continuation_indent, bool allow_breaks) {
    switch (choose_style(s)) {
      case ScalarStyle::plain:
        return write_folded(s, continuation_indent, allow_breaks, "");
      case ScalarStyle::single_quoted: {
        std::string q;
        for (char c : s) {
          q += c;
          if (c == '\'') q += '\'';
        }
        return write_folded(q, continuation_indent, allow_breaks, "'");
      }
      case ScalarStyle::double_quoted:
        return append(double_quote(s));
      case ScalarStyle::literal:
        return write_literal(s, continuation_indent);
    }
  }

  // Plain and single-quoted scalars break at a single space once past column 80, and go on
  // at the continuation indent (libyaml's write_plain_scalar / write_single_quoted).
  void write_folded(const std::string& s, int continuation_indent, bool allow_breaks,
                    std::string_view quote) {
    append(quote);
    bool spaces = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == ' ') {
        bool next_space = i + 1 < s.size() && s[i + 1] == ' ';
        bool inner = quote.empty() || (i != 0 && i + 1 != s.size());
        if (allow_breaks && !spaces && column_ > kBestWidth && !next_space && inner) {
          newline();
          write_indent(continuation_indent);
        } else {
          out_ += c;
          ++column_;
        }
        spaces = true;
      } else {
        out_ += c;
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++column_;
        spaces = false;
      }
    }
    append(quote);
  }

  void write_literal(const std::string& s, int indent) {
    std::size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
    out_ += '|';
    if (trailing == 0) out_ += '-';
    if (trailing > 1) out_ += '+';
    // The last line break belongs to the chomping indicator; the others are empty lines.
    std::string body = trailing == 0 ? s : s.substr(0, s.size() - 1);
    std::size_t start = 0;
    for (;;) {
      std::size_t nl = body.find('\n', start);
      std::string_view line(body.data() + start,
                            (nl == std::string::npos ? body.size() : nl) - start);
      out_ += '\n';
      if (!line.empty()) {
        out_.append(indent, ' ');
        out_ += line;
      }
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    column_ = 1;  // anything but 0: newline() ends the last line
  }

  static std::string double_quote(std::string_view s) {
    std::string q = "\"";
    for (char ch : s) {
      unsigned char c = static_cast<unsigned char>(ch);
      switch (ch) {
        case '"':
          q += "\\\"";
          break;
        case '\\':
          q += "\\\\";
          break;
        case '\n':
          q += "\\n";
          break;
        case '\t':
          q += "\\t";
          break;
        case '\r':
          q += "\\r";
          break;
        case '\0':
          q += "\\0";
          break;
        default:
          if (c < 0x20 || c == 0x7F)
            q += fmt::format("\\x{:02X}", c);
          else
            q += ch;
      }
    }
    q += '"';
    return q;
  }

  // go-yaml's keyList.Less: letters before other characters, runs of digits compared as
  // numbers.
  static bool go_yaml_key_less(const std::string& a, const std::string& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (a[i] == b[i]) continue;
      bool al = std::isalpha(static_cast<unsigned char>(a[i])) != 0;
      bool bl = std::isalpha(static_cast<unsigned char>(b[i])) != 0;
      if (al && bl) return a[i] < b[i];
      if (al || bl) return bl;
      std::int64_t an = 0, bn = 0;
      if (a[i] == '0' || b[i] == '0') {
        for (std::size_t j = i; j-- > 0 && is_digit(a[j]);) {
          if (a[j] != '0') {
            an = 1;
            bn = 1;
            break;
          }
        }
      }
      std::size_t ai = i, bi = i;
      for (; ai < a.size() && is_digit(a[ai]); ++ai) an = an * 10 + (a[ai] - '0');
      for (; bi < b.size() && is_digit(b[bi]); ++bi) bn = bn * 10 + (b[bi] - '0');
      if (an != bn) return an < bn;
      if (ai != bi) return ai < bi;
      return a[i] < b[i];
    }
    return a.size() < b.size();
  }

  void append(std::string_view s) {
    out_ += s;
    column_ += text_width(s);
  }
  void write_indent(int indent) {
    out_.append(indent, ' ');
    column_ = indent;
  }
  void newline() {
    out_ += '\n';
    column_ = 0;
  }

  std::string out_;
  int column_ = 0;
};

}  // namespace

std::string to_yaml(const Json& doc) {
  YamlWriter w;
  if (doc.is_object() && !doc.empty()) {
    w.write_map(doc, 0, false);
  } else if (doc.is_array() && !doc.empty()) {
    w.write_seq(doc, 0, false);
  } else {
    return doc.is_array() ? "[]\n" : "{}\n";
  }
  return w.take();
}

}  // namespace podhop::cli
