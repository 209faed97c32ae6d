#include <string>

#include <catch2/catch.hpp>

#include "podhop/core/diagnostic.hpp"

using podhop::core::Diagnostic;
using podhop::core::Diagnostics;
using podhop::core::Severity;
using podhop::core::SourceLocation;

TEST_CASE("a source location prints as much of file:line:col as is known", "[core]") {
  struct Case {
    SourceLocation where;
    const char* text;
  };
  const Case cases[] = {
      {{"app.yaml", 12, 5}, "app.yaml:12:5"},
      {{"app.yaml", 12, 0}, "app.yaml:12"},
      {{"app.yaml", 0, 0}, "app.yaml"},
      {{"", 3, 4}, ""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(c.where.str() == c.text);
  }
  CHECK(SourceLocation{"a.yaml", 1, 1}.known());
  CHECK_FALSE(SourceLocation{}.known());
}

TEST_CASE("a source file's name is shared by the locations that copy it", "[core]") {
  const podhop::core::SharedStr file(std::string("cluster/limits.yaml"));
  const SourceLocation a{file, 3, 1};
  const SourceLocation b = a;
  CHECK(&a.file.str() == &file.str());
  CHECK(&b.file.str() == &file.str());
  CHECK(b.str() == "cluster/limits.yaml:3:1");
  CHECK(a.file == "cluster/limits.yaml");
  CHECK(a.file == b.file);
  CHECK(podhop::core::SharedStr("a.yaml") < podhop::core::SharedStr("b.yaml"));
  const std::string copy = a.file;
  CHECK(copy == "cluster/limits.yaml");
  CHECK(podhop::core::SharedStr(std::string()).empty());
}

TEST_CASE("a diagnostic prints as one line in kubectl's words", "[core]") {
  struct Case {
    Diagnostic d;
    const char* text;
  };
  const Case cases[] = {
      {{Severity::error,
        {"svc.yaml", 9, 15},
        "Service \"app1-svc\"",
        "spec.ports[0].port",
        "Invalid value: 0: must be between 1 and 65535, inclusive"},
       "svc.yaml:9:15: error: Service \"app1-svc\": spec.ports[0].port: Invalid value: 0: must "
       "be between 1 and 65535, inclusive"},
      {{Severity::warning, {"dep.yaml", 3, 1}, "", "", "unknown field \"spec.foo\""},
       "dep.yaml:3:1: warning: unknown field \"spec.foo\""},
      {{Severity::error, {}, "Pod \"web\"", "", "not found"}, "error: Pod \"web\": not found"},
      {{Severity::error, {"x.yaml", 0, 0}, "", "metadata.name", "Required value"},
       "x.yaml: error: metadata.name: Required value"},
  };
  for (const auto& c : cases) {
    CHECK(c.d.str() == c.text);
  }
}

TEST_CASE("diagnostics count errors apart from warnings and keep their order", "[core]") {
  Diagnostics all;
  CHECK(all.empty());
  CHECK_FALSE(all.has_errors());
  all.warning({"a.yaml", 1, 1}, "", "", "first");
  CHECK_FALSE(all.has_errors());
  all.error({"a.yaml", 2, 1}, "", "", "second");
  Diagnostics more;
  more.error({"b.yaml", 1, 1}, "", "", "third");
  all.append(more);
  CHECK(all.items().size() == 3);
  CHECK(all.error_count() == 2);
  CHECK(all.has_errors());
  CHECK(all.str() ==
        "a.yaml:1:1: warning: first\n"
        "a.yaml:2:1: error: second\n"
        "b.yaml:1:1: error: third\n");
}
