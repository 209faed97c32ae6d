// `podhop exec` and `podhop curl` through the command line: the trace's sinks.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.hpp"

namespace {

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

Run run_podhop(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  Run r;
  r.code = podhop::cli::run(args, out, err, in);
  r.out = out.str();
  r.err = err.str();
  return r;
}

const std::string kManifests = PODHOP_SOURCE_DIR "/examples/seed/manifests";

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("the hop trace goes to stderr one line per hop, and --quiet silences it", "[scenario]") {
  auto loud =
      run_podhop({"-f", kManifests, "exec", "app1", "--", "curl", "-s", "http://app2-svc:9999"});
  CHECK(loud.code == 0);
  CHECK(loud.out == "Hello world");
  CHECK(loud.err.rfind("0.000000s resolver ", 0) == 0);
  CHECK(count_lines(loud.err) > 10);
  auto quiet = run_podhop(
      {"-f", kManifests, "--quiet", "exec", "app1", "--", "curl", "-s", "http://app2-svc:9999"});
  CHECK(quiet.code == 0);
  CHECK(quiet.out == "Hello world");
  CHECK(quiet.err.empty());
}

TEST_CASE("a trace file holds every hop as one JSON object per line", "[scenario]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("podhop-trace-" + std::to_string(::getpid()) + ".jsonl");
  auto r = run_podhop({"-f", kManifests, "--quiet", "--trace-file", path.string(), "curl", "-s",
                       "http://app2-svc:9999", "--from", "pod/app1"});
  CHECK(r.code == 0);
  std::ifstream f(path);
  REQUIRE(f.good());
  std::string line;
  std::size_t n = 0;
  bool nested = false;
  while (std::getline(f, line)) {
    auto j = nlohmann::json::parse(line);
    CHECK(j.contains("t_ns"));
    CHECK(j.contains("stage"));
    CHECK(j.contains("detail"));
    nested = nested || j["depth"] == 1;
    ++n;
  }
  CHECK(n > 10);
  CHECK_FALSE(nested);  // app2 answers itself: nothing is forwarded
  std::filesystem::remove(path);
}

TEST_CASE("podhop curl tells its own options from curl's and names bad clients", "[scenario]") {
  auto bad = run_podhop({"-f", kManifests, "curl", "http://x", "--from", "deployment/web"});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("invalid --from \"deployment/web\"") != std::string::npos);
  auto missing = run_podhop({"-f", kManifests, "curl", "http://x", "--from", "pod/nope"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("pods \"nope\" not found") != std::string::npos);
  auto json = run_podhop({"-f", kManifests, "--quiet", "curl", "-s", "http://app2-svc:9999", "-o",
                          "json", "--from", "pod/app1"});
  CHECK(json.code == 0);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["served_by"] == "default/app2");
  CHECK(doc["client"]["name"] == "default/app1");
}

TEST_CASE("exec reports a failed command as kubectl does", "[scenario]") {
  auto r = run_podhop(
      {"-f", kManifests, "--quiet", "exec", "app1", "--", "curl", "-sS", "http://nobody:9999"});
  CHECK(r.code == 6);
  CHECK(r.err == "curl: (6) Could not resolve host: nobody\ncommand terminated with exit code 6\n");
}
