#pragma once
// Loading manifests: YAML/JSON files, folders and standard input into a ClusterState.
//
// The only module that sees yaml-cpp. Each document is parsed, converted at once into a
// compact model record (its node tree is dropped before the next document is read),
// defaulted as the API server defaults it, and validated with kubectl's words. Every error
// of a load is collected with file:line:col; when there is any error the target state is
// left untouched.

#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/diagnostic.hpp"
#include "podhop/model/cluster_state.hpp"

namespace podhop::manifest {

/// What a load read and what it made of it. Kinds podhop does not simulate produce no
/// diagnostic: they are counted in ignored_kinds (and kept in ClusterState::ignored) for the
/// caller to report once. Documents of kind Scenario are accepted and left to the scenario
/// module. See docs/manifests.md for every default and validation rule.
struct LoadReport {
  core::Diagnostics diagnostics;  // errors and warnings, in file order
  std::size_t files = 0;
  std::size_t documents = 0;  // non-empty YAML documents (List items count one each)
  std::size_t objects = 0;    // objects added to the state
  /// Kinds accepted but not simulated, with how many of each ("ServiceAccount": 3).
  std::map<std::string, std::size_t> ignored_kinds;
  /// Names of namespaces used but not declared, created with a warning.
  std::vector<std::string> created_namespaces;

  bool ok() const { return !diagnostics.has_errors(); }
};

/// How a load reads its files; never changes what it makes of them.
struct LoadOptions {
  /// A file of at least this many bytes is parsed on two threads, in pieces of about
  /// chunk_bytes cut at document markers; the documents are still converted one by one in
  /// file order, so the result, every diagnostic and its line are the same.
  std::size_t parallel_min_bytes = std::size_t{1} << 20;
  std::size_t chunk_bytes = std::size_t{256} << 10;
};

/// Loads every path (file, folder read recursively in sorted order, or "-" for `in`, or
/// std::cin when `in` is null; named STDIN in messages) into `state`. On any error, `state`
/// is unchanged and the report lists every error. Objects already in `state` with the same
/// kind, namespace and name are replaced, as `kubectl apply` updates them, keeping their
/// creation_index.
LoadReport load_paths(const std::vector<std::string>& paths, model::ClusterState& state,
                      std::istream* in = nullptr, const LoadOptions& options = {});

/// Loads YAML text as if it were the file `filename`.
LoadReport load_text(std::string_view text, std::string_view filename, model::ClusterState& state,
                     const LoadOptions& options = {});

/// The files a path expands to: itself, or every .yaml/.yml/.json below a folder, sorted.
std::vector<std::string> expand_path(const std::string& path, core::Diagnostics& diags);

}  // namespace podhop::manifest
