// Temporary stand-ins for `exec` and `curl` so the podhop binary links until the pipeline
// engineers' cmd_exec.cpp and cmd_curl.cpp land; delete this file then.
#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace podhop::cli {

void register_exec(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("exec", "Run a command inside a pod");
  struct Opts {
    std::string pod;
    std::string ns = kDefaultNamespace;
    std::vector<std::string> command;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("POD", o->pod, "Pod name")->required();
  cmd->add_option("COMMAND", o->command, "The command, after --");
  cmd->add_option("-n,--namespace", o->ns, "Namespace");
  cmd->callback([&ctx, exit_code, o] {
    *ctx.err << "error: podhop exec is not implemented yet\n";
    *exit_code = 2;
  });
}

void register_curl(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("curl", "Send a request from outside, a node or a pod");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("ARGS", *args, "curl options and URL");
  cmd->callback([&ctx, exit_code, args] {
    *ctx.err << "error: podhop curl is not implemented yet\n";
    *exit_code = 2;
  });
}

}  // namespace podhop::cli
