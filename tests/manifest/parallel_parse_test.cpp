// A large file is parsed on two threads, in pieces cut at document markers
// (manifest/document_stream.hpp). These tests force that path on small texts (every marker
// a cut) and check that a load gives exactly what the one-reader path gives: the same
// objects field by field, the same diagnostics with the same lines, the same stop at the
// first syntax error.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/printers.hpp"
#include "manifest/document_stream.hpp"
#include "manifest_test_support.hpp"

namespace {

using podhop::manifest::LoadOptions;
using podhop::manifest::LoadReport;
using podhop::manifest::testing::lines;
namespace detail = podhop::manifest::detail;
namespace model = podhop::model;

constexpr LoadOptions kOneReader{.parallel_min_bytes = std::numeric_limits<std::size_t>::max()};
constexpr LoadOptions kEveryMarker{.parallel_min_bytes = 0, .chunk_bytes = 0};
constexpr LoadOptions kSmallPieces{.parallel_min_bytes = 0, .chunk_bytes = 2000};

/// Everything a load made: the report, then every object of every kind as the API server
/// would return it, with where it was declared and its place in creation order.
std::string dump(const LoadReport& r, const model::ClusterState& s) {
  std::string out = fmt::format("files={} documents={} objects={} ok={}\n", r.files, r.documents,
                                r.objects, r.ok() ? 1 : 0);
  for (const auto& line : lines(r.diagnostics)) out += line + "\n";
  for (const auto& [kind, n] : r.ignored_kinds) out += fmt::format("ignored {}={}\n", kind, n);
  for (const auto& ns : r.created_namespaces) out += "created " + ns + "\n";
  for (const auto& info : podhop::cli::resources()) {
    for (const auto& item : podhop::cli::list_items(s, info, std::nullopt)) {
      out += podhop::cli::to_json_text(podhop::cli::api_json(s, item));
      if (item.meta)
        out += fmt::format(" @{} #{}\n", item.meta->source.str(), item.meta->creation_index);
    }
  }
  for (const auto& ig : s.ignored)
    out += fmt::format("ignored {} {}/{} @{}\n", ig.kind, ig.namespace_, ig.name, ig.source.str());
  out += fmt::format("next_creation_index={}\n", s.next_creation_index);
  return out;
}

std::string load_dump(std::string_view text, const LoadOptions& options) {
  model::ClusterState state;
  auto report = podhop::manifest::load_text(text, "big.yaml", state, options);
  return dump(report, state);
}

/// The same load on one reader and in pieces, compared whole.
void check_same(std::string_view text) {
  const std::string expected = load_dump(text, kOneReader);
  CHECK(load_dump(text, kEveryMarker) == expected);
  CHECK(load_dump(text, kSmallPieces) == expected);
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Whether ../shared/corpus is there; says so when it is not (the tests using it then skip).
bool have_corpus() {
  if (std::filesystem::is_directory(PODHOP_CORPUS_DIR)) return true;
  WARN("SKIPPED: the corpus folder " << PODHOP_CORPUS_DIR
                                     << " is absent, so the corpus part of this test is skipped");
  return false;
}

/// The corpus files, sorted; only those a load parses alone without error when ok_only.
std::vector<std::string> corpus_texts(bool ok_only) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(PODHOP_CORPUS_DIR)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::string text = read(p);
    if (detail::split_stream(text, 0).offsets.size() == 1 &&
        (text.find("\n...") != std::string::npos || text.find("\n%") != std::string::npos ||
         text.find('\r') != std::string::npos))
      continue;  // a file that is never cut (tested on its own below)
    if (ok_only) {
      model::ClusterState s;
      if (!podhop::manifest::load_text(text, "one.yaml", s).ok()) continue;
    }
    out.push_back(std::move(text));
  }
  return out;
}

std::string concatenated(const std::vector<std::string>& texts) {
  std::string out;
  for (const auto& t : texts) {
    out += t;
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "---\n";
  }
  return out;
}

/// A generated cluster in many documents, with the YAML that could trip a cut: block
/// scalars holding `---` lines (indented: not markers), anchors and merge keys, flow
/// collections, comments and empty documents, markers with comments after them.
std::string generated(int n) {
  std::string out = "# a generated cluster\n";
  for (int i = 0; i < n; ++i) {
    out += i % 7 == 3 ? "--- # service and deployment\n" : "---\n";
    out += fmt::format(R"(apiVersion: v1
kind: Service
metadata:
  name: svc-{0}
  labels: &labels{0}
    app: app-{0}
    tier: "{1}"
  annotations:
    note: |
      first line
      ---
      after an indented marker
spec:
  selector: *labels{0}
  ports: [{{port: {2}, targetPort: 8080, name: http}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: dep-{0}, namespace: ns-{3}}}
spec:
  replicas: {4}
  selector:
    matchLabels:
      app: app-{0}
  template:
    metadata:
      labels:
        app: app-{0}
    spec:
      containers:
      - name: c
        image: nginx:1.{0}
        args:
        - >
          folded
          text
        ports:
        - containerPort: 8080
)",
                       i, i % 3 == 0 ? "front" : "back", 80 + i % 5, i % 4, 1 + i % 3);
    if (i % 11 == 5) out += "---\n# only a comment\n";
    if (i % 13 == 2) out += "---\n";
  }
  return out;
}

}  // namespace

TEST_CASE("split_stream cuts at document markers only", "[manifest][parallel]") {
  const std::string text = "a: 1\n---\nb: |\n  x\n  ---\n  y\n--- # c\nc: 2\n---x: 3\n----\n";
  const auto p = detail::split_stream(text, 0);
  REQUIRE(p.offsets.size() == 3);
  CHECK(p.offsets[1] == 5);
  CHECK(p.lines[1] == 1);
  CHECK(text.substr(p.offsets[2], 7) == "--- # c");
  CHECK(p.lines[2] == 6);
  // Pieces of at least chunk_bytes: one cut fewer.
  CHECK(detail::split_stream(text, 10).offsets.size() == 2);
  // Directives, document end markers and carriage returns keep the text whole.
  CHECK(detail::split_stream("%YAML 1.2\n---\na: 1\n---\nb: 2\n", 0).offsets.size() == 1);
  CHECK(detail::split_stream("a: 1\n...\n---\nb: 2\n", 0).offsets.size() == 1);
  CHECK(detail::split_stream("a: 1\r\n---\r\nb: 2\r\n", 0).offsets.size() == 1);
  // So do NUL bytes and UTF-16/32 byte order marks (yaml-cpp reads the encoding there).
  CHECK(detail::split_stream(std::string("a: 1\n---\nb: \0\n", 14), 0).offsets.size() == 1);
  CHECK(detail::split_stream("\xff\xfe"
                             "a: 1\n---\nb: 2\n",
                             0)
            .offsets.size() == 1);
  CHECK(detail::split_stream("\xef\xbb\xbf"
                             "a: 1\n---\nb: 2\n",
                             0)
            .offsets.size() == 2);
}

TEST_CASE("the corpus in one file loads the same in pieces", "[manifest][parallel]") {
  if (!have_corpus()) return;
  const std::string good = concatenated(corpus_texts(true));
  REQUIRE(detail::split_stream(good, 0).offsets.size() > 50);
  const std::string expected = load_dump(good, kOneReader);
  CHECK(expected.find("ok=1") != std::string::npos);
  CHECK(load_dump(good, kEveryMarker) == expected);
  CHECK(load_dump(good, kSmallPieces) == expected);

  // Every file, those with errors too: the same diagnostics at the same lines.
  check_same(concatenated(corpus_texts(false)));
}

TEST_CASE("a generated cluster loads the same in pieces", "[manifest][parallel]") {
  const std::string text = generated(120);
  REQUIRE(detail::split_stream(text, 0).offsets.size() > 200);
  const std::string expected = load_dump(text, kOneReader);
  CHECK(expected.find("ok=1") != std::string::npos);
  CHECK(expected.find("svc-119") != std::string::npos);
  CHECK(load_dump(text, kEveryMarker) == expected);
  CHECK(load_dump(text, kSmallPieces) == expected);
  CHECK(load_dump(text, {.parallel_min_bytes = 0, .chunk_bytes = 64 << 10}) == expected);

  // Every piece was parsed apart (none fell back to one reader), and the documents came in
  // order with their lines.
  std::size_t used = 0;
  std::vector<std::uint32_t> starts;
  const auto err = detail::for_each_document(
      text, {.min_bytes = 0, .chunk_bytes = 0, .window = 2},
      [&](const detail::Document& d) { starts.push_back(d.start_line); }, &used);
  CHECK_FALSE(err);
  CHECK(used == detail::split_stream(text, 0).offsets.size());
  std::vector<std::uint32_t> one_reader;
  detail::for_each_document(text, {.min_bytes = std::numeric_limits<std::size_t>::max()},
                            [&](const detail::Document& d) { one_reader.push_back(d.start_line); });
  CHECK(starts == one_reader);
  CHECK(starts.size() > 240);
}

TEST_CASE("errors in late documents are the same in pieces", "[manifest][parallel]") {
  std::string text = generated(40);
  // A bad port, a duplicate key, a missing kind and a document that is not a map, late on.
  text +=
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  ports:\n"
      "  - port: 70000\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"
      "  name: b\n---\napiVersion: v1\nmetadata: {name: nokind}\n---\n- a list\n";
  text += generated(3);
  const std::string expected = load_dump(text, kOneReader);
  CHECK(expected.find("ok=0") != std::string::npos);
  CHECK(expected.find("already set in map") != std::string::npos);
  CHECK(expected.find("70000") != std::string::npos);
  CHECK(load_dump(text, kEveryMarker) == expected);
  CHECK(load_dump(text, kSmallPieces) == expected);
}

TEST_CASE("a syntax error in a later piece stops the load where one reader stops",
          "[manifest][parallel]") {
  const std::string head = generated(30);
  for (const std::string bad : {
           "---\napiVersion: v1\nkind: Service\nmetadata: {name: [oops\n",
           "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: \"open\n---\nkind: x\n",
           "---\na: b\n c: d\n",
           "---\nkey: [1,\n---\n2]\n",
       }) {
    const std::string text = head + bad + generated(5);
    const std::string expected = load_dump(text, kOneReader);
    CHECK(expected.find("ok=0") != std::string::npos);
    CHECK(expected.find("error converting YAML to JSON: yaml:") != std::string::npos);
    CHECK(load_dump(text, kEveryMarker) == expected);
    CHECK(load_dump(text, kSmallPieces) == expected);
  }
}

TEST_CASE("block scalars and markers inside or next to them", "[manifest][parallel]") {
  // An indented `---` stays text; a `---` at column 0 ends a block scalar (yaml-cpp reads
  // the top-level block scalars here as documents of their own); scalars that are not maps
  // are errors with the same lines.
  check_same(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: |\n    a\n  ---\n"
      "    b\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n1}\n");
  check_same(
      "--- |\nfoo\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n2}\n--- >\n"
      " folded\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n3}\n");
  check_same("a: x\n  y\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n4}\n");
  // A UTF-8 byte order mark before the first piece.
  check_same(
      "\xef\xbb\xbf"
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: n8}\n---\n"
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: n9}\n");
}

TEST_CASE("files with directives or document end markers are read whole", "[manifest][parallel]") {
  const std::string ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: n5}\n";
  check_same("%YAML 1.2\n---\n" + ns +
             "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n6}\n");
  check_same(ns + "...\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n7}\n");
  if (!have_corpus()) return;
  // The corpus files that have `...` lines, as they are.
  for (const auto& e : std::filesystem::recursive_directory_iterator(PODHOP_CORPUS_DIR)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    const std::string text = read(e.path());
    if (text.find("\n...") != std::string::npos) check_same(text + "---\n" + text);
  }
}
