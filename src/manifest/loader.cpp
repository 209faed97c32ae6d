#include "podhop/manifest/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "manifest/api_kinds.hpp"
#include "manifest/convert.hpp"
#include "manifest/document_stream.hpp"
#include "manifest/yaml_dom.hpp"
#include "podhop/core/rng.hpp"

namespace podhop::manifest {

namespace fs = std::filesystem;
using namespace detail;

namespace {

/// Namespaces every cluster has; objects in them never trigger the "created" warning.
/// (The controllers create the Namespace objects themselves.)
bool is_system_namespace(std::string_view ns, const model::ClusterConfig& config) {
  return ns == "default" || ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease" ||
         (ns == "ingress-nginx" && config.has_addon("ingress"));
}

bool has_manifest_extension(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

/// Walks a folder the way kubectl's filepath.Walk does: entries of each folder in name
/// order, folders entered where they sort.
void walk(const fs::path& dir, std::vector<std::string>& out, core::Diagnostics& diags) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec) {
    diags.error({dir.string(), 0, 0}, "", "",
                fmt::format("open {}: {}", dir.string(), ec.message()));
    return;
  }
  std::sort(entries.begin(), entries.end(),
            [](const fs::directory_entry& a, const fs::directory_entry& b) {
              return a.path().filename().string() < b.path().filename().string();
            });
  for (const auto& e : entries) {
    std::error_code sec;
    if (e.is_directory(sec) && !e.is_symlink(sec)) {
      walk(e.path(), out, diags);
    } else if (e.is_regular_file(sec) && has_manifest_extension(e.path())) {
      out.push_back(e.path().string());
    }
  }
}

/// A diagnostic and where it sorts: (file index, line, column, arrival).
struct Ordered {
  std::size_t file = 0;
  int line = 0;
  int column = 0;
  std::size_t seq = 0;
  core::Diagnostic diag;
};

struct PendingNodePort {
  std::size_t file;
  core::SourceLocation where;
  std::string object;
  std::string path;
  std::int32_t port;
};

/// The kubectl-style suffix alphabet for generateName (no vowels, no look-alikes).
constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/// One load: everything goes into a scratch state; the target is touched only at the end,
/// and only when nothing went wrong.
class Load {
 public:
  Load(model::ClusterState& target, LoadReport& report, const LoadOptions& options)
      : target_(target),
        report_(report),
        names_(target.next_creation_index, "manifest/generateName") {
    next_index_ = target.next_creation_index;
    stream_.min_bytes = options.parallel_min_bytes;
    stream_.chunk_bytes = options.chunk_bytes;
  }

  void add_file_error(std::string file, std::string message) {
    push({std::move(file), 0, 0}, core::Severity::error, "", "", std::move(message));
  }

  void load_text(std::string_view text, const std::string& file) {
    ++report_.files;
    file_ = file;
    ++file_index_;
    // A large file is parsed on two threads; the documents still come here one by one, in
    // file order, as one reader gives them (see document_stream.hpp).
    const auto err = for_each_document(text, stream_, [&](const Document& doc) {
      const YNode* root = resolve(doc.root);
      if (!root || root->is_null()) return;  // empty documents are skipped
      for (const auto& dup : doc.duplicate_keys)
        push(loc(dup.node), core::Severity::error, "", "",
             fmt::format("error converting YAML to JSON: yaml: unmarshal errors: line {}: key {} "
                         "already set "
                         "in map (first set at line {})",
                         dup.node->line + 1, go_quote(dup.node->value), dup.first->line + 1));
      handle_object(root, true);
    });
    if (err) {
      push({file_, static_cast<int>(err->line + 1), static_cast<int>(err->column + 1)},
           core::Severity::error, "", "",
           fmt::format("error converting YAML to JSON: yaml: {}", err->message));
    }
  }

  /// After every file: node port ranges, namespaces, then the merge when all is well.
  void finish() {
    const model::ClusterConfig& config = cluster_ ? *cluster_ : target_.config;
    for (const auto& np : node_ports_) {
      if (np.port >= config.node_port_min && np.port <= config.node_port_max) continue;
      push_at(np.file, np.where, core::Severity::error, np.object, np.path,
              fmt::format(
                  "Invalid value: {}: provided port is not in the valid range. The range of valid "
                  "ports is {}-{}",
                  np.port, config.node_port_min, config.node_port_max));
    }
    create_namespaces(config);

    std::stable_sort(diags_.begin(), diags_.end(), [](const Ordered& a, const Ordered& b) {
      if (a.file != b.file) return a.file < b.file;
      if (a.line != b.line) return a.line < b.line;
      if (a.column != b.column) return a.column < b.column;
      return a.seq < b.seq;
    });
    for (auto& d : diags_) report_.diagnostics.add(std::move(d.diag));
    if (!report_.diagnostics.has_errors()) merge();
  }

 private:
  // -------------------------------------------------------------------------------------
  // Diagnostics

  core::SourceLocation loc(const YNode* n) const {
    if (!n) return {file_, 0, 0};
    return {file_, static_cast<int>(n->line + 1), static_cast<int>(n->column + 1)};
  }

  void push(core::SourceLocation where, core::Severity sev, std::string object, std::string field,
            std::string message) {
    push_at(file_index_, std::move(where), sev, std::move(object), std::move(field),
            std::move(message));
  }

  void push_at(std::size_t file, core::SourceLocation where, core::Severity sev, std::string object,
               std::string field, std::string message) {
    Ordered o;
    o.file = file;
    o.line = where.line;
    o.column = where.column;
    o.seq = seq_++;
    o.diag = {sev, std::move(where), std::move(object), std::move(field), std::move(message)};
    diags_.push_back(std::move(o));
  }

  // -------------------------------------------------------------------------------------
  // Documents

  void handle_object(const YNode* root, bool top_level) {
    if (!root->is_map()) {
      push(loc(root), core::Severity::error, "", "",
           fmt::format("unable to decode: json: cannot unmarshal {} into Go value of type "
                       "map[string]interface {{}}",
                       json_type_of(root)));
      return;
    }
    ++report_.documents;
    Ctx probe(root);
    const YNode* av_node = find_key(root, "apiVersion");
    const YNode* kind_node = find_key(root, "kind");
    std::string api_version = read_string(probe, av_node, "apiVersion").value_or("");
    std::string kind = read_string(probe, kind_node, "kind").value_or("");
    if (probe.has_errors()) {
      for (auto& e : probe.errors())
        push(loc(e.node), core::Severity::error, "", e.path, e.message);
      return;
    }
    if (api_version.empty() || kind.empty()) {
      // kubectl's client-side check, before anything reaches the server.
      std::string what = api_version.empty() && kind.empty() ? "[apiVersion not set, kind not set]"
                         : api_version.empty()               ? "apiVersion not set"
                                                             : "kind not set";
      push(loc(root), core::Severity::error, "", "",
           fmt::format("error validating data: {}", what));
      return;
    }

    KindResolution res = resolve_kind(api_version, kind);
    std::string name = object_name(root);
    switch (res.what) {
      case KindResolution::What::scenario:
        // Read by the scenario module; nothing for the cluster.
        return;
      case KindResolution::What::list:
        handle_list(root, top_level);
        return;
      case KindResolution::What::wrong_version:
        push(loc(av_node), core::Severity::error, describe(kind, name), "", res.message);
        return;
      case KindResolution::What::ignored: {
        ++report_.ignored_kinds[kind];
        model::IgnoredObject ig;
        ig.api_version = api_version;
        ig.kind = kind;
        ig.name = name;
        const YNode* md = find_key(root, "metadata");
        if (auto ns = find_key(md, "namespace"); ns && ns->is_scalar()) ig.namespace_ = ns->value;
        ig.source = loc(root);
        scratch_.ignored.push_back(std::move(ig));
        if (!res.message.empty())
          push(loc(av_node), core::Severity::warning, describe(kind, name), "", res.message);
        return;
      }
      case KindResolution::What::simulated:
        break;
    }
    convert(res.kind, root, api_version, kind);
  }

  void handle_list(const YNode* root, bool top_level) {
    // The List itself is not a document of its own; its items are.
    --report_.documents;
    (void)top_level;
    const YNode* items = find_key(root, "items");
    Ctx c(root);
    if (!expect_seq(c, items, "items")) {
      for (auto& e : c.errors()) push(loc(e.node), core::Severity::error, "", e.path, e.message);
      return;
    }
    for (const YNode* item : Children(items)) {
      const YNode* obj = resolve(item);
      if (obj->is_null()) continue;
      handle_object(obj, false);
    }
  }

  static std::string object_name(const YNode* root) {
    const YNode* md = find_key(root, "metadata");
    const YNode* name = find_key(md, "name");
    if (name && name->is_scalar()) return name->value;
    const YNode* gen = find_key(md, "generateName");
    if (gen && gen->is_scalar()) return gen->value;
    return "";
  }

  static std::string describe(std::string_view kind, std::string_view name) {
    return model::describe_object(kind, name);
  }

  template <typename T>
  void report_errors(Ctx& c, const YNode* root, std::string_view kind, const T& obj) {
    std::string object =
        describe(kind, obj.meta.name.empty() ? obj.meta.generate_name.str() : obj.meta.name);
    std::vector<std::string_view> undecoded;
    for (const auto& e : c.errors())
      if (e.decode) undecoded.push_back(e.path);
    for (auto& e : c.errors()) {
      if (!e.decode && std::find(undecoded.begin(), undecoded.end(), e.path) != undecoded.end())
        continue;
      const YNode* at = e.node ? e.node : locate(root, e.path);
      push(loc(at), e.severity, object, e.path, e.message);
    }
    for (auto& np : c.node_ports()) {
      node_ports_.push_back(
          {file_index_, loc(np.node ? np.node : locate(root, np.path)), object, np.path, np.port});
    }
  }

  void convert(Kind kind, const YNode* root, const std::string& api_version,
               std::string_view kind_text) {
    Ctx c(root);
    switch (kind) {
      case Kind::pod:
        return finish_object(c, root, kind_text, convert_pod(c, root, api_version), scratch_.pods,
                             target_.pods);
      case Kind::service:
        return finish_object(c, root, kind_text, convert_service(c, root, api_version),
                             scratch_.services, target_.services);
      case Kind::endpoints:
        return finish_object(c, root, kind_text, convert_endpoints(c, root, api_version),
                             scratch_.endpoints, target_.endpoints);
      case Kind::namespace_:
        return finish_object(c, root, kind_text, convert_namespace(c, root, api_version),
                             scratch_.namespaces, target_.namespaces);
      case Kind::node:
        return finish_object(c, root, kind_text, convert_node(c, root, api_version), scratch_.nodes,
                             target_.nodes);
      case Kind::secret:
        return finish_object(c, root, kind_text, convert_secret(c, root, api_version),
                             scratch_.secrets, target_.secrets);
      case Kind::replication_controller:
        return finish_object(c, root, kind_text,
                             convert_replication_controller(c, root, api_version),
                             scratch_.replication_controllers, target_.replication_controllers);
      case Kind::deployment:
        return finish_object(c, root, kind_text, convert_deployment(c, root, api_version),
                             scratch_.deployments, target_.deployments);
      case Kind::replica_set:
        return finish_object(c, root, kind_text, convert_replica_set(c, root, api_version),
                             scratch_.replica_sets, target_.replica_sets);
      case Kind::stateful_set:
        return finish_object(c, root, kind_text, convert_stateful_set(c, root, api_version),
                             scratch_.stateful_sets, target_.stateful_sets);
      case Kind::daemon_set:
        return finish_object(c, root, kind_text, convert_daemon_set(c, root, api_version),
                             scratch_.daemon_sets, target_.daemon_sets);
      case Kind::endpoint_slice:
        return finish_object(c, root, kind_text, convert_endpoint_slice(c, root, api_version),
                             scratch_.endpoint_slices, target_.endpoint_slices);
      case Kind::ingress:
        return finish_object(c, root, kind_text, convert_ingress(c, root, api_version),
                             scratch_.ingresses, target_.ingresses);
      case Kind::ingress_class:
        return finish_object(c, root, kind_text, convert_ingress_class(c, root, api_version),
                             scratch_.ingress_classes, target_.ingress_classes);
      case Kind::app:
        return finish_object(c, root, kind_text, convert_app(c, root, api_version), scratch_.apps,
                             target_.apps);
      case Kind::cluster:
        return finish_cluster(c, root, convert_cluster(c, root, api_version));
    }
  }

  void finish_cluster(Ctx& c, const YNode* root, model::ClusterConfig cfg) {
    std::string object = describe("Cluster", cfg.name);
    for (auto& e : c.errors())
      push(loc(e.node ? e.node : locate(root, e.path)), e.severity, object, e.path, e.message);
    if (c.has_errors()) return;
    cfg.source = loc(root);
    if (cluster_) {
      push(loc(root), core::Severity::error, object, "",
           fmt::format("only one Cluster may be declared; another one is at {}",
                       cluster_->source.str()));
      return;
    }
    cluster_ = std::move(cfg);
    ++objects_;
  }

  template <typename T>
  void finish_object(Ctx& c, const YNode* root, std::string_view kind, T obj,
                     model::ObjectTable<T>& table, const model::ObjectTable<T>& target_table) {
    report_errors(c, root, kind, obj);
    if (c.has_errors()) return;
    obj.meta.source = loc(root);
    if (obj.meta.name.empty())
      obj.meta.name =
          generate_name(obj.meta.generate_name, obj.meta.namespace_, table, target_table);
    if (!obj.meta.namespace_.empty() && !used_namespaces_.count(obj.meta.namespace_))
      used_namespaces_.emplace(obj.meta.namespace_, std::make_pair(file_index_, obj.meta.source));
    std::string key = fmt::format("{}/{}/{}", kind, obj.meta.namespace_, obj.meta.name);
    auto [it, fresh] = seen_.emplace(key, obj.meta.source);
    if (!fresh) {
      // A second definition within one load replaces the first, as a second
      // `kubectl apply` would; it keeps the first one's place in creation order.
      std::string where =
          obj.meta.namespace_.empty() ? "" : fmt::format(" in namespace {}", obj.meta.namespace_);
      push(obj.meta.source, core::Severity::warning, describe(kind, obj.meta.name), "",
           fmt::format("declared again{}: this definition replaces the one at {}", where,
                       it->second.str()));
      it->second = obj.meta.source;
      const T* earlier = table.find(obj.meta.namespace_, obj.meta.name);
      obj.meta.creation_index = earlier ? earlier->meta.creation_index : next_index_++;
    } else {
      obj.meta.creation_index = next_index_++;
      ++objects_;
    }
    table.upsert(std::move(obj));
  }

  template <typename T>
  std::string generate_name(const std::string& prefix, const std::string& ns,
                            const model::ObjectTable<T>& table,
                            const model::ObjectTable<T>& target_table) {
    // Deterministic: the suffixes come from a stream named for this purpose, seeded by
    // where the load starts in the cluster's creation order.
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = prefix;
      for (int i = 0; i < 5; ++i)
        name.push_back(kNameAlphabet[names_.uniform(kNameAlphabet.size())]);
      if (!table.find(ns, name) && !target_table.find(ns, name)) return name;
    }
    return prefix + std::to_string(next_index_);
  }

  void create_namespaces(const model::ClusterConfig& config) {
    std::vector<std::string> missing;
    core::SourceLocation first_use;
    std::size_t first_file = 0;
    bool have_first = false;
    for (const auto& [ns, use] : used_namespaces_) {
      if (is_system_namespace(ns, config)) continue;
      if (scratch_.namespaces.find("", ns) || target_.namespaces.find("", ns)) continue;
      missing.push_back(ns);
      if (!have_first || use.first < first_file ||
          (use.first == first_file &&
           (use.second.line < first_use.line ||
            (use.second.line == first_use.line && use.second.column < first_use.column)))) {
        first_use = use.second;
        first_file = use.first;
        have_first = true;
      }
    }
    if (missing.empty()) return;
    for (const auto& ns : missing) {
      model::Namespace n;
      n.meta.name = ns;
      n.meta.api_version = "v1";
      n.meta.creation_index = next_index_++;
      scratch_.namespaces.upsert(std::move(n));
      report_.created_namespaces.push_back(ns);
    }
    push_at(first_file, first_use, core::Severity::warning, "", "",
            fmt::format("{} {} used but not declared; podhop creates {} (a real API server refuses "
                        "objects in a "
                        "namespace that does not exist)",
                        missing.size() == 1 ? "namespace" : "namespaces", fmt::join(missing, ", "),
                        missing.size() == 1 ? "it" : "them"));
  }

  template <typename T>
  void merge_table(model::ObjectTable<T>& from, model::ObjectTable<T>& into) {
    for (auto& obj : from.items()) {
      if (const T* existing = into.find(obj.meta.namespace_, obj.meta.name)) {
        // An update keeps the object's age and place in creation order.
        obj.meta.creation_index = existing->meta.creation_index;
        obj.meta.created = existing->meta.created;
      } else {
        obj.meta.created = target_.now;
      }
      into.upsert(std::move(obj));
    }
  }

  void merge() {
    merge_table(scratch_.namespaces, target_.namespaces);
    merge_table(scratch_.nodes, target_.nodes);
    merge_table(scratch_.pods, target_.pods);
    merge_table(scratch_.services, target_.services);
    merge_table(scratch_.endpoints, target_.endpoints);
    merge_table(scratch_.endpoint_slices, target_.endpoint_slices);
    merge_table(scratch_.secrets, target_.secrets);
    merge_table(scratch_.deployments, target_.deployments);
    merge_table(scratch_.replica_sets, target_.replica_sets);
    merge_table(scratch_.replication_controllers, target_.replication_controllers);
    merge_table(scratch_.stateful_sets, target_.stateful_sets);
    merge_table(scratch_.daemon_sets, target_.daemon_sets);
    merge_table(scratch_.ingresses, target_.ingresses);
    merge_table(scratch_.ingress_classes, target_.ingress_classes);
    merge_table(scratch_.apps, target_.apps);
    for (auto& ig : scratch_.ignored) target_.ignored.push_back(std::move(ig));
    if (cluster_) {
      target_.config = std::move(*cluster_);
      model::apply_cluster_defaults(target_.config);
    }
    target_.next_creation_index = next_index_;
    report_.objects = objects_;
  }

  model::ClusterState& target_;
  LoadReport& report_;
  StreamOptions stream_;
  model::ClusterState scratch_;
  core::RngStream names_;
  std::uint64_t next_index_ = 0;
  std::size_t objects_ = 0;
  core::SharedStr file_;  // one block for every location in the file
  std::size_t file_index_ = 0;
  std::size_t seq_ = 0;
  std::vector<Ordered> diags_;
  std::vector<PendingNodePort> node_ports_;
  std::optional<model::ClusterConfig> cluster_;
  std::unordered_map<std::string, core::SourceLocation> seen_;  // lookups only
  std::map<std::string, std::pair<std::size_t, core::SourceLocation>> used_namespaces_;
};

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("open {}: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size > 0) {
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
  }
  return text;
}

}  // namespace

std::vector<std::string> expand_path(const std::string& path, core::Diagnostics& diags) {
  if (path == "-") return {path};
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    diags.error({}, "", "", fmt::format("the path \"{}\" does not exist", path));
    return {};
  }
  if (!fs::is_directory(status)) return {path};
  std::vector<std::string> out;
  walk(path, out, diags);
  if (out.empty())
    diags.error(
        {path, 0, 0}, "", "",
        fmt::format("error reading [{}]: recognized file extensions are [.json .yaml .yml]", path));
  return out;
}

LoadReport load_paths(const std::vector<std::string>& paths, model::ClusterState& state,
                      std::istream* in, const LoadOptions& options) {
  LoadReport report;
  Load load(state, report, options);
  core::Diagnostics expand_diags;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    auto expanded = expand_path(p, expand_diags);
    files.insert(files.end(), expanded.begin(), expanded.end());
  }
  for (const auto& d : expand_diags.items()) load.add_file_error(d.where.file, d.message);
  for (const auto& f : files) {
    if (f == "-") {
      std::istream& input = in ? *in : std::cin;
      std::string text((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
      load.load_text(text, "STDIN");
      continue;
    }
    std::string error;
    auto text = read_file(f, error);
    if (!text) {
      load.add_file_error(f, error);
      continue;
    }
    load.load_text(*text, f);
  }
  load.finish();
  return report;
}

LoadReport load_text(std::string_view text, std::string_view filename, model::ClusterState& state,
                     const LoadOptions& options) {
  LoadReport report;
  Load load(state, report, options);
  load.load_text(text, std::string(filename));
  load.finish();
  return report;
}

}  // namespace podhop::manifest
