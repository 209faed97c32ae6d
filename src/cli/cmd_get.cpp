// `podhop get KIND [NAME...]`: lists objects with kubectl's columns, or prints them as the
// API server returns them (-o yaml|json) or by name (-o name).
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"

namespace podhop::cli {

namespace {

std::string or_none(std::string s) {
  return s.empty() ? "<none>" : s;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  return fmt::format("{}", fmt::join(parts, sep));
}

std::string label_selector_text(const model::LabelSelector& sel) {
  return sel.empty() ? "<none>" : sel.str();
}

// CONTAINERS and IMAGES of a pod template.
std::pair<std::string, std::string> containers_and_images(const model::PodTemplate& t) {
  std::vector<std::string> names, images;
  if (t.spec) {
    for (const auto& c : t.spec->containers) {
      names.push_back(c.name);
      images.push_back(c.image);
    }
  }
  return {join(names, ","), join(images, ",")};
}

const model::PodTemplate* template_of(const Item& item) {
  switch (item.info->resource) {
    case Resource::deployments:
      return &item.as<model::Deployment>().pod_template;
    case Resource::replica_sets:
      return &item.as<model::ReplicaSet>().pod_template;
    case Resource::stateful_sets:
      return &item.as<model::StatefulSet>().pod_template;
    case Resource::daemon_sets:
      return &item.as<model::DaemonSet>().pod_template;
    case Resource::replication_controllers:
      return &item.as<model::ReplicationController>().pod_template;
    default:
      return nullptr;
  }
}

std::string selector_of(const Item& item) {
  switch (item.info->resource) {
    case Resource::deployments:
      return label_selector_text(item.as<model::Deployment>().selector);
    case Resource::replica_sets:
      return label_selector_text(item.as<model::ReplicaSet>().selector);
    case Resource::daemon_sets:
      return label_selector_text(item.as<model::DaemonSet>().selector);
    case Resource::replication_controllers:
      return format_labels(item.as<model::ReplicationController>().selector);
    default:
      return "<none>";
  }
}

// EndpointSlice PORTS / ENDPOINTS: three at most, then "+ N more...", "<unset>" when empty.
std::string list_with_more(const std::vector<std::string>& all) {
  constexpr std::size_t kMax = 3;
  if (all.empty()) return "<unset>";
  std::vector<std::string> shown(all.begin(), all.begin() + std::min(all.size(), kMax));
  std::string ret = join(shown, ",");
  if (all.size() > kMax) return fmt::format("{} + {} more...", ret, all.size() - kMax);
  return ret;
}

// HOSTS of an Ingress: three at most, "*" when no rule names a host.
std::string ingress_hosts(const model::Ingress& ing) {
  constexpr std::size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  for (const auto& rule : ing.spec.rules) {
    if (list.size() == kMax) more = true;
    if (!more && !rule.host.empty()) list.push_back(rule.host);
  }
  if (list.empty()) return "*";
  std::string ret = join(list, ",");
  if (more) return fmt::format("{} + {} more...", ret, ing.spec.rules.size() - kMax);
  return ret;
}

std::string event_object(const model::Event& e) {
  std::string kind = e.involved.kind;
  for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return fmt::format("{}/{}", kind, e.involved.name);
}

// The header and the cells of one object for one resource type.
std::vector<std::string> header_for(const ResourceInfo& info, bool wide) {
  using V = std::vector<std::string>;
  switch (info.resource) {
    case Resource::pods:
      return wide ? V{"NAME", "READY", "STATUS",         "RESTARTS",       "AGE",
                      "IP",   "NODE",  "NOMINATED NODE", "READINESS GATES"}
                  : V{"NAME", "READY", "STATUS", "RESTARTS", "AGE"};
    case Resource::services:
      return wide ? V{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"}
                  : V{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"};
    case Resource::endpoints:
      return {"NAME", "ENDPOINTS", "AGE"};
    case Resource::endpoint_slices:
      return {"NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"};
    case Resource::ingresses:
      return {"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"};
    case Resource::ingress_classes:
      return {"NAME", "CONTROLLER", "PARAMETERS", "AGE"};
    case Resource::nodes:
      return wide ? V{"NAME",           "STATUS",           "ROLES",       "AGE",
                      "VERSION",        "INTERNAL-IP",      "EXTERNAL-IP", "OS-IMAGE",
                      "KERNEL-VERSION", "CONTAINER-RUNTIME"}
                  : V{"NAME", "STATUS", "ROLES", "AGE", "VERSION"};
    case Resource::deployments:
      return wide ? V{"NAME", "READY",      "UP-TO-DATE", "AVAILABLE",
                      "AGE",  "CONTAINERS", "IMAGES",     "SELECTOR"}
                  : V{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"};
    case Resource::replica_sets:
    case Resource::replication_controllers:
      return wide ? V{"NAME", "DESIRED",    "CURRENT", "READY",
                      "AGE",  "CONTAINERS", "IMAGES",  "SELECTOR"}
                  : V{"NAME", "DESIRED", "CURRENT", "READY", "AGE"};
    case Resource::stateful_sets:
      return wide ? V{"NAME", "READY", "AGE", "CONTAINERS", "IMAGES"} : V{"NAME", "READY", "AGE"};
    case Resource::daemon_sets:
      return wide ? V{"NAME",          "DESIRED", "CURRENT",    "READY",  "UP-TO-DATE", "AVAILABLE",
                      "NODE SELECTOR", "AGE",     "CONTAINERS", "IMAGES", "SELECTOR"}
                  : V{"NAME",       "DESIRED",   "CURRENT",       "READY",
                      "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"};
    case Resource::namespaces:
      return {"NAME", "STATUS", "AGE"};
    case Resource::secrets:
      return {"NAME", "TYPE", "DATA", "AGE"};
    case Resource::events:
      return wide ? V{"LAST SEEN", "TYPE",    "REASON",     "OBJECT", "SUBOBJECT",
                      "SOURCE",    "MESSAGE", "FIRST SEEN", "COUNT",  "NAME"}
                  : V{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"};
  }
  return {"NAME"};
}

std::vector<std::string> row_for(const model::ClusterState& s, const Item& item, bool wide,
                                 const std::string& name) {
  using V = std::vector<std::string>;
  switch (item.info->resource) {
    case Resource::pods: {
      const auto& p = item.as<model::Pod>();
      V row{name, fmt::format("{}/{}", ready_containers(p), container_count(p)), pod_status_text(p),
            std::to_string(p.status.restarts), age(s, p.meta.created)};
      if (wide) {
        row.push_back(p.status.pod_ip.empty() ? "<none>" : p.status.pod_ip.str());
        row.push_back(or_none(pod_node_name(s, p)));
        row.push_back("<none>");
        row.push_back("<none>");
      }
      return row;
    }
    case Resource::services: {
      const auto& svc = item.as<model::Service>();
      V row{name,
            std::string(model::to_string(svc.spec.type)),
            or_none(cluster_ip_text(svc)),
            service_external_ip(svc, wide),
            service_ports_text(svc),
            age(s, svc.meta.created)};
      if (wide) row.push_back(format_labels(svc.spec.selector));
      return row;
    }
    case Resource::endpoints: {
      const auto& ep = item.as<model::Endpoints>();
      return {name, format_endpoints(ep), age(s, ep.meta.created)};
    }
    case Resource::endpoint_slices: {
      const auto& es = item.as<model::EndpointSlice>();
      V ports, addresses;
      for (const auto& p : es.ports)
        ports.push_back(p.port ? std::to_string(*p.port) : (p.name.empty() ? "*" : p.name));
      for (const auto& e : es.endpoints) {
        if (e.addresses.empty()) {
          addresses.push_back(e.ip.str());
        } else {
          for (std::size_t i = 0; i < e.addresses.size(); ++i) addresses.push_back(e.addresses[i]);
        }
      }
      return {name, std::string(model::to_string(es.address_type)), list_with_more(ports),
              list_with_more(addresses), age(s, es.meta.created)};
    }
    case Resource::ingresses: {
      const auto& ing = item.as<model::Ingress>();
      return {name,
              ing.spec.ingress_class_name.value_or("<none>"),
              ingress_hosts(ing),
              load_balancer_text(ing.load_balancer),
              ing.spec.tls.empty() ? "80" : "80, 443",
              age(s, ing.meta.created)};
    }
    case Resource::ingress_classes: {
      const auto& ic = item.as<model::IngressClass>();
      return {name, ic.controller, "<none>", age(s, ic.meta.created)};
    }
    case Resource::nodes: {
      const auto& n = item.as<model::Node>();
      V row{name, n.ready ? "Ready" : "NotReady", node_roles(node_labels(s, n)),
            age(s, n.meta.created), std::string(kKubernetesVersion)};
      if (wide) {
        row.push_back(n.internal_ip.empty() ? "<none>" : n.internal_ip.str());
        row.push_back("<none>");
        row.push_back("<unknown>");
        row.push_back("<unknown>");
        row.push_back(fmt::format("podhop://{}", podhop_version()));
      }
      return row;
    }
    case Resource::deployments:
    case Resource::replica_sets:
    case Resource::replication_controllers:
    case Resource::stateful_sets:
    case Resource::daemon_sets: {
      ReplicaCounts c = replica_counts(s, item);
      const std::string a = age(s, item.meta->created);
      V row;
      switch (item.info->resource) {
        case Resource::deployments:
          row = {name, fmt::format("{}/{}", c.ready, c.desired), std::to_string(c.updated),
                 std::to_string(c.available), a};
          break;
        case Resource::stateful_sets:
          row = {name, fmt::format("{}/{}", c.ready, c.desired), a};
          break;
        case Resource::daemon_sets: {
          const auto& ds = item.as<model::DaemonSet>();
          std::string node_selector =
              ds.pod_template.spec ? format_labels(ds.pod_template.spec->node_selector) : "<none>";
          row = {name,
                 std::to_string(c.desired),
                 std::to_string(c.current),
                 std::to_string(c.ready),
                 std::to_string(c.updated),
                 std::to_string(c.available),
                 node_selector,
                 a};
          break;
        }
        default:
          row = {name, std::to_string(c.desired), std::to_string(c.current),
                 std::to_string(c.ready), a};
      }
      if (wide) {
        auto [containers, images] = containers_and_images(*template_of(item));
        row.push_back(containers);
        row.push_back(images);
        if (item.info->resource != Resource::stateful_sets) row.push_back(selector_of(item));
      }
      return row;
    }
    case Resource::namespaces:
      return {name, item.meta->deletion ? "Terminating" : "Active", age(s, item.meta->created)};
    case Resource::secrets: {
      const auto& sec = item.as<model::Secret>();
      return {name, sec.type, std::to_string(sec.data.size()), age(s, sec.meta.created)};
    }
    case Resource::events: {
      const auto& e = item.as<model::Event>();
      if (wide) {
        return {age(s, e.at), e.type,       e.reason, event_object(e), "", e.source,
                e.message(),  age(s, e.at), "1",      event_name(s, e)};
      }
      return {age(s, e.at), e.type, e.reason, event_object(e), e.message()};
    }
  }
  return {name};
}

Table make_table(const model::ClusterState& s, const ResourceInfo& info,
                 const std::vector<Item>& items, bool wide, bool with_namespace,
                 bool with_kind_prefix) {
  Table t;
  t.header = header_for(info, wide);
  const bool ns_column = with_namespace && info.namespaced;
  if (ns_column) t.header.insert(t.header.begin(), "NAMESPACE");
  for (const Item& item : items) {
    std::string name = item.name();
    if (with_kind_prefix) name = info.qualified_singular() + "/" + name;
    auto row = row_for(s, item, wide, name);
    if (ns_column) row.insert(row.begin(), item.namespace_());
    t.rows.push_back(std::move(row));
  }
  return t;
}

// The resource types `get all` lists, in kubectl's order.
const std::vector<Resource>& all_category() {
  static const std::vector<Resource> kAll = {
      Resource::pods,         Resource::replication_controllers,
      Resource::services,     Resource::daemon_sets,
      Resource::deployments,  Resource::replica_sets,
      Resource::stateful_sets};
  return kAll;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

std::string not_found(const ResourceInfo& info, const std::string& name) {
  std::string resource(info.plural);
  if (!info.group.empty()) resource += "." + std::string(info.group);
  return fmt::format("Error from server (NotFound): {} \"{}\" not found\n", resource, name);
}

struct Group {
  const ResourceInfo* info = nullptr;
  std::vector<Item> items;
};

}  // namespace

int run_get(const model::ClusterState& s, const GetRequest& req, std::ostream& out,
            std::ostream& err) {
  const std::string& output = req.output;
  if (!output.empty() && output != "wide" && output != "yaml" && output != "json" &&
      output != "name") {
    err << fmt::format(
        "error: unable to match a printer suitable for the output format \"{}\", allowed "
        "formats are: json,name,wide,yaml\n",
        output);
    return 1;
  }
  if (req.args.empty()) {
    err << "You must specify the type of resource to get. Use \"podhop get -h\" for the list "
           "of supported resources.\n\nerror: Required resource not specified.\n";
    return 1;
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
  const std::optional<std::string> ns =
      req.all_namespaces ? std::nullopt : std::optional<std::string>(req.namespace_);

  int code = 0;
  std::string errors;
  std::vector<Group> groups;
  bool single_item = false;  // one object named explicitly: -o yaml prints it, not a List
  bool multi_kind = false;   // names get a kind prefix, as kubectl does for several types

  auto unknown_type = [&](const std::string& t) {
    err << fmt::format("error: the server doesn't have a resource type \"{}\"\n", t);
    return 1;
  };
  auto group_for = [&](const ResourceInfo* info) -> Group& {
    for (auto& g : groups)
      if (g.info == info) return g;
    groups.push_back({info, {}});
    return groups.back();
  };

  if (req.args.front().find('/') != std::string::npos) {
    // TYPE/NAME forms.
    for (const auto& a : req.args) {
      auto slash = a.find('/');
      if (slash == std::string::npos) {
        err << "error: there is no need to specify a resource type as a separate argument when "
               "passing arguments in resource/name form (e.g. 'podhop get "
               "resource/<resource_name>' "
               "instead of 'podhop get resource resource/<resource_name>'\n";
        return 1;
      }
      const ResourceInfo* info = find_resource(a.substr(0, slash));
      if (!info) return unknown_type(a.substr(0, slash));
      Group& g = group_for(info);
      auto found = find_item(s, *info, req.namespace_, a.substr(slash + 1));
      if (found) {
        g.items.push_back(*found);
      } else {
        errors += not_found(*info, a.substr(slash + 1));
        code = 1;
      }
    }
    single_item = req.args.size() == 1;
    multi_kind = groups.size() > 1;
  } else {
    std::vector<const ResourceInfo*> infos;
    bool all = false;
    for (const auto& t : split(req.args.front(), ',')) {
      if (t == "all") {
        all = true;
        for (Resource r : all_category()) infos.push_back(&resource_info(r));
        continue;
      }
      const ResourceInfo* info = find_resource(t);
      if (!info) return unknown_type(t);
      infos.push_back(info);
    }
    multi_kind = all || infos.size() > 1;
    std::vector<std::string> names(req.args.begin() + 1, req.args.end());
    for (const ResourceInfo* info : infos) {
      Group& g = group_for(info);
      if (names.empty()) {
        g.items = list_items(s, *info, info->namespaced ? ns : std::nullopt);
        continue;
      }
      for (const auto& n : names) {
        auto found = find_item(s, *info, req.namespace_, n);
        if (found) {
          g.items.push_back(*found);
        } else {
          errors += not_found(*info, n);
          code = 1;
        }
      }
    }
    single_item = names.size() == 1 && infos.size() == 1;
  }

  if (selector) {
    for (auto& g : groups) {
      std::erase_if(g.items, [&](const Item& i) {
        static const model::StringMap kNoLabels;
        return !selector->matches(i.meta ? i.meta->labels : kNoLabels);
      });
    }
  }

  std::size_t total = 0;
  for (const auto& g : groups) total += g.items.size();

  if (output == "yaml" || output == "json") {
    std::vector<Json> docs;
    for (const auto& g : groups)
      for (const auto& i : g.items) docs.push_back(api_json(s, i));
    if (single_item && docs.size() == 1) {
      out << (output == "yaml" ? to_yaml(docs.front()) : to_json_text(docs.front()));
    } else if (!(single_item && docs.empty())) {
      Json list = list_json(std::move(docs));
      out << (output == "yaml" ? to_yaml(list) : to_json_text(list));
    }
  } else if (output == "name") {
    for (const auto& g : groups)
      for (const auto& i : g.items) {
        std::string name = i.meta ? i.meta->name : event_name(s, i.as<model::Event>());
        out << g.info->qualified_singular() << "/" << name << "\n";
      }
  } else if (total > 0) {
    bool first = true;
    for (const auto& g : groups) {
      if (g.items.empty()) continue;
      if (!first) out << "\n";
      first = false;
      out << make_table(s, *g.info, g.items, output == "wide", req.all_namespaces, multi_kind)
                 .str();
    }
  }
  err << errors;
  if (total == 0 && code == 0 && output != "yaml" && output != "json") {
    bool cluster_scoped = std::all_of(groups.begin(), groups.end(),
                                      [](const Group& g) { return !g.info->namespaced; });
    if (req.all_namespaces || cluster_scoped) {
      err << "No resources found\n";
    } else {
      err << fmt::format("No resources found in {} namespace.\n", req.namespace_);
    }
  }
  return code;
}

void register_get(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("get", "Display one or many objects, as kubectl get does");
  auto req = std::make_shared<GetRequest>();
  cmd->add_option("ARGS", req->args, "TYPE[,TYPE...] [NAME...] | TYPE/NAME... | all");
  cmd->add_option("-n,--namespace", req->namespace_, "Namespace (default \"default\")");
  cmd->add_flag("-A,--all-namespaces", req->all_namespaces, "List across all namespaces");
  cmd->add_option("-o,--output", req->output, "Output format: wide, yaml, json or name");
  cmd->add_option("-l,--selector", req->selector, "Label selector, e.g. -l app=web,tier!=db");
  cmd->footer(
      "Types: pods (po), services (svc), endpoints (ep), endpointslices, ingresses (ing),\n"
      "ingressclasses, nodes (no), deployments (deploy), replicasets (rs), statefulsets (sts),\n"
      "daemonsets (ds), replicationcontrollers (rc), namespaces (ns), secrets, events (ev), all.\n"
      "Example: podhop -f examples/seed/manifests get pods -o wide");
  cmd->callback([&ctx, exit_code, req] {
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    *exit_code = run_get(sim->state(), *req, *ctx.out, *ctx.err);
  });
}

}  // namespace podhop::cli
