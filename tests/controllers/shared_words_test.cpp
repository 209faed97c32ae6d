// What the controllers share instead of copying (the words and maps of 150,000 pods at the
// published limits): a pod's name is one block for its events, its slice endpoint and its
// legacy address; the pods on a node hold one block of its name; a ReplicaSet's labels and
// its template's are one map, and ReplicaSets of one size share their annotations.

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

TEST_CASE("a pod's name is one block for its events, its slice endpoint and its address",
          "[controllers][shared]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(3).port(8080, "http"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 1);
  REQUIRE(slices[0]->endpoints.size() == 3);
  const auto* eps = st.endpoints.find("default", "web");
  REQUIRE(eps != nullptr);
  REQUIRE(eps->subsets.size() == 1);
  REQUIRE(eps->subsets[0].addresses.size() == 3);
  for (const auto& ep : slices[0]->endpoints) {
    REQUIRE(ep.target_ref.has_value());
    const std::string& name = ep.target_ref->name.str();
    const auto* pod = st.pods.find("default", name);
    REQUIRE(pod != nullptr);
    CHECK(ep.node_name.same(pod->node_name));  // the scheduler's block
    // The legacy address of the same pod holds the same block.
    bool found = false;
    for (const auto& a : eps->subsets[0].addresses)
      if (a.target_ref && a.target_ref->name == name) {
        CHECK(a.target_ref->name.same(ep.target_ref->name));
        found = true;
      }
    CHECK(found);
    // The kubelet's events about it and the ReplicaSet's "Created pod" name that block.
    auto started = testing::events_about(st, name, "Started");
    REQUIRE(started.size() == 1);
    CHECK(&started[0]->involved.name.str() == &name);
    std::size_t created = 0;
    for (const auto& e : st.events)
      if (e.reason == "SuccessfulCreate" && e.message_arg == name) {
        CHECK(&e.message_arg.str() == &name);
        CHECK(e.message() == "Created pod: " + name);
        ++created;
      }
    CHECK(created == 1);
  }
}

TEST_CASE("pods on one node hold one block of its name", "[controllers][shared]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(6));
  controllers::reconcile(st);
  auto pods = testing::pods_named(st, "web-");
  REQUIRE(pods.size() == 6);
  for (const auto* p : pods) {
    CHECK_FALSE(p->node_name.empty());
    for (const auto* q : pods)
      if (p->node_name == q->node_name) CHECK(p->node_name.same(q->node_name));
  }
}

TEST_CASE(
    "a ReplicaSet's labels are its template's, and ReplicaSets of one size share "
    "their annotations",
    "[controllers][shared]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2));
  add(st, testing::deployment("api").replicas(2));
  add(st, testing::deployment("db").replicas(1));
  controllers::reconcile(st);
  std::vector<const model::ReplicaSet*> rs;
  for (const auto* r : st.replica_sets.sorted())
    if (r->meta.namespace_ == "default") rs.push_back(r);
  REQUIRE(rs.size() == 3);  // api, db, web
  for (const auto* r : rs) {
    CHECK(r->meta.labels == r->pod_template.labels);
    CHECK(&*r->meta.labels.begin() == &*r->pod_template.labels.begin());
    CHECK(r->meta.labels.get("pod-template-hash") != nullptr);
    CHECK(*r->meta.annotations.get("deployment.kubernetes.io/revision") == "1");
  }
  const auto* api = rs[0];
  const auto* db = rs[1];
  const auto* web = rs[2];
  CHECK(*api->meta.annotations.get("deployment.kubernetes.io/desired-replicas") == "2");
  CHECK(*db->meta.annotations.get("deployment.kubernetes.io/desired-replicas") == "1");
  CHECK(&*api->meta.annotations.begin() == &*web->meta.annotations.begin());
  CHECK(&*api->meta.annotations.begin() != &*db->meta.annotations.begin());
  // The pods hold their ReplicaSet's template labels.
  for (const auto* p : testing::pods_named(st, "web-"))
    CHECK(&*p->meta.labels.begin() == &*web->pod_template.labels.begin());
}
