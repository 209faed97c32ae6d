#include "cli/app.hpp"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace podhop::cli {

namespace {

// Global options that take a value: the scan for the command name skips their values.
bool global_option_takes_value(const std::string& arg) {
  return arg == "-f" || arg == "--filename" || arg == "--seed" || arg == "--log-level" ||
         arg == "--trace-file";
}

// The first argument that is neither an option nor an option's value: the command.
const std::string* find_command(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return nullptr;
    if (a.size() > 1 && a[0] == '-') {
      if (global_option_takes_value(a)) ++i;
      continue;
    }
    return &a;
  }
  return nullptr;
}

// The deepest subcommand the parse reached, for "See 'podhop get -h'".
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* cur = &app;
  for (;;) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
    path += " " + cur->get_name();
  }
  return path;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        std::istream& in) {
  Context ctx;
  ctx.out = &out;
  ctx.err = &err;
  ctx.in = &in;
  int exit_code = 0;

  CLI::App app{
      "podhop simulates Kubernetes service networking: it loads the manifests you "
      "would `kubectl apply` and shows how requests travel, hop by hop.",
      "podhop"};
  // Global options are accepted after the command too (kubectl style): a subcommand hands
  // what it does not know to its parent.
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.add_option("-f,--filename", ctx.global.files,
                 "Manifest file, folder (read recursively) or - for standard input; repeatable")
      ->allow_extra_args(false);
  app.add_option("--seed", ctx.global.seed, "Root seed of every random choice (default 1)");
  app.add_option("--log-level", ctx.global.log_level,
                 "Level of the log lines on stderr: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag("--quiet", ctx.global.quiet, "No hop trace on stderr");
  app.add_option("--trace-file", ctx.global.trace_file, "Write the hop events as JSON lines");

  register_get(app, ctx, &exit_code);
  register_describe(app, ctx, &exit_code);
  register_exec(app, ctx, &exit_code);
  register_curl(app, ctx, &exit_code);
  register_port_forward(app, ctx, &exit_code);
  register_expose(app, ctx, &exit_code);
  register_create(app, ctx, &exit_code);
  register_run(app, ctx, &exit_code);
  register_version(app, ctx, &exit_code);

  if (const std::string* command = find_command(args)) {
    auto subs = app.get_subcommands([](CLI::App*) { return true; });
    bool known = std::any_of(subs.begin(), subs.end(),
                             [&](const CLI::App* s) { return s->check_name(*command); });
    if (!known) {
      err << "error: unknown command \"" << *command << "\" for \"podhop\"\n"
          << "Run 'podhop --help' for usage.\n";
      return 1;
    }
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    // Help of the command that was asked about (CLI11 puts it on the deepest parsed app).
    const CLI::App* target = &app;
    while (!target->get_subcommands().empty()) target = target->get_subcommands().front();
    out << target->help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "error: " << e.what() << "\n"
        << "See '" << command_path(app) << " -h' for help and examples\n";
    return 1;
  }
  if (app.get_subcommands().empty()) {
    out << app.help();
    return 0;
  }
  return exit_code;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return run(args, std::cout, std::cerr, std::cin);
}

}  // namespace podhop::cli
