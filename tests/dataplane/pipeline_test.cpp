#include <algorithm>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "podhop/dataplane/pipeline.hpp"
#include "podhop/simulation.hpp"
#include "support/two_nodes.hpp"

using podhop::Simulation;
using podhop::core::Duration;
using podhop::testing::pod_url;
using podhop::trace::Outcome;
using namespace podhop::dataplane;

namespace {

// The shared two-node cluster (pods a and b behind Service web), plus an app that answers
// after 5 s on node-b.
const std::string kCluster = std::string(podhop::testing::kTwoNodes) + R"(---
apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: slow}
spec:
  image: slow:1
  respond: {status: 200, body: "done", latency: 5s}
---
apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  nodeName: node-b
  containers: [{name: slow, image: "slow:1", ports: [{containerPort: 8080}]}]
---)" + podhop::testing::kWebService;

Simulation cluster() {
  return podhop::testing::loaded(kCluster);
}

Client client_a(Simulation& sim) {
  return podhop::testing::pod_client(sim, "a");
}

}  // namespace

TEST_CASE("a cross-node request costs four one-way latencies: SYN, SYN-ACK, request, response",
          "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::ok);
  CHECK(r.status == 200);
  CHECK(r.served_by == "default/b");
  CHECK(r.elapsed == Duration::micros(400));
  CHECK(r.time_connect == Duration::micros(200));
  CHECK(r.dns.empty());  // an IP literal needs no DNS
}

TEST_CASE("a name costs DNS round trips to CoreDNS before the connection", "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url = "http://web.default.svc.cluster.local/";
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::ok);
  // 4 dots < ndots:5: three search-list candidates fail, the name as-is answers; A and
  // AAAA for each.
  CHECK(r.dns.size() == 8);
  CHECK(r.dns.back().type == "AAAA");
  CHECK(r.dns[6].rcode == "NOERROR");
  REQUIRE(r.time_namelookup);
  CHECK(r.time_namelookup->ns > 0);
  // Every query went through the kube-dns VIP to a CoreDNS pod.
  CHECK(std::all_of(r.dns.begin(), r.dns.end(),
                    [](const auto& q) { return q.server.rfind("kube-system/coredns-", 0) == 0; }));
}

TEST_CASE("nothing answering the SYN ends in a timeout at --connect-timeout", "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url = "http://10.1.2.3/";
  spec.connect_timeout = Duration::seconds(2);
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::timeout);
  CHECK(r.exit_code == 28);
  CHECK(r.elapsed == Duration::seconds(2));
  CHECK(r.error == "Failed to connect to 10.1.2.3 port 80 after 2000 ms: Timeout was reached");
}

TEST_CASE("without a connect timeout the kernel gives up after its SYN retries", "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url = "http://10.1.2.3/";
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.exit_code == 28);
  CHECK(r.elapsed == kSynGiveUp);
  CHECK(r.error ==
        "Failed to connect to 10.1.2.3 port 80 after 127000 ms: Couldn't connect to server");
}

TEST_CASE("curl --max-time cuts a slow answer short", "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url = pod_url(sim, "slow");
  spec.max_time = Duration::seconds(1);
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::timeout);
  CHECK(r.exit_code == 28);
  CHECK(r.error == "Operation timed out after 1000 milliseconds with 0 bytes received");
  CHECK_FALSE(r.status);
}

TEST_CASE("a kept-alive connection keeps its endpoint", "[dataplane]") {
  Simulation sim = cluster();
  auto client = client_a(sim);
  const auto vip = sim.state().services.find("default", "web")->spec.cluster_ip.str();
  for (int i = 0; i < 5; ++i) {
    sim.pipeline().close_connections();
    RequestSpec first;
    first.url = fmt::format("http://{}/", vip);
    first.keep_alive = true;
    auto r1 = sim.pipeline().run(client, first);
    REQUIRE(r1.outcome == Outcome::ok);
    for (int k = 0; k < 3; ++k) {
      auto r2 = sim.pipeline().run(client, first);
      CHECK(r2.reused_connection);
      CHECK(r2.served_by == r1.served_by);
    }
  }
  CHECK(sim.pipeline().open_connections() == 1);
}

TEST_CASE("new connections spread over the Service's endpoints", "[dataplane]") {
  Simulation sim = cluster();
  auto client = client_a(sim);
  const auto vip = sim.state().services.find("default", "web")->spec.cluster_ip.str();
  std::map<std::string, int> served;
  for (int i = 0; i < 200; ++i) {
    RequestSpec spec;
    spec.url = fmt::format("http://{}/", vip);
    spec.record_hops = false;
    auto r = sim.pipeline().run(client, spec);
    REQUIRE(r.outcome == Outcome::ok);
    CHECK(r.hops.empty());
    ++served[*r.served_by];
  }
  REQUIRE(served.size() == 2);
  CHECK(served["default/a"] > 60);
  CHECK(served["default/b"] > 60);
}

namespace {
struct Collect : RequestObserver {
  std::vector<podhop::trace::RequestRecord> done;
  void on_complete(RequestId, podhop::trace::RequestRecord& r) override {
    done.push_back(std::move(r));
  }
};
}  // namespace

TEST_CASE("bulk traffic (record_hops off) keeps no hops or dns[], and the same result",
          "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec traced;
  traced.url = "http://web.default.svc.cluster.local/";
  RequestSpec bulk = traced;
  bulk.record_hops = false;
  auto t = sim.pipeline().run(client_a(sim), traced);
  auto b = sim.pipeline().run(client_a(sim), bulk);
  CHECK(t.dns.size() == 8);
  CHECK_FALSE(t.hops.empty());
  CHECK(b.dns.empty());
  CHECK(b.hops.empty());
  CHECK(b.outcome == t.outcome);
  CHECK(b.status == t.status);
  CHECK(b.url == t.url);
  CHECK(b.resolved == t.resolved);
  CHECK(b.time_namelookup.has_value());  // its CoreDNS pod is its own draw: times may differ
  REQUIRE(b.served_by);
  CHECK(b.body.find(*b.served_by) != std::string::npos);
  CHECK(b.headers.size() == t.headers.size());
}

TEST_CASE("a reused request slot starts clean: nothing of the last request leaks into the next",
          "[dataplane]") {
  Simulation sim = cluster();
  auto client = client_a(sim);
  // A request that fails late (refused: nothing listens on 9999), then one that succeeds in
  // the same slot, then the first again: each record is what a fresh pipeline gives.
  RequestSpec refused;
  refused.url = pod_url(sim, "b", 9999);
  RequestSpec ok;
  ok.url = "http://web.default.svc.cluster.local/";
  auto first = sim.pipeline().run(client, refused);
  auto second = sim.pipeline().run(client, ok);
  auto third = sim.pipeline().run(client, refused);

  Simulation fresh = cluster();
  auto alone = fresh.pipeline().run(client_a(fresh), ok);
  CHECK(first.outcome == Outcome::connection_refused);
  CHECK(third.outcome == Outcome::connection_refused);
  CHECK(third.error == first.error);
  CHECK(third.hops.size() == first.hops.size());
  CHECK(third.dns.empty());
  CHECK_FALSE(third.status);
  CHECK_FALSE(third.served_by);
  CHECK(third.body.empty());
  CHECK(third.headers.empty());
  CHECK(second.outcome == Outcome::ok);
  CHECK(second.error.empty());
  CHECK(second.dns.size() == alone.dns.size());
  CHECK(second.hops.size() == alone.hops.size());
  REQUIRE(second.headers.size() == alone.headers.size());
  for (std::size_t i = 0; i < second.headers.size(); ++i)
    CHECK(second.headers[i].first == alone.headers[i].first);
  CHECK(second.status == alone.status);
  CHECK(second.method == "GET");
  CHECK(second.url == alone.url);
}

TEST_CASE("requests run side by side on one clock and report to an observer", "[dataplane]") {
  Simulation sim = cluster();
  Collect observer;
  sim.pipeline().set_observer(&observer);
  auto client = client_a(sim);
  RequestSpec fast;
  fast.url = pod_url(sim, "b");
  RequestSpec slow;
  slow.url = pod_url(sim, "slow");
  sim.pipeline().start(client, slow);
  sim.pipeline().start(client, fast);
  CHECK(sim.pipeline().in_flight() == 2);
  sim.simulator().run();
  CHECK(sim.pipeline().in_flight() == 0);
  REQUIRE(observer.done.size() == 2);
  CHECK(observer.done[0].served_by == "default/b");  // the fast one finished first
  CHECK(observer.done[1].served_by == "default/slow");
  CHECK(observer.done[1].elapsed == Duration::seconds(5) + Duration::micros(400));
  sim.pipeline().set_observer(nullptr);
}

TEST_CASE("run() takes its own record back while an observer collects the other requests",
          "[dataplane]") {
  Simulation sim = cluster();
  Collect observer;
  sim.pipeline().set_observer(&observer);
  auto client = client_a(sim);
  RequestSpec slow;
  slow.url = pod_url(sim, "slow");
  sim.pipeline().start(client, slow);
  RequestSpec fast;
  fast.url = pod_url(sim, "b");
  auto record = sim.pipeline().run(client, fast);
  CHECK(record.served_by == "default/b");
  CHECK(observer.done.empty());
  sim.simulator().run();
  REQUIRE(observer.done.size() == 1);
  CHECK(observer.done[0].served_by == "default/slow");
  sim.pipeline().set_observer(nullptr);
}

TEST_CASE("a pod that does not listen on the port refuses and says where it listens",
          "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url = pod_url(sim, "b", 9999);
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::connection_refused);
  CHECK(r.exit_code == 7);
  CHECK(r.elapsed == Duration::micros(200));  // the RST comes back from node-b
  CHECK(std::any_of(r.hops.begin(), r.hops.end(), [](const auto& h) {
    return h.detail.find("nothing listens on 9999/TCP in default/b (it listens on 8080/TCP)") !=
           std::string::npos;
  }));
}

TEST_CASE("internalTrafficPolicy Local without a local endpoint drops: the client times out",
          "[dataplane]") {
  Simulation sim = cluster();
  REQUIRE(sim.load_text(R"(
apiVersion: v1
kind: Service
metadata: {name: slow-local}
spec:
  selector: {app: none-here}
  internalTrafficPolicy: Local
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: far, labels: {app: none-here}}
spec:
  nodeName: node-b
  containers: [{name: far, image: example/echo:1, ports: [{containerPort: 8080}]}]
)")
              .ok());
  RequestSpec spec;
  spec.url = "http://slow-local.default.svc.cluster.local/";
  spec.connect_timeout = Duration::seconds(3);
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::timeout);
  CHECK(r.exit_code == 28);
  CHECK(r.error.find("Timeout was reached") != std::string::npos);
  CHECK(std::any_of(r.hops.begin(), r.hops.end(), [](const auto& h) {
    return h.stage == "kube-proxy" && h.detail.find("DROP") != std::string::npos;
  }));
}

TEST_CASE("TLS to a pod that speaks plain HTTP fails the handshake (curl 35)", "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec spec;
  spec.url =
      fmt::format("https://{}:8080/", sim.state().pods.find("default", "b")->status.pod_ip.str());
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::tls_error);
  CHECK(r.exit_code == 35);
}

TEST_CASE("the simulated internet answers HTTPS for its own name and refuses other names",
          "[dataplane]") {
  Simulation sim = cluster();
  RequestSpec good;
  good.url = "https://example.com/";
  auto ok = sim.pipeline().run(client_a(sim), good);
  CHECK(ok.outcome == Outcome::ok);
  CHECK(ok.served_by == "external/example.com");
  CHECK(ok.body.find("Example Domain") != std::string::npos);
  RequestSpec wrong;
  wrong.url = "https://93.184.215.14/";
  auto bad = sim.pipeline().run(client_a(sim), wrong);
  CHECK(bad.exit_code == 60);
  wrong.insecure = true;
  CHECK(sim.pipeline().run(client_a(sim), wrong).outcome == Outcome::ok);
}

TEST_CASE("curl -L follows a redirect, and one process reuses its connection", "[dataplane]") {
  Simulation sim = cluster();
  REQUIRE(sim.load_text(R"(
apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: mover}
spec:
  image: mover:1
  respond: {status: 301, headers: {Location: /new}, body: ""}
---
apiVersion: v1
kind: Pod
metadata: {name: mover}
spec:
  nodeName: node-b
  containers: [{name: mover, image: "mover:1", ports: [{containerPort: 8080}]}]
)")
              .ok());
  const std::string url = pod_url(sim, "mover");
  auto r = sim.curl({"-sL", "--max-redirs", "3", url}, ClientRef::pod("default", "a"));
  CHECK(r.exit_code == 47);  // it moves forever
  REQUIRE(r.requests.size() == 4);
  CHECK(r.requests[1].url == url + "new");
  CHECK(r.requests[1].reused_connection);
  auto once =
      sim.curl({"-s", "-w", "%{http_code} %{redirect_url}", url}, ClientRef::pod("default", "a"));
  CHECK(once.stdout_text == "301 " + url + "new");
  CHECK(sim.pipeline().open_connections() == 0);  // closed when curl exited
}

TEST_CASE("from outside, a LoadBalancer IP reaches a pod through a node the balancer picks",
          "[dataplane]") {
  Simulation sim;
  REQUIRE(sim.load_text(R"(
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: lb}
spec:
  nodes: [{name: node-a}, {name: node-b}]
  loadBalancer: 192.168.49.200-192.168.49.210
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: node-b
  containers: [{name: web, image: example/echo:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)")
              .ok());
  const auto* svc = sim.state().services.find("default", "web-lb");
  REQUIRE(svc != nullptr);
  REQUIRE_FALSE(svc->load_balancer.empty());
  auto r = sim.curl({"-s", fmt::format("http://{}/", svc->load_balancer[0].ip.str())},
                    ClientRef::external());
  CHECK(r.exit_code == 0);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].served_by == "default/web");
  CHECK(std::any_of(r.hops.begin(), r.hops.end(), [](const auto& h) {
    return h.detail.find("load balancer 192.168.49.200") != std::string::npos;
  }));
}
