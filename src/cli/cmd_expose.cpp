// `podhop expose KIND NAME --port P ...`: prints the Service `kubectl expose --dry-run=client
// -o yaml` would create for an existing pod, Service, Deployment, ReplicaSet or
// ReplicationController.
#include <charconv>
#include <map>
#include <ostream>
#include <set>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"

namespace podhop::cli {

namespace {

constexpr std::string_view kExposeHelp = "See 'podhop expose -h' for help and examples\n";

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "k=v,k2=v2" as kubectl's ParseLabels reads --selector and --labels.
std::optional<model::StringMap> parse_map(std::string_view text) {
  model::StringMap m;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    m.set(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return m;
}

void add_container_ports(const model::PodSpec* spec, std::vector<std::string>& ports,
                         std::map<std::string, std::vector<std::string>>& protocols) {
  if (!spec) return;
  for (const auto& c : spec->containers) {
    for (const auto& p : c.ports) {
      std::string port = std::to_string(p.container_port);
      if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
      auto& list = protocols[port];
      std::string proto(model::to_string(p.protocol));
      if (std::find(list.begin(), list.end(), proto) == list.end()) list.push_back(proto);
    }
  }
}

}  // namespace

int run_expose(const model::ClusterState& s, const ExposeRequest& req, std::ostream& out,
               std::ostream& err) {
  std::string type_arg, name;
  if (req.args.size() == 1 && req.args[0].find('/') != std::string::npos) {
    type_arg = req.args[0].substr(0, req.args[0].find('/'));
    name = req.args[0].substr(req.args[0].find('/') + 1);
  } else if (req.args.size() == 2) {
    type_arg = req.args[0];
    name = req.args[1];
  } else {
    err << "error: You must provide the type and name of the resource to expose (e.g. "
           "'podhop expose pod app1 --port 8080')\n"
        << kExposeHelp;
    return 1;
  }
  const ResourceInfo* info = find_resource(type_arg);
  if (!info) {
    err << fmt::format("error: the server doesn't have a resource type \"{}\"\n", type_arg);
    return 1;
  }
  auto item = find_item(s, *info, req.namespace_, name);
  if (!item) {
    std::string resource(info->plural);
    if (!info->group.empty()) resource += "." + std::string(info->group);
    err << fmt::format("Error from server (NotFound): {} \"{}\" not found\n", resource, name);
    return 1;
  }

  // The selector and the ports kubectl derives from the exposed object.
  model::StringMap selector;
  std::vector<std::string> object_ports;
  std::map<std::string, std::vector<std::string>> protocols;  // port -> its protocols
  std::string no_selector;
  switch (info->resource) {
    case Resource::pods: {
      const auto& pod = item->as<model::Pod>();
      selector = pod.meta.labels;
      if (selector.empty()) no_selector = "the pod has no labels and cannot be exposed";
      add_container_ports(pod.spec.get(), object_ports, protocols);
      break;
    }
    case Resource::services: {
      const auto& svc = item->as<model::Service>();
      selector = svc.spec.selector;
      if (selector.empty()) no_selector = "the service has no pod selector set";
      for (const auto& p : svc.spec.ports) {
        std::string port = std::to_string(p.port);
        if (std::find(object_ports.begin(), object_ports.end(), port) == object_ports.end())
          object_ports.push_back(port);
        protocols[port].push_back(std::string(model::to_string(p.protocol)));
      }
      break;
    }
    case Resource::deployments:
    case Resource::replica_sets: {
      const model::LabelSelector& sel = info->resource == Resource::deployments
                                            ? item->as<model::Deployment>().selector
                                            : item->as<model::ReplicaSet>().selector;
      const model::PodTemplate& t = info->resource == Resource::deployments
                                        ? item->as<model::Deployment>().pod_template
                                        : item->as<model::ReplicaSet>().pod_template;
      if (!sel.match_expressions.empty()) {
        no_selector = fmt::format(
            "couldn't convert expressions - \"{}\" to map-based selector format", sel.str());
      } else {
        selector = sel.match_labels;
      }
      add_container_ports(t.spec.get(), object_ports, protocols);
      break;
    }
    case Resource::replication_controllers: {
      const auto& rc = item->as<model::ReplicationController>();
      selector = rc.selector;
      add_container_ports(rc.pod_template.spec.get(), object_ports, protocols);
      break;
    }
    default:
      err << fmt::format("error: cannot expose a {}\n", info->kind);
      return 1;
  }
  if (!req.selector.empty()) {
    auto parsed = parse_map(req.selector);
    if (!parsed) {
      err << fmt::format("error: invalid selector \"{}\"\n", req.selector);
      return 1;
    }
    selector = *parsed;
  } else if (!no_selector.empty()) {
    err << "error: couldn't retrieve selectors via --selector flag or introspection: "
        << no_selector << "\n"
        << kExposeHelp;
    return 1;
  }

  std::vector<std::string> ports = object_ports;
  if (!req.port.empty()) {
    ports = {req.port};
  } else if (ports.empty()) {
    err << "error: couldn't find port via --port flag or introspection\n" << kExposeHelp;
    return 1;
  }

  // kubectl's service generator: one port keeps no name, several get port-1, port-2...;
  // without --protocol each port takes the protocol(s) the object declares for it.
  Json service_ports = Json::array();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    auto number = parse_int(ports[i]);
    if (!number) {
      err << fmt::format("error: strconv.Atoi: parsing \"{}\": invalid syntax\n", ports[i]);
      return 1;
    }
    std::string port_name = ports.size() > 1 ? fmt::format("port-{}", i + 1) : "";
    std::vector<std::string> port_protocols{req.protocol.empty() ? "TCP" : req.protocol};
    if (req.protocol.empty()) {
      if (auto it = protocols.find(ports[i]); it != protocols.end() && !it->second.empty())
        port_protocols = it->second;
    }
    for (const auto& proto : port_protocols) {
      Json p = Json::object();
      if (port_protocols.size() > 1) {
        std::string lower = proto;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        p["name"] = fmt::format("port-{}-{}", i + 1, lower);
      } else if (!port_name.empty()) {
        p["name"] = port_name;
      }
      p["port"] = *number;
      p["protocol"] = proto;
      if (!req.target_port.empty()) {
        if (auto t = parse_int(req.target_port)) {
          p["targetPort"] = *t;
        } else {
          p["targetPort"] = req.target_port;
        }
      } else {
        p["targetPort"] = *number;  // kubectl: the target port defaults to the port
      }
      service_ports.push_back(p);
    }
  }

  model::StringMap labels = item->meta->labels;
  if (!req.labels.empty()) {
    auto parsed = parse_map(req.labels);
    if (!parsed) {
      err << fmt::format("error: invalid labels \"{}\"\n", req.labels);
      return 1;
    }
    labels = *parsed;
  }

  Json meta = Json::object();
  meta["creationTimestamp"] = nullptr;
  if (!labels.empty()) {
    Json l = Json::object();
    for (const auto& [k, v] : labels) l[k] = v;
    meta["labels"] = l;
  }
  const std::string service_name = req.name.empty() ? name : req.name;
  meta["name"] = service_name;
  if (req.namespace_given) meta["namespace"] = req.namespace_;

  Json spec = Json::object();
  if (!req.cluster_ip.empty()) spec["clusterIP"] = req.cluster_ip;
  if (!req.external_ips.empty()) spec["externalIPs"] = req.external_ips;
  spec["ports"] = service_ports;
  Json sel = Json::object();
  for (const auto& [k, v] : selector) sel[k] = v;
  spec["selector"] = sel;
  if (!req.type.empty()) spec["type"] = req.type;

  Json svc = Json::object();
  svc["apiVersion"] = "v1";
  svc["kind"] = "Service";
  svc["metadata"] = meta;
  svc["spec"] = spec;
  svc["status"] = Json{{"loadBalancer", Json::object()}};

  if (req.output == "json") {
    out << to_json_text(svc);
  } else if (req.output == "name") {
    out << "service/" << service_name << "\n";
  } else {
    out << to_yaml(svc);
  }
  return 0;
}

void register_expose(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "expose", "Print the Service kubectl expose would create for a pod, Service or workload");
  auto req = std::make_shared<ExposeRequest>();
  cmd->add_option("ARGS", req->args, "pod|service|deployment|replicaset|rc NAME, or TYPE/NAME");
  cmd->add_option("-n,--namespace", req->namespace_, "Namespace (default \"default\")")
      ->each([req](const std::string&) { req->namespace_given = true; });
  cmd->add_option("--port", req->port, "The port the Service serves on");
  cmd->add_option("--target-port", req->target_port,
                  "Number or name of the container port traffic goes to (default: --port)");
  cmd->add_option("--name", req->name, "Name of the Service (default: the object's name)");
  cmd->add_option("--type", req->type, "ClusterIP, NodePort, LoadBalancer or ExternalName")
      ->check(CLI::IsMember({"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}));
  cmd->add_option("--protocol", req->protocol, "TCP, UDP or SCTP (default: the object's)")
      ->check(CLI::IsMember({"TCP", "UDP", "SCTP"}));
  cmd->add_option("--selector", req->selector, "Selector of the Service (k=v,...)");
  cmd->add_option("-l,--labels", req->labels, "Labels of the Service (default: the object's)");
  cmd->add_option("--cluster-ip", req->cluster_ip, "ClusterIP to ask for, or None (headless)");
  cmd->add_option("--external-ip", req->external_ips, "External IP of the Service")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", req->output, "yaml (default), json or name")
      ->check(CLI::IsMember({"yaml", "json", "name"}));
  cmd->footer(
      "Example: podhop -f examples/seed/manifests expose pod app1 --port 8888 "
      "--target-port 8080 --name app1-svc");
  cmd->callback([&ctx, exit_code, req] {
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    *exit_code = run_expose(sim->state(), *req, *ctx.out, *ctx.err);
  });
}

}  // namespace podhop::cli
