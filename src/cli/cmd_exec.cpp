// `podhop exec POD [-n NS] [-c CONTAINER] [-o json] -- COMMAND [ARGS...]`: runs a command
// inside a pod as kubectl exec does (curl, nslookup, dig, cat, env, hostname...), with the
// hop trace on stderr.
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/curl_output.hpp"

namespace podhop::cli {

namespace {

struct ExecArgs {
  std::string pod;
  std::string ns = kDefaultNamespace;
  std::string container;
  std::string output;
  std::vector<std::string> command;
  bool stdin_flag = false;
  bool tty = false;
};

// kubectl names the container it picked when the pod has several and -c is absent.
void note_default_container(Context& ctx, const model::Pod& pod, const std::string& container) {
  if (!container.empty() || pod.spec->containers.size() < 2) return;
  if (pod.meta.annotations.contains("kubectl.kubernetes.io/default-container")) return;
  std::vector<std::string> names;
  for (const auto& c : pod.spec->containers) names.push_back(c.name);
  *ctx.err << fmt::format("Defaulted container \"{}\" out of: {}\n", names.front(),
                          fmt::join(names, ", "));
}

}  // namespace

void register_exec(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("exec", "Run a command inside a pod, as kubectl exec does");
  auto o = std::make_shared<ExecArgs>();
  cmd->add_option("POD", o->pod, "Pod name")->required();
  cmd->add_option("COMMAND", o->command,
                  "The command and its arguments, after --: curl, nslookup, dig, cat, env, "
                  "hostname");
  cmd->add_option("-n,--namespace", o->ns, "Namespace of the pod");
  cmd->add_option("-c,--container", o->container, "Container name (default: the first one)");
  cmd->add_option("-o,--output", o->output, "json: print the request's result document")
      ->check(CLI::IsMember({"json"}));
  cmd->add_flag("-i,--stdin", o->stdin_flag, "Accepted for kubectl compatibility");
  cmd->add_flag("-t,--tty", o->tty, "Accepted for kubectl compatibility");
  cmd->footer(
      "Examples:\n"
      "  podhop -f examples/seed/manifests exec app1 -- curl -s http://app2-svc:9999\n"
      "  podhop -f examples/seed/manifests exec client -n other -- nslookup app2-svc.default\n"
      "  podhop -f examples/seed/manifests exec app1 -- cat /etc/resolv.conf");
  cmd->callback([&ctx, exit_code, o] {
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    if (o->command.empty()) {
      *ctx.err << "error: you must specify at least one command for the container\n";
      *exit_code = 1;
      return;
    }
    install_dns_tools(*sim);
    TraceOutput trace(ctx);
    if (!trace.ok()) {
      *exit_code = 1;
      return;
    }
    if (const model::Pod* pod = sim->state().pods.find(o->ns, o->pod))
      note_default_container(ctx, *pod, o->container);
    // curl --repeat N: the summary instead of N transfers.
    if (!o->command.empty() &&
        (o->command.front() == "curl" || o->command.front().ends_with("/curl"))) {
      std::vector<std::string> curl_args(o->command.begin() + 1, o->command.end());
      dataplane::CurlOptions options = dataplane::parse_curl_args(curl_args);
      if (options.ok() && options.repeat > 0) {
        *exit_code = print_repeat(ctx, *sim, options, dataplane::ClientRef::pod(o->ns, o->pod),
                                  o->output == "json");
        return;
      }
    }
    ExecRequest request;
    request.pod = o->pod;
    request.namespace_ = o->ns;
    request.container = o->container;
    request.argv = o->command;
    request.sink = &trace;
    ExecResult result = sim->exec(request);
    int code = print_result(ctx, result, o->output == "json");
    // kubectl's own words when the remote command fails (not for its own errors).
    const bool remote = result.stderr_text.rfind("Error from server", 0) != 0 &&
                        result.stderr_text.rfind("error: ", 0) != 0;
    if (code != 0 && remote && o->output != "json")
      *ctx.err << fmt::format("command terminated with exit code {}\n", code);
    *exit_code = code;
  });
}

}  // namespace podhop::cli
