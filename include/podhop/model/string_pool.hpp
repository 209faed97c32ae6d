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

#include "podhop/core/shared_str.hpp"

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

/// The shared string of core (an 8-byte reference-counted immutable block): the model's
/// repeated words are shared through StringPool::share.
using SharedStr = core::SharedStr;

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
