#include "cli/context.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

namespace podhop::cli {

Context::Context() = default;
Context::~Context() = default;

namespace {

// "ServiceAccount (2), ConfigMap (1)": most frequent first, then by name.
std::string ignored_summary(const std::map<std::string, std::size_t>& kinds, std::size_t* total) {
  std::vector<std::pair<std::string, std::size_t>> sorted(kinds.begin(), kinds.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  *total = 0;
  for (const auto& [kind, n] : sorted) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({})", kind, n);
    *total += n;
  }
  return out;
}

}  // namespace

Simulation* Context::simulation() {
  if (tried_) return sim_.get();
  tried_ = true;
  auto sim = std::make_unique<Simulation>(SimulationOptions{.seed = global.seed});
  if (!global.files.empty()) {
    manifest::LoadReport report = sim->load(global.files, in);
    for (const auto& d : report.diagnostics.items()) *err << d.str() << '\n';
    if (!report.ok()) {
      *err << fmt::format("error: {} error(s) in the manifests; nothing was applied\n",
                          report.diagnostics.error_count());
      return nullptr;
    }
    if (!report.ignored_kinds.empty()) {
      std::size_t total = 0;
      std::string kinds = ignored_summary(report.ignored_kinds, &total);
      if (total == 1) {
        *err << fmt::format("warning: ignored 1 object of a kind podhop does not simulate: {}\n",
                            kinds);
      } else {
        *err << fmt::format("warning: ignored {} objects of kinds podhop does not simulate: {}\n",
                            total, kinds);
      }
    }
    if (!report.created_namespaces.empty()) {
      std::vector<std::string> quoted;
      for (const auto& ns : report.created_namespaces) quoted.push_back(fmt::format("\"{}\"", ns));
      if (quoted.size() == 1) {
        *err << fmt::format(
            "warning: created namespace {}, which no manifest declares (a real API server "
            "would refuse its objects until it exists)\n",
            quoted.front());
      } else {
        *err << fmt::format(
            "warning: created namespaces {}, which no manifest declares (a real API server "
            "would refuse their objects until they exist)\n",
            fmt::join(quoted, ", "));
      }
    }
  }
  sim_ = std::move(sim);
  return sim_.get();
}

spdlog::logger& Context::log() {
  if (!log_) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(*err, /*force_flush=*/true);
    sink->set_pattern("%v");
    // Not registered with spdlog's registry: each Context owns its logger.
    log_ = std::make_shared<spdlog::logger>("podhop", std::move(sink));
    spdlog::level::level_enum level = spdlog::level::from_str(global.log_level);
    log_->set_level(global.quiet ? spdlog::level::off : level);
  }
  return *log_;
}

}  // namespace podhop::cli
