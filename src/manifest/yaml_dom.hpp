#pragma once
// A small read-only YAML tree, built from yaml-cpp parser events one document at a time.
//
// Why not YAML::Node: its nodes live in shared memory pools that grow with every node ever
// built, key lookup converts each key to a string on every comparison, and assigning one
// node to another merges pools. Here every node sits in an arena that is reused for the
// next document, keys are compared as plain strings, and each node knows its parent, its
// key and its position in the file, so an error can name both the field path and the
// line:column without any bookkeeping on the happy path.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace YAML {
class Parser;
}

namespace podhop::manifest::detail {

enum class NodeType : std::uint8_t { null, scalar, sequence, map };

/// One node of a document. Map entries are kept as the list of value nodes, each pointing
/// at its key; sequence items are the list itself.
struct YNode {
  NodeType type = NodeType::null;
  /// The scalar was quoted, a block scalar, or tagged !!str: always a string, never a
  /// number or a boolean.
  bool quoted = false;
  /// A map that holds a `<<` merge key.
  bool has_merge = false;
  std::uint32_t line = 0;  // 0-based, as yaml-cpp marks
  std::uint32_t column = 0;
  std::uint32_t size = 0;   // children: sequence items or map entries
  std::uint32_t index = 0;  // position among the parent's children
  std::string value;        // scalar text
  const YNode* parent = nullptr;
  const YNode* key = nullptr;     // for a map value: its key node
  const YNode* target = nullptr;  // for an alias: the anchored node
  YNode* first = nullptr;
  YNode* last = nullptr;
  YNode* next = nullptr;

  bool is_null() const { return type == NodeType::null; }
  bool is_scalar() const { return type == NodeType::scalar; }
  bool is_map() const { return type == NodeType::map; }
  bool is_seq() const { return type == NodeType::sequence; }
  /// The key text of a map value ("" for sequence items and the root).
  std::string_view key_text() const {
    return key ? std::string_view(key->value) : std::string_view();
  }
};

/// Follows an alias to its anchored node.
inline const YNode* resolve(const YNode* n) {
  while (n && n->target) n = n->target;
  return n;
}

/// Iteration over the children of a sequence or map (map: the value nodes).
class Children {
 public:
  explicit Children(const YNode* n) : first_(n ? n->first : nullptr) {}
  class iterator {
   public:
    explicit iterator(const YNode* n) : n_(n) {}
    const YNode* operator*() const { return n_; }
    iterator& operator++() {
      n_ = n_->next;
      return *this;
    }
    bool operator!=(const iterator& o) const { return n_ != o.n_; }

   private:
    const YNode* n_;
  };
  iterator begin() const { return iterator(first_); }
  iterator end() const { return iterator(nullptr); }

 private:
  const YNode* first_;
};

/// Calls fn(key, value) for every entry of a map, own entries first, then entries merged
/// in through `<<` that the map does not override (YAML merge keys, as Kubernetes' YAML
/// reader supports them). Values are alias-resolved.
template <typename Fn>
void for_each_entry(const YNode* map, Fn&& fn);

/// The entries of a map holding `<<` merge keys: own entries first, then merged ones it
/// does not override (earlier merge sources win).
std::vector<std::pair<std::string_view, const YNode*>> merged_entries(const YNode* map);

/// The value for `key` in a map (alias-resolved), or nullptr.
const YNode* find_key(const YNode* map, std::string_view key);

/// A duplicate key found while building a document.
struct DuplicateKey {
  const YNode* node;   // the later key
  const YNode* first;  // the earlier one
};

/// One parsed document: its root and everything found wrong with its shape.
struct Document {
  const YNode* root = nullptr;
  std::uint32_t start_line = 0;  // where the document began (0-based)
  std::uint32_t start_column = 0;
  std::vector<DuplicateKey> duplicate_keys;
};

/// A YAML syntax error, 0-based position.
struct SyntaxError {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;
};

/// Reads the documents of one YAML stream, one at a time. The nodes of a document stay
/// valid until the next call to next().
class DocumentReader {
 public:
  /// Reads from text, which must outlive the reader. line_offset is added to every line
  /// (nodes, documents, errors): text is then a piece of a larger stream that begins on that
  /// line of it (at column 0).
  explicit DocumentReader(std::string_view text, std::uint32_t line_offset = 0);
  ~DocumentReader();
  DocumentReader(const DocumentReader&) = delete;
  DocumentReader& operator=(const DocumentReader&) = delete;

  /// Starts over on another text, keeping the room of the nodes read so far (their strings
  /// keep their capacity): every node read before is invalid after this.
  void restart(std::string_view text, std::uint32_t line_offset = 0);

  /// Parses the next document into doc. Returns false at the end of the stream or after a
  /// syntax error (then error() is set and the reader stops).
  bool next(Document& doc);
  /// Parses every remaining document into docs, keeping the nodes of all of them (valid
  /// until the next call to next(), read_all() or restart()). Returns false after a syntax
  /// error (error() is set; docs holds the documents before it).
  bool read_all(std::vector<Document>& docs);
  const std::optional<SyntaxError>& error() const { return error_; }

 private:
  class Builder;
  class MemoryBuf;
  bool read(Document& doc, bool keep_nodes);
  std::unique_ptr<MemoryBuf> buf_;
  std::unique_ptr<std::istream> stream_;
  std::unique_ptr<Builder> builder_;
  std::unique_ptr<YAML::Parser> parser_;
  std::optional<SyntaxError> error_;
  std::uint32_t line_offset_ = 0;
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------

template <typename Fn>
void for_each_entry(const YNode* map, Fn&& fn) {
  map = resolve(map);
  if (!map || !map->is_map()) return;
  if (!map->has_merge) {
    for (const YNode* v = map->first; v; v = v->next) fn(v->key_text(), resolve(v));
    return;
  }
  for (const auto& [key, value] : merged_entries(map)) fn(key, value);
}

}  // namespace podhop::manifest::detail
