#pragma once
// Interned and shared strings: the words a large model repeats (event reasons, messages,
// node names, zones) stored once and referred to by pointer or by a 32-bit id.

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace podhop::model {

/// A string stored once in a StringPool: a pointer to an immutable std::string, valid as
/// long as the pool. Eight bytes against a std::string's 32 plus its heap block.
class IStr {
 public:
  IStr() noexcept : s_(&empty_string()) {}
  explicit IStr(const std::string* s) noexcept : s_(s) {}

  const std::string& str() const { return *s_; }
  operator const std::string&() const { return *s_; }  // NOLINT: reads as a string
  operator std::string_view() const { return *s_; }    // NOLINT
  std::string_view view() const { return *s_; }
  bool empty() const { return s_->empty(); }
  std::size_t size() const { return s_->size(); }

  friend bool operator==(IStr a, IStr b) { return a.s_ == b.s_ || *a.s_ == *b.s_; }
  friend bool operator==(IStr a, std::string_view b) { return *a.s_ == b; }
  friend bool operator==(IStr a, const std::string& b) { return *a.s_ == b; }
  friend bool operator==(IStr a, const char* b) { return *a.s_ == b; }
  friend bool operator<(IStr a, IStr b) { return *a.s_ < *b.s_; }

 private:
  static const std::string& empty_string() {
    static const std::string empty;  // immutable: not state
    return empty;
  }
  const std::string* s_;
};

/// An immutable string shared by its copies: eight bytes (a pointer to a reference-counted
/// block, null when empty). Made from any string without a pool, so code that builds model
/// objects field by field keeps working; a StringPool hands out shared copies of the words a
/// model repeats (node names, zones, namespaces), so 150,000 endpoints on 5,000 nodes hold
/// 5,000 blocks. The count is not atomic: a model is used by one thread.
class SharedStr {
 public:
  SharedStr() noexcept = default;
  SharedStr(std::string_view s)
      : b_(s.empty() ? nullptr : new Block{1, std::string(s)}) {}                       // NOLINT
  SharedStr(const std::string& s) : SharedStr(std::string_view(s)) {}                   // NOLINT
  SharedStr(std::string&& s) : b_(s.empty() ? nullptr : new Block{1, std::move(s)}) {}  // NOLINT
  SharedStr(const char* s) : SharedStr(std::string_view(s)) {}                          // NOLINT
  SharedStr(const SharedStr& o) noexcept : b_(o.b_) {
    if (b_) ++b_->refs;
  }
  SharedStr(SharedStr&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  SharedStr& operator=(const SharedStr& o) noexcept {
    SharedStr(o).swap(*this);
    return *this;
  }
  SharedStr& operator=(SharedStr&& o) noexcept {
    SharedStr(std::move(o)).swap(*this);
    return *this;
  }
  ~SharedStr() {
    if (b_ && --b_->refs == 0) delete b_;
  }
  void swap(SharedStr& o) noexcept { std::swap(b_, o.b_); }
  /// Makes it empty (drops this copy's share of the block).
  void clear() noexcept { SharedStr().swap(*this); }

  const std::string& str() const { return b_ ? b_->s : empty_string(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as a string
  operator std::string_view() const { return str(); }    // NOLINT
  std::string_view view() const { return str(); }
  const char* c_str() const { return str().c_str(); }
  bool empty() const { return b_ == nullptr; }
  std::size_t size() const { return str().size(); }
  /// True when both share one block (copies, or words from the same pool).
  bool same(const SharedStr& o) const { return b_ == o.b_; }

  friend bool operator==(const SharedStr& a, const SharedStr& b) {
    return a.b_ == b.b_ || a.str() == b.str();
  }
  friend bool operator==(const SharedStr& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const SharedStr& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const SharedStr& a, const char* b) { return a.str() == b; }
  friend std::strong_ordering operator<=>(const SharedStr& a, const SharedStr& b) {
    return a.str() <=> b.str();
  }
  friend std::strong_ordering operator<=>(const SharedStr& a, std::string_view b) {
    return a.view() <=> b;
  }
  friend std::strong_ordering operator<=>(const SharedStr& a, const std::string& b) {
    return a.str() <=> b;
  }
  friend std::strong_ordering operator<=>(const SharedStr& a, const char* b) {
    return a.view() <=> std::string_view(b);
  }
  friend std::string operator+(const SharedStr& a, std::string_view b) {
    std::string out(a.str());
    out += b;
    return out;
  }
  friend std::string operator+(std::string_view a, const SharedStr& b) {
    std::string out(a);
    out += b.str();
    return out;
  }
  friend std::string operator+(const std::string& a, const SharedStr& b) { return a + b.str(); }
  friend std::string operator+(const SharedStr& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, const SharedStr& b) { return a + b.str(); }
  friend std::string operator+(const SharedStr& a, const char* b) { return a.str() + b; }

 private:
  struct Block {
    std::uint32_t refs;
    std::string s;
  };
  static const std::string& empty_string() {
    static const std::string empty;  // immutable: not state
    return empty;
  }
  Block* b_ = nullptr;
};

/// An append-only set of strings. Entries never move (a deque of texts, node-based shared
/// blocks), so IStr pointers and ids stay valid while the pool lives; nothing is removed.
class StringPool {
 public:
  /// The pooled copy of s.
  IStr intern(std::string_view s) { return at(id(s)); }
  /// The id of s (0 for the empty string), interned on first use: 4 bytes per reference.
  std::uint32_t id(std::string_view s) { return find_or_add(s, nullptr); }
  /// The id of s's text; when the text is new, the pool keeps s's block itself rather than
  /// a copy (the 150,000 pod names of an event log are the blocks their pods' endpoints hold).
  std::uint32_t id_of(const SharedStr& s) { return find_or_add(s.view(), &s); }
  /// The string of an id from id().
  IStr at(std::uint32_t id) const { return id == 0 ? IStr() : IStr(&texts_[id - 1].str()); }
  /// A shared copy of s: the same block for the same text.
  SharedStr share(std::string_view s) {
    if (s.empty()) return {};
    auto it = shared_.find(s);
    if (it == shared_.end()) it = shared_.emplace(SharedStr(s)).first;
    return *it;
  }
  std::size_t size() const { return texts_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  static std::size_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
  // The id of s, added on first use (as `block` when given: it holds the same text).
  std::uint32_t find_or_add(std::string_view s, const SharedStr* block) {
    if (s.empty()) return 0;
    if ((texts_.size() + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(s) & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) {
        if (block)
          texts_.push_back(*block);
        else
          texts_.emplace_back(s);
        slots_[i] = static_cast<std::uint32_t>(texts_.size());
        return slots_[i];
      }
      if (texts_[slot - 1].view() == s) return slot;
    }
  }
  // Doubles the index (at most half full) and places every id again.
  void grow() {
    slots_.assign(std::max<std::size_t>(16, slots_.size() * 2), 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint32_t k = 1; k <= texts_.size(); ++k) {
      std::size_t i = hash(texts_[k - 1].view()) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = k;
    }
  }

  // The texts by id - 1, each a shared block (8 bytes here): an IStr points into the block,
  // which never moves; the deque never moves its elements either.
  std::deque<SharedStr> texts_;
  // Open addressing over ids (0 = free), compared against texts_: 4 bytes per slot, no
  // node or second copy of a text per entry. Lookups only, never iterated.
  std::vector<std::uint32_t> slots_;
  std::unordered_set<SharedStr, Hash, Eq> shared_;  // lookups only, never iterated
};

}  // namespace podhop::model

/// Formats an IStr as its text.
template <>
struct fmt::formatter<podhop::model::IStr> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const podhop::model::IStr& s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};

/// Formats a SharedStr as its text.
template <>
struct fmt::formatter<podhop::model::SharedStr> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const podhop::model::SharedStr& s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};

/// Hashes a SharedStr as its text.
template <>
struct std::hash<podhop::model::SharedStr> {
  std::size_t operator()(const podhop::model::SharedStr& s) const noexcept {
    return std::hash<std::string_view>{}(s.view());
  }
};
