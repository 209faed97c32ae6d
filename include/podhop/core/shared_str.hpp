#pragma once
// SharedStr: an immutable string whose copies share one block.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace podhop::core {

/// An immutable string shared by its copies: eight bytes (a pointer to a reference-counted
/// block, null when empty). Made from any string, so code that builds objects field by field
/// keeps working; copies share the block. model::StringPool hands out one block per word a
/// model repeats (node names, zones, namespaces: 150,000 endpoints on 5,000 nodes hold 5,000
/// blocks), and a SourceLocation's file is one block for every object read from that file.
/// The count is not atomic: a model is used by one thread.
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

}  // namespace podhop::core

/// Formats a SharedStr as its text.
template <>
struct fmt::formatter<podhop::core::SharedStr> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const podhop::core::SharedStr& s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};

/// Hashes a SharedStr as its text.
template <>
struct std::hash<podhop::core::SharedStr> {
  std::size_t operator()(const podhop::core::SharedStr& s) const noexcept {
    return std::hash<std::string_view>{}(s.view());
  }
};
