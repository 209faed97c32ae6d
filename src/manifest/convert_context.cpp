#include "manifest/convert_context.hpp"

#include <cctype>

#include <fmt/format.h>

namespace podhop::manifest::detail {

std::string PathStack::str() const {
  std::string out;
  for (const auto& s : segs_) {
    if (s.index >= 0) {
      out += '[';
      out += std::to_string(s.index);
      out += ']';
    } else if (s.key) {
      out += '[';
      out += s.name;
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += s.name;
    }
  }
  return out;
}

std::string PathStack::child(std::string_view name) const {
  std::string out = str();
  if (name.empty()) return out;
  if (!out.empty() && name.front() != '[') out += '.';
  out += name;
  return out;
}

std::string msg_invalid(std::string_view value, std::string_view detail) {
  std::string out = "Invalid value: ";
  out += value;
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

std::string msg_required(std::string_view detail) {
  if (detail.empty()) return "Required value";
  return fmt::format("Required value: {}", detail);
}

std::string msg_forbidden(std::string_view detail) {
  return fmt::format("Forbidden: {}", detail);
}

std::string msg_duplicate(std::string_view value) {
  return fmt::format("Duplicate value: {}", value);
}

std::string msg_not_supported(std::string_view value,
                              const std::vector<std::string_view>& supported) {
  std::string out = fmt::format("Unsupported value: {}", value);
  if (!supported.empty()) {
    out += ": supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      if (i) out += ", ";
      out += go_quote(supported[i]);
    }
  }
  return out;
}

void Ctx::error_at(const YNode* n, std::string message, std::string_view child) {
  errors_.push_back({core::Severity::error, n, path_.child(child), std::move(message)});
}

void Ctx::decode_error_at(const YNode* n, std::string message, std::string_view child) {
  errors_.push_back({core::Severity::error, n, path_.child(child), std::move(message), true});
}

void Ctx::decode_error_at_path(const YNode* n, std::string path, std::string message) {
  errors_.push_back({core::Severity::error, n, std::move(path), std::move(message), true});
}

void Ctx::error(std::string path, std::string message) {
  errors_.push_back({core::Severity::error, nullptr, std::move(path), std::move(message)});
}

void Ctx::error_at_path(const YNode* n, std::string path, std::string message) {
  errors_.push_back({core::Severity::error, n, std::move(path), std::move(message)});
}

void Ctx::warning_at(const YNode* n, std::string message, std::string_view child) {
  errors_.push_back({core::Severity::warning, n, path_.child(child), std::move(message)});
}

void Ctx::warning(std::string path, std::string message) {
  errors_.push_back({core::Severity::warning, nullptr, std::move(path), std::move(message)});
}

bool Ctx::has_errors() const {
  for (const auto& e : errors_)
    if (e.severity == core::Severity::error) return true;
  return false;
}

std::string_view json_type_of(const YNode* n) {
  n = resolve(n);
  if (!n) return "null";
  switch (n->type) {
    case NodeType::null:
      return "null";
    case NodeType::map:
      return "object";
    case NodeType::sequence:
      return "array";
    case NodeType::scalar:
      switch (classify_scalar(n->value, n->quoted)) {
        case ScalarKind::null:
          return "null";
        case ScalarKind::boolean:
          return "bool";
        case ScalarKind::integer:
        case ScalarKind::floating:
          return "number";
        case ScalarKind::string:
          return "string";
      }
  }
  return "string";
}

namespace {

/// The decoding error kubectl reports when a value's JSON type does not fit the field,
/// with a hint when quoting (or unquoting) is the fix.
std::string type_error(const YNode* n, std::string_view go_type) {
  std::string_view got = json_type_of(n);
  std::string out = fmt::format("cannot unmarshal {} into a field of type {}", got, go_type);
  if (n->is_scalar()) {
    ScalarKind k = classify_scalar(n->value, n->quoted);
    if (go_type == "string" && (k == ScalarKind::integer || k == ScalarKind::floating)) {
      out += fmt::format(" (YAML reads {} as a number: write {})", n->value, go_quote(n->value));
    } else if (go_type == "string" && k == ScalarKind::boolean) {
      out += fmt::format(" (YAML reads {} as a boolean: write {})", n->value, go_quote(n->value));
    } else if (k == ScalarKind::string && n->quoted) {
      ScalarKind inner = classify_scalar(n->value, false);
      bool want_number = go_type.substr(0, 3) == "int" || go_type == "int or string";
      if ((want_number && inner == ScalarKind::integer) ||
          (go_type == "bool" && inner == ScalarKind::boolean))
        out += fmt::format(" (a quoted {} is a string: write {})", go_quote(n->value), n->value);
    } else if (k == ScalarKind::floating && go_type.substr(0, 3) == "int") {
      out = fmt::format("cannot unmarshal number {} into a field of type {}", n->value, go_type);
    }
  }
  return out;
}

bool is_null(const YNode* n) {
  if (!n || n->is_null()) return true;
  return n->is_scalar() && !n->quoted && classify_scalar(n->value, false) == ScalarKind::null;
}

}  // namespace

std::optional<std::string> read_string(Ctx& c, const YNode* n, std::string_view field) {
  n = resolve(n);
  if (is_null(n)) return std::nullopt;
  if (n->is_scalar() && classify_scalar(n->value, n->quoted) == ScalarKind::string) return n->value;
  c.decode_error_at(n, type_error(n, "string"), field);
  return std::nullopt;
}

std::optional<std::int64_t> read_int(Ctx& c, const YNode* n, std::string_view field,
                                     std::string_view go_type) {
  n = resolve(n);
  if (is_null(n)) return std::nullopt;
  if (n->is_scalar() && classify_scalar(n->value, n->quoted) == ScalarKind::integer) {
    auto v = scalar_int(n->value);
    std::int64_t lo = go_type == "int32" ? INT32_MIN : INT64_MIN;
    std::int64_t hi = go_type == "int32" ? INT32_MAX : INT64_MAX;
    if (v && *v >= lo && *v <= hi) return v;
    c.decode_error_at(
        n, fmt::format("cannot unmarshal number {} into a field of type {}", n->value, go_type),
        field);
    return std::nullopt;
  }
  c.decode_error_at(n, type_error(n, go_type), field);
  return std::nullopt;
}

std::optional<std::int32_t> read_int32(Ctx& c, const YNode* n, std::string_view field) {
  auto v = read_int(c, n, field, "int32");
  if (!v) return std::nullopt;
  return static_cast<std::int32_t>(*v);
}

std::optional<bool> read_bool(Ctx& c, const YNode* n, std::string_view field) {
  n = resolve(n);
  if (is_null(n)) return std::nullopt;
  if (n->is_scalar() && classify_scalar(n->value, n->quoted) == ScalarKind::boolean)
    return scalar_bool(n->value);
  c.decode_error_at(n, type_error(n, "bool"), field);
  return std::nullopt;
}

model::IntOrString read_int_or_string(Ctx& c, const YNode* n, std::string_view field) {
  n = resolve(n);
  if (is_null(n)) return {};
  if (n->is_scalar()) {
    ScalarKind k = classify_scalar(n->value, n->quoted);
    if (k == ScalarKind::string) return model::IntOrString::of(n->value);
    if (k == ScalarKind::integer) {
      auto v = scalar_int(n->value);
      if (v && *v >= INT32_MIN && *v <= INT32_MAX)
        return model::IntOrString::of(static_cast<std::int32_t>(*v));
      c.decode_error_at(
          n, fmt::format("cannot unmarshal number {} into a field of type int32", n->value), field);
      return {};
    }
  }
  c.decode_error_at(n, type_error(n, "int or string"), field);
  return {};
}

bool expect_map(Ctx& c, const YNode* n, std::string_view field) {
  n = resolve(n);
  if (is_null(n)) return false;
  if (n->is_map()) return true;
  c.decode_error_at(n, type_error(n, "object"), field);
  return false;
}

bool expect_seq(Ctx& c, const YNode* n, std::string_view field) {
  n = resolve(n);
  if (is_null(n)) return false;
  if (n->is_seq()) return true;
  c.decode_error_at(n, type_error(n, "array"), field);
  return false;
}

model::StringMap read_string_map(Ctx& c, const YNode* n, std::string_view field) {
  model::StringMap out;
  if (!expect_map(c, n, field)) return out;
  for_each_entry(n, [&](std::string_view key, const YNode* v) {
    if (is_null(v)) {
      out.set(std::string(key), std::string());
      return;
    }
    if (v->is_scalar() && classify_scalar(v->value, v->quoted) == ScalarKind::string) {
      out.set(std::string(key), v->value);
      return;
    }
    c.decode_error_at_path(v, c.path().child(field) + "[" + std::string(key) + "]",
                           type_error(v, "string"));
  });
  return out;
}

std::vector<std::string> read_string_list(Ctx& c, const YNode* n, std::string_view field) {
  std::vector<std::string> out;
  if (!expect_seq(c, n, field)) return out;
  n = resolve(n);
  out.reserve(n->size);
  for (const YNode* item : Children(n)) {
    const YNode* v = resolve(item);
    if (is_null(v)) {
      out.emplace_back();
      continue;
    }
    if (v->is_scalar() && classify_scalar(v->value, v->quoted) == ScalarKind::string) {
      out.push_back(v->value);
      continue;
    }
    c.decode_error_at_path(v, fmt::format("{}[{}]", c.path().child(field), item->index),
                           type_error(v, "string"));
  }
  return out;
}

std::optional<core::Duration> read_duration(Ctx& c, const YNode* n, std::string_view field) {
  n = resolve(n);
  if (is_null(n)) return std::nullopt;
  if (!n->is_scalar() || n->is_map()) {
    c.decode_error_at(n, type_error(n, "duration string"), field);
    return std::nullopt;
  }
  const std::string& text = n->value;
  bool bare = !text.empty();
  for (char ch : text) bare = bare && (std::isdigit(static_cast<unsigned char>(ch)) || ch == '.');
  if (bare && text != "0") {
    c.error_at(n,
               msg_invalid(q(text),
                           fmt::format("a duration needs a unit, such as {}s or {}ms", text, text)),
               field);
    return std::nullopt;
  }
  auto d = core::parse_duration(text);
  if (!d || d->ns < 0) {
    c.error_at(n, msg_invalid(q(text), "must be a duration such as 50us, 2ms, 1.5s or 1m30s"),
               field);
    return std::nullopt;
  }
  return d;
}

void add_invalid(Ctx& c, const YNode* n, std::string_view field, std::string_view value_repr,
                 const Messages& msgs) {
  for (const auto& m : msgs) c.error_at(n, msg_invalid(value_repr, m), field);
}

const YNode* locate(const YNode* root, std::string_view path) {
  const YNode* node = resolve(root);
  std::size_t i = 0;
  bool skip_index = false;
  while (i < path.size() && node) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      auto close = path.find(']', i);
      if (close == std::string_view::npos) return node;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (skip_index) {
        skip_index = false;
        continue;
      }
      bool numeric = !inner.empty();
      for (char ch : inner) numeric = numeric && std::isdigit(static_cast<unsigned char>(ch));
      if (node->is_seq() && numeric) {
        std::size_t want = std::stoul(std::string(inner));
        const YNode* found = nullptr;
        for (const YNode* item : Children(node))
          if (item->index == want) found = resolve(item);
        if (!found) return node;
        node = found;
      } else if (node->is_map()) {
        const YNode* found = find_key(node, inner);
        if (!found) return node;
        node = found;
      } else {
        return node;
      }
      continue;
    }
    std::size_t end = i;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    std::string_view name = path.substr(i, end - i);
    i = end;
    const YNode* found = find_key(node, name);
    if (!found && name == "clusterIPs") {
      // The API copies clusterIP into clusterIPs; users mostly write the former.
      found = find_key(node, "clusterIP");
      if (found) skip_index = true;
    }
    if (!found && !name.empty() && std::isupper(static_cast<unsigned char>(name[0]))) {
      std::string lower(name);
      lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
      found = find_key(node, lower);
    }
    if (!found) return node;
    node = found;
  }
  return node;
}

}  // namespace podhop::manifest::detail
