// Golden tests: every examples/*/golden/*.golden (and examples/*/<variant>/golden/*.golden)
// file is one test.
//
// A golden file records one podhop invocation and what it must print:
//
//     # free comment lines (only before `args:`)
//     args: -f manifests get pods -o wide
//     exit: 0
//     --- stdout
//     <exact expected stdout>
//     --- stderr
//     <exact expected stderr; omit the section to not check stderr>
//
// `args` are split the way a shell splits words (single and double quotes, backslash
// escapes; no variables, no globs). The command runs in-process through cli::run with the
// example's folder (examples/<name>) as working directory and an empty standard input.
// The expected text of a section is every line between its marker and the next marker (or
// the end of the file), newlines included. On a mismatch the test shows a unified-style
// diff of expected against actual.
//
// There is deliberately no way to rewrite goldens from the program's output: read the
// difference (scripts/golden-diff.sh shows it for one file) and edit the golden by hand.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/context.hpp"
#include "golden_format.hpp"

namespace fs = std::filesystem;

namespace {

using podhop::testing::Golden;

// Runs one golden file and checks it.
class GoldenInvoker : public Catch::ITestInvoker {
 public:
  explicit GoldenInvoker(fs::path path) : path_(std::move(path)) {}

  void invoke() const override {
    std::ifstream f(path_, std::ios::binary);
    REQUIRE(f.good());
    std::stringstream ss;
    ss << f.rdbuf();
    std::string parse_error;
    auto golden = podhop::testing::parse_golden(ss.str(), &parse_error);
    INFO("golden file: " << path_.string());
    if (!golden) FAIL("malformed golden file: " << parse_error);
    std::vector<std::string> args;
    if (!podhop::testing::split_shell_words(golden->args, &args, &parse_error))
      FAIL("malformed args: " << parse_error);

    // The example's folder: examples/<name>[/<variant>]/golden/x.golden -> its parent.
    const fs::path example_dir = path_.parent_path().parent_path();
    std::ostringstream out, err;
    std::istringstream in;
    int code = 0;
    {
      // Tests run one at a time, so changing the process's directory is safe; it is
      // restored even when the command throws.
      const fs::path previous = fs::current_path();
      fs::current_path(example_dir);
      struct Restore {
        const fs::path& dir;
        ~Restore() { fs::current_path(dir); }
      } restore{previous};
      code = podhop::cli::run(args, out, err, in);
    }

    std::string report;
    if (code != golden->exit_code)
      report += "exit code: expected " + std::to_string(golden->exit_code) + ", got " +
                std::to_string(code) + "\n";
    if (out.str() != golden->stdout_text)
      report +=
          "--- stdout differs:\n" + podhop::testing::unified_diff(golden->stdout_text, out.str());
    if (golden->stderr_text && err.str() != *golden->stderr_text)
      report +=
          "--- stderr differs:\n" + podhop::testing::unified_diff(*golden->stderr_text, err.str());
    if (!report.empty()) {
      FAIL("podhop " << golden->args << "\n" << report << "(stderr was:\n" << err.str() << ")");
    }
    SUCCEED("matches " << path_.filename().string());
  }

 private:
  fs::path path_;
};

// Registers one Catch2 test per golden file when the test binary starts, the way
// TEST_CASE registers itself, so ctest lists and runs each golden on its own.
struct RegisterGoldens {
  RegisterGoldens() {
    const fs::path examples = fs::path(PODHOP_SOURCE_DIR) / "examples";
    std::vector<fs::path> files;
    std::error_code ec;
    // examples/<name>/golden and the variants' examples/<name>/<variant>/golden.
    auto scan = [&files](const fs::path& example) {
      const fs::path dir = example / "golden";
      if (!fs::is_directory(dir)) return;
      for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".golden") files.push_back(entry.path());
    };
    for (const auto& example : fs::directory_iterator(examples, ec)) {
      if (!example.is_directory()) continue;
      scan(example.path());
      for (const auto& variant : fs::directory_iterator(example.path()))
        if (variant.is_directory() && variant.path().filename() != "golden") scan(variant.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const fs::path example_dir = file.parent_path().parent_path();
      std::string name = "golden " + fs::relative(example_dir, examples).generic_string() + "/" +
                         file.stem().string();
      Catch::AutoReg(new GoldenInvoker(file), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                     Catch::NameAndTags{name, "[examples][golden]"});
    }
  }
};

const RegisterGoldens kRegisterGoldens;

}  // namespace

TEST_CASE("golden files are parsed as documented", "[examples]") {
  std::string error;
  auto g = podhop::testing::parse_golden(
      "# comment\n# another\nargs: get pods -o 'wide'\nexit: 1\n--- stdout\nA\n\nB\n--- stderr\n"
      "oops\n",
      &error);
  REQUIRE(g);
  CHECK(g->args == "get pods -o 'wide'");
  CHECK(g->exit_code == 1);
  CHECK(g->stdout_text == "A\n\nB\n");
  REQUIRE(g->stderr_text);
  CHECK(*g->stderr_text == "oops\n");

  auto no_stderr = podhop::testing::parse_golden("args: version\nexit: 0\n--- stdout\nv\n", &error);
  REQUIRE(no_stderr);
  CHECK_FALSE(no_stderr->stderr_text);
  CHECK(no_stderr->stdout_text == "v\n");

  CHECK_FALSE(podhop::testing::parse_golden("exit: 0\n--- stdout\n", &error));
  CHECK(error.find("args") != std::string::npos);
}

TEST_CASE("args are split like shell words", "[examples]") {
  struct Case {
    std::string line;
    std::vector<std::string> words;
  };
  const std::vector<Case> cases = {
      {"get pods -o wide", {"get", "pods", "-o", "wide"}},
      {"exec app1 -- curl -s 'http://a b'", {"exec", "app1", "--", "curl", "-s", "http://a b"}},
      {R"(curl -H "X-A: 1" -w '%{http_code}')", {"curl", "-H", "X-A: 1", "-w", "%{http_code}"}},
      {R"(a\ b "c\"d" '')", {"a b", "c\"d", ""}},
      {"  spaced   out  ", {"spaced", "out"}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> words;
    std::string error;
    INFO(c.line);
    REQUIRE(podhop::testing::split_shell_words(c.line, &words, &error));
    CHECK(words == c.words);
  }
  std::vector<std::string> words;
  std::string error;
  CHECK_FALSE(podhop::testing::split_shell_words("echo 'unterminated", &words, &error));
}

TEST_CASE("a mismatch is shown as a unified diff of expected against actual", "[examples]") {
  std::string diff = podhop::testing::unified_diff("a\nb\nc\n", "a\nB\nc\nd\n");
  CHECK(diff == "@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
  CHECK(podhop::testing::unified_diff("same\n", "same\n").empty());
  // A missing final newline is visible.
  CHECK(podhop::testing::unified_diff("x\n", "x").find("\\ No newline at end of file") !=
        std::string::npos);
}
