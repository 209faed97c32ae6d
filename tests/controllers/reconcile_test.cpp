// reconcile() as a whole: idempotent, deterministic for a seed, different across seeds.

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

// A cluster using every controller: the tutorial's shapes and more.
model::ClusterState rich_cluster() {
  auto st = testing::state(testing::cluster()
                               .node("node-a", "zone-a")
                               .node("node-b", "zone-b")
                               .node("node-c", "zone-a")
                               .addon("ingress")
                               .lb_pool("192.168.49.200", "192.168.49.210"));
  add(st, testing::pod("app1").label("app", "app1").image("app1:svc").port(8080, "http"));
  add(st,
      testing::pod("app2").label("app", "app2").image("app2:svc").port(8080).node_name("node-b"));
  add(st, testing::deployment("web").replicas(4).image("nginx").port(80, "http"));
  add(st, testing::stateful_set("db").replicas(2).service_name("db").port(5432, "pg"));
  add(st, testing::daemon_set("agent").port(9100, "metrics"));
  add(st, testing::replication_controller("legacy").replicas(2));
  add(st, testing::service("app1-svc").selector("app", "app1").port(8888, "http"));
  add(st, testing::service("web")
              .type(model::ServiceType::LoadBalancer)
              .external_traffic_policy(model::TrafficPolicy::Local)
              .selector("app", "web")
              .port(80, "http"));
  add(st, testing::service("web-np")
              .type(model::ServiceType::NodePort)
              .selector("app", "web")
              .port(80, "http")
              .node_port(30008));
  add(st, testing::service("db").headless().selector("app", "db").port(5432, "pg"));
  add(st, testing::service("ext").external_name("example.com"));
  add(st, testing::service("manual").port(80, 0, "http"));
  add(st, testing::endpoints("manual").address("93.184.215.14").port(80, "http"));
  add(st, testing::ingress("web").rule("app.test", "/", "web", 80));
  return st;
}

}  // namespace

TEST_CASE("reconcile twice gives the same state and records no new event",
          "[controllers][reconcile]") {
  for (bool settle : {true, false}) {
    CAPTURE(settle);
    auto st = rich_cluster();
    const controllers::ReconcileOptions opts{.seed = 3, .settle = settle};
    REQUIRE(testing::reconcile_text(st, opts).empty());
    const auto once = testing::dump(st);
    const auto events = st.events.size();
    REQUIRE(testing::reconcile_text(st, opts).empty());
    CHECK(testing::dump(st) == once);
    CHECK(st.events.size() == events);
  }
}

TEST_CASE("the same inputs and seed give the same cluster", "[controllers][reconcile]") {
  auto a = rich_cluster();
  auto b = rich_cluster();
  controllers::reconcile(a, {.seed = 42});
  controllers::reconcile(b, {.seed = 42});
  CHECK(testing::dump(a) == testing::dump(b));
}

TEST_CASE("another seed gives other pod names and addresses", "[controllers][reconcile]") {
  auto a = rich_cluster();
  auto b = rich_cluster();
  controllers::reconcile(a, {.seed = 1});
  controllers::reconcile(b, {.seed = 2});
  CHECK(testing::dump(a) != testing::dump(b));
  // What does not depend on the seed stays: StatefulSet names, requested ports, system IPs.
  CHECK(a.pods.find("default", "db-0") != nullptr);
  CHECK(b.pods.find("default", "db-0") != nullptr);
  CHECK(b.services.find("default", "web-np")->spec.ports[0].node_port == 30008);
  CHECK(b.services.find("kube-system", "kube-dns")->spec.cluster_ip.str() == "10.96.0.10");
}

TEST_CASE("a change records only the events it causes", "[controllers][reconcile]") {
  auto st = rich_cluster();
  controllers::reconcile(st);
  const auto before = st.events.size();
  add(st, testing::pod("late").image("busybox"));
  controllers::reconcile(st);
  REQUIRE(st.events.size() == before + 4);  // Scheduled, Pulled, Created, Started
  for (std::size_t i = before; i < st.events.size(); ++i)
    CHECK(st.events[i].involved.name == "late");
}

TEST_CASE("events can be turned off", "[controllers][reconcile]") {
  auto st = rich_cluster();
  controllers::reconcile(st, {.record_events = false});
  CHECK(st.events.empty());
  CHECK_FALSE(testing::pods_named(st, "web-").empty());
}

TEST_CASE("the rich cluster wires up as expected", "[controllers][reconcile]") {
  auto st = rich_cluster();
  REQUIRE(testing::reconcile_text(st).empty());
  // Every Service with a selector found its pods.
  for (const char* name : {"app1-svc", "web", "web-np", "db"}) {
    CAPTURE(name);
    auto slices = testing::slices_of(st, "default", name);
    REQUIRE_FALSE(slices.empty());
    CHECK_FALSE(slices[0]->endpoints.empty());
  }
  CHECK(testing::pods_named(st, "agent-").size() == 3);
  CHECK(st.services.find("default", "web")->load_balancer.at(0).ip.str() == "192.168.49.200");
  CHECK(st.services.find("default", "web")->spec.health_check_node_port != 0);
  CHECK(st.ingresses.find("default", "web")->load_balancer.at(0).ip.str() == "192.168.49.2");
  CHECK(testing::slices_of(st, "default", "manual").size() == 1);
}
