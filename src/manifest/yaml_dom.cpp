#include "manifest/yaml_dom.hpp"

#include <streambuf>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace podhop::manifest::detail {

namespace {

bool is_merge_key(const YNode* key) {
  return key && !key->quoted && key->value == "<<";
}

void collect_entries(const YNode* map, std::vector<std::pair<std::string_view, const YNode*>>& out,
                     int depth) {
  map = resolve(map);
  if (!map || !map->is_map() || depth > 32) return;
  auto seen = [&](std::string_view k) {
    for (const auto& e : out)
      if (e.first == k) return true;
    return false;
  };
  for (const YNode* v = map->first; v; v = v->next)
    if (!is_merge_key(v->key) && !seen(v->key_text())) out.emplace_back(v->key_text(), resolve(v));
  for (const YNode* v = map->first; v; v = v->next) {
    if (!is_merge_key(v->key)) continue;
    const YNode* src = resolve(v);
    if (src->is_map()) collect_entries(src, out, depth + 1);
    if (src->is_seq())
      for (const YNode* item : Children(src)) collect_entries(item, out, depth + 1);
  }
}

}  // namespace

std::vector<std::pair<std::string_view, const YNode*>> merged_entries(const YNode* map) {
  std::vector<std::pair<std::string_view, const YNode*>> out;
  collect_entries(map, out, 0);
  return out;
}

const YNode* find_key(const YNode* map, std::string_view key) {
  const YNode* found = nullptr;
  map = resolve(map);
  if (!map || !map->is_map()) return nullptr;
  if (!map->has_merge) {
    for (const YNode* v = map->first; v; v = v->next)
      if (v->key && v->key->value == key) return resolve(v);
    return nullptr;
  }
  for_each_entry(map, [&](std::string_view k, const YNode* v) {
    if (!found && k == key) found = v;
  });
  return found;
}

/// A read-only streambuf over memory, so a 27 MB file is parsed without a copy.
class DocumentReader::MemoryBuf : public std::streambuf {
 public:
  explicit MemoryBuf(std::string_view text) {
    // streambuf wants char*, but get-only areas are never written through.
    char* b = const_cast<char*>(text.data());
    setg(b, b, b + text.size());
  }
};

/// Builds YNodes from parser events into an arena that is reused from one document to the
/// next (each node keeps its string capacity, so steady state allocates almost nothing).
class DocumentReader::Builder : public YAML::EventHandler {
 public:
  /// Forgets every node read so far (their room is reused).
  void clear() { used_ = 0; }

  /// Starts a document. Unless keep_nodes, the nodes of earlier documents are reused.
  void reset(Document& doc, std::uint32_t line_offset, bool keep_nodes) {
    if (!keep_nodes) used_ = 0;
    line_offset_ = line_offset;
    stack_.clear();
    anchors_.clear();
    doc_ = &doc;
    doc.root = nullptr;
    doc.duplicate_keys.clear();
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    doc_->start_line = static_cast<std::uint32_t>(mark.line) + (mark.line < 0 ? 0 : line_offset_);
    doc_->start_column = static_cast<std::uint32_t>(mark.column);
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YNode* n = make(mark, NodeType::null);
    finish(n, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YNode* n = make(mark, NodeType::null);
    if (anchor < anchors_.size() && anchors_[anchor]) {
      n->target = anchors_[anchor];
      n->type = anchors_[anchor]->type;
      n->quoted = anchors_[anchor]->quoted;
      n->value = anchors_[anchor]->value;
    }
    finish(n, 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YNode* n = make(mark, NodeType::scalar);
    n->value.assign(value);
    // yaml-cpp tags plain scalars "?" and quoted or block scalars "!"; an explicit
    // !!str keeps a plain-looking scalar a string.
    n->quoted = !(tag == "?" || tag.empty()) &&
                (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "!!str");
    finish(n, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    YNode* n = make(mark, NodeType::sequence);
    open(n, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    YNode* n = make(mark, NodeType::map);
    open(n, anchor);
  }
  void OnMapEnd() override {
    const YNode* map = stack_.back().node;
    check_duplicates(map);
    close();
  }

 private:
  struct Open {
    YNode* node;
    YNode* pending_key;  // maps: the key waiting for its value
  };

  YNode* make(const YAML::Mark& mark, NodeType type) {
    if (used_ == arena_.size()) arena_.emplace_back();
    YNode* n = &arena_[used_++];
    n->type = type;
    n->quoted = false;
    n->has_merge = false;
    // A mark without a place (-1) stays line 0, as in a reading of the whole stream.
    n->line = mark.line < 0 ? 0 : static_cast<std::uint32_t>(mark.line) + line_offset_;
    n->column = static_cast<std::uint32_t>(mark.column < 0 ? 0 : mark.column);
    n->size = 0;
    n->index = 0;
    n->value.clear();
    n->parent = nullptr;
    n->key = nullptr;
    n->target = nullptr;
    n->first = n->last = n->next = nullptr;
    return n;
  }

  void remember(YNode* n, YAML::anchor_t anchor) {
    if (anchor == 0) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, nullptr);
    anchors_[anchor] = n;
  }

  /// Attaches a finished node (scalar, null, alias) or a container about to be opened.
  void attach(YNode* n) {
    if (stack_.empty()) {
      doc_->root = n;
      return;
    }
    Open& top = stack_.back();
    YNode* parent = top.node;
    if (parent->is_map() && !top.pending_key) {
      // This node is a key.
      n->parent = parent;
      top.pending_key = n;
      if (!n->quoted && n->value == "<<") parent->has_merge = true;
      return;
    }
    n->parent = parent;
    if (parent->is_map()) {
      n->key = top.pending_key;
      top.pending_key = nullptr;
    }
    n->index = parent->size++;
    if (parent->last)
      parent->last->next = n;
    else
      parent->first = n;
    parent->last = n;
  }

  void finish(YNode* n, YAML::anchor_t anchor) {
    remember(n, anchor);
    attach(n);
  }

  void open(YNode* n, YAML::anchor_t anchor) {
    // A container used as a map key is attached as the key; its text stays empty.
    remember(n, anchor);
    attach(n);
    stack_.push_back({n, nullptr});
  }

  void close() {
    if (!stack_.empty()) stack_.pop_back();
  }

  void check_duplicates(const YNode* map) {
    // Maps in manifests are small; a quadratic scan beats hashing for them.
    if (map->size < 2) return;
    for (const YNode* a = map->first; a; a = a->next) {
      if (!a->key) continue;
      for (const YNode* b = a->next; b; b = b->next) {
        if (b->key && b->key->value == a->key->value && b->key->is_scalar() &&
            !(b->key->value == "<<" && !b->key->quoted))
          doc_->duplicate_keys.push_back({b->key, a->key});
      }
    }
  }

  std::deque<YNode> arena_;
  std::size_t used_ = 0;
  std::uint32_t line_offset_ = 0;
  std::vector<Open> stack_;
  std::vector<YNode*> anchors_;
  Document* doc_ = nullptr;
};

DocumentReader::DocumentReader(std::string_view text, std::uint32_t line_offset)
    : builder_(std::make_unique<Builder>()) {
  restart(text, line_offset);
}

DocumentReader::~DocumentReader() = default;

void DocumentReader::restart(std::string_view text, std::uint32_t line_offset) {
  parser_.reset();
  stream_.reset();
  buf_ = std::make_unique<MemoryBuf>(text);
  stream_ = std::make_unique<std::istream>(buf_.get());
  builder_->clear();
  error_.reset();
  line_offset_ = line_offset;
  done_ = false;
}

bool DocumentReader::next(Document& doc) {
  return read(doc, false);
}

bool DocumentReader::read_all(std::vector<Document>& docs) {
  for (;;) {
    Document& doc = docs.emplace_back();
    if (!read(doc, true)) {
      docs.pop_back();
      return !error_;
    }
  }
}

bool DocumentReader::read(Document& doc, bool keep_nodes) {
  if (done_) return false;
  if (!parser_) parser_ = std::make_unique<YAML::Parser>(*stream_);
  builder_->reset(doc, line_offset_, keep_nodes);
  try {
    if (!parser_->HandleNextDocument(*builder_)) {
      done_ = true;
      return false;
    }
  } catch (const YAML::Exception& e) {
    error_ =
        SyntaxError{e.mark.line < 0 ? 0 : static_cast<std::uint32_t>(e.mark.line) + line_offset_,
                    static_cast<std::uint32_t>(e.mark.column < 0 ? 0 : e.mark.column), e.msg};
    done_ = true;
    return false;
  }
  return true;
}

}  // namespace podhop::manifest::detail
