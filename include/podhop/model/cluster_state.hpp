#pragma once
// ClusterState: the store of every object in the simulated cluster.
//
// Objects live in per-kind tables that keep insertion order and an index by
// (namespace, name). Listing for output goes through `sorted()`, never through a hash
// container, so what reaches the user is deterministic. The store holds values only: it
// never schedules events and derives nothing (controllers/ does).

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/model/objects.hpp"
#include "podhop/model/podhop_kinds.hpp"

namespace podhop::model {

/// A table of objects of one kind with an index by (namespace, name).
///
/// The index is an open-addressing hash table of slots (4 bytes each, at most half full)
/// that compares against the objects themselves, so it stores no copy of their names.
template <typename T>
class ObjectTable {
 public:
  /// Adds or replaces (same namespace and name) an object; returns its slot.
  std::uint32_t upsert(T obj) {
    if (auto slot = slot_of(obj.meta.namespace_, obj.meta.name)) {
      items_[*slot] = std::move(obj);
      return *slot;
    }
    auto slot = static_cast<std::uint32_t>(items_.size());
    items_.push_back(std::move(obj));
    if ((items_.size()) * 2 > index_.size())
      rebuild_index();
    else
      place(slot);
    return slot;
  }

  /// Removes an object; later slots shift down (slots are not stable across erase).
  bool erase(std::string_view ns, std::string_view name) {
    auto slot = slot_of(ns, name);
    if (!slot) return false;
    items_.erase(items_.begin() + *slot);
    rebuild_index();
    return true;
  }

  const T* find(std::string_view ns, std::string_view name) const {
    auto slot = slot_of(ns, name);
    return slot ? &items_[*slot] : nullptr;
  }
  T* find(std::string_view ns, std::string_view name) {
    auto slot = slot_of(ns, name);
    return slot ? &items_[*slot] : nullptr;
  }
  std::optional<std::uint32_t> slot_of(std::string_view ns, std::string_view name) const {
    if (index_.empty()) return std::nullopt;
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = hash(ns, name) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = index_[i];
      if (slot == kFree) return std::nullopt;
      const auto& m = items_[slot].meta;
      if (m.name == name && m.namespace_ == ns) return slot;
    }
  }

  const std::vector<T>& items() const { return items_; }
  std::vector<T>& items() { return items_; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const T& operator[](std::uint32_t slot) const { return items_[slot]; }
  T& operator[](std::uint32_t slot) { return items_[slot]; }

  /// Pointers to the objects sorted by (namespace, name): the order kubectl lists in.
  std::vector<const T*> sorted() const {
    std::vector<const T*> out;
    out.reserve(items_.size());
    for (const auto& o : items_) out.push_back(&o);
    std::sort(out.begin(), out.end(), [](const T* a, const T* b) {
      if (a->meta.namespace_ != b->meta.namespace_) return a->meta.namespace_ < b->meta.namespace_;
      return a->meta.name < b->meta.name;
    });
    return out;
  }

  /// Removes every object matching pred, keeping the order of the rest.
  template <typename Pred>
  std::size_t erase_if(Pred pred) {
    auto before = items_.size();
    std::erase_if(items_, pred);
    if (items_.size() != before) rebuild_index();
    return before - items_.size();
  }

  void reserve(std::size_t n) {
    items_.reserve(n);
    if (n * 2 > index_.size()) rebuild_index(n);
  }
  /// Gives back the room the table grew into but does not use (a vector that doubled for
  /// one more object); slots and the index stay as they are.
  void shrink_to_fit() { items_.shrink_to_fit(); }

 private:
  static constexpr std::uint32_t kFree = 0xffffffffU;

  static std::size_t hash(std::string_view ns, std::string_view name) {
    const std::size_t h = std::hash<std::string_view>{}(name);
    return h ^ (std::hash<std::string_view>{}(ns) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
  void place(std::uint32_t slot) {
    const std::size_t mask = index_.size() - 1;
    std::size_t i = hash(items_[slot].meta.namespace_, items_[slot].meta.name) & mask;
    while (index_[i] != kFree) i = (i + 1) & mask;
    index_[i] = slot;
  }
  /// Rebuilds the index for the current objects, sized for at least `capacity` of them.
  void rebuild_index(std::size_t capacity = 0) {
    std::size_t want = 8;
    while (want < 2 * std::max(capacity, items_.size())) want *= 2;
    index_.assign(want, kFree);
    for (std::uint32_t i = 0; i < items_.size(); ++i) place(i);
  }

  std::vector<T> items_;
  std::vector<std::uint32_t> index_;  // lookups only, never iterated
};

/// Everything in the cluster: what the user applied and what the controllers derived.
struct ClusterState {
  ClusterConfig config;

  ObjectTable<Namespace> namespaces;
  ObjectTable<Node> nodes;
  ObjectTable<Pod> pods;
  ObjectTable<Service> services;
  ObjectTable<Endpoints> endpoints;
  ObjectTable<EndpointSlice> endpoint_slices;
  ObjectTable<Secret> secrets;
  ObjectTable<Deployment> deployments;
  ObjectTable<ReplicaSet> replica_sets;
  ObjectTable<ReplicationController> replication_controllers;
  ObjectTable<StatefulSet> stateful_sets;
  ObjectTable<DaemonSet> daemon_sets;
  ObjectTable<Ingress> ingresses;
  ObjectTable<IngressClass> ingress_classes;
  ObjectTable<App> apps;

  /// Events the controllers recorded, in the order they happened.
  EventLog events;

  /// Objects of kinds podhop does not simulate, in the order they were read.
  std::vector<IgnoredObject> ignored;

  /// The next creation_index to hand out; objects are stamped in the order they arrive.
  std::uint64_t next_creation_index = 0;
  /// The simulated time "now" (0 when the cluster is first built); AGE = now - created.
  core::SimTime now;

  /// Gives back the room every table and the event log grew into but do not use: a table
  /// copied at its size doubles for the one object a reconcile adds. For a cluster that is
  /// kept (after a load), not on every change: it moves every object.
  void shrink_to_fit() {
    namespaces.shrink_to_fit();
    nodes.shrink_to_fit();
    pods.shrink_to_fit();
    services.shrink_to_fit();
    endpoints.shrink_to_fit();
    endpoint_slices.shrink_to_fit();
    secrets.shrink_to_fit();
    deployments.shrink_to_fit();
    replica_sets.shrink_to_fit();
    replication_controllers.shrink_to_fit();
    stateful_sets.shrink_to_fit();
    daemon_sets.shrink_to_fit();
    ingresses.shrink_to_fit();
    ingress_classes.shrink_to_fit();
    apps.shrink_to_fit();
    events.shrink_to_fit();
    ignored.shrink_to_fit();
  }
};

}  // namespace podhop::model
