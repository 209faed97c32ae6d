#include "podhop/core/diagnostic.hpp"

#include <fmt/format.h>

namespace podhop::core {

std::string SourceLocation::str() const {
  if (file.empty()) return {};
  if (line == 0) return file;
  if (column == 0) return fmt::format("{}:{}", file.str(), line);
  return fmt::format("{}:{}:{}", file.str(), line, column);
}

std::string Diagnostic::str() const {
  std::string out;
  if (where.known()) out += where.str() + ": ";
  out += severity == Severity::error ? "error: " : "warning: ";
  if (!object.empty()) out += object + ": ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

void Diagnostics::error(SourceLocation where, std::string object, std::string field,
                        std::string message) {
  items_.push_back(
      {Severity::error, std::move(where), std::move(object), std::move(field), std::move(message)});
}

void Diagnostics::warning(SourceLocation where, std::string object, std::string field,
                          std::string message) {
  items_.push_back({Severity::warning, std::move(where), std::move(object), std::move(field),
                    std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const {
  return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
  std::size_t n = 0;
  for (const auto& d : items_) n += d.severity == Severity::error;
  return n;
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& d : items_) {
    out += d.str();
    out += '\n';
  }
  return out;
}

}  // namespace podhop::core
