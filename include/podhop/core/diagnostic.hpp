#pragma once
// Diagnostics: errors and warnings about the user's input, each with its location.
//
// Broken input is never an exception that escapes to the user: loaders and validators
// collect every Diagnostic of a run and the caller decides (the CLI prints them all and
// exits 1, with nothing applied). A broken invariant inside podhop is a bug and aborts
// (see check.hpp).

#include <string>
#include <vector>

#include "podhop/core/shared_str.hpp"

namespace podhop::core {

/// Where a piece of input came from. line and column are 1-based; 0 means unknown.
struct SourceLocation {
  /// The file's name, shared by every location in the file.
  SharedStr file;
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
