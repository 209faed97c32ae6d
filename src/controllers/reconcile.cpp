#include "podhop/controllers/reconcile.hpp"

#include "context.hpp"

namespace podhop::controllers {

core::Diagnostics reconcile(model::ClusterState& state, const ReconcileOptions& options) {
  detail::Context ctx(state, options);
  // Order matters: nodes before anything placed on them, workloads before the scheduler,
  // pod IPs before the endpoints that list them.
  detail::reconcile_nodes(ctx);
  detail::reconcile_namespaces(ctx);
  detail::ensure_system_objects(ctx);
  detail::reconcile_workloads(ctx);
  detail::schedule_pods(ctx);
  detail::assign_pod_ips(ctx);
  detail::update_pod_status(ctx);
  detail::allocate_service_addresses(ctx);
  detail::reconcile_endpoints(ctx);
  detail::reconcile_ingresses(ctx);
  return std::move(ctx.diags);
}

}  // namespace podhop::controllers
