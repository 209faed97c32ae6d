#pragma once
// Diagnostics: errors and warnings about the user's input, each with its location.
//
// Broken input is never an exception that escapes to the user: loaders and validators
// collect every Diagnostic of a run and the caller decides (the CLI prints them all and
// exits 1, with nothing applied). A broken invariant inside podhop is a bug and aborts
// (see check.hpp).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podhop::core {

/// A file name shared by its copies: eight bytes (a pointer to a reference-counted block,
/// null when empty), so the 26,000 objects read from one file hold one copy of its name.
/// Reads as a std::string. The count is not atomic: a model is used by one thread.
class SourceFile {
 public:
  SourceFile() noexcept = default;
  SourceFile(std::string_view s)
      : b_(s.empty() ? nullptr : new Block{1, std::string(s)}) {}        // NOLINT
  SourceFile(const std::string& s) : SourceFile(std::string_view(s)) {}  // NOLINT
  SourceFile(const char* s) : SourceFile(std::string_view(s)) {}         // NOLINT
  SourceFile(const SourceFile& o) noexcept : b_(o.b_) {
    if (b_) ++b_->refs;
  }
  SourceFile(SourceFile&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  SourceFile& operator=(const SourceFile& o) noexcept {
    SourceFile(o).swap(*this);
    return *this;
  }
  SourceFile& operator=(SourceFile&& o) noexcept {
    SourceFile(std::move(o)).swap(*this);
    return *this;
  }
  ~SourceFile() {
    if (b_ && --b_->refs == 0) delete b_;
  }
  void swap(SourceFile& o) noexcept { std::swap(b_, o.b_); }

  const std::string& str() const { return b_ ? b_->s : empty_string(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as a string
  operator std::string_view() const { return str(); }    // NOLINT
  bool empty() const { return b_ == nullptr; }
  std::size_t size() const { return str().size(); }

  friend bool operator==(const SourceFile& a, const SourceFile& b) {
    return a.b_ == b.b_ || a.str() == b.str();
  }
  friend bool operator==(const SourceFile& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const SourceFile& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const SourceFile& a, const char* b) { return a.str() == b; }
  friend auto operator<=>(const SourceFile& a, const SourceFile& b) { return a.str() <=> b.str(); }

 private:
  struct Block {
    unsigned refs;
    std::string s;
  };
  static const std::string& empty_string() {
    static const std::string empty;  // immutable: not state
    return empty;
  }
  Block* b_ = nullptr;
};

/// Where a piece of input came from. line and column are 1-based; 0 means unknown.
struct SourceLocation {
  /// The file's name, shared by every location in the file.
  SourceFile file;
  int line = 0;
  int column = 0;

  /// "file:line:col", or as much of it as is known.
  std::string str() const;
  bool known() const { return !file.empty(); }
};

enum class Severity { error, warning };

/// One finding about the input, worded as kubectl words it where kubectl has words.
struct Diagnostic {
  Severity severity = Severity::error;
  SourceLocation where;
  /// The object it is about, as kubectl names it: `Service "app1-svc"`; may be empty.
  std::string object;
  /// The field path: `spec.ports[0].nodePort`; may be empty.
  std::string field;
  /// The rest of the message: `Invalid value: 80: provided port is not in the valid range...`
  std::string message;

  /// The whole line as the CLI prints it:
  /// `file:line:col: error: Service "x": spec.ports[0].port: Invalid value: ...`
  std::string str() const;
};

/// An ordered collection of diagnostics.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(SourceLocation where, std::string object, std::string field, std::string message);
  void warning(SourceLocation where, std::string object, std::string field, std::string message);
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  /// Every diagnostic, one per line.
  std::string str() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace podhop::core
