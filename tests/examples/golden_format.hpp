#pragma once
// The golden file format (see golden_test.cpp), shell-like word splitting and a
// unified-style line diff: the small pieces of the golden harness, header-only so the
// harness's own tests use them directly.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podhop::testing {

/// One parsed golden file.
struct Golden {
  std::string args;
  int exit_code = 0;
  std::string stdout_text;
  std::optional<std::string> stderr_text;  // absent: stderr is not checked
};

inline std::vector<std::string_view> split_lines_keep_ends(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

/// Parses a golden file; nullopt with `error` set when it does not follow the format.
inline std::optional<Golden> parse_golden(std::string_view text, std::string* error) {
  Golden g;
  auto lines = split_lines_keep_ends(text);
  std::size_t i = 0;
  auto trimmed = [](std::string_view l) {
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r' || l.back() == ' '))
      l.remove_suffix(1);
    while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
    return l;
  };
  while (i < lines.size() && (lines[i].front() == '#' || trimmed(lines[i]).empty())) ++i;
  if (i == lines.size() || trimmed(lines[i]).substr(0, 5) != "args:") {
    *error = "expected an `args:` line after the comments";
    return std::nullopt;
  }
  g.args = std::string(trimmed(trimmed(lines[i]).substr(5)));
  ++i;
  if (i == lines.size() || trimmed(lines[i]).substr(0, 5) != "exit:") {
    *error = "expected an `exit:` line after `args:`";
    return std::nullopt;
  }
  try {
    g.exit_code = std::stoi(std::string(trimmed(trimmed(lines[i]).substr(5))));
  } catch (...) {
    *error = "the `exit:` line needs a number";
    return std::nullopt;
  }
  ++i;
  if (i == lines.size() || trimmed(lines[i]) != "--- stdout") {
    *error = "expected `--- stdout` after `exit:`";
    return std::nullopt;
  }
  ++i;
  std::string* section = &g.stdout_text;
  for (; i < lines.size(); ++i) {
    if (trimmed(lines[i]) == "--- stderr" && lines[i].substr(0, 10) == "--- stderr" &&
        section == &g.stdout_text) {
      g.stderr_text.emplace();
      section = &*g.stderr_text;
      continue;
    }
    section->append(lines[i]);
  }
  return g;
}

/// Splits a command line into words as a POSIX shell does for quoting: '...' is literal,
/// "..." keeps spaces and honours \" \\ \$ \`, a backslash outside quotes escapes the next
/// character. No expansion of any kind. False with `error` set on an unterminated quote.
inline bool split_shell_words(std::string_view line, std::vector<std::string>* words,
                              std::string* error) {
  words->clear();
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words->push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
    } else if (c == '\'') {
      auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        *error = "unterminated single quote";
        return false;
      }
      cur.append(line.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      ++i;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size() &&
            std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) {
          cur += line[++i];
        } else {
          cur += line[i];
        }
      }
      if (i >= line.size()) {
        *error = "unterminated double quote";
        return false;
      }
    } else {
      cur += c;
    }
  }
  if (in_word) words->push_back(cur);
  return true;
}

/// A unified-style diff (3 lines of context) from `expected` to `actual`; empty when equal.
inline std::string unified_diff(std::string_view expected, std::string_view actual) {
  if (expected == actual) return {};
  auto a = split_lines_keep_ends(expected);
  auto b = split_lines_keep_ends(actual);
  const std::size_t n = a.size(), m = b.size();
  // Longest common subsequence table, from the ends.
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  struct Op {
    char kind;  // ' ', '-', '+'
    std::string_view line;
    std::size_t ai, bi;  // positions before this op
  };
  std::vector<Op> ops;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', a[i], i, j});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Deletions first, as diff -u shows a changed line.
      ops.push_back({'-', a[i], i, j});
      ++i;
    } else {
      ops.push_back({'+', b[j], i, j});
      ++j;
    }
  }
  constexpr std::size_t kContext = 3;
  std::string out;
  std::size_t k = 0;
  auto range = [](std::size_t start, std::size_t count) {
    if (count == 1) return std::to_string(start + 1);
    return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
  };
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext after the last change
    // that is at most 2*kContext lines from the previous one.
    std::size_t begin = k >= kContext ? k - kContext : 0;
    std::size_t last_change = k;
    for (std::size_t t = k + 1; t < ops.size(); ++t) {
      if (ops[t].kind == ' ') continue;
      if (t - last_change - 1 > 2 * kContext) break;
      last_change = t;
    }
    const std::size_t end = std::min(ops.size(), last_change + 1 + kContext);
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t t = begin; t < end; ++t) {
      if (ops[t].kind != '+') ++a_count;
      if (ops[t].kind != '-') ++b_count;
    }
    out += "@@ -" + range(ops[begin].ai, a_count) + " +" + range(ops[begin].bi, b_count) + " @@\n";
    for (std::size_t t = begin; t < end; ++t) {
      out += ops[t].kind;
      std::string_view line = ops[t].line;
      if (!line.empty() && line.back() == '\n') {
        out.append(line);
      } else {
        out.append(line);
        out += "\n\\ No newline at end of file\n";
      }
    }
    k = end;
  }
  return out;
}

}  // namespace podhop::testing
