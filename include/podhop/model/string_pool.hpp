#pragma once
// Interned strings: the words a large model repeats (event reasons, messages, object
// names) stored once and referred to by pointer.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

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

/// An append-only set of strings. Entries never move (node-based set), so IStr pointers
/// stay valid while the pool lives; nothing is ever removed.
class StringPool {
 public:
  /// The pooled copy of s.
  IStr intern(std::string_view s) {
    if (s.empty()) return {};
    auto it = set_.find(s);
    if (it == set_.end()) it = set_.emplace(s).first;
    return IStr(&*it);
  }
  std::size_t size() const { return set_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> set_;  // lookups only, never iterated
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
