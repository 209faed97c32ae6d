#pragma once
// The conversion context: where in the object we are (the field path, kept as a stack of
// segments so the happy path never builds a string), the errors found so far, and typed
// readers that turn YAML nodes into values the way Kubernetes' JSON decoder would.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/k8s_validation.hpp"
#include "manifest/scalars.hpp"
#include "manifest/yaml_dom.hpp"
#include "podhop/core/diagnostic.hpp"
#include "podhop/core/time.hpp"
#include "podhop/model/meta.hpp"

namespace podhop::manifest::detail {

/// One finding about one object: its field path, its message, and the node it is about
/// (null: found from the path once the object is converted).
struct FieldError {
  core::Severity severity = core::Severity::error;
  const YNode* node = nullptr;
  std::string path;
  std::string message;
  /// A decoding (type) error: the field never got a value, so validation errors about the
  /// same field are artifacts and are dropped.
  bool decode = false;
};

/// The field path as Kubernetes prints it: spec.ports[0].name, metadata.labels[app].
class PathStack {
 public:
  void push(std::string_view name) { segs_.push_back({name, -1, false}); }
  void push_index(std::uint32_t i) { segs_.push_back({{}, static_cast<std::int64_t>(i), false}); }
  void push_key(std::string_view key) { segs_.push_back({key, -1, true}); }
  void pop() { segs_.pop_back(); }
  std::string str() const;
  /// The path with one more child field.
  std::string child(std::string_view name) const;

 private:
  struct Seg {
    std::string_view name;
    std::int64_t index;
    bool key;
  };
  std::vector<Seg> segs_;
};

// Messages in the shapes of k8s.io/apimachinery/pkg/util/validation/field.
std::string msg_invalid(std::string_view value, std::string_view detail);
std::string msg_required(std::string_view detail = {});
std::string msg_forbidden(std::string_view detail);
std::string msg_duplicate(std::string_view value);
std::string msg_not_supported(std::string_view value,
                              const std::vector<std::string_view>& supported);
/// A Go string value as messages print it: "x" quoted.
inline std::string q(std::string_view s) {
  return go_quote(s);
}

/// A node port the user asked for; whether it is inside the cluster's range is checked
/// once the whole load is read (a Cluster object may come later).
struct NodePortRequest {
  const YNode* node;
  std::string path;
  std::int32_t port;
};

/// State shared while one object is converted.
class Ctx {
 public:
  explicit Ctx(const YNode* root) : root_(root) {}

  const YNode* root() const { return root_; }
  PathStack& path() { return path_; }
  const PathStack& path() const { return path_; }

  /// An error about node n at the current path (plus an optional child field).
  void error_at(const YNode* n, std::string message, std::string_view child = {});
  /// A decoding error (the YAML type does not fit the field).
  void decode_error_at(const YNode* n, std::string message, std::string_view child = {});
  void decode_error_at_path(const YNode* n, std::string path, std::string message);
  /// An error at an explicit path; its node is found from the path later.
  void error(std::string path, std::string message);
  void error_at_path(const YNode* n, std::string path, std::string message);
  void warning_at(const YNode* n, std::string message, std::string_view child = {});
  void warning(std::string path, std::string message);

  std::vector<FieldError>& errors() { return errors_; }
  bool has_errors() const;
  std::vector<NodePortRequest>& node_ports() { return node_ports_; }

 private:
  const YNode* root_;
  PathStack path_;
  std::vector<FieldError> errors_;
  std::vector<NodePortRequest> node_ports_;
};

/// Pushes a path segment for the lifetime of the scope.
class Scope {
 public:
  Scope(Ctx& c, std::string_view name) : c_(c) { c_.path().push(name); }
  Scope(Ctx& c, std::uint32_t index) : c_(c) { c_.path().push_index(index); }
  ~Scope() { c_.path().pop(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Ctx& c_;
};

/// A key scope: metadata.labels[app].
class KeyScope {
 public:
  KeyScope(Ctx& c, std::string_view key) : c_(c) { c_.path().push_key(key); }
  ~KeyScope() { c_.path().pop(); }
  KeyScope(const KeyScope&) = delete;
  KeyScope& operator=(const KeyScope&) = delete;

 private:
  Ctx& c_;
};

// ---------------------------------------------------------------------------------------
// Typed readers. `field` is the name of the field being read, relative to the current
// path. A null node reads as absent (JSON null is the zero value). A node of the wrong
// type records a decoding error and reads as absent.

/// JSON's name for what a node holds: "string", "number", "bool", "object", "array".
std::string_view json_type_of(const YNode* n);

std::optional<std::string> read_string(Ctx& c, const YNode* n, std::string_view field);
std::optional<std::int64_t> read_int(Ctx& c, const YNode* n, std::string_view field,
                                     std::string_view go_type = "int32");
std::optional<std::int32_t> read_int32(Ctx& c, const YNode* n, std::string_view field);
std::optional<bool> read_bool(Ctx& c, const YNode* n, std::string_view field);
/// An IntOrString: a plain number or a string (a quoted "8080" stays a string, as in
/// Kubernetes).
model::IntOrString read_int_or_string(Ctx& c, const YNode* n, std::string_view field);
/// A map[string]string (labels, annotations, selectors); values must be strings.
model::StringMap read_string_map(Ctx& c, const YNode* n, std::string_view field);
/// A []string.
std::vector<std::string> read_string_list(Ctx& c, const YNode* n, std::string_view field);
/// A duration such as "50us" or "2s" (podhop kinds); bare numbers other than 0 need a unit.
std::optional<core::Duration> read_duration(Ctx& c, const YNode* n, std::string_view field);

/// True when n is a map; records a decoding error for anything else but null.
bool expect_map(Ctx& c, const YNode* n, std::string_view field);
/// True when n is a sequence; records a decoding error for anything else but null.
bool expect_seq(Ctx& c, const YNode* n, std::string_view field);

/// Adds one `Invalid value` error per message at node n.
void add_invalid(Ctx& c, const YNode* n, std::string_view field, std::string_view value_repr,
                 const Messages& msgs);

/// Finds the node a field path points at below root, or its nearest existing ancestor.
const YNode* locate(const YNode* root, std::string_view path);

}  // namespace podhop::manifest::detail
