#include "podhop/simulation.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "podhop/controllers/names.hpp"
#include "podhop/controllers/reconcile.hpp"
#include "podhop/controllers/revisions.hpp"
#include "podhop/dataplane/apps.hpp"
#include "podhop/dataplane/dns.hpp"
#include "podhop/repeat.hpp"
#include "scenario/simulation_impl.hpp"

namespace podhop {

Simulation::Simulation(SimulationOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->seed = options.seed;
  // An empty cluster still has its system objects (kubernetes, kube-dns, CoreDNS).
  impl_->state = impl_->applied;
  if (impl_->state.events.empty()) model::EventLog{}.swap(impl_->state.events);  // see below
  auto diags = controllers::reconcile(impl_->state, {.seed = impl_->seed});
  PODHOP_CHECK(!diags.has_errors(), "the empty cluster must reconcile");
  impl_->on_state_changed();
}

Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

namespace {

// Loads into a copy of what was applied, derives the cluster from it, and keeps both only
// when both succeed.
template <typename LoadFn>
manifest::LoadReport load_all_or_nothing(Simulation::Impl& impl, LoadFn&& load_fn) {
  model::ClusterState applied = impl.applied;
  manifest::LoadReport report = load_fn(applied);
  if (!report.ok()) return report;
  // Both states are kept: without the room their tables grew into (tens of MB at the
  // published limits: a table copied at its size doubles for one system object).
  applied.shrink_to_fit();
  model::ClusterState next = applied;
  // The settled state records its events into a string pool of its own (the applied objects
  // normally have none), so the words of a state that is replaced go with it instead of
  // piling up in a pool `applied` shares.
  if (next.events.empty()) model::EventLog{}.swap(next.events);
  auto diags = controllers::reconcile(next, {.seed = impl.seed});
  report.diagnostics.append(diags);
  if (!report.ok()) return report;
  next.shrink_to_fit();
  impl.applied = std::move(applied);
  impl.state = std::move(next);
  // A load settles the cluster: whatever was under way is over, and every node runs the
  // newest rules at once.
  if (impl.clock) impl.clock->reset();
  if (impl.network) impl.network->set_deferred_propagation(false);
  impl.on_state_changed();
  return report;
}

}  // namespace

manifest::LoadReport Simulation::load(const std::vector<std::string>& paths, std::istream* in) {
  return load_all_or_nothing(
      *impl_, [&](model::ClusterState& s) { return manifest::load_paths(paths, s, in); });
}

manifest::LoadReport Simulation::load_text(std::string_view text, std::string_view filename) {
  return load_all_or_nothing(
      *impl_, [&](model::ClusterState& s) { return manifest::load_text(text, filename, s); });
}

const model::ClusterState& Simulation::state() const {
  return impl_->visible_state();
}
std::uint64_t Simulation::seed() const {
  return impl_->seed;
}
core::SimTime Simulation::now() const {
  return impl_->sim.now();
}
dataplane::Network& Simulation::network() {
  return *impl_->network;
}
dataplane::Pipeline& Simulation::pipeline() {
  return *impl_->pipeline;
}
engine::Simulator& Simulation::simulator() {
  return impl_->sim;
}

void Simulation::add_tool(std::string name, ExecTool tool) {
  impl_->tools[std::move(name)] = std::move(tool);
}

dataplane::DnsExchangeResult Simulation::dns_query(const dataplane::Client& client,
                                                   const dataplane::DnsQuery& query,
                                                   core::Ipv4 server, core::Duration timeout,
                                                   trace::HopSink* sink) {
  return impl_->pipeline->run_dns_query(client, query, server, timeout, sink);
}

// ---------------------------------------------------------------------------------------
// curl

namespace {

ExecResult run_curl(dataplane::Pipeline& pipeline, const dataplane::CurlOptions& options,
                    const dataplane::Client& client, trace::HopSink* sink) {
  ExecResult result;
  if (!options.ok()) {
    result.exit_code = options.error_code;
    if (options.error_code == 2) {
      result.stderr_text =
          fmt::format("curl: {}\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
                      options.error);
    } else {
      result.stderr_text = fmt::format("curl: ({}) {}\n", options.error_code, options.error);
    }
    return result;
  }
  std::vector<dataplane::CurlTransfer> transfers;
  for (const std::string& first_url : options.urls) {
    std::string url = first_url;
    std::string method = options.effective_method();
    for (int redirects = 0;; ++redirects) {
      dataplane::RequestSpec spec = options.request_for(url);
      spec.method = method;
      // One curl process keeps its connections open between its URLs and reuses them for the
      // same host and port ("Re-using existing connection"); they close when it exits.
      spec.keep_alive = true;
      dataplane::ParsedUrl parsed = dataplane::parse_url(url);
      trace::RequestRecord record;
      if (!parsed.ok()) {
        // curl refuses the URL before anything reaches the network.
        record.url = url;
        record.method = method;
        record.outcome = trace::Outcome::dns_failure;
        record.exit_code = parsed.error.curl_code;
        record.error = parsed.error.message;
        record.client = {std::string(dataplane::to_string(client.kind)), client.name, client.ip,
                         client.node_name};
      } else {
        record = pipeline.run(client, std::move(spec), sink);
      }
      const bool follow = options.location && record.outcome == trace::Outcome::ok &&
                          dataplane::is_followed_redirect(record);
      if (follow && redirects >= options.max_redirs) {
        record.exit_code = 47;
        record.error = fmt::format("Maximum ({}) redirects followed", options.max_redirs);
        transfers.push_back({std::move(record), false});
        break;
      }
      if (!follow) {
        transfers.push_back({std::move(record), false});
        break;
      }
      std::string next = dataplane::redirect_target(record);
      // curl turns POST into GET for 301, 302 and 303, as browsers do.
      const int status = record.status.value_or(0);
      if (status == 303 || ((status == 301 || status == 302) && method == "POST")) method = "GET";
      transfers.push_back({std::move(record), true});
      url = std::move(next);
    }
  }
  pipeline.close_connections(client.ip);
  dataplane::CurlOutput out = dataplane::render_curl(options, transfers);
  result.exit_code = out.exit_code;
  result.stdout_text = std::move(out.out);
  result.stderr_text = std::move(out.err);
  for (auto& t : transfers) {
    result.hops.insert(result.hops.end(), t.record.hops.begin(), t.record.hops.end());
    result.requests.push_back(std::move(t.record));
  }
  return result;
}

ExecResult fail(int code, std::string err) {
  ExecResult r;
  r.exit_code = code;
  r.stderr_text = std::move(err);
  return r;
}

// curl --repeat N: the summary the CLI prints (repeat.hpp) instead of N transfers.
ExecResult run_repeated_curl(Simulation& sim, const dataplane::CurlOptions& options,
                             const dataplane::ClientRef& from) {
  RepeatSummary summary;
  std::string error;
  if (!run_repeat(sim, options, from, summary, error)) return fail(1, error + "\n");
  ExecResult r;
  r.stdout_text = render_repeat_text(summary);
  return r;
}

std::string program_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string pod_hostname(const model::Pod& pod) {
  std::string h = pod.spec->hostname.empty() ? pod.meta.name : pod.spec->hostname;
  if (h.size() > 63) h.resize(63);
  return h;
}

}  // namespace

ExecResult Simulation::curl(const std::vector<std::string>& curl_args,
                            const dataplane::ClientRef& from, trace::HopSink* sink) {
  return curl(dataplane::parse_curl_args(curl_args), from, sink);
}

ExecResult Simulation::curl(const dataplane::CurlOptions& options, const dataplane::ClientRef& from,
                            trace::HopSink* sink) {
  dataplane::ClientError error;
  auto client = impl_->network->client(from, &error);
  if (!client) return fail(1, fmt::format("Error from server (NotFound): {}\n", error.message));
  if (options.ok() && options.repeat > 0) return run_repeated_curl(*this, options, from);
  return run_curl(*impl_->pipeline, options, *client, sink);
}

// ---------------------------------------------------------------------------------------
// exec

ExecResult Simulation::exec(std::string_view pod, const std::vector<std::string>& argv) {
  return exec(pod, "default", argv);
}

ExecResult Simulation::exec(std::string_view pod, std::string_view namespace_,
                            const std::vector<std::string>& argv) {
  ExecRequest request;
  request.pod = std::string(pod);
  request.namespace_ = std::string(namespace_);
  request.argv = argv;
  return exec(request);
}

ExecResult Simulation::exec(const ExecRequest& request) {
  const model::Pod* pod = impl_->state.pods.find(request.namespace_, request.pod);
  if (!pod || pod->removed) {
    return fail(1,
                fmt::format("Error from server (NotFound): pods \"{}\" not found\n", request.pod));
  }
  const model::Container* container = nullptr;
  if (request.container.empty()) {
    if (!pod->spec->containers.empty()) container = &pod->spec->containers.front();
  } else {
    for (const auto& c : pod->spec->containers) {
      if (c.name == request.container) container = &c;
    }
    if (!container) {
      return fail(1, fmt::format("Error from server (BadRequest): container {} is not valid for "
                                 "pod {}\n",
                                 request.container, request.pod));
    }
  }
  if (!container) return fail(1, "error: the pod has no container to run the command in\n");
  if (pod->status.phase != model::PodPhase::Running) {
    return fail(1, fmt::format("error: unable to upgrade connection: container not found "
                               "(\"{}\")\n",
                               container->name));
  }
  if (request.argv.empty())
    return fail(1, "error: you must specify at least one command for the container\n");
  dataplane::ClientError error;
  auto client =
      impl_->network->client(dataplane::ClientRef::pod(request.namespace_, request.pod), &error);
  if (!client) return fail(1, fmt::format("error: {}\n", error.message));

  const std::string program = program_name(request.argv.front());
  const std::vector<std::string> args(request.argv.begin() + 1, request.argv.end());
  auto ok = [](std::string out) {
    ExecResult r;
    r.stdout_text = std::move(out);
    return r;
  };

  if (program == "curl") {
    const dataplane::CurlOptions options = dataplane::parse_curl_args(args);
    if (options.ok() && options.repeat > 0)
      return run_repeated_curl(*this, options,
                               dataplane::ClientRef::pod(pod->meta.namespace_, pod->meta.name));
    return run_curl(*impl_->pipeline, options, *client, request.sink);
  }
  if (auto it = impl_->tools.find(program); it != impl_->tools.end()) {
    ToolContext ctx{*this, *pod, *container, *client, request.argv, request.sink};
    return it->second(ctx);
  }
  if (program == "hostname") return ok(pod_hostname(*pod) + "\n");
  if (program == "env" || program == "printenv") {
    model::StringMap env = dataplane::container_environment(impl_->state, *pod, *container);
    if (program == "printenv" && !args.empty()) {
      std::string out;
      int code = 0;
      for (const auto& name : args) {
        if (name == "HOSTNAME")
          out += pod_hostname(*pod) + "\n";
        else if (const std::string* v = env.get(name))
          out += *v + "\n";
        else
          code = 1;
      }
      ExecResult r = ok(std::move(out));
      r.exit_code = code;
      return r;
    }
    std::string out = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n";
    out += fmt::format("HOSTNAME={}\n", pod_hostname(*pod));
    for (const auto& [k, v] : env) out += fmt::format("{}={}\n", k, v);
    out += "HOME=/root\n";
    return ok(std::move(out));
  }
  if (program == "cat") {
    std::string out;
    std::string err;
    for (const auto& path : args) {
      if (path == "/etc/resolv.conf")
        out += client->resolv_conf->render();
      else if (path == "/etc/hosts" && client->hosts)
        out += client->hosts->render();
      else if (path == "/etc/hostname")
        out += pod_hostname(*pod) + "\n";
      else
        err += fmt::format("cat: {}: No such file or directory\n", path);
    }
    ExecResult r = ok(std::move(out));
    r.stderr_text = std::move(err);
    r.exit_code = r.stderr_text.empty() ? 0 : 1;
    return r;
  }
  if (program == "echo") {
    std::string out;
    for (std::size_t i = 0; i < args.size(); ++i) out += (i ? " " : "") + args[i];
    return ok(out + "\n");
  }
  if (program == "true") return ok({});
  if (program == "false") return fail(1, {});
  if ((program == "sh" || program == "bash" || program == "ash") && args.size() >= 2 &&
      args[0] == "-c") {
    // A shell running simple commands joined by &&, || and ;: enough for the usual
    // `sh -c "curl ... && echo"`. No pipes, redirections or variables.
    std::vector<std::string> words = split_command_line(args[1]);
    ExecResult total;
    std::string op = ";";
    std::size_t i = 0;
    while (i < words.size()) {
      std::size_t j = i;
      while (j < words.size() && words[j] != "&&" && words[j] != "||" && words[j] != ";") ++j;
      const bool run =
          op == ";" || (op == "&&" && total.exit_code == 0) || (op == "||" && total.exit_code != 0);
      if (run && j > i) {
        ExecRequest inner = request;
        inner.argv.assign(words.begin() + static_cast<std::ptrdiff_t>(i),
                          words.begin() + static_cast<std::ptrdiff_t>(j));
        ExecResult r = exec(inner);
        if (r.exit_code == 126 &&
            r.stderr_text.find("executable file not found") != std::string::npos) {
          r.stderr_text = fmt::format("{}: 1: {}: not found\n", program, inner.argv.front());
          r.exit_code = 127;
        }
        total.exit_code = r.exit_code;
        total.stdout_text += r.stdout_text;
        total.stderr_text += r.stderr_text;
        for (auto& q : r.requests) total.requests.push_back(std::move(q));
        total.hops.insert(total.hops.end(), r.hops.begin(), r.hops.end());
      }
      if (j < words.size()) op = words[j];
      i = j + 1;
    }
    return total;
  }
  return fail(126, fmt::format("OCI runtime exec failed: exec failed: unable to start container "
                               "process: exec: \"{}\": executable file not found in $PATH: "
                               "unknown\n",
                               request.argv.front()));
}

// ---------------------------------------------------------------------------------------
// Time (issue 5): docs/time.md

std::string_view to_string(PodLifecycle p) {
  switch (p) {
    case PodLifecycle::not_found:
      return "not_found";
    case PodLifecycle::pending:
      return "pending";
    case PodLifecycle::container_creating:
      return "container_creating";
    case PodLifecycle::running:
      return "running";
    case PodLifecycle::ready:
      return "ready";
    case PodLifecycle::terminating:
      return "terminating";
  }
  return "?";
}

std::string_view to_string(ClusterEvent::Kind k) {
  switch (k) {
    case ClusterEvent::Kind::pod_created:
      return "pod_created";
    case ClusterEvent::Kind::pod_started:
      return "pod_started";
    case ClusterEvent::Kind::pod_ready:
      return "pod_ready";
    case ClusterEvent::Kind::pod_terminating:
      return "pod_terminating";
    case ClusterEvent::Kind::pod_sigterm:
      return "pod_sigterm";
    case ClusterEvent::Kind::pod_gone:
      return "pod_gone";
    case ClusterEvent::Kind::controllers_synced:
      return "controllers_synced";
    case ClusterEvent::Kind::proxy_programmed:
      return "proxy_programmed";
    case ClusterEvent::Kind::ingress_programmed:
      return "ingress_programmed";
  }
  return "?";
}

std::string ClusterEvent::str() const {
  std::string s = fmt::format("{} {}", core::format_time(time), to_string(kind));
  if (!namespace_.empty()) {
    s += fmt::format(" {}/{}", namespace_, name);
    if (!ip.empty()) s += " " + ip.str();
    if (!node.empty()) s += " on " + node;
  } else if (!name.empty()) {
    s += " " + name;
  }
  if (generation != 0) s += fmt::format(" generation {}", generation);
  return s;
}

void Simulation::run_until(core::SimTime t) {
  if (t < impl_->sim.now()) t = impl_->sim.now();
  impl_->sim.run_until(t);
  impl_->state.now = impl_->sim.now();
  impl_->view_stale = true;
  impl_->clock->compact();
}

core::SimTime Simulation::run_until_idle(core::SimTime limit) {
  auto& sim = impl_->sim;
  while (sim.pending() > 0 && *sim.next_time() <= limit) sim.step();
  if (sim.pending() > 0 && sim.now() < limit) sim.run_until(limit);
  impl_->state.now = sim.now();
  impl_->view_stale = true;
  impl_->clock->compact();
  return sim.now();
}

namespace {

// What a re-applied object keeps of the one that runs: a pod its status and node (podhop
// takes only its labels and annotations, the fields a running pod may change), a Service its
// allocated addresses (kubectl apply leaves clusterIP and nodePorts to the server when the
// manifest does not give them).
void keep_running(const model::Pod& old, model::Pod& next) {
  model::Pod merged = old;
  merged.meta.labels = next.meta.labels;
  merged.meta.annotations = next.meta.annotations;
  merged.meta.source = next.meta.source;
  next = std::move(merged);
}

void keep_running(const model::Service& old, model::Service& next) {
  auto& spec = next.spec;
  if (spec.cluster_ip.empty() && !spec.headless && spec.type != model::ServiceType::ExternalName)
    spec.cluster_ip = old.spec.cluster_ip;
  for (auto& port : spec.ports) {
    if (port.node_port != 0) continue;
    for (const auto& o : old.spec.ports)
      if (o.port == port.port && o.protocol == port.protocol) port.node_port = o.node_port;
  }
  if (spec.health_check_node_port == 0)
    spec.health_check_node_port = old.spec.health_check_node_port;
  if (next.load_balancer.empty()) next.load_balancer = old.load_balancer;
}

template <typename T>
void keep_running(const T&, T&) {}

// Objects loaded into `from` go into `into`: new ones as they are, updates keeping their
// age and creation order (and what keep_running keeps).
template <typename T>
void merge_objects(const model::ObjectTable<T>& from, model::ObjectTable<T>& into) {
  for (T obj : from.items()) {
    if (const T* existing = into.find(obj.meta.namespace_, obj.meta.name)) {
      obj.meta.creation_index = existing->meta.creation_index;
      obj.meta.created = existing->meta.created;
      if constexpr (std::is_same_v<T, model::Pod>) {
        if (!existing->removed) keep_running(*existing, obj);
      } else {
        keep_running(*existing, obj);
      }
    }
    into.upsert(std::move(obj));
  }
}

void merge_all(const model::ClusterState& from, model::ClusterState& into) {
  merge_objects(from.namespaces, into.namespaces);
  merge_objects(from.pods, into.pods);
  merge_objects(from.services, into.services);
  merge_objects(from.endpoints, into.endpoints);
  merge_objects(from.endpoint_slices, into.endpoint_slices);
  merge_objects(from.secrets, into.secrets);
  merge_objects(from.deployments, into.deployments);
  merge_objects(from.replica_sets, into.replica_sets);
  merge_objects(from.replication_controllers, into.replication_controllers);
  merge_objects(from.stateful_sets, into.stateful_sets);
  merge_objects(from.daemon_sets, into.daemon_sets);
  merge_objects(from.ingresses, into.ingresses);
  merge_objects(from.ingress_classes, into.ingress_classes);
  merge_objects(from.apps, into.apps);
  for (const auto& ig : from.ignored) into.ignored.push_back(ig);
  into.next_creation_index = std::max(into.next_creation_index, from.next_creation_index);
}

// Loads into an empty scratch state that knows the cluster's namespaces (so none is reported
// as undeclared) and continues its creation order, then merges into the running cluster and
// reconciles it without settling. All or nothing.
template <typename LoadFn>
manifest::LoadReport apply_at_now(Simulation::Impl& impl, LoadFn&& load_fn) {
  model::ClusterState scratch;
  scratch.config = impl.state.config;
  scratch.namespaces = impl.state.namespaces;
  scratch.next_creation_index = impl.state.next_creation_index;
  scratch.now = impl.sim.now();
  manifest::LoadReport report = load_fn(scratch);
  if (!report.ok()) return report;
  // The cluster's shape (nodes, CIDRs, timing) is fixed once it runs: a Cluster document in
  // an apply is read for validation only.
  model::ClusterState next = impl.state;
  next.now = impl.sim.now();
  merge_all(scratch, next);
  auto diags = controllers::reconcile(next, {.seed = impl.seed, .settle = false});
  for (const auto& d : diags.items())
    if (d.severity == core::Severity::error) report.diagnostics.add(d);
  if (!report.ok()) return report;
  model::ClusterState applied = impl.applied;
  merge_all(scratch, applied);
  impl.applied = std::move(applied);
  impl.state = std::move(next);
  impl.view_stale = true;
  impl.clock->reconciled();
  return report;
}

// kubectl's resource for a kind as `kubectl delete/scale` accepts it: the plural it prints in
// NotFound errors and the singular.group it prints in "deleted" and "scaled".
struct Resource {
  std::string_view kind;      // the model kind
  std::string_view plural;    // "deployments.apps"
  std::string_view singular;  // "deployment.apps"
};

std::optional<Resource> resource_of(std::string_view kind) {
  std::string k(kind);
  for (char& c : k)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  static constexpr std::array<std::pair<std::array<std::string_view, 3>, Resource>, 12> table{{
      {{"pod", "pods", "po"}, {"Pod", "pods", "pod"}},
      {{"service", "services", "svc"}, {"Service", "services", "service"}},
      {{"deployment", "deployments", "deploy"},
       {"Deployment", "deployments.apps", "deployment.apps"}},
      {{"replicaset", "replicasets", "rs"}, {"ReplicaSet", "replicasets.apps", "replicaset.apps"}},
      {{"statefulset", "statefulsets", "sts"},
       {"StatefulSet", "statefulsets.apps", "statefulset.apps"}},
      {{"daemonset", "daemonsets", "ds"}, {"DaemonSet", "daemonsets.apps", "daemonset.apps"}},
      {{"replicationcontroller", "replicationcontrollers", "rc"},
       {"ReplicationController", "replicationcontrollers", "replicationcontroller"}},
      {{"endpoints", "endpoints", "ep"}, {"Endpoints", "endpoints", "endpoints"}},
      {{"endpointslice", "endpointslices", "endpointslice"},
       {"EndpointSlice", "endpointslices.discovery.k8s.io", "endpointslice.discovery.k8s.io"}},
      {{"ingress", "ingresses", "ing"},
       {"Ingress", "ingresses.networking.k8s.io", "ingress.networking.k8s.io"}},
      {{"secret", "secrets", "secret"}, {"Secret", "secrets", "secret"}},
      {{"app", "apps", "app"}, {"App", "apps.podhop.dev", "app.podhop.dev"}},
  }};
  for (const auto& [names, r] : table)
    for (auto n : names)
      if (k == n) return r;
  return std::nullopt;
}

ActionResult action_error(std::string message) {
  return {false, std::move(message)};
}

// What kubectl says of a rollout command naming no Deployment.
ActionResult deployment_not_found(std::string_view deployment) {
  return action_error(
      fmt::format("Error from server (NotFound): deployments.apps \"{}\" not found", deployment));
}

ActionResult not_found(const Resource& r, std::string_view name) {
  return action_error(
      fmt::format("Error from server (NotFound): {} \"{}\" not found", r.plural, name));
}

ActionResult unknown_kind(std::string_view kind) {
  return action_error(fmt::format("error: the server doesn't have a resource type \"{}\"", kind));
}

template <typename T>
bool erase_object(model::ObjectTable<T>& table, std::string_view ns, std::string_view name) {
  return table.erase(ns, name);
}

}  // namespace

manifest::LoadReport Simulation::apply(const std::vector<std::string>& paths) {
  return apply_at_now(*impl_,
                      [&](model::ClusterState& s) { return manifest::load_paths(paths, s); });
}

manifest::LoadReport Simulation::apply_text(std::string_view text, std::string_view filename) {
  return apply_at_now(
      *impl_, [&](model::ClusterState& s) { return manifest::load_text(text, filename, s); });
}

ActionResult Simulation::delete_object(std::string_view kind, std::string_view name,
                                       std::string_view namespace_) {
  auto r = resource_of(kind);
  if (!r) return unknown_kind(kind);
  auto& st = impl_->state;
  auto& applied = impl_->applied;
  const std::string ns(namespace_);
  st.now = impl_->sim.now();
  bool found = false;
  if (r->kind == "Pod") {
    model::Pod* pod = st.pods.find(ns, name);
    if (pod == nullptr || pod->removed) return not_found(*r, name);
    // Graceful deletion: the API server sets deletionTimestamp; kubelet and the controllers
    // take it from there (the pod goes when its containers have exited).
    if (!pod->meta.deletion) pod->meta.deletion = impl_->sim.now();
    applied.pods.erase(ns, name);
    found = true;
  } else if (r->kind == "Service") {
    found = erase_object(st.services, ns, name);
    applied.services.erase(ns, name);
  } else if (r->kind == "Deployment") {
    found = erase_object(st.deployments, ns, name);
    applied.deployments.erase(ns, name);
  } else if (r->kind == "ReplicaSet") {
    found = erase_object(st.replica_sets, ns, name);
    applied.replica_sets.erase(ns, name);
  } else if (r->kind == "StatefulSet") {
    found = erase_object(st.stateful_sets, ns, name);
    applied.stateful_sets.erase(ns, name);
  } else if (r->kind == "DaemonSet") {
    found = erase_object(st.daemon_sets, ns, name);
    applied.daemon_sets.erase(ns, name);
  } else if (r->kind == "ReplicationController") {
    found = erase_object(st.replication_controllers, ns, name);
    applied.replication_controllers.erase(ns, name);
  } else if (r->kind == "Endpoints") {
    found = erase_object(st.endpoints, ns, name);
    applied.endpoints.erase(ns, name);
  } else if (r->kind == "EndpointSlice") {
    found = erase_object(st.endpoint_slices, ns, name);
    applied.endpoint_slices.erase(ns, name);
  } else if (r->kind == "Ingress") {
    found = erase_object(st.ingresses, ns, name);
    applied.ingresses.erase(ns, name);
  } else if (r->kind == "Secret") {
    found = erase_object(st.secrets, ns, name);
    applied.secrets.erase(ns, name);
  } else if (r->kind == "App") {
    found = erase_object(st.apps, ns, name);
    applied.apps.erase(ns, name);
  }
  if (!found) return not_found(*r, name);
  impl_->view_stale = true;
  impl_->clock->api_changed();
  // Recent kubectl names the namespace (kubernetes/kubernetes#126619).
  return {true, fmt::format("{} \"{}\" deleted from {} namespace", r->singular, name, ns)};
}

ActionResult Simulation::scale(std::string_view kind, std::string_view name, int replicas,
                               std::string_view namespace_) {
  auto r = resource_of(kind);
  if (!r) return unknown_kind(kind);
  auto& st = impl_->state;
  const std::string ns(namespace_);
  std::int32_t* target = nullptr;
  std::int32_t* applied_target = nullptr;
  if (r->kind == "Deployment") {
    if (auto* d = st.deployments.find(ns, name)) target = &d->replicas;
    if (auto* d = impl_->applied.deployments.find(ns, name)) applied_target = &d->replicas;
  } else if (r->kind == "ReplicaSet") {
    if (auto* o = st.replica_sets.find(ns, name)) target = &o->replicas;
    if (auto* o = impl_->applied.replica_sets.find(ns, name)) applied_target = &o->replicas;
  } else if (r->kind == "StatefulSet") {
    if (auto* o = st.stateful_sets.find(ns, name)) target = &o->replicas;
    if (auto* o = impl_->applied.stateful_sets.find(ns, name)) applied_target = &o->replicas;
  } else if (r->kind == "ReplicationController") {
    if (auto* o = st.replication_controllers.find(ns, name)) target = &o->replicas;
    if (auto* o = impl_->applied.replication_controllers.find(ns, name))
      applied_target = &o->replicas;
  } else {
    return action_error(
        fmt::format("error: cannot scale {}: only deployments, replicasets, "
                    "statefulsets and replicationcontrollers scale",
                    r->plural));
  }
  if (target == nullptr) return not_found(*r, name);
  if (replicas < 0)
    return action_error(
        fmt::format("error: The {} \"{}\" is invalid: spec.replicas: Invalid "
                    "value: {}: must be greater than or equal to 0",
                    r->kind, name, replicas));
  *target = replicas;
  if (applied_target) *applied_target = replicas;
  impl_->clock->api_changed();
  return {true, fmt::format("{}/{} scaled", r->singular, name)};
}

ActionResult Simulation::rollout(std::string_view deployment, std::string_view image,
                                 std::string_view namespace_, std::string_view container) {
  auto& st = impl_->state;
  const std::string ns(namespace_);
  model::Deployment* d = st.deployments.find(ns, deployment);
  if (d == nullptr) return deployment_not_found(deployment);
  if (!d->pod_template.spec) return action_error("error: the Deployment has no pod template");
  auto spec = std::make_shared<model::PodSpec>(*d->pod_template.spec);
  bool matched = false;
  for (auto& c : spec->containers) {
    if (!container.empty() && c.name != container) continue;
    c.image = std::string(image);
    matched = true;
  }
  if (!matched)
    return action_error(fmt::format("error: unable to find container named \"{}\"", container));
  d->pod_template.spec = spec;
  if (auto* a = impl_->applied.deployments.find(ns, deployment)) a->pod_template.spec = spec;
  impl_->clock->api_changed();
  return {true, fmt::format("deployment.apps/{} image updated", deployment)};
}

ActionResult Simulation::rollout_undo(std::string_view deployment, std::int64_t to_revision,
                                      std::string_view namespace_) {
  auto& st = impl_->state;
  const std::string ns(namespace_);
  model::Deployment* d = st.deployments.find(ns, deployment);
  if (d == nullptr) return deployment_not_found(deployment);
  // kubectl's deploymentRevision: the ReplicaSet with that revision, or with 0 the second
  // newest (the newest being the current one).
  const model::ReplicaSet* latest = nullptr;
  const model::ReplicaSet* previous = nullptr;
  const model::ReplicaSet* wanted = nullptr;
  std::int64_t latest_revision = -1;
  std::int64_t previous_revision = -1;
  for (const model::ReplicaSet* rs : st.replica_sets.sorted()) {
    if (rs->meta.namespace_ != ns || rs->meta.owner.kind != "Deployment" ||
        rs->meta.owner.name != deployment)
      continue;
    if (!rs->meta.annotations.contains(controllers::kRevisionAnnotation)) continue;
    const std::int64_t v = controllers::revision_number(rs->meta.annotations);
    if (to_revision > 0) {
      if (v == to_revision) wanted = rs;
    } else if (latest_revision < v) {
      previous_revision = latest_revision;
      previous = latest;
      latest_revision = v;
      latest = rs;
    } else if (previous_revision < v) {
      previous_revision = v;
      previous = rs;
    }
  }
  if (to_revision == 0) wanted = previous;
  if (wanted == nullptr)
    return action_error(
        to_revision > 0
            ? fmt::format("error: unable to find specified revision {} in history", to_revision)
            : fmt::format("error: no rollout history found for deployment \"{}\"", deployment));
  const std::int64_t revision = to_revision > 0 ? to_revision : previous_revision;

  // The ReplicaSet's template without the label the controller added.
  model::PodTemplate tmpl = wanted->pod_template;
  tmpl.labels.erase(controllers::kPodTemplateHashLabel);
  if (controllers::pod_template_hash(tmpl) == controllers::pod_template_hash(d->pod_template))
    return {true, fmt::format("deployment.apps/{} skipped rollback (current template already "
                              "matches revision {})",
                              deployment, revision)};
  // The Deployment's annotations become the ReplicaSet's, but for the controller's own and
  // kubectl's last-applied configuration, which the Deployment keeps.
  model::StringMap annotations;
  for (const auto& [k, v] : d->meta.annotations)
    if (controllers::is_rollout_bookkeeping(k)) annotations.set(k, v);
  for (const auto& [k, v] : wanted->meta.annotations)
    if (!controllers::is_rollout_bookkeeping(k)) annotations.set(k, v);
  d->pod_template = tmpl;
  d->meta.annotations = annotations;
  if (auto* a = impl_->applied.deployments.find(ns, deployment)) {
    a->pod_template = tmpl;
    a->meta.annotations = annotations;
  }
  impl_->clock->api_changed();
  return {true, fmt::format("deployment.apps/{} rolled back", deployment)};
}

bool Simulation::rollout_complete(std::string_view deployment, std::string_view namespace_) const {
  const auto& st = impl_->state;
  const model::Deployment* d = st.deployments.find(namespace_, deployment);
  if (d == nullptr) return false;
  const std::string current = d->meta.name + "-" + controllers::pod_template_hash(d->pod_template);
  const model::ReplicaSet* rs = st.replica_sets.find(namespace_, current);
  if (rs == nullptr || rs->replicas != d->replicas) return false;
  std::int32_t ready = 0;
  for (const auto& p : st.pods.items()) {
    if (p.removed || p.meta.deletion || p.meta.namespace_ != namespace_ ||
        p.meta.owner.kind != "ReplicaSet")
      continue;
    if (p.meta.owner.name == current) {
      ready += p.status.ready ? 1 : 0;
      continue;
    }
    // A running pod of an older ReplicaSet of this Deployment: not done yet.
    if (const auto* other = st.replica_sets.find(namespace_, p.meta.owner.name);
        other && other->meta.owner.kind == "Deployment" && other->meta.owner.name == d->meta.name)
      return false;
  }
  return ready == d->replicas;
}

PodLifecycle Simulation::pod_lifecycle(std::string_view pod, std::string_view namespace_) const {
  const model::Pod* p = impl_->state.pods.find(namespace_, pod);
  if (p == nullptr || p->removed) return PodLifecycle::not_found;
  if (p->meta.deletion) return PodLifecycle::terminating;
  if (p->status.ready) return PodLifecycle::ready;
  if (p->status.started) return PodLifecycle::running;
  if (!p->node_name.empty() && !p->status.pod_ip.empty()) return PodLifecycle::container_creating;
  return PodLifecycle::pending;
}

void Simulation::set_cluster_observer(ClusterObserver* observer) {
  impl_->clock->set_observer(observer);
}

std::uint64_t Simulation::proxy_generation(std::string_view node) const {
  auto& net = *impl_->network;
  for (std::uint32_t n = 0; n < net.node_count(); ++n)
    if (net.node_name(n) == node) return net.node_generation(n);
  return 0;
}

std::uint64_t Simulation::data_plane_generation() const {
  return impl_->network->generation();
}

std::vector<std::string> split_command_line(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() &&
                 (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$')) {
        cur += line[++i];
      } else {
        cur += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) {
        words.push_back(std::move(cur));
        cur.clear();
        in_word = false;
      }
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

}  // namespace podhop
