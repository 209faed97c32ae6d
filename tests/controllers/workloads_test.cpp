// Workload controllers: Deployment -> ReplicaSet -> Pods, ReplicationController,
// StatefulSet, DaemonSet, scaling and garbage collection.

#include <catch2/catch.hpp>
#include <set>

#include "helpers.hpp"
#include "podhop/controllers/names.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

// ReplicaSets of the default namespace (kube-system has CoreDNS's).
std::vector<const model::ReplicaSet*> user_replica_sets(const model::ClusterState& st) {
  std::vector<const model::ReplicaSet*> out;
  for (const auto* rs : st.replica_sets.sorted())
    if (rs->meta.namespace_ == "default") out.push_back(rs);
  return out;
}

std::set<std::string> names_of(const std::vector<const model::Pod*>& pods) {
  std::set<std::string> out;
  for (const auto* p : pods) out.insert(p->meta.name);
  return out;
}

}  // namespace

TEST_CASE("a Deployment gets one ReplicaSet named after its template hash",
          "[controllers][workloads]") {
  auto st = testing::state();
  auto d = testing::deployment("web").replicas(2).image("nginx").build();
  const auto hash = controllers::pod_template_hash(d.pod_template);
  add(st, d);
  controllers::reconcile(st);

  const auto* rs = st.replica_sets.find("default", "web-" + hash);
  REQUIRE(rs != nullptr);
  CHECK(rs->replicas == 2);
  CHECK(rs->meta.owner.kind == "Deployment");
  CHECK(rs->meta.owner.name == "web");
  CHECK(*rs->meta.labels.get("pod-template-hash") == hash);
  CHECK(*rs->selector.match_labels.get("pod-template-hash") == hash);
  CHECK(*rs->meta.annotations.get("deployment.kubernetes.io/revision") == "1");
}

TEST_CASE("Deployment pods carry the template labels, pod-template-hash and their owner",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2).extra_pod_label("tier", "front"));
  controllers::reconcile(st);
  const auto* rs = user_replica_sets(st).front();
  for (const auto* p : testing::pods_named(st, "web-")) {
    CHECK(*p->meta.labels.get("app") == "web");
    CHECK(*p->meta.labels.get("tier") == "front");
    CHECK(*p->meta.labels.get("pod-template-hash") == *rs->meta.labels.get("pod-template-hash"));
    CHECK(p->meta.owner.kind == "ReplicaSet");
    CHECK(p->meta.owner.name == rs->meta.name);
    CHECK(p->meta.generate_name == rs->meta.name + "-");
  }
}

TEST_CASE("the pods of one template share one PodSpec", "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(5));
  controllers::reconcile(st);
  auto pods = testing::pods_named(st, "web-");
  REQUIRE(pods.size() == 5);
  for (const auto* p : pods) CHECK(p->spec.get() == pods.front()->spec.get());
}

TEST_CASE("Deployment and ReplicaSet events are recorded as kubectl describe shows them",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2));
  controllers::reconcile(st);
  const auto* rs = user_replica_sets(st).front();

  auto scaling = testing::events_about(st, "web", "ScalingReplicaSet");
  REQUIRE(scaling.size() == 1);
  CHECK(scaling[0]->message() == "Scaled up replica set " + rs->meta.name + " to 2");
  CHECK(scaling[0]->source == "deployment-controller");

  auto created = testing::events_about(st, rs->meta.name, "SuccessfulCreate");
  REQUIRE(created.size() == 2);
  CHECK(created[0]->message().rfind("Created pod: " + rs->meta.name + "-", 0) == 0);
  CHECK(created[0]->source == "replicaset-controller");
}

TEST_CASE("scaling a Deployment up keeps the existing pods and adds new ones",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2));
  controllers::reconcile(st);
  auto before = names_of(testing::pods_named(st, "web-"));

  st.deployments.find("default", "web")->replicas = 4;
  controllers::reconcile(st);
  auto after = names_of(testing::pods_named(st, "web-"));
  CHECK(after.size() == 4);
  for (const auto& n : before) CHECK(after.contains(n));

  const auto* rs = user_replica_sets(st).front();
  auto scaling = testing::events_about(st, "web", "ScalingReplicaSet");
  REQUIRE(scaling.size() == 2);
  CHECK(scaling[1]->message() == "Scaled up replica set " + rs->meta.name + " to 4 from 2");
}

TEST_CASE("scaling down deletes the newest pods first", "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2));
  controllers::reconcile(st);
  auto first_two = names_of(testing::pods_named(st, "web-"));
  st.deployments.find("default", "web")->replicas = 4;
  controllers::reconcile(st);

  st.deployments.find("default", "web")->replicas = 2;
  controllers::reconcile(st);
  CHECK(names_of(testing::pods_named(st, "web-")) == first_two);
  const auto* rs = user_replica_sets(st).front();
  CHECK(testing::events_about(st, rs->meta.name, "SuccessfulDelete").size() == 2);
}

TEST_CASE("without settling, removed pods start terminating instead of vanishing",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(3));
  controllers::reconcile(st);
  st.deployments.find("default", "web")->replicas = 1;
  controllers::reconcile(st, {.settle = false});
  auto pods = testing::pods_named(st, "web-");
  REQUIRE(pods.size() == 3);
  int terminating = 0;
  for (const auto* p : pods) terminating += p->meta.deletion.has_value();
  CHECK(terminating == 2);
  // And a second pass does not remove more: terminating pods no longer count.
  controllers::reconcile(st, {.settle = false});
  terminating = 0;
  for (const auto* p : testing::pods_named(st, "web-")) terminating += p->meta.deletion.has_value();
  CHECK(terminating == 2);
}

TEST_CASE("a deleted pod is replaced by a pod with a new name", "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(1));
  controllers::reconcile(st);
  const std::string old_name = testing::pods_named(st, "web-").front()->meta.name;
  const auto old_ip = testing::pods_named(st, "web-").front()->status.pod_ip;
  st.pods.erase("default", old_name);
  controllers::reconcile(st);
  auto pods = testing::pods_named(st, "web-");
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]->meta.name != old_name);
  CHECK(pods[0]->status.pod_ip != old_ip);
}

TEST_CASE("a new pod template rolls out: a new ReplicaSet, the old one scaled to 0",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2).image("web:v1"));
  controllers::reconcile(st);
  const std::string old_rs = user_replica_sets(st).front()->meta.name;

  add(st, testing::deployment("web").replicas(2).image("web:v2"));
  controllers::reconcile(st);
  REQUIRE(user_replica_sets(st).size() == 2);
  CHECK(st.replica_sets.find("default", old_rs)->replicas == 0);
  for (const auto* rs : user_replica_sets(st)) {
    if (rs->meta.name == old_rs) continue;
    CHECK(rs->replicas == 2);
    CHECK(*rs->meta.annotations.get("deployment.kubernetes.io/revision") == "2");
    auto pods = testing::pods_named(st, rs->meta.name + "-");
    CHECK(pods.size() == 2);
  }
  CHECK(testing::pods_named(st, old_rs + "-").empty());
}

namespace {

const model::ReplicaSet& replica_set_of_image(const model::ClusterState& st,
                                              std::string_view image) {
  for (const auto* rs : user_replica_sets(st))
    if (rs->pod_template.spec->containers.at(0).image == image) return *rs;
  FAIL("no ReplicaSet runs " << image);
  throw std::logic_error("unreachable");
}

// Applies Deployment "web" with this many replicas of this image, and reconciles.
void apply_web(model::ClusterState& st, std::int32_t replicas, std::string image) {
  add(st, testing::deployment("web").replicas(replicas).image(std::move(image)));
  controllers::reconcile(st);
}

std::string annotation(const model::StringMap& m, std::string_view key) {
  const std::string* v = m.get(key);
  return v != nullptr ? *v : "<none>";
}

}  // namespace

TEST_CASE("a ReplicaSet carries its Deployment's annotations but the controller's own",
          "[controllers][workloads]") {
  // deployment/util copyDeploymentAnnotationsToReplicaSet, with annotationsToSkip.
  auto st = testing::state();
  add(st, testing::deployment("web")
              .replicas(3)
              .annotation("meta.helm.sh/release-name", "shop")
              .annotation("kubectl.kubernetes.io/last-applied-configuration", "{}")
              .annotation("deployment.kubernetes.io/revision", "7")
              .annotation("deployment.kubernetes.io/desired-replicas", "99"));
  controllers::reconcile(st);
  const auto& rs = *user_replica_sets(st).front();
  CHECK(annotation(rs.meta.annotations, "meta.helm.sh/release-name") == "shop");
  CHECK(annotation(rs.meta.annotations, "kubectl.kubernetes.io/last-applied-configuration") ==
        "<none>");
  CHECK(annotation(rs.meta.annotations, "deployment.kubernetes.io/revision") == "1");
  CHECK(annotation(rs.meta.annotations, "deployment.kubernetes.io/desired-replicas") == "3");
  CHECK(annotation(rs.meta.annotations, "deployment.kubernetes.io/max-replicas") == "4");
  // SetDeploymentRevision: the Deployment shows its ReplicaSet's revision, not the manifest's.
  const auto& d = *st.deployments.find("default", "web");
  CHECK(annotation(d.meta.annotations, "deployment.kubernetes.io/revision") == "1");
  CHECK(annotation(d.meta.annotations, "meta.helm.sh/release-name") == "shop");

  // A changed Deployment annotation reaches the current ReplicaSet on the next sync.
  add(st, testing::deployment("web").replicas(3).annotation("meta.helm.sh/release-name", "shop-2"));
  controllers::reconcile(st);
  REQUIRE(user_replica_sets(st).size() == 1);
  CHECK(annotation(user_replica_sets(st).front()->meta.annotations, "meta.helm.sh/release-name") ==
        "shop-2");
}

TEST_CASE(
    "going back to an earlier template raises its ReplicaSet's revision and keeps the old one",
    "[controllers][workloads]") {
  // deploymentutil.SetNewReplicaSetAnnotations: v1 (1) -> v2 (2) -> v1 again (3, history 1).
  auto st = testing::state();
  apply_web(st, 2, "web:v1");
  apply_web(st, 2, "web:v2");
  CHECK(annotation(replica_set_of_image(st, "web:v2").meta.annotations,
                   "deployment.kubernetes.io/revision") == "2");
  CHECK(annotation(st.deployments.find("default", "web")->meta.annotations,
                   "deployment.kubernetes.io/revision") == "2");

  apply_web(st, 2, "web:v1");
  REQUIRE(user_replica_sets(st).size() == 2);
  const auto& v1 = replica_set_of_image(st, "web:v1");
  const auto& v2 = replica_set_of_image(st, "web:v2");
  CHECK(v1.replicas == 2);
  CHECK(v2.replicas == 0);
  CHECK(annotation(v1.meta.annotations, "deployment.kubernetes.io/revision") == "3");
  CHECK(annotation(v1.meta.annotations, "deployment.kubernetes.io/revision-history") == "1");
  CHECK(annotation(v2.meta.annotations, "deployment.kubernetes.io/revision") == "2");
  CHECK(annotation(v2.meta.annotations, "deployment.kubernetes.io/revision-history") == "<none>");
  CHECK(annotation(st.deployments.find("default", "web")->meta.annotations,
                   "deployment.kubernetes.io/revision") == "3");

  // And back to v2: revision 4, history "2". Once more to v1: 5, history "1,3".
  apply_web(st, 2, "web:v2");
  CHECK(annotation(replica_set_of_image(st, "web:v2").meta.annotations,
                   "deployment.kubernetes.io/revision-history") == "2");
  apply_web(st, 2, "web:v1");
  CHECK(annotation(replica_set_of_image(st, "web:v1").meta.annotations,
                   "deployment.kubernetes.io/revision") == "5");
  CHECK(annotation(replica_set_of_image(st, "web:v1").meta.annotations,
                   "deployment.kubernetes.io/revision-history") == "1,3");
}

TEST_CASE("a revision history longer than 2000 characters loses its oldest revisions",
          "[controllers][workloads]") {
  auto st = testing::state();
  apply_web(st, 1, "web:v1");
  apply_web(st, 1, "web:v2");
  // 400 revisions of four digits and their commas: 1999 characters.
  std::string history;
  for (int r = 1000; r < 1400; ++r) history += (history.empty() ? "" : ",") + std::to_string(r);
  REQUIRE(history.size() == 1999);
  const std::string name = replica_set_of_image(st, "web:v1").meta.name;
  st.replica_sets.find("default", name)
      ->meta.annotations.set("deployment.kubernetes.io/revision-history", history);
  apply_web(st, 1, "web:v1");
  // With the old revision "1" and its comma it would be 2001 characters: the oldest entry
  // ("1000" and its comma) goes.
  const std::string got = annotation(replica_set_of_image(st, "web:v1").meta.annotations,
                                     "deployment.kubernetes.io/revision-history");
  CHECK(got == history.substr(5) + ",1");
  CHECK(got.size() <= 2000);
}

TEST_CASE("a standalone ReplicaSet and a ReplicationController make <name>-<5> pods",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::replica_set("front").replicas(2));
  add(st, testing::replication_controller("legacy").replicas(3));
  controllers::reconcile(st);
  auto front = testing::pods_named(st, "front-");
  auto legacy = testing::pods_named(st, "legacy-");
  CHECK(front.size() == 2);
  CHECK(legacy.size() == 3);
  for (const auto* p : front) CHECK(p->meta.name.size() == std::string("front-").size() + 5);
  for (const auto* p : legacy) CHECK(p->meta.owner.kind == "ReplicationController");
  CHECK(testing::events_about(st, "legacy", "SuccessfulCreate").front()->source ==
        "replication-controller");
}

TEST_CASE("StatefulSet pods are their own hostname under the governing Service",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::stateful_set("db").replicas(2).service_name("db-headless"));
  controllers::reconcile(st);
  for (const auto* p : testing::pods_named(st, "db-")) {
    CHECK(p->spec->hostname == p->meta.name);
    CHECK(p->spec->subdomain == "db-headless");
    CHECK(*p->meta.labels.get("statefulset.kubernetes.io/pod-name") == p->meta.name);
  }
  auto created = testing::events_about(st, "db", "SuccessfulCreate");
  REQUIRE(created.size() == 2);
  CHECK(created[0]->message() == "create Pod db-0 in StatefulSet db successful");
}

TEST_CASE("scaling a StatefulSet down removes the highest ordinals", "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::stateful_set("db").replicas(3));
  controllers::reconcile(st);
  st.stateful_sets.find("default", "db")->replicas = 1;
  controllers::reconcile(st);
  auto pods = testing::pods_named(st, "db-");
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]->meta.name == "db-0");
}

TEST_CASE("a DaemonSet runs one pod on every node its selector admits",
          "[controllers][workloads]") {
  auto st = testing::state(testing::cluster().node("a").node("b").node("c"));
  add(st, testing::daemon_set("agent"));
  add(st, testing::daemon_set("gpu").node_selector("kubernetes.io/hostname", "b"));
  controllers::reconcile(st);
  auto agents = testing::pods_named(st, "agent-");
  REQUIRE(agents.size() == 3);
  std::set<std::string> nodes;
  for (const auto* p : agents) nodes.insert(p->node_name);
  CHECK(nodes == std::set<std::string>{"a", "b", "c"});
  auto gpu = testing::pods_named(st, "gpu-");
  REQUIRE(gpu.size() == 1);
  CHECK(gpu[0]->node_name == "b");
}

TEST_CASE("deleting a Deployment collects its ReplicaSet and pods", "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2));
  controllers::reconcile(st);
  st.deployments.erase("default", "web");
  controllers::reconcile(st);
  CHECK(user_replica_sets(st).empty());
  CHECK(testing::pods_named(st, "web-").empty());
}

TEST_CASE("a pod from a manifest naming a missing owner is left alone",
          "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::pod("orphan-abcde").owner("ReplicaSet", "gone").at("dump.yaml", 1));
  controllers::reconcile(st);
  CHECK(st.pods.find("default", "orphan-abcde") != nullptr);
}

TEST_CASE("settling ends the pods that were terminating", "[controllers][workloads]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(3));
  controllers::reconcile(st);
  st.deployments.find("default", "web")->replicas = 1;
  controllers::reconcile(st, {.settle = false});
  REQUIRE(testing::pods_named(st, "web-").size() == 3);
  controllers::reconcile(st);
  auto pods = testing::pods_named(st, "web-");
  REQUIRE(pods.size() == 1);
  CHECK_FALSE(pods[0]->meta.deletion.has_value());
}
