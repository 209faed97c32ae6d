#pragma once
// What a YAML scalar is once Kubernetes reads it, and how Go prints values in messages.
//
// kubectl turns YAML into JSON with sigs.k8s.io/yaml (go-yaml v2 underneath), which reads
// plain scalars the YAML 1.1 way: `80` is a number, `yes`/`on`/`true` are booleans, `~` is
// null. A quoted scalar is always a string. A number in a string field (`value: 8080`)
// or a string in an int field (`port: "80"`) is a decoding error in Kubernetes, so podhop
// classifies scalars the same way before it reads a field.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podhop::manifest::detail {

enum class ScalarKind : std::uint8_t { null, boolean, integer, floating, string };

/// How Kubernetes' YAML reader types a scalar. `quoted` scalars are always strings.
ScalarKind classify_scalar(std::string_view text, bool quoted);

/// The boolean value of a plain scalar classified as boolean.
bool scalar_bool(std::string_view text);

/// The integer value of a plain scalar classified as integer (decimal, 0x, 0o, 0b, leading
/// 0 octal, `_` separators), or nullopt when it overflows int64.
std::optional<std::int64_t> scalar_int(std::string_view text);

/// Go's strconv.Quote: "a\"b".
std::string go_quote(std::string_view s);

/// Go's %#v of a map[string]string: map[string]string{"a":"1", "b":"2"}; nil prints
/// map[string]string(nil).
std::string go_map(const std::vector<std::pair<std::string, std::string>>& entries, bool nil);

/// Go's %#v of a []string: []string{"a", "b"}.
std::string go_string_slice(const std::vector<std::string>& items);

}  // namespace podhop::manifest::detail
