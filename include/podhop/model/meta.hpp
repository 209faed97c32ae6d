#pragma once
// Object metadata and the small value types every API object shares.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "podhop/core/diagnostic.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/string_pool.hpp"

namespace podhop::model {

/// A small string map kept sorted by key: labels, annotations, selectors. A flat vector is
/// several times smaller than std::map for the handful of entries objects carry, and its
/// iteration order (by key) is deterministic. Copies share the entries (copy on write): the
/// 15 pods of a ReplicaSet hold one set of labels, and a copied ClusterState copies none.
class StringMap {
 public:
  using Entry = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Entry>::const_iterator;

  StringMap() = default;
  StringMap(std::initializer_list<Entry> init);
  StringMap(const StringMap& o) noexcept : items_(o.items_) {
    if (items_) ++items_->refs;
  }
  StringMap(StringMap&& o) noexcept : items_(std::exchange(o.items_, nullptr)) {}
  StringMap& operator=(const StringMap& o) noexcept {
    StringMap(o).swap(*this);
    return *this;
  }
  StringMap& operator=(StringMap&& o) noexcept {
    StringMap(std::move(o)).swap(*this);
    return *this;
  }
  ~StringMap() { release(); }
  void swap(StringMap& o) noexcept { std::swap(items_, o.items_); }

  /// The value for key, or nullptr.
  const std::string* get(std::string_view key) const;
  bool contains(std::string_view key) const { return get(key) != nullptr; }
  /// Inserts or replaces.
  void set(std::string key, std::string value);
  bool erase(std::string_view key);

  bool empty() const { return !items_ || items_->entries.empty(); }
  std::size_t size() const { return items_ ? items_->entries.size() : 0; }
  const_iterator begin() const { return entries().begin(); }
  const_iterator end() const { return entries().end(); }
  bool operator==(const StringMap& other) const {
    return items_ == other.items_ || entries() == other.entries();
  }
  /// "a=1,b=2", as kubectl prints labels and selectors.
  std::string str() const;

 private:
  const std::vector<Entry>& entries() const { return items_ ? items_->entries : no_entries(); }
  static const std::vector<Entry>& no_entries() {
    static const std::vector<Entry> none;  // immutable: not state
    return none;
  }
  /// The entries, made this map's own first when another map shares them.
  std::vector<Entry>& own();
  void release() noexcept {
    if (items_ && --items_->refs == 0) delete items_;
    items_ = nullptr;
  }

  // The entries with the count of the maps sharing them: an 8-byte pointer in each map
  // (a std::shared_ptr takes 16; 150,000 pods hold two maps each). Not atomic: a model is
  // used by one thread.
  struct Shared {
    std::uint32_t refs = 1;
    std::vector<Entry> entries;
  };
  // Sorted by key; shared between copies, never changed while shared. Null when empty.
  Shared* items_ = nullptr;
};

/// Kubernetes IntOrString: a port number or a port name, or a percentage ("25%").
struct IntOrString {
  enum class Kind : std::uint8_t { unset, integer, string };
  Kind kind = Kind::unset;
  std::int32_t int_value = 0;
  std::string str_value;

  static IntOrString of(std::int32_t v) { return {Kind::integer, v, {}}; }
  static IntOrString of(std::string s) { return {Kind::string, 0, std::move(s)}; }
  bool is_set() const { return kind != Kind::unset; }
  bool is_int() const { return kind == Kind::integer; }
  bool is_string() const { return kind == Kind::string; }
  /// "8080" or "http".
  std::string str() const;
  bool operator==(const IntOrString&) const = default;
};

/// The owning controller of an object (metadata.ownerReferences with controller: true).
/// Shared strings: the 15 pods of a ReplicaSet hold one copy of its kind and name.
struct OwnerRef {
  SharedStr kind;  // "ReplicaSet", "StatefulSet", ...; empty when none
  SharedStr name;
  bool empty() const { return kind.empty(); }
};

/// A reference to another object (EndpointSlice targetRef and the like): shared strings, so
/// that the targetRefs of 150,000 endpoints share their kind and namespace words and the
/// slice endpoint and legacy address of one pod share its name.
struct ObjectRef {
  SharedStr kind;
  SharedStr namespace_;
  SharedStr name;
};

/// metadata: what every object carries. The words many objects repeat (generateName, the
/// owner, apiVersion) are shared strings: 8 bytes each, one block for the 15 pods of a
/// ReplicaSet. name and namespace_ stay std::string (read everywhere as strings).
struct ObjectMeta {
  std::string name;
  std::string namespace_;  // empty for cluster-scoped kinds
  SharedStr generate_name;
  StringMap labels;
  StringMap annotations;
  OwnerRef owner;
  /// Where the object was declared; empty for objects podhop creates.
  core::SourceLocation source;
  /// Creation order in this cluster: 0, 1, 2... The oldest object wins ties (ingress-nginx
  /// merges, allocation order); kubectl's AGE is derived from `created`.
  std::uint64_t creation_index = 0;
  /// When the object was created, in simulated time.
  core::SimTime created;
  /// Set when deletion started (deletionTimestamp).
  std::optional<core::SimTime> deletion;
  /// The apiVersion the object was written with, as given ("v1", "apps/v1").
  SharedStr api_version;
};

/// `Kind "name"` as kubectl puts it in messages.
std::string describe_object(std::string_view kind, std::string_view name);

/// label selector requirement operators.
enum class SelectorOp : std::uint8_t { In, NotIn, Exists, DoesNotExist };

struct SelectorRequirement {
  std::string key;
  SelectorOp op = SelectorOp::In;
  std::vector<std::string> values;
};

/// metav1.LabelSelector. An empty selector matches everything (workloads); Services use
/// plain maps where empty means "no selector" (see ServiceSpec::has_selector).
struct LabelSelector {
  StringMap match_labels;
  std::vector<SelectorRequirement> match_expressions;

  bool matches(const StringMap& labels) const;
  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
  std::string str() const;
};

/// True when every key/value of selector is in labels (a Service selector).
bool selector_matches(const StringMap& selector, const StringMap& labels);

enum class Protocol : std::uint8_t { TCP, UDP, SCTP };
std::string_view to_string(Protocol p);
std::optional<Protocol> parse_protocol(std::string_view s);

}  // namespace podhop::model
