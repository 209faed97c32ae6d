#pragma once
// ClusterState: the store of every object in the simulated cluster.
//
// Objects live in per-kind tables that keep insertion order and an index by
// (namespace, name). Listing for output goes through `sorted()`, never through a hash
// container, so what reaches the user is deterministic. The store holds values only: it
// never schedules events and derives nothing (controllers/ does).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "podhop/model/objects.hpp"
#include "podhop/model/podhop_kinds.hpp"

namespace podhop::model {

/// A table of objects of one kind with an index by (namespace, name).
template <typename T>
class ObjectTable {
 public:
  /// Adds or replaces (same namespace and name) an object; returns its slot.
  std::uint32_t upsert(T obj) {
    std::string k = key(obj.meta.namespace_, obj.meta.name);
    auto it = index_.find(k);
    if (it != index_.end()) {
      items_[it->second] = std::move(obj);
      return it->second;
    }
    auto slot = static_cast<std::uint32_t>(items_.size());
    items_.push_back(std::move(obj));
    index_.emplace(std::move(k), slot);
    return slot;
  }

  /// Removes an object; later slots shift down (slots are not stable across erase).
  bool erase(std::string_view ns, std::string_view name) {
    auto it = index_.find(key(ns, name));
    if (it == index_.end()) return false;
    std::uint32_t slot = it->second;
    items_.erase(items_.begin() + slot);
    rebuild_index();
    return true;
  }

  const T* find(std::string_view ns, std::string_view name) const {
    auto it = index_.find(key(ns, name));
    return it == index_.end() ? nullptr : &items_[it->second];
  }
  T* find(std::string_view ns, std::string_view name) {
    auto it = index_.find(key(ns, name));
    return it == index_.end() ? nullptr : &items_[it->second];
  }
  std::optional<std::uint32_t> slot_of(std::string_view ns, std::string_view name) const {
    auto it = index_.find(key(ns, name));
    if (it == index_.end()) return std::nullopt;
    return it->second;
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
    index_.reserve(n);
  }

 private:
  static std::string key(std::string_view ns, std::string_view name) {
    std::string k;
    k.reserve(ns.size() + name.size() + 1);
    k.append(ns);
    k.push_back('/');
    k.append(name);
    return k;
  }
  void rebuild_index() {
    index_.clear();
    for (std::uint32_t i = 0; i < items_.size(); ++i)
      index_.emplace(key(items_[i].meta.namespace_, items_[i].meta.name), i);
  }

  std::vector<T> items_;
  std::unordered_map<std::string, std::uint32_t> index_;  // lookups only, never iterated
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
  std::vector<Event> events;

  /// Objects of kinds podhop does not simulate, in the order they were read.
  std::vector<IgnoredObject> ignored;

  /// The next creation_index to hand out; objects are stamped in the order they arrive.
  std::uint64_t next_creation_index = 0;
  /// The simulated time "now" (0 when the cluster is first built); AGE = now - created.
  core::SimTime now;
};

}  // namespace podhop::model
