// `podhop run SCENARIO.yaml`: a placeholder until the scenario engineers replace this file.
#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace podhop::cli {

void register_run(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a scenario: a timeline of actions and expectations");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("SCENARIO", *files, "Scenario file(s)");
  cmd->add_option("-o,--output", "Output format: json");
  cmd->callback([&ctx, exit_code, files] {
    *ctx.err << "error: podhop run is not implemented yet\n";
    *exit_code = 2;
  });
}

}  // namespace podhop::cli
