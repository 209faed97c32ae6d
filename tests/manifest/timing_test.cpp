// Cluster spec.timing and App capacity.serviceTime: defaults, values and validation.
#include <catch2/catch.hpp>

#include "manifest_test_support.hpp"

using namespace podhop;
using namespace podhop::manifest::testing;
using core::Duration;

TEST_CASE("Cluster timing has documented defaults", "[manifest]") {
  auto l = load("apiVersion: podhop.dev/v1alpha1\nkind: Cluster\nmetadata: {name: c}\nspec: {}\n");
  REQUIRE(l.report.ok());
  const auto& t = l.state.config.timing;
  CHECK(t.container_start == Duration::seconds(1));
  CHECK(t.controller_delay == Duration::millis(100));
  CHECK(t.endpoint_propagation == Duration::seconds(1));
  CHECK(t.propagation_jitter == Duration{});
  CHECK(t.ingress_propagation == Duration::seconds(1));
  CHECK(t.dns_cache == Duration{});
}

TEST_CASE("Cluster timing reads every field", "[manifest]") {
  auto l = load(R"(apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: c}
spec:
  timing:
    containerStart: 2s
    controllerDelay: 50ms
    endpointPropagation: 1500ms
    propagationJitter: 500ms
    ingressPropagation: 3s
    dnsCache: 30s
)");
  INFO(l.report.diagnostics.str());
  REQUIRE(l.report.ok());
  const auto& t = l.state.config.timing;
  CHECK(t.container_start == Duration::seconds(2));
  CHECK(t.controller_delay == Duration::millis(50));
  CHECK(t.endpoint_propagation == Duration::millis(1500));
  CHECK(t.propagation_jitter == Duration::millis(500));
  CHECK(t.ingress_propagation == Duration::seconds(3));
  CHECK(t.dns_cache == Duration::seconds(30));
}

TEST_CASE("Cluster timing rejects unknown fields and bad durations", "[manifest]") {
  auto l = load(R"(apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: c}
spec:
  timing: {containerStrat: 1s, endpointPropagation: 5, controllerDelay: -1s}
)");
  CHECK_FALSE(l.report.ok());
  const std::string all = l.report.diagnostics.str();
  CHECK(all.find("spec.timing.containerStrat: Unsupported value: \"containerStrat\"") !=
        std::string::npos);
  CHECK(
      all.find("spec.timing.endpointPropagation: Invalid value: \"5\": a duration needs a unit") !=
      std::string::npos);
  CHECK(all.find("spec.timing.controllerDelay: Invalid value: \"-1s\"") != std::string::npos);
}

TEST_CASE("App serviceTime takes a duration or a distribution", "[manifest]") {
  auto l = load(R"(apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: fixed}
spec: {image: a:1, capacity: {serviceTime: 5ms, workers: 2}}
---
apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: expo}
spec: {image: b:1, capacity: {serviceTime: {distribution: exponential, mean: 8ms}, workers: 1, queue: 0}}
)");
  INFO(l.report.diagnostics.str());
  REQUIRE(l.report.ok());
  const auto* fixed = l.state.apps.find("", "fixed");
  const auto* expo = l.state.apps.find("", "expo");
  REQUIRE(fixed != nullptr);
  REQUIRE(expo != nullptr);
  CHECK(fixed->spec.capacity.service_time == Duration::millis(5));
  CHECK(fixed->spec.capacity.distribution == model::ServiceTimeDistribution::fixed);
  CHECK(expo->spec.capacity.service_time == Duration::millis(8));
  CHECK(expo->spec.capacity.distribution == model::ServiceTimeDistribution::exponential);
  CHECK(expo->spec.capacity.queue == 0);
}

TEST_CASE("App serviceTime names what is wrong with a distribution", "[manifest]") {
  auto l = load(R"(apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: bad}
spec: {image: a:1, capacity: {serviceTime: {distribution: normal}}}
)");
  CHECK_FALSE(l.report.ok());
  const std::string all = l.report.diagnostics.str();
  CHECK(all.find("spec.capacity.serviceTime.mean: Required value") != std::string::npos);
  CHECK(all.find("spec.capacity.serviceTime.distribution: Unsupported value: \"normal\"") !=
        std::string::npos);
}
