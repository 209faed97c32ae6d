#include "scenario/cluster_clock.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "podhop/controllers/reconcile.hpp"
#include "scenario/simulation_impl.hpp"

namespace podhop::scenario {

namespace {

constexpr std::string_view kKubelet = "kubelet";

bool is_terminal(const model::Pod& p) {
  return p.status.phase == model::PodPhase::Succeeded || p.status.phase == model::PodPhase::Failed;
}

// How long after its containers start a pod turns Ready: the readiness probe's first
// success comes at initialDelaySeconds, each further one a periodSeconds later, and the pod
// is Ready after successThreshold of them; a container without a probe is ready when it
// starts. The pod is Ready when every container is.
core::Duration readiness_delay(const model::PodSpec& spec) {
  core::Duration longest;
  for (const auto& c : spec.containers) {
    if (!c.readiness_probe) continue;
    const auto& p = *c.readiness_probe;
    const std::int32_t extra = std::max<std::int32_t>(1, p.success_threshold) - 1;
    longest = std::max(longest, p.initial_delay + p.period * extra);
  }
  return longest;
}

// preStop runs before SIGTERM: the longest known sleep of the pod's containers (an exec hook
// that is not a plain sleep takes no simulated time), cut off by the grace period.
core::Duration pre_stop_delay(const model::PodSpec& spec) {
  core::Duration longest;
  for (const auto& c : spec.containers)
    if (c.pre_stop_sleep) longest = std::max(longest, *c.pre_stop_sleep);
  return std::min(longest, spec.termination_grace_period);
}

}  // namespace

ClusterClock::ClusterClock(Simulation::Impl& impl) : impl_(impl) {}

void ClusterClock::reset() {
  for (auto& [uid, t] : tracks_) {
    impl_.sim.cancel(t.start);
    impl_.sim.cancel(t.ready);
    impl_.sim.cancel(t.exit);
  }
  tracks_.clear();
  impl_.sim.cancel(sync_);
  sync_ = {};
  tombstones_ = 0;
  last_sync_generation_ = 0;
  node_rng_.clear();
}

void ClusterClock::begin_time() {
  // From the first change on, the kube-proxies and the ingress view lag (one-shot commands
  // before it see every change at once).
  if (!impl_.network->deferred_propagation()) impl_.network->set_deferred_propagation(true);
  impl_.state.now = impl_.sim.now();
}

void ClusterClock::api_changed() {
  // The change (a scale, a new template) must show in Simulation::state() at once, even
  // while terminated pods keep the view a filtered copy.
  impl_.view_stale = true;
  begin_time();
  scan();  // kubelet watches its pods: a deletion starts their termination now
  request_sync();
}

void ClusterClock::reconciled() {
  begin_time();
  scan();
  publish(true);
  emit(ClusterEvent::Kind::controllers_synced, nullptr, {}, impl_.network->generation());
}

void ClusterClock::request_sync() {
  if (impl_.sim.is_pending(sync_)) return;  // the sync already due sees this change too
  sync_ = impl_.sim.schedule_in(impl_.state.config.timing.controller_delay, [this] { on_sync(); });
}

void ClusterClock::on_sync() {
  sync_ = {};
  impl_.state.now = impl_.sim.now();
  // Runtime reconciles allocate nothing the user asked for (apply checked that), so any
  // diagnostic here is about the cluster as it runs and is left to the events it recorded.
  (void)controllers::reconcile(impl_.state, {.seed = impl_.seed, .settle = false});
  impl_.view_stale = true;
  scan();
  publish(true);
  emit(ClusterEvent::Kind::controllers_synced, nullptr, {}, impl_.network->generation());
  compact();
}

void ClusterClock::scan() {
  auto& pods = impl_.state.pods;
  const auto& timing = impl_.state.config.timing;
  const core::SimTime now = impl_.sim.now();
  std::size_t tombstones = 0;
  for (std::uint32_t s = 0; s < pods.size(); ++s) {
    model::Pod& p = pods[s];
    if (p.removed) {
      ++tombstones;
      continue;
    }
    if (is_terminal(p)) continue;
    const std::uint64_t uid = p.meta.creation_index;
    if (p.meta.deletion) {
      auto [it, fresh] = tracks_.try_emplace(uid);
      Track& t = it->second;
      if (fresh) {
        t.namespace_ = p.meta.namespace_;
        t.name = p.meta.name;
      }
      if (t.exit_scheduled) continue;
      t.exit_scheduled = true;
      impl_.sim.cancel(t.start);
      impl_.sim.cancel(t.ready);
      // kubelet: preStop first (only for containers that run), then SIGTERM.
      core::Duration delay;
      if (p.status.started) {
        delay = pre_stop_delay(*p.spec);
        for (const auto& c : p.spec->containers)
          kubelet_event(p, "Killing", fmt::format("Stopping container {}", c.name));
      }
      const core::SimTime at = std::max(now, *p.meta.deletion + delay);
      t.exit = impl_.sim.schedule_at(at, [this, uid] { on_sigterm(uid); });
      emit(ClusterEvent::Kind::pod_terminating, &p);
      continue;
    }
    if (p.status.started || p.status.pod_ip.empty()) continue;
    auto [it, fresh] = tracks_.try_emplace(uid);
    Track& t = it->second;
    if (t.start_scheduled) continue;
    t.namespace_ = p.meta.namespace_;
    t.name = p.meta.name;
    t.start_scheduled = true;
    t.start = impl_.sim.schedule_in(timing.container_start, [this, uid] { on_start(uid); });
    emit(ClusterEvent::Kind::pod_created, &p);
  }
  tombstones_ = tombstones;
}

model::Pod* ClusterClock::pod_of(std::uint64_t uid) {
  auto it = tracks_.find(uid);
  if (it == tracks_.end()) return nullptr;
  model::Pod* p = impl_.state.pods.find(it->second.namespace_, it->second.name);
  if (p == nullptr || p->removed || p->meta.creation_index != uid) return nullptr;
  return p;
}

void ClusterClock::on_start(std::uint64_t uid) {
  model::Pod* p = pod_of(uid);
  if (p == nullptr || p->meta.deletion) return;
  impl_.state.now = impl_.sim.now();
  // The events kubelet records for each container it starts, init containers first.
  auto start = [&](const model::Container& c) {
    kubelet_event(*p, "Pulled",
                  fmt::format("Container image \"{}\" already present on machine", c.image));
    kubelet_event(*p, "Created", fmt::format("Created container: {}", c.name));
    kubelet_event(*p, "Started", fmt::format("Started container {}", c.name));
  };
  for (const auto& c : p->spec->init_containers) start(c);
  for (const auto& c : p->spec->containers) start(c);
  p->status.started = true;
  p->status.phase = model::PodPhase::Running;
  p->status.reason.clear();
  impl_.view_stale = true;
  emit(ClusterEvent::Kind::pod_started, p);
  const core::Duration delay = readiness_delay(*p->spec);
  if (delay.ns == 0) {
    on_ready(uid);
    return;
  }
  tracks_[uid].ready = impl_.sim.schedule_in(delay, [this, uid] { on_ready(uid); });
}

void ClusterClock::on_ready(std::uint64_t uid) {
  model::Pod* p = pod_of(uid);
  if (p == nullptr || p->meta.deletion || p->status.ready) return;
  impl_.state.now = impl_.sim.now();
  p->status.ready = true;
  impl_.view_stale = true;
  emit(ClusterEvent::Kind::pod_ready, p);
  request_sync();  // the EndpointSlice controller sees the Ready condition
}

void ClusterClock::on_sigterm(std::uint64_t uid) {
  model::Pod* p = pod_of(uid);
  if (p == nullptr) return;
  impl_.state.now = impl_.sim.now();
  if (p->status.started) emit(ClusterEvent::Kind::pod_sigterm, p);
  // The default echo server and respond apps stop on SIGTERM: the container exits, kubelet
  // removes the pod (and its sandbox, so its IP) from the API. docs/time.md says why.
  emit(ClusterEvent::Kind::pod_gone, p);
  p->removed = true;
  p->status.phase = model::PodPhase::Succeeded;
  p->status.ready = false;
  p->status.started = false;
  p->status.pod_ip = {};
  tracks_.erase(uid);
  ++tombstones_;
  impl_.view_stale = true;
  publish(false);  // the IP is nobody's now, at once
  request_sync();  // the EndpointSlice controller drops the endpoint
}

void ClusterClock::publish(bool program) {
  impl_.network->rebuild(impl_.state);
  if (!program) return;
  // What the controllers wrote reaches each node's kube-proxy after its own lag, and
  // ingress-nginx after its lag. The build number travels with the event: a node that
  // already runs a newer build ignores an older one.
  const auto& timing = impl_.state.config.timing;
  const std::uint64_t gen = impl_.network->generation();
  last_sync_generation_ = gen;
  const auto nodes = static_cast<std::uint32_t>(impl_.network->node_count());
  if (node_rng_.size() != nodes) {
    node_rng_.clear();
    for (std::uint32_t n = 0; n < nodes; ++n)
      node_rng_.emplace_back(impl_.seed, "kube-proxy-sync/" + impl_.network->node_name(n));
  }
  for (std::uint32_t n = 0; n < nodes; ++n) {
    core::Duration lag = timing.endpoint_propagation;
    if (timing.propagation_jitter.ns > 0)
      lag = lag + core::Duration::nanos(static_cast<std::int64_t>(node_rng_[n].uniform(
                      static_cast<std::uint64_t>(timing.propagation_jitter.ns))));
    const std::uint64_t packed = (gen << 24) | n;
    impl_.sim.schedule_in(lag, [this, packed] { on_program_node(packed); });
  }
  impl_.sim.schedule_in(timing.ingress_propagation, [this, gen] { on_program_ingress(gen); });
}

void ClusterClock::on_program_node(std::uint64_t packed) {
  const auto node = static_cast<std::uint32_t>(packed & 0xFFFFFFu);
  const std::uint64_t gen = packed >> 24;
  if (node >= impl_.network->node_count()) return;
  const std::uint64_t before = impl_.network->node_generation(node);
  impl_.network->program_node(node, gen);
  if (impl_.network->node_generation(node) != before)
    emit(ClusterEvent::Kind::proxy_programmed, nullptr, impl_.network->node_name(node),
         impl_.network->node_generation(node));
  compact();
}

void ClusterClock::on_program_ingress(std::uint64_t generation) {
  const std::uint64_t before = impl_.network->ingress_generation();
  impl_.network->program_ingress(generation);
  if (impl_.network->ingress_generation() != before)
    emit(ClusterEvent::Kind::ingress_programmed, nullptr, {}, impl_.network->ingress_generation());
  compact();
}

bool ClusterClock::compact() {
  if (tombstones_ == 0 || impl_.pipeline->in_flight() > 0) return false;
  // Every kube-proxy and the ingress view must run what the last sync wrote: an older build
  // still names pods by slot.
  for (std::uint32_t n = 0; n < impl_.network->node_count(); ++n)
    if (impl_.network->node_generation(n) < last_sync_generation_) return false;
  if (impl_.network->ingress_generation() < last_sync_generation_) return false;
  impl_.state.pods.erase_if([](const model::Pod& p) { return p.removed; });
  tombstones_ = 0;
  impl_.view_stale = true;
  // The rebuilt tables route exactly as the ones every node runs (only slots moved), so
  // every node takes them at once.
  impl_.network->set_deferred_propagation(false);
  impl_.network->rebuild(impl_.state);
  impl_.network->set_deferred_propagation(true);
  last_sync_generation_ = impl_.network->generation();
  return true;
}

void ClusterClock::emit(ClusterEvent::Kind kind, const model::Pod* pod, std::string name,
                        std::uint64_t generation) {
  if (observer_ == nullptr) return;
  ClusterEvent e;
  e.time = impl_.sim.now();
  e.kind = kind;
  e.generation = generation;
  if (pod != nullptr) {
    e.namespace_ = pod->meta.namespace_;
    e.name = pod->meta.name;
    e.node = pod->node_name;
    e.ip = pod->status.pod_ip;
  } else {
    e.name = std::move(name);
  }
  observer_->on_cluster_event(e);
}

void ClusterClock::kubelet_event(const model::Pod& pod, std::string_view reason,
                                 std::string message, std::string_view type) {
  impl_.state.events.record({.kind = "Pod",
                             .namespace_ = pod.meta.namespace_,
                             .name = pod.meta.name,
                             .type = type,
                             .reason = reason,
                             .message = message,
                             .source = kKubelet,
                             .at = impl_.sim.now()});
}

}  // namespace podhop::scenario
