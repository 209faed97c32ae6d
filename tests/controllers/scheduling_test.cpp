// Scheduling (spread), pod IPs (host-local style) and pod status.

#include <catch2/catch.hpp>
#include <map>

#include "helpers.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

// Pods of "web" per node, in node order.
std::vector<int> per_node(const model::ClusterState& st, std::string_view prefix) {
  std::vector<int> counts(st.nodes.size(), 0);
  for (const auto* p : testing::pods_named(st, prefix)) {
    const auto* n = st.nodes.find("", p->node_name);
    REQUIRE(n != nullptr);
    ++counts[n->index];
  }
  return counts;
}

// The pods with this prefix in creation order.
std::vector<const model::Pod*> by_creation(const model::ClusterState& st, std::string_view prefix) {
  auto pods = testing::pods_named(st, prefix);
  std::sort(pods.begin(), pods.end(), [](const model::Pod* a, const model::Pod* b) {
    return a->meta.creation_index < b->meta.creation_index;
  });
  return pods;
}

}  // namespace

TEST_CASE("replicas spread over nodes: fewest of the same owner, then fewest pods, then index",
          "[controllers][scheduling]") {
  struct Case {
    int nodes;
    int replicas;
    std::vector<int> expected;
  };
  const std::vector<Case> cases = {
      {1, 3, {3}},
      {3, 3, {1, 1, 1}},
      {2, 5, {3, 2}},
      {4, 2, {1, 1, 0, 0}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.nodes, c.replicas);
    auto st = testing::state(testing::cluster().nodes(c.nodes));
    add(st, testing::deployment("web").replicas(c.replicas));
    controllers::reconcile(st);
    CHECK(per_node(st, "web-") == c.expected);
  }
}

TEST_CASE("a node already busy with other pods is chosen last", "[controllers][scheduling]") {
  auto st = testing::state(testing::cluster().nodes(2));
  add(st, testing::pod("pinned").node_name("node-1"));
  add(st, testing::deployment("web").replicas(2));
  controllers::reconcile(st);
  auto web = by_creation(st, "web-");
  REQUIRE(web.size() == 2);
  CHECK(web[0]->node_name == "node-2");  // node-1 already runs a pod
  CHECK(web[1]->node_name == "node-1");  // node-2 already runs a web pod
}

TEST_CASE("spec.nodeName binds the pod without the scheduler", "[controllers][scheduling]") {
  auto st = testing::state(testing::cluster().nodes(3));
  add(st, testing::pod("app1").node_name("node-3"));
  controllers::reconcile(st);
  const auto* p = st.pods.find("default", "app1");
  CHECK(p->node_name == "node-3");
  CHECK(p->status.host_ip.str() == "192.168.49.4");
  CHECK(testing::events_about(st, "app1", "Scheduled").empty());
  CHECK(testing::events_about(st, "app1", "Started").size() == 1);
}

TEST_CASE("a pod bound to an unknown node stays Pending and says why",
          "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::pod("lost").node_name("node-9"));
  controllers::reconcile(st);
  controllers::reconcile(st);
  const auto* p = st.pods.find("default", "lost");
  CHECK(p->node_name == "node-9");
  CHECK(p->status.phase == model::PodPhase::Pending);
  CHECK(p->status.pod_ip.empty());
  auto why = testing::events_about(st, "lost", "NodeNotFound");
  REQUIRE(why.size() == 1);  // once, however often reconciled
  CHECK(why[0]->type == "Warning");
  CHECK(why[0]->message().find("node \"node-9\" not found") != std::string::npos);
}

TEST_CASE("a pod the loader already bound to an unknown node gets the same warning",
          "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::pod("lost").node_name("node-9").on_node("node-9"));
  controllers::reconcile(st);
  CHECK(testing::events_about(st, "lost", "NodeNotFound").size() == 1);
}

TEST_CASE(
    "nodeSelector limits the nodes, and with no match the pod stays Pending with FailedScheduling",
    "[controllers][scheduling]") {
  auto st = testing::state(testing::cluster().node("a", "zone-1").node("b", "zone-2"));
  add(st, testing::deployment("web").replicas(2).node_selector("topology.kubernetes.io/zone",
                                                               "zone-2"));
  add(st, testing::pod("nowhere").node_selector("disk", "ssd"));
  controllers::reconcile(st);
  for (const auto* p : testing::pods_named(st, "web-")) CHECK(p->node_name == "b");

  const auto* p = st.pods.find("default", "nowhere");
  CHECK(p->node_name.empty());
  CHECK(p->status.phase == model::PodPhase::Pending);
  auto failed = testing::events_about(st, "nowhere", "FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->message() ==
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
}

TEST_CASE("pod IPs are sequential from .2 of each node's /24, in creation order",
          "[controllers][scheduling]") {
  auto st = testing::state(testing::cluster().nodes(2));
  add(st, testing::pod("a").node_name("node-1"));
  add(st, testing::pod("b").node_name("node-2"));
  add(st, testing::pod("c").node_name("node-1"));
  add(st, testing::pod("d").node_name("node-1"));
  controllers::reconcile(st);
  const std::map<std::string, std::string> expected = {
      {"a", "10.244.0.2"}, {"b", "10.244.1.2"}, {"c", "10.244.0.3"}, {"d", "10.244.0.4"}};
  for (const auto& [name, ip] : expected) {
    CAPTURE(name);
    CHECK(st.pods.find("default", name)->status.pod_ip.str() == ip);
  }
  CHECK(st.nodes.find("", "node-2")->pod_cidr.str() == "10.244.1.0/24");
}

TEST_CASE("a freed pod IP is not handed out again at once", "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::pod("a").node_name("node-1"));
  add(st, testing::pod("b").node_name("node-1"));
  controllers::reconcile(st);
  CHECK(st.pods.find("default", "b")->status.pod_ip.str() == "10.244.0.3");
  // CoreDNS took the next one.
  st.pods.erase("default", "b");
  add(st, testing::pod("c").node_name("node-1"));
  controllers::reconcile(st);
  CHECK(st.pods.find("default", "c")->status.pod_ip.str() == "10.244.0.5");
}

TEST_CASE("hostNetwork pods take their node's IP and use none of the pod range",
          "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::pod("host").node_name("node-1").host_network());
  add(st, testing::pod("normal").node_name("node-1"));
  controllers::reconcile(st);
  CHECK(st.pods.find("default", "host")->status.pod_ip.str() == "192.168.49.2");
  CHECK(st.pods.find("default", "normal")->status.pod_ip.str() == "10.244.0.2");
}

TEST_CASE("a full pod range leaves the next pods without IP, Pending",
          "[controllers][scheduling]") {
  // A /28 for the only node: .2 to .14, 13 addresses.
  auto st = testing::state(testing::cluster().nodes(1).pod_cidr("10.244.0.0/28"));
  add(st, testing::deployment("web").replicas(15));
  controllers::reconcile(st);
  int without = 0;
  for (const auto* p : testing::pods_named(st, "web-")) {
    if (p->status.pod_ip.empty()) {
      ++without;
      CHECK(p->status.phase == model::PodPhase::Pending);
      auto failed = testing::events_about(st, p->meta.name, "FailedCreatePodSandBox");
      REQUIRE(failed.size() == 1);
      CHECK(failed[0]->message().find("no IP addresses available in range set: "
                                      "10.244.0.2-10.244.0.14") != std::string::npos);
    }
  }
  CHECK(without == 2);
}

TEST_CASE("settled pods are Running and ready, with kubelet's events",
          "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::pod("app1").image("nginx").readiness_probe("/", 80));
  controllers::reconcile(st);
  const auto* p = st.pods.find("default", "app1");
  CHECK(p->status.phase == model::PodPhase::Running);
  CHECK(p->status.started);
  CHECK(p->status.ready);
  CHECK(p->status.host_ip.str() == "192.168.49.2");

  std::vector<std::string> reasons;
  for (const auto& e : testing::events_about(st, "app1")) reasons.push_back(e->reason);
  CHECK(reasons == std::vector<std::string>{"Scheduled", "Pulled", "Created", "Started"});
  auto events = testing::events_about(st, "app1");
  CHECK(events[0]->message() == "Successfully assigned default/app1 to node-1");
  CHECK(events[0]->source == "default-scheduler");
  CHECK(events[1]->message() == "Container image \"nginx\" already present on machine");
  CHECK(events[2]->message() == "Created container: app");
  CHECK(events[3]->message() == "Started container app");
  CHECK(events[3]->source == "kubelet");
}

TEST_CASE("without settling, new pods are scheduled and addressed but not started",
          "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::pod("app1"));
  controllers::reconcile(st, {.settle = false});
  const auto* p = st.pods.find("default", "app1");
  CHECK(p->node_name == "node-1");
  CHECK_FALSE(p->status.pod_ip.empty());
  CHECK(p->status.phase == model::PodPhase::Pending);
  CHECK(p->status.reason == "ContainerCreating");
  CHECK_FALSE(p->status.ready);
  CHECK(testing::events_about(st, "app1", "Started").empty());
}

TEST_CASE("nodes get podCIDR /24s in order: Cluster nodes first, then Node objects by name",
          "[controllers][scheduling]") {
  auto st = testing::state(testing::cluster().node("cfg-b").node("cfg-a"));
  add(st, testing::node("obj-z").ip("10.0.0.9"));
  add(st, testing::node("obj-y").ip("10.0.0.8").zone("zone-y"));
  controllers::reconcile(st);
  struct Expect {
    const char* name;
    std::uint32_t index;
    const char* cidr;
    const char* ip;
  };
  const std::vector<Expect> expected = {{"cfg-b", 0, "10.244.0.0/24", "192.168.49.2"},
                                        {"cfg-a", 1, "10.244.1.0/24", "192.168.49.3"},
                                        {"obj-y", 2, "10.244.2.0/24", "10.0.0.8"},
                                        {"obj-z", 3, "10.244.3.0/24", "10.0.0.9"}};
  for (const auto& e : expected) {
    CAPTURE(e.name);
    const auto* n = st.nodes.find("", e.name);
    REQUIRE(n != nullptr);
    CHECK(n->index == e.index);
    CHECK(n->pod_cidr.str() == e.cidr);
    CHECK(n->internal_ip.str() == e.ip);
  }
  CHECK(st.nodes.find("", "obj-y")->zone == "zone-y");
}

TEST_CASE("Node objects alone make the cluster: no default node-1 is added",
          "[controllers][scheduling]") {
  auto st = testing::state();
  add(st, testing::node("worker").ip("10.0.0.5"));
  controllers::reconcile(st);
  CHECK(st.nodes.size() == 1);
  CHECK(st.nodes.find("", "node-1") == nullptr);
  CHECK(st.nodes.find("", "worker")->pod_cidr.str() == "10.244.0.0/24");
}
