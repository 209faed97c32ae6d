// `podhop version`: podhop's version and the Kubernetes version it simulates.
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"

namespace podhop::cli {

void register_version(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("version", "Print podhop's version");
  auto output = std::make_shared<std::string>();
  cmd->add_option("-o,--output", *output, "Output format: yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  cmd->callback([&ctx, exit_code, output] {
    Json doc = Json{{"podhopVersion", podhop_version()}, {"kubernetesVersion", kKubernetesVersion}};
    if (*output == "json") {
      *ctx.out << to_json_text(doc);
    } else if (*output == "yaml") {
      *ctx.out << to_yaml(doc);
    } else {
      *ctx.out << fmt::format("podhop version {} (simulating Kubernetes {})\n", podhop_version(),
                              kKubernetesVersion);
    }
    *exit_code = 0;
  });
}

}  // namespace podhop::cli
