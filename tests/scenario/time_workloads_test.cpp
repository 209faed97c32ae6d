// Scaling and rolling updates over simulated time, CoreDNS's cache, and determinism.
#include <algorithm>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "podhop/dataplane/dns.hpp"
#include "podhop/dataplane/network.hpp"
#include "time_support.hpp"

using namespace podhop;
using namespace podhop::time_testing;

namespace {

const std::string kTiming = "containerStart: 1s, controllerDelay: 100ms, endpointPropagation: 1s";

int ready_count(const Simulation& sim, std::string_view prefix) {
  int n = 0;
  for (const auto* p : pods_of(sim, prefix)) n += p->status.ready ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("scale up adds pods that start and become ready", "[scenario][time]") {
  auto sim = loaded(cluster(2, kTiming) + "---\n" + web("web", 1));
  auto r = sim.scale("deployment", "web", 3);
  CHECK(r.ok);
  CHECK(r.message == "deployment.apps/web scaled");
  CHECK(pods_of(sim, "web-").size() == 1);  // the controller has not reacted yet
  sim.run_until(at(0.1));
  CHECK(pods_of(sim, "web-").size() == 3);
  CHECK(ready_count(sim, "web-") == 1);
  sim.run_until(at(1.1));
  CHECK(ready_count(sim, "web-") == 3);
  // The new pods are spread over both nodes and have distinct IPs.
  auto pods = pods_of(sim, "web-");
  CHECK(pods[0]->status.pod_ip != pods[1]->status.pod_ip);
  CHECK(pods[1]->status.pod_ip != pods[2]->status.pod_ip);
}

TEST_CASE("scale down terminates the extra pods", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 3));
  REQUIRE(sim.scale("deploy", "web", 1).ok);
  sim.run_until(at(0.1));
  CHECK(pods_of(sim, "web-").size() == 1);
  CHECK(all_pods_of(sim, "web-").size() == 1);  // no preStop: gone at once
  const auto* rs =
      sim.state().replica_sets.items().empty() ? nullptr : &sim.state().replica_sets.items().back();
  REQUIRE(rs != nullptr);
  CHECK(rs->replicas == 1);
}

TEST_CASE("scale answers kubectl's errors", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 1));
  CHECK(sim.scale("deployment", "nope", 2).message ==
        "Error from server (NotFound): deployments.apps \"nope\" not found");
  CHECK_FALSE(sim.scale("deployment", "web", -1).ok);
  CHECK_FALSE(sim.scale("service", "web", 2).ok);
  CHECK(sim.delete_object("gizmo", "x").message ==
        "error: the server doesn't have a resource type \"gizmo\"");
}

TEST_CASE("a rollout with maxSurge 1 and maxUnavailable 0 never has fewer ready pods than replicas",
          "[scenario][time]") {
  const std::string probe =
      "        readinessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: 2, "
      "periodSeconds: 1}\n";
  const std::string strategy =
      "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n";
  auto sim = loaded(cluster(2, kTiming) + "---\n" + web("web", 3, probe, strategy));
  REQUIRE(ready_count(sim, "web-") == 3);
  CHECK(sim.rollout_complete("web"));

  auto r = sim.rollout("web", "example/web:v2");
  CHECK(r.ok);
  CHECK(r.message == "deployment.apps/web image updated");
  CHECK_FALSE(sim.rollout_complete("web"));

  int most = 0;
  bool done = false;
  for (int step = 1; step <= 400 && !done; ++step) {
    sim.run_until(at(step * 0.05));
    const int ready = ready_count(sim, "web-");
    const auto live = static_cast<int>(pods_of(sim, "web-").size());
    INFO("t=" << step * 0.05 << "s");
    CHECK(ready >= 3);
    CHECK(live <= 4);  // replicas + maxSurge
    most = std::max(most, live);
    done = sim.rollout_complete("web");
  }
  CHECK(done);
  CHECK(most == 4);
  auto pods = pods_of(sim, "web-");
  REQUIRE(pods.size() == 3);
  for (const auto* p : pods) CHECK(p->spec->containers[0].image == "example/web:v2");
  // Two ReplicaSets: the old one kept at 0 as revision history.
  int old_at_zero = 0;
  for (const auto& rs : sim.state().replica_sets.items())
    if (rs.meta.owner.name == "web" && rs.replicas == 0) ++old_at_zero;
  CHECK(old_at_zero == 1);
}

TEST_CASE("rolling back to the earlier image raises its ReplicaSet's revision",
          "[scenario][time]") {
  // Over time, as settled: v1 is revision 1, v2 revision 2, v1 again revision 3 with v1's old
  // revision kept in revision-history (deploymentutil.SetNewReplicaSetAnnotations).
  auto sim = loaded(cluster(2, kTiming) + "---\n" + web("web", 2));
  const std::string v1 = pods_of(sim, "web-").front()->spec->containers[0].image;
  auto revision_of = [&](std::string_view image, std::string_view key) -> std::string {
    for (const auto& rs : sim.state().replica_sets.items())
      if (rs.meta.owner.name == "web" && rs.pod_template.spec->containers[0].image == image) {
        const std::string* v = rs.meta.annotations.get(key);
        return v != nullptr ? *v : "<none>";
      }
    return "<no ReplicaSet>";
  };
  auto deployment_revision = [&] {
    return *sim.state()
                .deployments.find("default", "web")
                ->meta.annotations.get("deployment.kubernetes.io/revision");
  };
  CHECK(deployment_revision() == "1");
  REQUIRE(sim.rollout("web", "example/web:v2").ok);
  sim.run_until(at(10));
  REQUIRE(sim.rollout_complete("web"));
  CHECK(revision_of("example/web:v2", "deployment.kubernetes.io/revision") == "2");
  CHECK(deployment_revision() == "2");

  REQUIRE(sim.rollout("web", v1).ok);
  sim.run_until(at(20));
  REQUIRE(sim.rollout_complete("web"));
  CHECK(revision_of(v1, "deployment.kubernetes.io/revision") == "3");
  CHECK(revision_of(v1, "deployment.kubernetes.io/revision-history") == "1");
  CHECK(revision_of("example/web:v2", "deployment.kubernetes.io/revision") == "2");
  CHECK(deployment_revision() == "3");
  // Both ReplicaSets were scaled during the rollouts: each carries the Deployment's counts.
  CHECK(revision_of("example/web:v2", "deployment.kubernetes.io/desired-replicas") == "2");
  CHECK(revision_of(v1, "deployment.kubernetes.io/max-replicas") == "3");
}

TEST_CASE("rollout undo goes back to the previous revision, or to the one named",
          "[scenario][time]") {
  auto sim = loaded(cluster(2, kTiming) + "---\n" + web("web", 2));
  const std::string v1 = pods_of(sim, "web-").front()->spec->containers[0].image;
  auto images = [&] {
    std::set<std::string> out;
    for (const auto* p : pods_of(sim, "web-")) out.insert(p->spec->containers[0].image);
    return out;
  };
  auto deployment_revision = [&] {
    return *sim.state()
                .deployments.find("default", "web")
                ->meta.annotations.get("deployment.kubernetes.io/revision");
  };
  // kubectl's errors: nothing to go back to yet; a revision that never was.
  CHECK(sim.rollout_undo("web").message ==
        "error: no rollout history found for deployment \"web\"");
  CHECK(sim.rollout_undo("web", 7).message ==
        "error: unable to find specified revision 7 in history");
  CHECK(sim.rollout_undo("nope").message ==
        "Error from server (NotFound): deployments.apps \"nope\" not found");

  REQUIRE(sim.rollout("web", "example/web:v2").ok);
  sim.run_until(at(10));
  REQUIRE(sim.rollout("web", "example/web:v3").ok);
  sim.run_until(at(20));
  REQUIRE(sim.rollout_complete("web"));
  CHECK(deployment_revision() == "3");

  // Undo: back to v2 (revision 2), which becomes revision 4.
  auto r = sim.rollout_undo("web");
  CHECK(r.ok);
  CHECK(r.message == "deployment.apps/web rolled back");
  // The Deployment shows its new template at once, though terminated pods of the earlier
  // rollouts make state() a filtered copy.
  CHECK(sim.state().deployments.find("default", "web")->pod_template.spec->containers[0].image ==
        "example/web:v2");
  REQUIRE(sim.scale("deployment", "web", 3).ok);
  CHECK(sim.state().deployments.find("default", "web")->replicas == 3);
  sim.run_until(at(30));
  REQUIRE(sim.rollout_complete("web"));
  CHECK(images() == std::set<std::string>{"example/web:v2"});
  CHECK(deployment_revision() == "4");

  // To revision 1 by number: v1 again, as revision 5.
  CHECK(sim.rollout_undo("web", 1).message == "deployment.apps/web rolled back");
  sim.run_until(at(40));
  REQUIRE(sim.rollout_complete("web"));
  CHECK(images() == std::set<std::string>{v1});
  CHECK(deployment_revision() == "5");
  // Revision 5 is what runs: going "back" to it changes nothing.
  CHECK(sim.rollout_undo("web", 5).message ==
        "deployment.apps/web skipped rollback (current template already matches revision 5)");
  // Undo twice swaps between the two newest revisions, as kubectl does: 5 (v1) and 4 (v2).
  CHECK(sim.rollout_undo("web").ok);
  sim.run_until(at(50));
  CHECK(images() == std::set<std::string>{"example/web:v2"});
  CHECK(deployment_revision() == "6");
}

TEST_CASE("a rollout with the default 25% surge and unavailability finishes", "[scenario][time]") {
  auto sim = loaded(cluster(2, kTiming) + "---\n" + web("web", 4));
  REQUIRE(sim.rollout("web", "example/web:v2").ok);
  // 25% of 4: one pod over and one pod under at most.
  for (int step = 1; step <= 100; ++step) {
    sim.run_until(at(step * 0.1));
    CHECK(pods_of(sim, "web-").size() <= 5);
    CHECK(ready_count(sim, "web-") >= 3);
  }
  CHECK(sim.rollout_complete("web"));
}

TEST_CASE("a Recreate rollout stops every old pod before starting new ones", "[scenario][time]") {
  auto sim =
      loaded(cluster(1, kTiming) + "---\n" + web("web", 2, "", "  strategy: {type: Recreate}\n"));
  REQUIRE(sim.rollout("web", "example/web:v2", "default", "web").ok);
  sim.run_until(at(0.1));
  CHECK(pods_of(sim, "web-").empty());
  sim.run_until(at(0.3));
  CHECK(pods_of(sim, "web-").size() == 2);
  sim.run_until(at(1.5));
  CHECK(sim.rollout_complete("web"));
  CHECK(sim.rollout("web", "x", "default", "nope").message ==
        "error: unable to find container named \"nope\"");
}

TEST_CASE("apply adds a Service and a Deployment at the current time", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming));
  sim.run_until(at(5));
  auto report = sim.apply_text(web("late", 2), "late.yaml");
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  const auto* svc = sim.state().services.find("default", "late");
  REQUIRE(svc != nullptr);
  CHECK_FALSE(svc->spec.cluster_ip.empty());
  CHECK(svc->meta.created == at(5));
  CHECK(pods_of(sim, "late-").size() == 2);
  CHECK(ready_count(sim, "late-") == 0);
  sim.run_until(at(6));
  CHECK(ready_count(sim, "late-") == 2);
  // Re-applying keeps the Service's cluster IP.
  const core::Ipv4 ip = svc->spec.cluster_ip;
  REQUIRE(sim.apply_text(web("late", 2), "late.yaml").ok());
  CHECK(sim.state().services.find("default", "late")->spec.cluster_ip == ip);
  CHECK(ready_count(sim, "late-") == 2);
  // A broken document changes nothing.
  auto bad =
      sim.apply_text("apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\n", "bad.yaml");
  CHECK_FALSE(bad.ok());
}

TEST_CASE("deleting a Deployment terminates its pods", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 2));
  auto r = sim.delete_object("deployment", "web");
  CHECK(r.message == "deployment.apps \"web\" deleted from default namespace");
  sim.run_until(at(0.1));
  CHECK(pods_of(sim, "web-").empty());
  CHECK(sim.state().replica_sets.find("default", "web") == nullptr);
}

TEST_CASE("the CoreDNS cache hides a change until the TTL expires", "[scenario][time]") {
  // A headless Service answers with its ready pods' IPs; with the old Corefile's cache the
  // answer lasts 30 s (the kubernetes plugin's ttl 30).
  const std::string headless = R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)";
  auto sim = loaded(cluster(1, kTiming + ", dnsCache: 30s") + "---\n" + web("web", 2) + "---\n" +
                    headless);
  auto& net = sim.network();
  // Slots move when gone pods are compacted away: find CoreDNS's slot each time, in the
  // table the network reads.
  auto coredns = [&] {
    const auto& pods = net.state().pods;
    for (std::uint32_t s = 0; s < pods.size(); ++s)
      if (pods[s].meta.name.starts_with("coredns-")) return s;
    FAIL("no CoreDNS pod");
    return 0u;
  };
  const dataplane::DnsQuery q{"db.default.svc.cluster.local.", dataplane::DnsType::A};

  sim.run_until(at(1));
  auto first = net.dns_answer(coredns(), q, sim.now());
  REQUIRE(first.answer.size() == 2);

  REQUIRE(sim.scale("deployment", "web", 1).ok);
  sim.run_until(at(2));
  // The zone already has one address; the cache still gives two, with less TTL left.
  CHECK(net.dns_server().answer(q).answer.size() == 1);
  auto cached = net.dns_answer(coredns(), q, sim.now());
  CHECK(cached.answer.size() == 2);
  CHECK(cached.answer[0].ttl == 29);
  sim.run_until(at(30.9));
  CHECK(net.dns_answer(coredns(), q, sim.now()).answer.size() == 2);
  sim.run_until(at(31));
  CHECK(net.dns_answer(coredns(), q, sim.now()).answer.size() == 1);
}

TEST_CASE("without dnsCache CoreDNS answers from the zone every time", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 1));
  std::uint32_t coredns = 0;
  for (std::uint32_t s = 0; s < sim.network().state().pods.size(); ++s)
    if (sim.network().state().pods[s].meta.name.starts_with("coredns-")) coredns = s;
  const dataplane::DnsQuery q{"late.default.svc.cluster.local.", dataplane::DnsType::A};
  CHECK(sim.network().dns_answer(coredns, q, sim.now()).nxdomain());
  REQUIRE(sim.apply_text(web("late", 1)).ok());
  CHECK(sim.network().dns_answer(coredns, q, sim.now()).answer.size() == 1);
}

TEST_CASE("the same seed gives the same sequence of cluster events", "[scenario][time]") {
  auto run = [](std::uint64_t seed) {
    auto sim = loaded(cluster(3,
                              "containerStart: 1s, controllerDelay: 100ms, "
                              "endpointPropagation: 1s, propagationJitter: 2s") +
                          "---\n" +
                          web("web", 3,
                              "        readinessProbe: {tcpSocket: {port: 8080}, "
                              "initialDelaySeconds: 1}\n"),
                      seed);
    EventLog log;
    sim.set_cluster_observer(&log);
    REQUIRE(sim.rollout("web", "example/web:v2").ok);
    sim.run_until(at(3));
    REQUIRE(sim.delete_object("pod", pods_of(sim, "web-").front()->meta.name).ok);
    REQUIRE(sim.scale("deployment", "web", 5).ok);
    sim.run_until_idle(at(120));
    CHECK(sim.rollout_complete("web"));
    sim.set_cluster_observer(nullptr);
    return log.lines;
  };
  auto a = run(7);
  auto b = run(7);
  CHECK(a.size() > 20);
  CHECK(a == b);
  auto c = run(8);
  CHECK(a != c);  // pod names and each node's sync jitter come from the seed
}
