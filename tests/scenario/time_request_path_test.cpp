// The time machinery on real requests: CoreDNS's cache seen by curl, an App's capacity
// (queueing, 503 from a full queue), a connection reset when its pod exits, and the ingress
// controller's propagation lag.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/engine/simulator.hpp"
#include "time_support.hpp"

using namespace podhop;
using namespace podhop::time_testing;

namespace {

const std::string kTiming = "containerStart: 1s, controllerDelay: 100ms, endpointPropagation: 1s";

// An App for image example/slow:* with the given capacity and response latency.
std::string slow_app(std::string_view capacity, std::string_view latency = "0s") {
  return fmt::format(R"(apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {{name: slow}}
spec:
  image: "example/slow:*"
  respond: {{status: 200, body: "ok", latency: {1}}}
{0})",
                     capacity.empty() ? std::string() : fmt::format("  capacity: {}\n", capacity),
                     latency);
}

double secs(core::Duration d) {
  return static_cast<double>(d.ns) / 1e9;
}

std::string pod_url(const Simulation& sim, std::string_view prefix) {
  const auto pods = pods_of(sim, prefix);
  REQUIRE(!pods.empty());
  return fmt::format("http://{}:8080/", pods.front()->status.pod_ip.str());
}

dataplane::RequestId start(Simulation& sim, const std::string& url) {
  dataplane::RequestSpec spec;
  spec.url = url;
  spec.record_hops = true;
  return sim.pipeline().start(*sim.network().client(dataplane::ClientRef::node("node-1")),
                              std::move(spec));
}

}  // namespace

TEST_CASE("curl sees the CoreDNS cache hide a new Service until the cached answer expires",
          "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming + ", dnsCache: 30s") + "---\n" + web("web", 1));
  sim.run_until(at(2));
  const std::string client = pods_of(sim, "web-").front()->meta.name;
  const std::vector<std::string> curl{"curl", "-s", "http://late/"};
  // NXDOMAIN for late.default.svc.cluster.local is cached (for at most its SOA TTL).
  CHECK(sim.exec(client, curl).exit_code == 6);
  REQUIRE(sim.apply_text(web("late", 1)).ok());
  sim.run_until(at(10));
  REQUIRE(pods_of(sim, "late-").front()->status.ready);
  // The Service exists and has a ready endpoint, but CoreDNS still answers from its cache.
  auto cached = sim.exec(client, curl);
  CHECK(cached.exit_code == 6);
  bool from_cache = false;
  for (const auto& h : cached.hops)
    from_cache = from_cache || h.detail.find("from the cache") != std::string::npos;
  CHECK(from_cache);
  sim.run_until(at(40));
  auto fresh = sim.exec(client, curl);
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.stdout_text.find("late-") != std::string::npos);
}

TEST_CASE("without dnsCache curl finds a new Service at once", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 1));
  sim.run_until(at(2));
  const std::string client = pods_of(sim, "web-").front()->meta.name;
  CHECK(sim.exec(client, {"curl", "-s", "http://late/"}).exit_code == 6);
  REQUIRE(sim.apply_text(web("late", 1)).ok());
  sim.run_until(at(10));
  CHECK(sim.exec(client, {"curl", "-s", "http://late/"}).exit_code == 0);
}

TEST_CASE("requests beyond the workers wait in the queue and a full queue answers 503",
          "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" +
                    slow_app("{workers: 1, queue: 1, serviceTime: 100ms}", "5ms") + "---\n" +
                    web("slow", 1));
  // web() names the image example/<name>:v1, which the App matches.
  sim.run_until(at(2));
  const std::string url = pod_url(sim, "slow-");
  std::vector<dataplane::RequestId> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(start(sim, url));
  sim.run_until(at(5));
  std::vector<trace::RequestRecord> rec;
  for (auto id : ids) {
    REQUIRE(sim.pipeline().done(id));
    rec.push_back(sim.pipeline().take(id));
  }
  REQUIRE(rec[0].status == 200);
  REQUIRE(rec[1].status == 200);
  REQUIRE(rec[2].status == 503);
  // The second waited for the first's 100 ms of service; the 503 comes at once.
  const double first = secs(rec[0].elapsed);
  const double second = secs(rec[1].elapsed);
  CHECK(first > 0.105);
  CHECK(first < 0.110);
  CHECK(second - first == Approx(0.100).margin(0.0005));
  CHECK(secs(rec[2].elapsed) < 0.01);
  bool waited = false;
  for (const auto& h : rec[1].hops)
    waited = waited || h.detail.find("after 100ms in the queue") != std::string::npos;
  CHECK(waited);
  CHECK(sim.pipeline().in_flight() == 0);
}

TEST_CASE("a client that gives up leaves the queue and the next request takes its place",
          "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + slow_app("{workers: 1, serviceTime: 1s}") +
                    "---\n" + web("slow", 1));
  sim.run_until(at(2));
  const std::string url = pod_url(sim, "slow-");
  dataplane::RequestSpec impatient;
  impatient.url = url;
  impatient.max_time = core::Duration::millis(500);
  auto client = *sim.network().client(dataplane::ClientRef::node("node-1"));
  auto a = start(sim, url);
  auto b = sim.pipeline().start(client, impatient);
  auto c = start(sim, url);
  sim.run_until(at(10));
  auto ra = sim.pipeline().take(a);
  auto rb = sim.pipeline().take(b);
  auto rc = sim.pipeline().take(c);
  CHECK(ra.status == 200);
  CHECK(rb.exit_code == 28);
  CHECK(rc.status == 200);
  // c started when a's service ended (b had left the queue): 1 s after a, not 2 s.
  CHECK(secs(rc.elapsed) - secs(ra.elapsed) == Approx(1.0).margin(0.001));
}

TEST_CASE("a request inside a pod that exits is reset", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + slow_app("", "20s") + "---\n" +
                    web("slow", 1, "", "", "      terminationGracePeriodSeconds: 1\n"));
  sim.run_until(at(2));
  const auto pod = pods_of(sim, "slow-").front()->meta.name;
  auto id = start(sim, pod_url(sim, "slow-"));
  sim.run_until(at(3));
  REQUIRE_FALSE(sim.pipeline().done(id));
  REQUIRE(sim.delete_object("pod", pod).ok);
  sim.run_until(at(40));
  REQUIRE(sim.pipeline().done(id));
  auto r = sim.pipeline().take(id);
  CHECK(r.outcome == trace::Outcome::reset);
  CHECK(r.exit_code == 56);
  CHECK(r.error == "Recv failure: Connection reset by peer");
}

TEST_CASE("ingress-nginx proxies to the endpoints it last saw until ingressPropagation passes",
          "[scenario][time]") {
  std::string yaml = cluster(1, kTiming + ", ingressPropagation: 10s");
  yaml += "  addons: [ingress]\n---\n" + web("web", 1) + R"(---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
)";
  auto sim = loaded(yaml);
  sim.run_until(at(2));
  // The controller listens on the node's ports 80 and 443 (hostPort), as minikube's addon.
  const std::vector<std::string> curl{"-s", "--resolve",
                                      fmt::format("web.test:80:{}", sim.network().node_ip(0).str()),
                                      "http://web.test/"};
  auto status = [&] {
    auto r = sim.curl(curl, dataplane::ClientRef::external());
    REQUIRE(r.requests.size() == 1);
    return r.requests.front().status.value_or(0);
  };
  CHECK(status() == 200);
  REQUIRE(sim.scale("deployment", "web", 0).ok);
  sim.run_until(at(4));
  REQUIRE(pods_of(sim, "web-").empty());
  // The controller still proxies to the gone pod (its kept-alive upstream connection was
  // closed when the pod exited): a new connect to it times out after 5 s, 504.
  CHECK(status() == 504);
  sim.run_until(at(20));
  // Programmed with the change: no endpoints, ingress-nginx answers 503.
  CHECK(status() == 503);
}

TEST_CASE("exec curl --repeat gives the same summary as the CLI", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 2));
  sim.run_until(at(2));
  const std::string client = pods_of(sim, "web-").front()->meta.name;
  auto r = sim.exec(client, {"curl", "-s", "--repeat", "8", "http://web/"});
  CHECK(r.exit_code == 0);
  INFO(r.stdout_text);
  CHECK(r.stdout_text.starts_with("8 requests from pod default/"));
  for (const auto* p : pods_of(sim, "web-"))
    CHECK(r.stdout_text.find(p->meta.name) != std::string::npos);
  auto outside = sim.curl({"--repeat", "3", "http://web/"}, dataplane::ClientRef::node("node-1"));
  CHECK(outside.stdout_text.starts_with("3 requests from node node-1 to http://web/"));
}
