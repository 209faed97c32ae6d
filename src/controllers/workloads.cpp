// Workload controllers: Deployment -> ReplicaSet -> Pods, ReplicationController,
// StatefulSet and DaemonSet -> Pods, and the garbage collector for what they leave behind.
//
// Each controller compares the pods it owns (ownerReferences, active ones only: not
// terminating, not finished) with what it wants, creates the missing ones and removes the
// extra ones. Pods that already exist are kept, so a second reconcile changes nothing.

#include <algorithm>
#include <charconv>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "context.hpp"
#include "podhop/controllers/names.hpp"

namespace podhop::controllers::detail {

namespace {

std::string owner_key(std::string_view kind, std::string_view ns, std::string_view name) {
  std::string k;
  k.reserve(kind.size() + ns.size() + name.size() + 2);
  k.append(kind).push_back('\0');
  k.append(ns).push_back('\0');
  k.append(name);
  return k;
}

// controller.FilterActivePods: not terminating and not finished.
bool is_active(const model::Pod& p) {
  return !p.meta.deletion && p.status.phase != model::PodPhase::Succeeded &&
         p.status.phase != model::PodPhase::Failed;
}

template <typename T>
std::vector<std::uint32_t> slots_by_creation(const model::ObjectTable<T>& table) {
  std::vector<std::uint32_t> slots(table.size());
  for (std::uint32_t i = 0; i < slots.size(); ++i) slots[i] = i;
  std::stable_sort(slots.begin(), slots.end(), [&](std::uint32_t a, std::uint32_t b) {
    return table[a].meta.creation_index < table[b].meta.creation_index;
  });
  return slots;
}

// "25%" of n rounded up (maxSurge) or down (maxUnavailable), or the integer itself
// (intstr.GetScaledValueFromIntOrPercent).
std::int32_t scaled_value(const model::IntOrString& v, std::int32_t n, bool round_up = true) {
  if (v.is_int()) return v.int_value;
  if (!v.is_string()) return 0;
  std::string_view s = v.str_value;
  if (!s.ends_with('%')) return 0;
  std::int32_t pct = 0;
  std::from_chars(s.data(), s.data() + s.size() - 1, pct);
  const std::int64_t scaled = static_cast<std::int64_t>(pct) * n;
  return static_cast<std::int32_t>(round_up ? (scaled + 99) / 100 : scaled / 100);
}

// The pods to create and remove. New pods go straight into the table (appending keeps the
// slots of the others valid); removals are applied once at the end, as they shift slots.
class PodPlan {
 public:
  explicit PodPlan(Context& ctx) : ctx_(ctx) {}

  /// Whether a pod called ns/name exists (or was just created).
  bool taken(std::string_view ns, std::string_view name) const {
    // A tombstone (a pod gone from the API) frees its name: a StatefulSet recreates `db-0`
    // once the old one is gone, and the new pod takes over the tombstone's slot.
    const model::Pod* p = ctx_.state.pods.find(ns, name);
    return p != nullptr && !p->removed;
  }

  /// A new pod named `name`, owned by kind/owner, from a template. The reference is valid
  /// until the next create().
  model::Pod& create(std::string_view ns, std::string name, const model::OwnerRef& owner,
                     const model::PodTemplate& tmpl, std::string generate_name) {
    model::Pod p;
    p.meta = ctx_.new_meta(std::string(ns), std::move(name), "v1");
    // Shared words: the pods of one owner hold one block of its generateName and name.
    p.meta.generate_name = ctx_.words.share(generate_name);
    p.meta.labels = tmpl.labels;
    p.meta.annotations = tmpl.annotations;
    p.meta.owner = {ctx_.words.share(owner.kind), owner.name};
    p.spec = tmpl.spec ? tmpl.spec : ctx_.empty_spec;
    auto& pods = ctx_.state.pods;
    return pods[pods.upsert(std::move(p))];
  }

  /// Draws the next free generated name for an owner: candidates k = drawn, drawn+1...
  std::string next_name(std::string_view ns, std::string_view stream, std::string_view prefix,
                        std::uint32_t& drawn) {
    for (;;) {
      std::string name = generated_name(ctx_.options.seed, stream, prefix, drawn++);
      if (!taken(ns, name)) return name;
    }
  }

  void remove(std::uint32_t slot) { remove_.push_back(slot); }

  /// Applies the removals: removed pods vanish when settling, or start terminating
  /// otherwise (the scenario engine ends them after their grace period).
  void apply() {
    auto& pods = ctx_.state.pods;
    if (remove_.empty()) return;
    if (ctx_.options.settle) {
      std::unordered_set<std::string> names;
      for (auto slot : remove_)
        names.insert(ns_name(pods[slot].meta.namespace_, pods[slot].meta.name));
      pods.erase_if([&](const model::Pod& p) {
        return names.contains(ns_name(p.meta.namespace_, p.meta.name));
      });
    } else {
      for (auto slot : remove_)
        if (!pods[slot].meta.deletion) pods[slot].meta.deletion = ctx_.state.now;
    }
    remove_.clear();
  }

 private:
  Context& ctx_;
  std::vector<std::uint32_t> remove_;
};

// Active pods by owner, built once.
class OwnerIndex {
 public:
  explicit OwnerIndex(const model::ObjectTable<model::Pod>& pods) {
    for (std::uint32_t s = 0; s < pods.size(); ++s) {
      const auto& p = pods[s];
      if (p.meta.owner.empty() || !is_active(p)) continue;
      by_owner_[owner_key(p.meta.owner.kind, p.meta.namespace_, p.meta.owner.name)].push_back(s);
    }
  }
  const std::vector<std::uint32_t>& of(std::string_view kind, std::string_view ns,
                                       std::string_view name) const {
    auto it = by_owner_.find(owner_key(kind, ns, name));
    return it == by_owner_.end() ? none_ : it->second;
  }

 private:
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_owner_;  // lookups only
  std::vector<std::uint32_t> none_;
};

// The order in which a ReplicaSet deletes pods when it scales down (controller.ActivePods,
// reduced): unscheduled before scheduled, Pending before Running, not ready before ready,
// then the newest first.
std::vector<std::uint32_t> deletion_order(const model::ObjectTable<model::Pod>& pods,
                                          std::vector<std::uint32_t> slots) {
  auto rank = [&](std::uint32_t s) {
    const auto& p = pods[s];
    int phase = p.status.phase == model::PodPhase::Pending
                    ? 0
                    : (p.status.phase == model::PodPhase::Unknown ? 1 : 2);
    return std::make_tuple(p.node_name.empty() ? 0 : 1, phase, p.status.ready ? 1 : 0,
                           ~p.meta.creation_index);
  };
  std::sort(slots.begin(), slots.end(),
            [&](std::uint32_t a, std::uint32_t b) { return rank(a) < rank(b); });
  return slots;
}

// Removes what a deleted owner left behind: ReplicaSets of a deleted Deployment, pods of
// a deleted workload. Only podhop-made objects are collected: a pod loaded from a manifest
// that names an owner the manifests do not contain is the user's.
void collect_garbage(Context& ctx, PodPlan& plan) {
  auto& st = ctx.state;
  st.replica_sets.erase_if([&](const model::ReplicaSet& rs) {
    return made_by_podhop(rs.meta) && rs.meta.owner.kind == "Deployment" &&
           !st.deployments.find(rs.meta.namespace_, rs.meta.owner.name);
  });
  for (std::uint32_t s = 0; s < st.pods.size(); ++s) {
    const auto& p = st.pods[s];
    if (!made_by_podhop(p.meta) || p.meta.owner.empty() || p.meta.deletion) continue;
    const auto& o = p.meta.owner;
    const auto& ns = p.meta.namespace_;
    bool orphan = false;
    if (o.kind == "ReplicaSet")
      orphan = !st.replica_sets.find(ns, o.name);
    else if (o.kind == "ReplicationController")
      orphan = !st.replication_controllers.find(ns, o.name);
    else if (o.kind == "StatefulSet")
      orphan = !st.stateful_sets.find(ns, o.name);
    else if (o.kind == "DaemonSet")
      orphan = !st.daemon_sets.find(ns, o.name);
    if (orphan) plan.remove(s);
  }
}

// deployment_controller's maxRevHistoryLengthInChars: the longest revision-history kept.
constexpr std::size_t kRevisionHistoryLimit = 2000;

void revision_annotations(model::ReplicaSet& rs, const model::Deployment& d) {
  rs.meta.annotations.set(std::string(kDesiredReplicasAnnotation), std::to_string(d.replicas));
  rs.meta.annotations.set(std::string(kMaxReplicasAnnotation),
                          std::to_string(d.replicas + scaled_value(d.max_surge, d.replicas)));
}

// deploymentutil.SetNewReplicaSetAnnotations for the ReplicaSet of the current template:
// the Deployment's annotations copied over (is_rollout_bookkeeping's excepted; the
// ReplicaSet's others are kept), then `revision` raised to the new revision. A ReplicaSet
// that had a lower revision is an old template coming back (a rollback, or a rollout to an
// earlier template): its old revision goes to the end of `revision-history`, the oldest
// falling off past 2000 characters.
void new_replica_set_annotations(model::StringMap& annotations, const model::Deployment& d,
                                 std::int64_t new_revision) {
  for (const auto& [key, value] : d.meta.annotations)
    if (!is_rollout_bookkeeping(key)) annotations.set(key, value);
  const std::string* had = annotations.get(kRevisionAnnotation);
  const std::int64_t old_revision = revision_number(annotations);
  if (old_revision >= new_revision) return;
  if (had != nullptr) {
    const std::string old = *had;
    const std::string* history = annotations.get(kRevisionHistoryAnnotation);
    if (history == nullptr || history->empty()) {
      annotations.set(std::string(kRevisionHistoryAnnotation), old);
    } else {
      // Drop the oldest entries until the history and the old revision fit.
      std::string_view kept = *history;
      while (!kept.empty() && kept.size() + 1 + old.size() > kRevisionHistoryLimit) {
        const auto comma = kept.find(',');
        kept = comma == std::string_view::npos ? std::string_view{} : kept.substr(comma + 1);
      }
      if (kept.empty())
        annotations.set(std::string(kRevisionHistoryAnnotation), old);
      else if (kept.size() + 1 + old.size() <= kRevisionHistoryLimit)
        annotations.set(std::string(kRevisionHistoryAnnotation), fmt::format("{},{}", kept, old));
    }
  }
  annotations.set(std::string(kRevisionAnnotation), std::to_string(new_revision));
}

// Pods of one ReplicaSet as the deployment controller counts them: active (not terminating,
// not finished) and available (active and Ready; minReadySeconds is not simulated).
struct ReplicaCounts {
  std::int32_t active = 0;
  std::int32_t available = 0;
};

ReplicaCounts count_replicas(const model::ObjectTable<model::Pod>& pods,
                             const std::vector<std::uint32_t>& slots) {
  ReplicaCounts c;
  for (auto s : slots) {
    ++c.active;
    if (pods[s].status.ready) ++c.available;
  }
  return c;
}

// deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable down, and both 0
// would deadlock, so maxUnavailable becomes 1; neither exceeds what makes sense.
std::pair<std::int32_t, std::int32_t> resolve_fenceposts(const model::Deployment& d) {
  std::int32_t surge = std::max(0, scaled_value(d.max_surge, d.replicas, true));
  std::int32_t unavailable = std::max(0, scaled_value(d.max_unavailable, d.replicas, false));
  if (surge == 0 && unavailable == 0) unavailable = 1;
  unavailable = std::min(unavailable, d.replicas);
  return {surge, unavailable};
}

// One sync of the deployment controller while the cluster runs in time (not settling): the
// rolling update of pkg/controller/deployment/rolling.go (reconcileNewReplicaSet, then
// reconcileOldReplicaSets with cleanupUnhealthyReplicas and
// scaleDownOldReplicaSetsForRollingUpdate), or Recreate (recreate.go: old ReplicaSets to 0,
// the new one up once no old pod is left, terminating ones included). Old ReplicaSets are
// taken oldest first.
void roll_deployment(Context& ctx, const OwnerIndex& owners, const model::Deployment& d,
                     model::ReplicaSet& current, std::vector<model::ReplicaSet*> olds,
                     bool created) {
  auto& st = ctx.state;
  std::sort(olds.begin(), olds.end(), [](const model::ReplicaSet* a, const model::ReplicaSet* b) {
    return a->meta.creation_index < b->meta.creation_index;
  });
  auto counts = [&](const model::ReplicaSet& rs) {
    return count_replicas(st.pods, owners.of("ReplicaSet", rs.meta.namespace_, rs.meta.name));
  };
  auto scale = [&](model::ReplicaSet& rs, std::int32_t to) {
    if (rs.replicas == to) return;
    if (created && &rs == &current && rs.replicas == 0)
      ctx.event(ref("Deployment", d.meta), "Normal", "ScalingReplicaSet",
                fmt::format("Scaled up replica set {} to {}", rs.meta.name, to),
                kDeploymentController);
    else
      ctx.event(ref("Deployment", d.meta), "Normal", "ScalingReplicaSet",
                fmt::format("Scaled {} replica set {} to {} from {}",
                            to > rs.replicas ? "up" : "down", rs.meta.name, to, rs.replicas),
                kDeploymentController);
    rs.replicas = to;
    // scaleReplicaSet: whichever ReplicaSet it scales gets the Deployment's replica counts.
    revision_annotations(rs, d);
    rs.meta.annotations = ctx.shared_map(rs.meta.annotations);
  };

  if (d.strategy == "Recreate") {
    bool old_pods_left = false;
    for (auto* old : olds) {
      scale(*old, 0);
      for (std::uint32_t s = 0; s < st.pods.size() && !old_pods_left; ++s) {
        const auto& p = st.pods[s];
        old_pods_left = !p.removed && p.meta.owner.kind == "ReplicaSet" &&
                        p.meta.owner.name == old->meta.name &&
                        p.meta.namespace_ == old->meta.namespace_ &&
                        p.status.phase != model::PodPhase::Succeeded &&
                        p.status.phase != model::PodPhase::Failed;
      }
    }
    if (!old_pods_left) scale(current, d.replicas);
    return;
  }

  const auto [surge, max_unavailable] = resolve_fenceposts(d);
  auto total_replicas = [&] {
    std::int32_t n = current.replicas;
    for (const auto* old : olds) n += old->replicas;
    return n;
  };
  // reconcileNewReplicaSet
  if (current.replicas > d.replicas) {
    scale(current, d.replicas);
  } else if (current.replicas < d.replicas) {
    const std::int32_t max_total = d.replicas + surge;
    const std::int32_t all = total_replicas();
    if (all < max_total)
      scale(current, current.replicas + std::min(max_total - all, d.replicas - current.replicas));
  }
  // reconcileOldReplicaSets
  std::int32_t old_replicas = 0;
  for (const auto* old : olds) old_replicas += old->replicas;
  if (old_replicas == 0) return;
  const std::int32_t min_available = d.replicas - max_unavailable;
  const ReplicaCounts now_new = counts(current);
  const std::int32_t new_unavailable = current.replicas - now_new.available;
  const std::int32_t max_scaled_down = total_replicas() - min_available - new_unavailable;
  if (max_scaled_down <= 0) return;
  // cleanupUnhealthyReplicas: old pods that are not available go first, whatever the budget
  // of available ones says.
  std::int32_t cleaned = 0;
  std::int32_t available = now_new.available;
  for (auto* old : olds) {
    const ReplicaCounts c = counts(*old);
    available += c.available;
    if (cleaned >= max_scaled_down || old->replicas == 0) continue;
    const std::int32_t unhealthy = old->replicas - c.available;
    if (unhealthy <= 0) continue;
    const std::int32_t down = std::min(unhealthy, max_scaled_down - cleaned);
    scale(*old, old->replicas - down);
    cleaned += down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: as many available old pods as keep
  // minAvailable available.
  if (available <= min_available) return;
  const std::int32_t budget = available - min_available;
  std::int32_t done = 0;
  for (auto* old : olds) {
    if (done >= budget) break;
    if (old->replicas == 0) continue;
    const std::int32_t down = std::min(old->replicas, budget - done);
    scale(*old, old->replicas - down);
    done += down;
  }
}

// Deployment -> its ReplicaSet for the current template (`<deploy>-<pod-template-hash>`).
// Settling: scaled to the Deployment's replicas, every older ReplicaSet scaled to 0 (the
// settled end of a rollout; they are kept as revision history). In time: one step of the
// rolling update (roll_deployment).
void deployments(Context& ctx, const OwnerIndex& owners) {
  auto& st = ctx.state;
  std::unordered_map<std::string, std::vector<std::uint32_t>> rs_by_deploy;  // lookups only
  for (std::uint32_t s = 0; s < st.replica_sets.size(); ++s) {
    const auto& rs = st.replica_sets[s];
    if (rs.meta.owner.kind == "Deployment")
      rs_by_deploy[ns_name(rs.meta.namespace_, rs.meta.owner.name)].push_back(s);
  }
  auto scale_event = [&](const model::Deployment& d, const std::string& rs, std::int32_t to,
                         std::int32_t from) {
    ctx.event(ref("Deployment", d.meta), "Normal", "ScalingReplicaSet",
              fmt::format("Scaled {} replica set {} to {} from {}", to > from ? "up" : "down", rs,
                          to, from),
              kDeploymentController);
  };

  for (auto dslot : slots_by_creation(st.deployments)) {
    const model::Deployment d = st.deployments[dslot];  // copy: upserts below may reallocate
    const std::string hash = pod_template_hash(d.pod_template);
    const std::string rs_name = d.meta.name + "-" + hash;
    const auto& owned = rs_by_deploy[ns_name(d.meta.namespace_, d.meta.name)];

    // getAllReplicaSetsAndSyncRevision: the new revision is one past the old ReplicaSets'.
    std::int64_t max_old_revision = 0;
    for (auto s : owned)
      if (st.replica_sets[s].meta.name != rs_name)
        max_old_revision =
            std::max(max_old_revision, revision_number(st.replica_sets[s].meta.annotations));
    const std::int64_t new_revision = max_old_revision + 1;

    model::ReplicaSet* current = st.replica_sets.find(d.meta.namespace_, rs_name);
    const bool created = current == nullptr;
    if (created) {
      // Settling, it is made at its final size; in time it starts at 0 and rolls.
      const std::int32_t replicas = ctx.options.settle ? d.replicas : 0;
      model::ReplicaSet rs;
      rs.meta = ctx.new_meta(d.meta.namespace_, rs_name, "apps/v1");
      rs.meta.labels = d.pod_template.labels;
      rs.meta.labels.set(std::string(kPodTemplateHashLabel), hash);
      new_replica_set_annotations(rs.meta.annotations, d, new_revision);
      revision_annotations(rs, d);
      // ReplicaSets of one Deployment annotation set and size carry the same annotations:
      // one copy for all of them.
      rs.meta.annotations = ctx.shared_map(rs.meta.annotations);
      rs.meta.owner = {"Deployment", d.meta.name};
      rs.replicas = replicas;
      rs.selector = d.selector;
      rs.selector.match_labels.set(std::string(kPodTemplateHashLabel), hash);
      rs.pod_template = d.pod_template;
      rs.pod_template.labels = rs.meta.labels;  // the same: template labels + hash
      if (!rs.pod_template.spec) rs.pod_template.spec = ctx.empty_spec;
      if (replicas > 0)
        ctx.event(ref("Deployment", d.meta), "Normal", "ScalingReplicaSet",
                  fmt::format("Scaled up replica set {} to {}", rs_name, replicas),
                  kDeploymentController);
      st.replica_sets.upsert(std::move(rs));
      current = st.replica_sets.find(d.meta.namespace_, rs_name);  // the upsert may reallocate
    } else {
      // An existing ReplicaSet of the current template is synced on every pass: the
      // Deployment's annotations copied again, its revision raised if it was an old one.
      model::StringMap annotations = current->meta.annotations;
      new_replica_set_annotations(annotations, d, new_revision);
      if (!(annotations == current->meta.annotations))
        current->meta.annotations = ctx.shared_map(annotations);
    }
    // SetDeploymentRevision: the Deployment carries its current ReplicaSet's revision.
    if (const std::string* r = current->meta.annotations.get(kRevisionAnnotation)) {
      model::StringMap& mine = st.deployments[dslot].meta.annotations;
      if (const std::string* have = mine.get(kRevisionAnnotation); have == nullptr || *have != *r) {
        model::StringMap changed = mine;
        changed.set(std::string(kRevisionAnnotation), *r);
        mine = ctx.shared_map(changed);
      }
    }

    if (!ctx.options.settle) {
      std::vector<model::ReplicaSet*> olds;
      for (auto s : owned)
        if (st.replica_sets[s].meta.name != rs_name) olds.push_back(&st.replica_sets[s]);
      roll_deployment(ctx, owners, d, *current, std::move(olds), created);
      continue;
    }
    if (!created && current->replicas != d.replicas) {
      scale_event(d, rs_name, d.replicas, current->replicas);
      current->replicas = d.replicas;
      revision_annotations(*current, d);
      current->meta.annotations = ctx.shared_map(current->meta.annotations);
    }
    for (auto s : owned) {
      auto& old = st.replica_sets[s];
      if (old.meta.name == rs_name || old.replicas == 0) continue;
      scale_event(d, old.meta.name, 0, old.replicas);
      old.replicas = 0;
      revision_annotations(old, d);
      old.meta.annotations = ctx.shared_map(old.meta.annotations);
    }
  }
}

// A ReplicaSet or ReplicationController: `replicas` pods named `<name>-<5 chars>`.
template <typename Workload>
void replicate(Context& ctx, PodPlan& plan, const OwnerIndex& owners, Workload& w,
               std::string_view kind, std::string_view source) {
  auto& st = ctx.state;
  const auto& mine = owners.of(kind, w.meta.namespace_, w.meta.name);
  const auto have = static_cast<std::int32_t>(mine.size());
  const model::OwnerRef owner{std::string(kind), w.meta.name};
  if (have < w.replicas) {
    const std::string prefix = w.meta.name + "-";
    const std::string stream = fmt::format("pod-names/{}/{}", w.meta.namespace_, w.meta.name);
    for (std::int32_t i = have; i < w.replicas; ++i) {
      std::string name = plan.next_name(w.meta.namespace_, stream, prefix, w.pod_names_drawn);
      ctx.event(ref(kind, w.meta), "Normal", "SuccessfulCreate",
                fmt::format("Created pod: {}", name), source, name);
      plan.create(w.meta.namespace_, std::move(name), owner, w.pod_template, prefix);
    }
  } else if (have > w.replicas) {
    auto order = deletion_order(st.pods, mine);
    for (std::int32_t i = 0; i < have - w.replicas; ++i) {
      const auto slot = order[static_cast<std::size_t>(i)];
      ctx.event(ref(kind, w.meta), "Normal", "SuccessfulDelete",
                fmt::format("Deleted pod: {}", st.pods[slot].meta.name), source,
                st.pods[slot].meta.name);
      plan.remove(slot);
    }
  }
}

// A StatefulSet: pods `<name>-0` ... `<name>-(n-1)`, each with its own hostname and the
// governing Service as subdomain (so `<pod>.<service>` resolves), the highest ordinal
// removed first when scaling down.
void stateful_set(Context& ctx, PodPlan& plan, const OwnerIndex& owners,
                  const model::StatefulSet& sts) {
  auto& st = ctx.state;
  const auto& ns = sts.meta.namespace_;
  const model::OwnerRef owner{"StatefulSet", sts.meta.name};
  const std::string revision = sts.meta.name + "-" + pod_template_hash(sts.pod_template);
  const std::string prefix = sts.meta.name + "-";

  std::vector<std::pair<std::int64_t, std::uint32_t>> extra;  // (ordinal, slot)
  for (auto slot : owners.of("StatefulSet", ns, sts.meta.name)) {
    std::string_view name = st.pods[slot].meta.name;
    std::int64_t ordinal = -1;
    if (name.starts_with(prefix)) {
      auto digits = name.substr(prefix.size());
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
      if (ec != std::errc{} || p != digits.data() + digits.size()) ordinal = -1;
    }
    if (ordinal < 0 || ordinal >= sts.replicas) extra.emplace_back(ordinal, slot);
  }
  for (std::int32_t i = 0; i < sts.replicas; ++i) {
    std::string name = prefix + std::to_string(i);
    if (plan.taken(ns, name)) continue;
    ctx.event(ref("StatefulSet", sts.meta), "Normal", "SuccessfulCreate",
              fmt::format("create Pod {} in StatefulSet {} successful", name, sts.meta.name),
              kStatefulSetController);
    auto spec = std::make_shared<model::PodSpec>(sts.pod_template.spec ? *sts.pod_template.spec
                                                                       : model::PodSpec{});
    spec->hostname = name;
    spec->subdomain = sts.service_name;
    auto& pod = plan.create(ns, name, owner, sts.pod_template, {});
    pod.spec = std::move(spec);
    pod.meta.labels.set("apps.kubernetes.io/pod-index", std::to_string(i));
    pod.meta.labels.set("controller-revision-hash", revision);
    pod.meta.labels.set("statefulset.kubernetes.io/pod-name", name);
  }
  std::sort(extra.begin(), extra.end(), std::greater<>());
  for (const auto& [ordinal, slot] : extra) {
    ctx.event(ref("StatefulSet", sts.meta), "Normal", "SuccessfulDelete",
              fmt::format("delete Pod {} in StatefulSet {} successful", st.pods[slot].meta.name,
                          sts.meta.name),
              kStatefulSetController);
    plan.remove(slot);
  }
}

// A DaemonSet: one pod on every ready node its nodeSelector admits, bound to that node.
void daemon_set(Context& ctx, PodPlan& plan, const OwnerIndex& owners, model::DaemonSet& ds) {
  auto& st = ctx.state;
  const auto& ns = ds.meta.namespace_;
  const model::OwnerRef owner{"DaemonSet", ds.meta.name};
  const auto& spec = ds.pod_template.spec ? *ds.pod_template.spec : *ctx.empty_spec;
  const std::string hash = pod_template_hash(ds.pod_template);
  const std::string prefix = ds.meta.name + "-";
  const std::string stream = fmt::format("pod-names/{}/{}", ns, ds.meta.name);

  std::vector<std::vector<std::uint32_t>> on_node(ctx.node_slots.size());
  std::vector<std::uint32_t> remove;
  for (auto slot : owners.of("DaemonSet", ns, ds.meta.name)) {
    auto idx = ctx.index_of_node(st.pods[slot].node_name);
    if (idx < 0)
      remove.push_back(slot);
    else
      on_node[static_cast<std::size_t>(idx)].push_back(slot);
  }
  for (std::uint32_t i = 0; i < on_node.size(); ++i) {
    const auto& node = ctx.node_at(i);
    const bool wanted = node.ready && model::selector_matches(spec.node_selector, node.meta.labels);
    auto& here = on_node[i];
    if (!wanted) {
      remove.insert(remove.end(), here.begin(), here.end());
      continue;
    }
    if (here.empty()) {
      std::string name = plan.next_name(ns, stream, prefix, ds.pod_names_drawn);
      ctx.event(ref("DaemonSet", ds.meta), "Normal", "SuccessfulCreate",
                fmt::format("Created pod: {}", name), kDaemonSetController, name);
      auto& pod = plan.create(ns, name, owner, ds.pod_template, prefix);
      pod.meta.labels.set("controller-revision-hash", hash);
      pod.meta.labels.set("pod-template-generation", "1");
      // The DaemonSet controller pins the pod to its node; the scheduler only confirms it.
      pod.node_name = ctx.words.share(node.meta.name);
      ctx.event(ref("Pod", pod.meta), "Normal", "Scheduled",
                fmt::format("Successfully assigned {}/{} to {}", ns, name, node.meta.name),
                kScheduler);
    } else if (here.size() > 1) {
      auto order = deletion_order(st.pods, here);
      remove.insert(remove.end(), order.begin(), order.end() - 1);
    }
  }
  for (auto slot : remove) {
    ctx.event(ref("DaemonSet", ds.meta), "Normal", "SuccessfulDelete",
              fmt::format("Deleted pod: {}", st.pods[slot].meta.name), kDaemonSetController,
              st.pods[slot].meta.name);
    plan.remove(slot);
  }
}

}  // namespace

void reconcile_workloads(Context& ctx) {
  auto& st = ctx.state;
  // Settled means every grace period is over: terminating pods are gone.
  if (ctx.options.settle)
    st.pods.erase_if([](const model::Pod& p) { return p.meta.deletion.has_value(); });
  PodPlan plan(ctx);
  collect_garbage(ctx, plan);
  // Deployments change ReplicaSets only, never pods: one index serves both.
  const OwnerIndex owners(st.pods);
  deployments(ctx, owners);

  // Room for every pod the workloads may want, so the table grows once.
  std::size_t wanted = st.pods.size();
  for (const auto& rs : st.replica_sets.items())
    wanted += static_cast<std::size_t>(std::max(0, rs.replicas));
  for (const auto& rc : st.replication_controllers.items())
    wanted += static_cast<std::size_t>(std::max(0, rc.replicas));
  for (const auto& sts : st.stateful_sets.items())
    wanted += static_cast<std::size_t>(std::max(0, sts.replicas));
  wanted += st.daemon_sets.size() * ctx.node_slots.size();
  st.pods.reserve(wanted);
  for (auto s : slots_by_creation(st.replica_sets))
    replicate(ctx, plan, owners, st.replica_sets[s], "ReplicaSet", kReplicaSetController);
  for (auto s : slots_by_creation(st.replication_controllers))
    replicate(ctx, plan, owners, st.replication_controllers[s], "ReplicationController",
              kReplicationController);
  for (auto s : slots_by_creation(st.stateful_sets))
    stateful_set(ctx, plan, owners, st.stateful_sets[s]);
  for (auto s : slots_by_creation(st.daemon_sets)) daemon_set(ctx, plan, owners, st.daemon_sets[s]);
  plan.apply();
}

}  // namespace podhop::controllers::detail
