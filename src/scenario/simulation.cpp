#include "podhop/simulation.hpp"

#include "podhop/controllers/reconcile.hpp"
#include "scenario/simulation_impl.hpp"

namespace podhop {

Simulation::Simulation(SimulationOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->seed = options.seed;
  // An empty cluster still has its system objects (kubernetes, kube-dns, CoreDNS).
  auto diags = controllers::reconcile(impl_->state, {.seed = impl_->seed});
  PODHOP_CHECK(!diags.has_errors(), "the empty cluster must reconcile");
}

Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

namespace {

// Loads into a copy, reconciles the copy, and keeps it only when both succeed.
template <typename LoadFn>
manifest::LoadReport load_all_or_nothing(Simulation::Impl& impl, LoadFn&& load_fn) {
  model::ClusterState next = impl.state;
  manifest::LoadReport report = load_fn(next);
  if (!report.ok()) return report;
  auto diags = controllers::reconcile(next, {.seed = impl.seed});
  report.diagnostics.append(diags);
  if (!report.ok()) return report;
  impl.state = std::move(next);
  impl.on_state_changed();
  return report;
}

}  // namespace

manifest::LoadReport Simulation::load(const std::vector<std::string>& paths, std::istream* in) {
  return load_all_or_nothing(*impl_, [&](model::ClusterState& s) {
    return manifest::load_paths(paths, s, in);
  });
}

manifest::LoadReport Simulation::load_text(std::string_view text, std::string_view filename) {
  return load_all_or_nothing(*impl_, [&](model::ClusterState& s) {
    return manifest::load_text(text, filename, s);
  });
}

const model::ClusterState& Simulation::state() const { return impl_->state; }
std::uint64_t Simulation::seed() const { return impl_->seed; }

}  // namespace podhop
