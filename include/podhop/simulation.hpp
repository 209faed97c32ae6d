#pragma once
// The public facade: what the CLI and Catch2 scenario tests use.
//
//   podhop::Simulation sim({.seed = 1});
//   auto report = sim.load({"examples/seed/manifests"});
//   REQUIRE(report.ok());
//   auto r = sim.exec("app1", "curl -s http://app1-svc:8888");
//
// A Simulation is a value: two can live side by side in one test.

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "podhop/manifest/loader.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop {

struct SimulationOptions {
  std::uint64_t seed = 1;
};

class Simulation {
 public:
  explicit Simulation(SimulationOptions options = {});
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) noexcept;

  /// Loads manifests and brings the cluster to its settled state. All or nothing: on any
  /// error (in the files, or in allocation such as a taken nodePort) the cluster is left as
  /// it was and the report lists every error.
  manifest::LoadReport load(const std::vector<std::string>& paths, std::istream* in = nullptr);
  /// Loads YAML text as if it were the file `filename`.
  manifest::LoadReport load_text(std::string_view text, std::string_view filename = "<text>");

  const model::ClusterState& state() const;
  std::uint64_t seed() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace podhop
