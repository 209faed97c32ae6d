// `podhop curl [curl options] URL [--from external|node/NAME|pod/NAME] [-o json]`: a request
// from outside the cluster, from a node or from a pod, with curl's output and the hop trace.
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/curl_options.hpp"
#include "cli/curl_output.hpp"

namespace podhop::cli {

void register_curl(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "curl", "Send a request as curl does, from outside the cluster, a node or a pod");
  // Every argument is curl's except podhop's own, which curl_options.hpp picks out: CLI11
  // would reject curl's options.
  cmd->allow_extras();
  cmd->fallthrough(false);
  cmd->footer(
      "Options (curl's): -s -S -v -i -I -k -L --fail -H 'Name: value' -X METHOD -d DATA\n"
      "  --resolve HOST:PORT:ADDR --connect-timeout S --max-time S -w FORMAT -o FILE\n"
      "podhop's: --from external|node/NAME|pod/NAME (default external), -n NAMESPACE,\n"
      "  -o json (the result document), --repeat N [--keepalive] (N requests, summarised),\n"
      "  --cacert FILE. -f names manifests, so curl's -f is --fail here.\n"
      "Examples:\n"
      "  podhop -f examples/seed/manifests curl -s http://app2-svc:9999 --from pod/app1\n"
      "  podhop -f examples/seed/manifests curl http://192.168.49.2:30008 --from node/minikube");
  cmd->callback([&ctx, exit_code, cmd] {
    PodhopCurlArgs args = split_podhop_curl_args(cmd->remaining(), ctx.global);
    if (!args.error.empty()) {
      *ctx.err << "error: " << args.error << "\n";
      *exit_code = 1;
      return;
    }
    Simulation* sim = ctx.simulation();
    if (!sim) {
      *exit_code = 1;
      return;
    }
    TraceOutput trace(ctx);
    if (!trace.ok()) {
      *exit_code = 1;
      return;
    }
    dataplane::CurlOptions options = dataplane::parse_curl_args(args.curl_args);
    if (options.ok() && options.repeat > 0) {
      *exit_code = print_repeat(ctx, *sim, options, args.from, args.json);
      return;
    }
    ExecResult result = sim->curl(options, args.from, &trace);
    *exit_code = print_result(ctx, result, args.json);
  });
}

}  // namespace podhop::cli
