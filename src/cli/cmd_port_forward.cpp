// `podhop port-forward`: a placeholder until the edge engineers replace this file.
#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace podhop::cli {

void register_port_forward(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "port-forward", "Forward a local port to a pod or Service, then run curl through it");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("ARGS", *args, "svc/NAME|pod/NAME [LOCAL:]REMOTE -- curl ...");
  cmd->callback([&ctx, exit_code, args] {
    *ctx.err << "error: podhop port-forward is not implemented yet\n";
    *exit_code = 2;
  });
}

}  // namespace podhop::cli
