// The scenario runner as users' tests call it: load manifests, run steps, assert on the
// report. Also the histogram the latency percentiles come from, and `podhop run`.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "podhop/scenario/histogram.hpp"
#include "podhop/scenario/report.hpp"
#include "podhop/scenario/runner.hpp"
#include "podhop/simulation.hpp"

using namespace podhop;
using core::Duration;
using scenario::LatencyHistogram;
using scenario::Runner;

namespace {

// Three replicas of an echo server behind a ClusterIP Service, and a client pod.
constexpr const char* kWeb = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: registry.k8s.io/echoserver:1.10, ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers: [{name: c, image: curlimages/curl:8.8.0}]
)";

Simulation web_cluster(std::uint64_t seed = 1) {
  Simulation sim({.seed = seed});
  auto report = sim.load_text(kWeb, "web.yaml");
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  return sim;
}

manifest::Comparison cmp(std::string_view text, manifest::Quantity q) {
  auto c = manifest::parse_comparison(text, q, nullptr);
  REQUIRE(c);
  return *c;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Histogram

TEST_CASE("the histogram keeps small values exactly", "[scenario]") {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.record(Duration::nanos(v));
  CHECK(h.count() == 100);
  CHECK(h.percentile(50).ns == 50);
  CHECK(h.percentile(90).ns == 90);
  CHECK(h.percentile(99).ns == 99);
  CHECK(h.max().ns == 100);
  CHECK(h.min().ns == 1);
  CHECK(h.mean().ns == 50);
}

TEST_CASE("histogram percentiles are within 1/256 of a recorded value", "[scenario]") {
  for (std::int64_t v : {129LL, 1000LL, 2'500'000LL, 123'456'789LL, 10'000'000'000LL}) {
    LatencyHistogram h;
    h.record(Duration::nanos(1));
    h.record(Duration::nanos(v));
    h.record(Duration::nanos(v * 4));
    const double got = static_cast<double>(h.percentile(50).ns);
    INFO(v << " -> " << got);
    CHECK(std::fabs(got - static_cast<double>(v)) <= static_cast<double>(v) / 256.0 + 1);
  }
}

TEST_CASE("histogram buckets tile the values without gaps", "[scenario]") {
  for (std::size_t b = 1; b < 128 * 40; ++b)
    REQUIRE(LatencyHistogram::bucket_low(b) == LatencyHistogram::bucket_high(b - 1) + 1);
  for (std::int64_t v : {0LL, 127LL, 128LL, 255LL, 256LL, 1'000'000LL, 999'999'999'999LL}) {
    const auto b = LatencyHistogram::bucket_of(v);
    CHECK(LatencyHistogram::bucket_low(b) <= v);
    CHECK(LatencyHistogram::bucket_high(b) >= v);
  }
}

TEST_CASE("histogram memory does not grow with the number of samples", "[scenario]") {
  LatencyHistogram h;
  for (int i = 0; i < 1000; ++i) h.record(Duration::millis(1 + i % 50));
  const std::size_t after_thousand = h.memory_bytes();
  for (int i = 0; i < 1'000'000; ++i) h.record(Duration::millis(1 + i % 50));
  CHECK(h.memory_bytes() == after_thousand);
  CHECK(h.memory_bytes() < 64 * 1024);
  CHECK(h.count() == 1'001'000);
}

TEST_CASE("merged histograms give the percentiles of all their samples", "[scenario]") {
  LatencyHistogram a, b;
  for (int i = 1; i <= 50; ++i) a.record(Duration::nanos(i));
  for (int i = 51; i <= 100; ++i) b.record(Duration::nanos(i));
  a.merge(b);
  CHECK(a.count() == 100);
  CHECK(a.percentile(50).ns == 50);
  CHECK(a.max().ns == 100);
}

// ---------------------------------------------------------------------------------------
// Report helpers

TEST_CASE("pod names match a pod or its workload's prefix", "[scenario]") {
  struct Row {
    const char* pod;
    const char* key;
    bool match;
  };
  const Row rows[] = {
      {"default/app1", "app1", true},
      {"default/app1", "default/app1", true},
      {"default/web-7c9f8d6b5-x2k4p", "web", true},
      {"default/web-0", "web", true},
      {"default/webapp-1", "web", false},
      {"other/web-0", "default/web", false},
      {"external/example.com", "external/example.com", true},
  };
  for (const auto& r : rows) {
    INFO(r.pod << " ~ " << r.key);
    CHECK(scenario::pod_matches(r.pod, r.key) == r.match);
  }
}

TEST_CASE("the JSON report has exactly the keys SPEC section 6 names", "[scenario]") {
  scenario::ScenarioReport report;
  scenario::StepReport s;
  s.name = "x";
  s.requests = 2;
  s.outcomes = {{"ok", 2}};
  s.by_pod = {{"default/a", 2}};
  s.by_node = {{"n", 2}};
  s.latency.record(Duration::millis(1));
  s.expectations.push_back({"status", "200", "200", true, ""});
  report.steps.push_back(s);
  auto j = scenario::to_json(report);
  std::vector<std::string> top, step, lat, exp;
  for (auto& [k, v] : j.items()) top.push_back(k);
  for (auto& [k, v] : j["steps"][0].items()) step.push_back(k);
  for (auto& [k, v] : j["steps"][0]["latency_ns"].items()) lat.push_back(k);
  for (auto& [k, v] : j["steps"][0]["expectations"][0].items()) exp.push_back(k);
  CHECK(top == std::vector<std::string>{"passed", "steps"});
  CHECK(step == std::vector<std::string>{"name", "passed", "requests", "outcomes", "by_pod",
                                         "by_node", "latency_ns", "expectations"});
  CHECK(lat == std::vector<std::string>{"p50", "p90", "p99", "max"});
  CHECK(exp == std::vector<std::string>{"what", "expected", "actual", "passed"});
}

// ---------------------------------------------------------------------------------------
// Running steps

TEST_CASE("open-loop traffic through a Service spreads over its pods", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  auto r = runner.traffic(
      {.from = "pod/client", .url = "http://web/", .rate = 1000, .duration = Duration::seconds(2)});
  INFO(scenario::to_text({.steps = {r}}));
  CHECK(r.passed);
  CHECK(r.requests > 1800);
  CHECK(r.requests < 2200);
  CHECK(r.success_rate() == 1.0);
  CHECK(r.by_pod.size() == 3);
  CHECK(r.share("web") == 1.0);
  for (const auto& [pod, n] : r.by_pod) CHECK(r.share(pod) == Approx(1.0 / 3).margin(0.05));
  CHECK(r.ended >= Duration::seconds(2));
  CHECK_FALSE(r.latency.empty());
}

TEST_CASE("keep-alive pins every request of a client to one pod", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  auto r = runner.traffic({.from = "pod/client",
                           .url = "http://web/",
                           .rate = 500,
                           .requests = 300,
                           .keep_alive = true});
  CHECK(r.requests == 300);
  CHECK(r.by_pod.size() == 1);
  CHECK(r.by_pod.front().second == 300);
}

TEST_CASE("closed-loop users send exactly the requests asked for", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  manifest::Expectations e;
  e.requests = cmp("== 40", manifest::Quantity::number);
  e.status = cmp("200", manifest::Quantity::number);
  auto r = runner.traffic({.from = "external",
                           .url = "http://web.default.svc.cluster.local/",
                           .users = 4,
                           .think_time = Duration::millis(5),
                           .requests = 40},
                          e);
  INFO(scenario::to_text({.steps = {r}}));
  // From outside, a ClusterIP is not reachable: every request fails, and the report says so.
  CHECK(r.requests == 40);
  CHECK_FALSE(r.passed);
  REQUIRE(r.expectations.size() == 2);
  CHECK(r.expectations[0].what == "status");
  CHECK_FALSE(r.expectations[0].passed);
  CHECK(r.expectations[0].actual.find("40 of 40 requests missed") != std::string::npos);
  CHECK(r.expectations[1].passed);
}

TEST_CASE("a failed share expectation says by how much it missed", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  manifest::Expectations e;
  e.share.emplace_back("web", cmp("0.5 +- 0.05", manifest::Quantity::fraction));
  e.latency.emplace_back("p99", cmp("< 1us", manifest::Quantity::duration));
  auto r =
      runner.traffic({.from = "pod/client", .url = "http://web/", .rate = 100, .requests = 50}, e);
  REQUIRE(r.expectations.size() == 2);
  CHECK(r.expectations[0].what == "share[web]");
  CHECK(r.expectations[0].actual == "1 (50 of 50)");
  CHECK(r.expectations[0].detail == "off by 0.5, 0.05 allowed");
  CHECK(r.expectations[1].what == "latency.p99");
  CHECK(r.expectations[1].detail.find("over") != std::string::npos);
  CHECK_FALSE(r.passed);
}

TEST_CASE("a step with at runs while background traffic goes on", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  std::vector<manifest::Step> steps(3);
  steps[0].action = manifest::TrafficAction{
      .from = "pod/client", .url = "http://web/", .rate = 200, .duration = Duration::seconds(1)};
  steps[1].at = Duration::millis(500);
  steps[1].action = manifest::ExecAction{.pod = "client", .command = "curl -s http://web/"};
  steps[2].action = manifest::WaitAction{.duration = Duration::millis(250)};
  auto report = runner.run(steps, "t");
  INFO(scenario::to_text(report));
  CHECK(report.passed);
  CHECK(report.steps[1].started == Duration::millis(500));
  CHECK(report.steps[1].exit_code == 0);
  // The wait follows the exec, not the traffic.
  CHECK(report.steps[2].started == report.steps[1].ended);
  CHECK(report.steps[2].ended == report.steps[1].ended + Duration::millis(250));
  CHECK(report.steps[0].ended >= Duration::seconds(1));
  CHECK(report.duration == report.steps[0].ended);
}

TEST_CASE("rollout steps set an image, and undo it, with kubectl's words", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  std::vector<manifest::Step> steps(4);
  steps[0].action = manifest::RolloutAction{.deployment = "web", .image = "web:v2"};
  steps[1].action = manifest::WaitAction{.rollout = "web"};
  steps[2].action = manifest::RolloutAction{.deployment = "web", .undo = true};
  steps[3].action = manifest::RolloutAction{.deployment = "web", .undo = true, .to_revision = 9};
  auto report = runner.run(steps, "t");
  INFO(scenario::to_text(report));
  CHECK(report.steps[0].message == "deployment.apps/web image updated");
  CHECK(report.steps[2].name == "roll back deployment/web");
  CHECK(report.steps[2].message == "deployment.apps/web rolled back");
  CHECK(report.steps[2].passed);
  CHECK(report.steps[3].name == "roll back deployment/web to revision 9");
  CHECK_FALSE(report.steps[3].passed);
  REQUIRE(report.steps[3].expectations.size() == 1);
  CHECK(report.steps[3].expectations[0].actual ==
        "error: unable to find specified revision 9 in history");
  // The undo rolled back to the manifest's image.
  CHECK(sim.state().deployments.find("default", "web")->pod_template.spec->containers[0].image ==
        "registry.k8s.io/echoserver:1.10");
}

TEST_CASE("a step without at starts when the traffic before it ends", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  std::vector<manifest::Step> steps(2);
  steps[0].action = manifest::TrafficAction{
      .from = "pod/client", .url = "http://web/", .rate = 100, .requests = 20};
  steps[1].action = manifest::WaitAction{.duration = Duration::millis(1)};
  auto report = runner.run(steps);
  CHECK(report.steps[1].started == report.steps[0].ended);
  CHECK(report.steps[0].requests == 20);
}

TEST_CASE("the same seed gives the same report and another seed another", "[scenario]") {
  auto once = [](std::uint64_t seed) {
    Simulation sim = web_cluster(seed);
    Runner runner(sim);
    return scenario::to_text({.steps = {runner.traffic({.from = "pod/client",
                                                        .url = "http://web/",
                                                        .rate = 300,
                                                        .duration = Duration::seconds(1)})}});
  };
  CHECK(once(3) == once(3));
  CHECK(once(3) != once(4));
}

TEST_CASE("a traffic step from a pod that does not exist fails its action", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  auto r = runner.traffic({.from = "pod/nope", .url = "http://web/", .rate = 10, .requests = 1});
  CHECK_FALSE(r.passed);
  REQUIRE(r.expectations.size() == 1);
  CHECK(r.expectations[0].what == "action");
  CHECK(r.expectations[0].actual.find("\"nope\" not found") != std::string::npos);
}

TEST_CASE("a wait for a condition that never holds times out and fails", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  auto r = runner.wait({.endpoints = "web", .count = 10, .timeout = Duration::seconds(1)});
  CHECK_FALSE(r.passed);
  CHECK(r.ended == Duration::seconds(1));
  CHECK(r.message.find("3 ready endpoints") != std::string::npos);
  auto ok = runner.wait({.endpoints = "web", .count = 3});
  CHECK(ok.passed);
  CHECK(ok.ended == ok.started);
}

// ---------------------------------------------------------------------------------------
// podhop run

namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun podhop_run(std::vector<std::string> args) {
  std::ostringstream out, err;
  std::istringstream in;
  int code = podhop::cli::run(args, out, err, in);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("podhop run prints the tutorial scenario's report and exits 0", "[scenario]") {
  auto r =
      podhop_run({"run", PODHOP_SOURCE_DIR "/examples/scenario-tutorial/scenario.yaml", "--quiet"});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("PASSED: 12 steps") != std::string::npos);
}

TEST_CASE("podhop run with -o json prints SPEC section 6's document", "[scenario]") {
  auto r = podhop_run({"run", PODHOP_SOURCE_DIR "/examples/scenario-tutorial/scenario.yaml", "-o",
                       "json", "--quiet"});
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["passed"] == true);
  CHECK(j["steps"].size() == 12);
  CHECK(j["steps"][11]["by_pod"]["default/app1"] == j["steps"][11]["requests"]);
}

TEST_CASE("podhop run reports a broken scenario and runs nothing", "[scenario]") {
  auto r = podhop_run({"run", PODHOP_SOURCE_DIR "/tests/scenario/data/broken.yaml"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("spec.steps[0].traffic.rate: Invalid value: \"fast\"") != std::string::npos);
  CHECK(r.err.find("nothing was run") != std::string::npos);
}

TEST_CASE("podhop run exits 1 when an expectation fails, and says which", "[scenario]") {
  auto r = podhop_run({"run", PODHOP_SOURCE_DIR "/tests/scenario/data/failing.yaml", "--quiet"});
  CHECK(r.code == 1);
  CHECK(r.out.find("FAIL  status  404  actual 200") != std::string::npos);
  CHECK(r.out.find("FAILED: 1 of 1 step") != std::string::npos);
}

TEST_CASE("run_file reads, loads and runs a scenario as a test would", "[scenario]") {
  auto run = scenario::run_file(PODHOP_SOURCE_DIR "/examples/keepalive/scenario.yaml");
  INFO(run.diagnostics.str());
  REQUIRE(run.loaded());
  CHECK(run.passed());
  REQUIRE(run.report->steps.size() == 2);
  CHECK(run.report->steps[0].by_pod.size() == 3);
  CHECK(run.report->steps[1].share("web") == 1.0);

  auto broken = scenario::run_file(PODHOP_SOURCE_DIR "/tests/scenario/data/broken.yaml");
  CHECK_FALSE(broken.loaded());
  CHECK(broken.diagnostics.has_errors());
}

TEST_CASE("podhop run writes the hop trace of exec steps to stderr", "[scenario]") {
  auto r = podhop_run({"run", PODHOP_SOURCE_DIR "/tests/scenario/data/failing.yaml"});
  CHECK(r.err.find("kube-proxy") != std::string::npos);
  CHECK(r.out.find("kube-proxy") == std::string::npos);
}

TEST_CASE("an at step whose time passes during a command starts late and says so", "[scenario]") {
  Simulation sim = web_cluster();
  Runner runner(sim);
  std::vector<manifest::Step> steps(2);
  // Nobody has this address: the SYN is lost and curl gives up after 2 s.
  steps[0].action =
      manifest::ExecAction{.pod = "client", .command = "curl -s --max-time 2 http://10.244.9.9/"};
  steps[0].expect.exit_code = cmp("28", manifest::Quantity::number);
  steps[1].at = Duration::seconds(1);
  steps[1].action = manifest::WaitAction{.duration = Duration::millis(1)};
  auto report = runner.run(steps);
  INFO(scenario::to_text(report));
  CHECK(report.steps[0].passed);
  CHECK(report.steps[0].ended == Duration::seconds(2));
  CHECK(report.steps[1].started == Duration::seconds(2));
  REQUIRE(report.steps[1].late_by);
  CHECK(*report.steps[1].late_by == Duration::seconds(1));
  CHECK(scenario::to_text(report).find("started 1s after its `at` time") != std::string::npos);
}
