// Reading Scenario documents: every action, every expectation, comparisons, and precise
// errors (file:line:col, object, field path) gathered together.
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "manifest_test_support.hpp"
#include "podhop/manifest/scenario.hpp"

using namespace podhop;
using manifest::Comparison;
using manifest::parse_comparison;
using manifest::Quantity;
using manifest::testing::lines;

namespace {

manifest::ScenarioLoad read(std::string_view yaml) {
  return manifest::load_scenario_text(yaml, "s.yaml", "/base");
}

std::string all(const manifest::ScenarioLoad& l) {
  std::string out;
  for (const auto& line : lines(l.diagnostics)) out += line + "\n";
  return out;
}

constexpr std::string_view kHeader =
    "apiVersion: podhop.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n";

std::string scenario(std::string_view spec_body) {
  return std::string(kHeader) + std::string(spec_body);
}

}  // namespace

TEST_CASE("comparisons parse operators, tolerances, percentages and durations", "[manifest]") {
  struct Row {
    std::string text;
    Quantity q;
    Comparison::Op op;
    double value;
    double tolerance;
  };
  const Row rows[] = {
      {">= 0.99", Quantity::fraction, Comparison::Op::ge, 0.99, 0},
      {"<=0.5", Quantity::fraction, Comparison::Op::le, 0.5, 0},
      {"> 95%", Quantity::fraction, Comparison::Op::gt, 0.95, 0},
      {"0.5 +- 0.05", Quantity::fraction, Comparison::Op::within, 0.5, 0.05},
      {"50% +- 5%", Quantity::fraction, Comparison::Op::within, 0.5, 0.05},
      {"< 20ms", Quantity::duration, Comparison::Op::lt, 20e6, 0},
      {"10ms +- 2ms", Quantity::duration, Comparison::Op::within, 10e6, 2e6},
      {"== 200", Quantity::number, Comparison::Op::eq, 200, 0},
      {"200", Quantity::number, Comparison::Op::eq, 200, 0},
      {"0", Quantity::duration, Comparison::Op::eq, 0, 0},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    std::string err;
    auto c = parse_comparison(r.text, r.q, &err);
    REQUIRE(c);
    CHECK(c->op == r.op);
    CHECK(c->value == Approx(r.value));
    CHECK(c->tolerance == Approx(r.tolerance));
  }
}

TEST_CASE("comparisons refuse what is not a value of their quantity", "[manifest]") {
  std::string err;
  CHECK_FALSE(parse_comparison("fast", Quantity::fraction, &err));
  CHECK(err.find(">= 0.99") != std::string::npos);
  CHECK_FALSE(parse_comparison("< 20", Quantity::duration, &err));
  CHECK_FALSE(parse_comparison(">= x", Quantity::number, &err));
  CHECK_FALSE(parse_comparison("1 +- -1", Quantity::number, &err));
}

TEST_CASE("a comparison holds or not, with tolerance at the edges", "[manifest]") {
  auto c = [](std::string_view t, Quantity q = Quantity::fraction) {
    return *parse_comparison(t, q, nullptr);
  };
  CHECK(c(">= 0.99").holds(0.99));
  CHECK_FALSE(c(">= 0.99").holds(0.98));
  CHECK(c("0.5 +- 0.05").holds(0.55));
  CHECK_FALSE(c("0.5 +- 0.05").holds(0.56));
  CHECK(c("< 20ms", Quantity::duration).holds(19.9e6));
  CHECK_FALSE(c("< 20ms", Quantity::duration).holds(20e6));
  CHECK(c("== 1").holds(1.0));
  CHECK_FALSE(c("> 0").holds(0));
}

TEST_CASE("the seed scenario of the spec reads into steps", "[manifest]") {
  auto l = read(scenario(R"(  seed: 7
  manifests: [pod1.yaml, /abs/apps.yaml]
  steps:
  - name: app1 reaches app2 through app1-svc
    exec: {pod: app1, command: "curl -s http://app1-svc.default.svc.cluster.local:8888"}
    expect: {exitCode: 0, status: 200, body: "Hello world", servedBy: app1}
  - name: load through the NodePort
    at: 2s
    traffic: {from: external, url: "http://192.168.49.2:30008/", rate: 500/s, duration: 10s, keepAlive: false}
    expect: {successRate: ">= 0.99", share: {app1: "0.5 +- 0.05"}, latency: {p99: "< 20ms"}}
  - {at: 5s, delete: pod/app2}
  - {scale: {deployment: web, replicas: 5}}
  - {apply: extra.yaml}
  - {rollout: {deployment: web, image: "web:v2"}}
  - {wait: 3s}
  - {wait: {rollout: web, timeout: 1m}}
  - {curl: {from: node/minikube, url: "http://x/", args: "-s -k"}}
  - traffic: {from: pod/app1, url: "http://app2-svc:9999/", users: 4, thinkTime: 10ms, requests: 100, keepAlive: true}
)"));
  INFO(all(l));
  REQUIRE(l.ok());
  const auto& s = *l.scenario;
  CHECK(s.name == "t");
  CHECK(s.seed == 7u);
  CHECK(s.manifests == std::vector<std::string>{"/base/pod1.yaml", "/abs/apps.yaml"});
  REQUIRE(s.steps.size() == 10);

  const auto& exec = std::get<manifest::ExecAction>(s.steps[0].action);
  CHECK(exec.pod == "app1");
  CHECK(exec.command == "curl -s http://app1-svc.default.svc.cluster.local:8888");
  CHECK(s.steps[0].expect.exit_code->value == 0);
  CHECK(*s.steps[0].expect.body == "Hello world");
  CHECK(*s.steps[0].expect.served_by == "app1");
  CHECK(s.steps[0].where.line == 8);

  const auto& t = std::get<manifest::TrafficAction>(s.steps[1].action);
  CHECK(*s.steps[1].at == core::Duration::seconds(2));
  CHECK(*t.rate == Approx(500));
  CHECK(*t.duration == core::Duration::seconds(10));
  CHECK_FALSE(t.keep_alive);
  REQUIRE(s.steps[1].expect.share.size() == 1);
  CHECK(s.steps[1].expect.share[0].first == "app1");
  CHECK(s.steps[1].expect.latency[0].first == "p99");

  const auto& del = std::get<manifest::DeleteAction>(s.steps[2].action);
  CHECK((del.kind == "pod" && del.name == "app2"));
  const auto& sc = std::get<manifest::ScaleAction>(s.steps[3].action);
  CHECK((sc.kind == "deployment" && sc.name == "web" && sc.replicas == 5));
  CHECK(std::get<manifest::ApplyAction>(s.steps[4].action).paths ==
        std::vector<std::string>{"/base/extra.yaml"});
  CHECK(std::get<manifest::RolloutAction>(s.steps[5].action).image == "web:v2");
  CHECK(*std::get<manifest::WaitAction>(s.steps[6].action).duration == core::Duration::seconds(3));
  const auto& w = std::get<manifest::WaitAction>(s.steps[7].action);
  CHECK((w.rollout == "web" && w.timeout == core::Duration::seconds(60)));
  CHECK(std::get<manifest::CurlAction>(s.steps[8].action).args_line == "-s -k");
  const auto& closed = std::get<manifest::TrafficAction>(s.steps[9].action);
  CHECK((*closed.users == 4 && *closed.requests == 100 && closed.keep_alive));
  CHECK(closed.think_time == core::Duration::millis(10));
}

TEST_CASE("a bad rate is reported with file, line, column, object and field path", "[manifest]") {
  auto l = read(scenario(R"(  steps:
  - {exec: {pod: a, command: "true"}}
  - {wait: 1s}
  - traffic: {url: "http://x/", rate: fast, duration: 1s}
)"));
  REQUIRE_FALSE(l.ok());
  CHECK(lines(l.diagnostics) ==
        std::vector<std::string>{
            "s.yaml:8:39: error: Scenario \"t\": spec.steps[2].traffic.rate: Invalid value: "
            "\"fast\": must be a rate like 500/s (per s, ms, m or h)"});
}

TEST_CASE("every error of a scenario is reported together and none is returned", "[manifest]") {
  auto l = read(scenario(R"(  seed: -1
  steps:
  - {trafic: {url: "http://x/"}}
  - {exec: {pod: a}, curl: {url: "http://x/"}}
  - traffic: {url: "http://x/", rate: 5/s, users: 2, duration: 1s}
  - traffic: {url: "http://x/", rate: 5/s}
  - {delete: app2}
  - {scale: {deployment: web, replicas: -1}}
  - {wait: {}}
  - {delete: pod/a, expect: {status: 200}}
  - {curl: {url: "http://x/"}, expect: {status: ok, latency: {p99: "< 20"}, outcome: fine}}
)"));
  REQUIRE_FALSE(l.ok());
  CHECK_FALSE(l.scenario);
  const std::string text = all(l);
  INFO(text);
  CHECK(text.find("spec.seed: Invalid value: -1") != std::string::npos);
  CHECK(text.find("spec.steps[0].trafic: unknown field; did you mean \"traffic\"?") !=
        std::string::npos);
  CHECK(text.find("spec.steps[1].curl: Forbidden: a step has one action") != std::string::npos);
  CHECK(text.find("spec.steps[2].traffic.users: Forbidden: rate (open loop) and users") !=
        std::string::npos);
  CHECK(text.find("spec.steps[3].traffic.duration: Required value") != std::string::npos);
  CHECK(text.find("spec.steps[4].delete: Invalid value: \"app2\": must be KIND/NAME") !=
        std::string::npos);
  CHECK(text.find("spec.steps[5].scale.replicas: Invalid value: -1") != std::string::npos);
  CHECK(text.find("spec.steps[6].wait.duration: Required value") != std::string::npos);
  CHECK(text.find("spec.steps[7].expect: Forbidden: a delete step sends no requests") !=
        std::string::npos);
  CHECK(text.find("spec.steps[8].expect.status: Invalid value: \"ok\"") != std::string::npos);
  CHECK(text.find("spec.steps[8].expect.latency.p99: Invalid value: \"< 20\"") !=
        std::string::npos);
  CHECK(text.find("spec.steps[8].expect.outcome: Unsupported value: \"fine\"") !=
        std::string::npos);
  CHECK(l.diagnostics.error_count() == 12);
}

TEST_CASE("rollout undo reads with or without toRevision, and not with an image", "[manifest]") {
  auto ok = read(scenario(R"(  steps:
  - {rollout: {deployment: web, undo: true}}
  - {rollout: {deployment: web, undo: true, toRevision: 2, namespace: shop}}
  - {rollout: {deployment: web, undo: false, image: "web:v3"}}
)"));
  INFO(all(ok));
  REQUIRE(ok.ok());
  const auto& steps = ok.scenario->steps;
  const auto& back = std::get<manifest::RolloutAction>(steps[0].action);
  CHECK((back.undo && back.to_revision == 0 && back.image.empty()));
  const auto& to2 = std::get<manifest::RolloutAction>(steps[1].action);
  CHECK((to2.undo && to2.to_revision == 2 && to2.namespace_ == "shop"));
  const auto& set = std::get<manifest::RolloutAction>(steps[2].action);
  CHECK((!set.undo && set.image == "web:v3"));

  auto bad = read(scenario(R"(  steps:
  - {rollout: {deployment: web, undo: true, image: "web:v2"}}
  - {rollout: {deployment: web, undo: true, toRevision: -1}}
  - {rollout: {deployment: web, toRevision: 1, image: "web:v2"}}
  - {rollout: {deployment: web, undo: true, container: web}}
  - {rollout: {deployment: web, undo: maybe}}
)"));
  REQUIRE_FALSE(bad.ok());
  const std::string text = all(bad);
  INFO(text);
  CHECK(text.find("s.yaml:6:") != std::string::npos);
  CHECK(text.find("spec.steps[0].rollout.image: Forbidden: undo takes the image of an earlier "
                  "revision") != std::string::npos);
  CHECK(text.find("spec.steps[1].rollout.toRevision: Invalid value: -1") != std::string::npos);
  CHECK(text.find("spec.steps[2].rollout.toRevision: Forbidden: toRevision applies to undo") !=
        std::string::npos);
  CHECK(text.find("spec.steps[3].rollout.container: Forbidden") != std::string::npos);
  CHECK(text.find("spec.steps[4].rollout.undo") != std::string::npos);
  CHECK(bad.diagnostics.error_count() == 5);
}

TEST_CASE("a scenario file with manifests beside the scenario says so", "[manifest]") {
  auto l = read(std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n") +
                scenario("  steps: [{wait: 1s}]\n"));
  INFO(all(l));
  REQUIRE(l.ok());
  CHECK(l.scenario->file_has_manifests);
}

TEST_CASE("a file without a Scenario, or with two, is an error", "[manifest]") {
  CHECK(all(read("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"))
            .find("no Scenario in the file") != std::string::npos);
  const std::string one = scenario("  steps: [{wait: 1s}]\n");
  CHECK(all(read(one + "---\n" + one)).find("holds one Scenario") != std::string::npos);
}

TEST_CASE("the manifest loader skips Scenario documents", "[manifest]") {
  auto l = manifest::testing::load(std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
                                               "spec: {containers: [{name: c, image: i}]}\n---\n") +
                                   scenario("  steps: [{wait: 1s}]\n"));
  INFO(l.report.diagnostics.str());
  CHECK(l.report.ok());
  CHECK(l.state.pods.size() == 1);
  CHECK(l.report.ignored_kinds.empty());
}
