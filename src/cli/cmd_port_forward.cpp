// `podhop port-forward svc/NAME|pod/NAME [LOCAL:]REMOTE... -- curl ... http://localhost:LOCAL/`:
// kubectl port-forward, with the curl that uses it.
//
// As kubectl does: for a Service (or Deployment...) one pod is chosen once, the first of
// the selector's pods sorted by sort.Reverse(podutils.ActivePods) (scheduled, running,
// ready, ready longest, fewest restarts, oldest); REMOTE names a Service port and becomes its
// targetPort (a named targetPort looked up in the pod's containers); LOCAL defaults to REMOTE
// as written. Connections to localhost:LOCAL go through the API server and the kubelet
// straight into the pod's network namespace: no Service, no kube-proxy, and the pod sees
// 127.0.0.1 as the client (kubectl/pkg/cmd/portforward/portforward.go).
#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/curl_output.hpp"
#include "podhop/dataplane/curl.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::cli {

namespace {

struct PortForwardArgs {
  std::string ns = kDefaultNamespace;
  std::string output;
  std::string target;
  std::vector<std::string> rest;
  std::vector<std::string> command;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool looks_like_port(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return all_digits(s);
  return (colon == 0 || all_digits(s.substr(0, colon))) && all_digits(s.substr(colon + 1));
}

// sort.Reverse(podutils.ActivePods): the pod kubectl attaches to comes first.
bool more_attachable(const model::Pod* a, const model::Pod* b) {
  auto key = [](const model::Pod* p) {
    return std::make_tuple(!p->node_name.empty(), p->status.phase == model::PodPhase::Running,
                           p->status.ready, -p->status.restarts);
  };
  if (key(a) != key(b)) return key(a) > key(b);
  if (a->meta.creation_index != b->meta.creation_index)
    return a->meta.creation_index < b->meta.creation_index;  // older first
  return a->meta.name < b->meta.name;
}

std::optional<std::int32_t> named_container_port(const model::Pod& pod, std::string_view name) {
  for (const auto& c : pod.spec->containers)
    for (const auto& p : c.ports)
      if (p.name == name) return p.container_port;
  return std::nullopt;
}

}  // namespace

void register_port_forward(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "port-forward", "Forward a local port to a pod or Service, then run curl through it");
  auto o = std::make_shared<PortForwardArgs>();
  cmd->add_option("-n,--namespace", o->ns, "Namespace of the pod or Service");
  cmd->add_option("-o,--output", o->output, "json: print curl's result document")
      ->check(CLI::IsMember({"json"}));
  // Everything from the first positional on (TARGET, ports, --, curl ...) is handed over
  // as is: curl's options are not podhop's.
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->footer(
      "Examples:\n"
      "  podhop -f examples/seed/manifests port-forward svc/app2-svc 9999 -- curl -s "
      "http://localhost:9999/\n"
      "  podhop -f examples/seed/manifests port-forward pod/app2 8000:8080 -- curl -s "
      "http://127.0.0.1:8000/");
  cmd->callback([&ctx, exit_code, o, cmd] {
    for (const auto& a : cmd->remaining()) {
      if (a == "--" && std::find(o->rest.begin(), o->rest.end(), "--") == o->rest.end()) {
        o->rest.push_back(a);
        continue;
      }
      o->rest.push_back(a);
    }
    // podhop's own options may also come after TARGET (before --).
    std::vector<std::string> rest;
    bool in_command = false;
    for (std::size_t k = 0; k < o->rest.size(); ++k) {
      const std::string& a = o->rest[k];
      if (!in_command && a == "--") {
        in_command = true;
        continue;
      }
      if (!in_command && (a == "-n" || a == "--namespace") && k + 1 < o->rest.size()) {
        o->ns = o->rest[++k];
        continue;
      }
      if (!in_command && (a == "-o" || a == "--output") && k + 1 < o->rest.size()) {
        o->output = o->rest[++k];
        continue;
      }
      rest.push_back(a);
    }
    o->rest = std::move(rest);
    auto& err = *ctx.err;
    auto& out = *ctx.out;
    if (o->rest.empty()) {
      err << "error: TYPE/NAME and list of ports are required for port-forward\n";
      *exit_code = 1;
      return;
    }
    const std::string target = o->rest.front();
    std::vector<std::string> ports;
    std::size_t i = 1;
    while (i < o->rest.size() && looks_like_port(o->rest[i])) ports.push_back(o->rest[i++]);
    std::vector<std::string> command(o->rest.begin() + static_cast<std::ptrdiff_t>(i),
                                     o->rest.end());
    if (ports.empty()) {
      err << "error: at least 1 PORT is required for port-forward\n";
      *exit_code = 1;
      return;
    }
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    const model::ClusterState& st = sim->state();
    auto slash = target.find('/');
    std::string kind = slash == std::string::npos ? "pod" : target.substr(0, slash);
    std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
    const model::Pod* pod = nullptr;
    const model::Service* svc = nullptr;
    if (kind == "pod" || kind == "pods" || kind == "po") {
      pod = st.pods.find(o->ns, name);
      if (!pod) {
        err << fmt::format("Error from server (NotFound): pods \"{}\" not found\n", name);
        *exit_code = 1;
        return;
      }
    } else if (kind == "svc" || kind == "service" || kind == "services") {
      svc = st.services.find(o->ns, name);
      if (!svc) {
        err << fmt::format("Error from server (NotFound): services \"{}\" not found\n", name);
        *exit_code = 1;
        return;
      }
      std::vector<const model::Pod*> pods;
      if (svc->spec.has_selector)
        for (const auto* p : st.pods.sorted())
          if (p->meta.namespace_ == o->ns &&
              model::selector_matches(svc->spec.selector, p->meta.labels))
            pods.push_back(p);
      if (pods.empty()) {
        // kubectl waits --pod-running-timeout (1m) for a pod of the selector, then gives up.
        err << "error: timed out waiting for the condition\n";
        *exit_code = 1;
        return;
      }
      std::sort(pods.begin(), pods.end(), more_attachable);
      pod = pods.front();
    } else {
      err << fmt::format("error: port-forward supports pod/NAME and svc/NAME, not \"{}\"\n",
                         target);
      *exit_code = 1;
      return;
    }
    if (pod->status.phase != model::PodPhase::Running) {
      err << fmt::format(
          "error: unable to forward port because pod is not running. Current "
          "status={}\n",
          model::to_string(pod->status.phase));
      *exit_code = 1;
      return;
    }
    // [LOCAL:]REMOTE, REMOTE translated through the Service.
    std::vector<dataplane::PortForward> forwards;
    for (const auto& p : ports) {
      auto colon = p.find(':');
      std::string local = colon == std::string::npos ? p : p.substr(0, colon);
      std::string remote = colon == std::string::npos ? p : p.substr(colon + 1);
      if (local.empty()) local = remote;  // kubectl picks a random port; podhop keeps REMOTE
      std::int32_t remote_port = std::atoi(remote.c_str());
      if (svc) {
        const model::ServicePort* sp = nullptr;
        for (const auto& s : svc->spec.ports)
          if (s.port == remote_port) sp = &s;
        if (!sp) {
          err << fmt::format("error: Service {} does not have a service port {}\n", name,
                             remote_port);
          *exit_code = 1;
          return;
        }
        if (sp->target_port.is_string()) {
          auto cp = named_container_port(*pod, sp->target_port.str_value);
          if (!cp) {
            err << fmt::format("error: Pod '{}' does not have a named port '{}'\n", pod->meta.name,
                               sp->target_port.str_value);
            *exit_code = 1;
            return;
          }
          remote_port = *cp;
        } else if (sp->target_port.int_value != 0) {
          remote_port = sp->target_port.int_value;
        }
      }
      dataplane::PortForward pf;
      pf.local_port = static_cast<std::uint16_t>(std::atoi(local.c_str()));
      pf.pod_port = static_cast<std::uint16_t>(remote_port);
      pf.pod_ip = pod->status.pod_ip;
      pf.pod = fmt::format("{}/{}", pod->meta.namespace_, pod->meta.name);
      forwards.push_back(pf);
      out << fmt::format("Forwarding from 127.0.0.1:{} -> {}\n", pf.local_port, pf.pod_port);
      out << fmt::format("Forwarding from [::1]:{} -> {}\n", pf.local_port, pf.pod_port);
    }
    if (command.empty()) {
      // kubectl would wait for connections; without a command there is nothing to send.
      *exit_code = 0;
      return;
    }
    if (command.front() != "curl") {
      err << fmt::format("error: podhop port-forward runs curl after --, not \"{}\"\n",
                         command.front());
      *exit_code = 1;
      return;
    }
    std::vector<std::string> curl_args(command.begin() + 1, command.end());
    dataplane::CurlOptions options = dataplane::parse_curl_args(curl_args);
    TraceOutput trace(ctx);
    if (!trace.ok()) {
      *exit_code = 1;
      return;
    }
    // One tunnel per URL port: the first forward whose LOCAL the URL names.
    ExecResult total;
    for (const auto& url : options.urls) {
      dataplane::CurlOptions one = options;
      one.urls = {url};
      auto parsed = dataplane::parse_url(url);
      for (const auto& pf : forwards)
        if (parsed.ok() && parsed.url->port == pf.local_port) one.port_forward = pf;
      if (one.port_forward)
        out << fmt::format("Handling connection for {}\n", one.port_forward->local_port);
      ExecResult r = sim->curl(one, dataplane::ClientRef::external(), &trace);
      total.exit_code = r.exit_code;
      total.stdout_text += r.stdout_text;
      total.stderr_text += r.stderr_text;
      for (auto& q : r.requests) total.requests.push_back(std::move(q));
    }
    *exit_code = print_result(ctx, total, o->output == "json");
  });
}

}  // namespace podhop::cli
