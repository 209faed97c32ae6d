// Pods over simulated time, through the public facade: start, readiness, graceful
// termination, replacement, and the lag before each node's kube-proxy sees a change.
#include <string>

#include <catch2/catch.hpp>

#include "cli/printers.hpp"
#include "time_support.hpp"

using namespace podhop;
using namespace podhop::time_testing;
using dataplane::ClientRef;

namespace {

const std::string kTiming =
    "containerStart: 1s, controllerDelay: 100ms, endpointPropagation: 1s, ingressPropagation: 1s";

std::string service_url(const Simulation& sim, std::string_view svc) {
  const auto* s = sim.state().services.find("default", svc);
  REQUIRE(s != nullptr);
  return fmt::format("http://{}/", s->spec.cluster_ip.str());
}

// A curl from node-1 to the Service's cluster IP, giving up after 1 s.
ExecResult curl_service(Simulation& sim, std::string_view svc) {
  return sim.curl({"-s", "--connect-timeout", "1", service_url(sim, svc)},
                  ClientRef::node("node-1"));
}

}  // namespace

TEST_CASE("a pod with a readinessProbe is not an endpoint before initialDelay and is one after",
          "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming));
  const std::string probe =
      "        readinessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: 5, "
      "periodSeconds: 2}\n";
  auto report = sim.apply_text(web("web", 1, probe), "web.yaml");
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());

  auto pods = pods_of(sim, "web-");
  REQUIRE(pods.size() == 1);
  const std::string name = pods[0]->meta.name;
  const core::Ipv4 ip = pods[0]->status.pod_ip;
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::container_creating);
  CHECK(cli::pod_status_text(*pods[0]) == "ContainerCreating");
  CHECK(cli::ready_containers(*pods[0]) == 0);

  // Containers run 1 s after the pod was created; the probe first passes 5 s later.
  sim.run_until(at(1.5));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::running);
  CHECK(cli::pod_status_text(*pods_of(sim, "web-")[0]) == "Running");
  const auto* ep = endpoint_of(sim, "web", ip);
  REQUIRE(ep != nullptr);
  CHECK_FALSE(ep->conditions.is_ready());
  CHECK(curl_service(sim, "web").exit_code == 7);  // no ready endpoint: REJECT

  sim.run_until(at(5.9));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::running);
  sim.run_until(at(6.05));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::ready);
  CHECK(cli::ready_containers(*pods_of(sim, "web-")[0]) == 1);
  // The EndpointSlice controller writes it 100 ms later...
  CHECK_FALSE(endpoint_of(sim, "web", ip)->conditions.is_ready());
  sim.run_until(at(6.2));
  CHECK(endpoint_of(sim, "web", ip)->conditions.is_ready());
  // ...and node-1's kube-proxy programs it 1 s after that.
  CHECK(curl_service(sim, "web").exit_code == 7);
  sim.run_until(at(7.2));
  auto r = curl_service(sim, "web");
  CHECK(r.exit_code == 0);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].served_by == "default/" + name);
}

TEST_CASE("a pod without a readinessProbe is ready when its containers start", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming));
  REQUIRE(sim.apply_text(web("web", 1)).ok());
  const std::string name = pods_of(sim, "web-")[0]->meta.name;
  sim.run_until(at(0.99));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::container_creating);
  sim.run_until(at(1.0));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::ready);
}

TEST_CASE("a successThreshold of 3 makes a pod ready two periods after the first probe",
          "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming));
  const std::string probe =
      "        readinessProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 2, "
      "periodSeconds: 3, successThreshold: 3}\n";
  REQUIRE(sim.apply_text(web("web", 1, probe)).ok());
  const std::string name = pods_of(sim, "web-")[0]->meta.name;
  // started 1 s, probes at 3 s, 6 s, 9 s: ready at 9 s.
  sim.run_until(at(8.9));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::running);
  sim.run_until(at(9.0));
  CHECK(sim.pod_lifecycle(name) == PodLifecycle::ready);
}

TEST_CASE("a deleted pod's endpoint turns terminating then disappears", "[scenario][time]") {
  const std::string pre_stop = "        lifecycle: {preStop: {exec: {command: [sleep, '5']}}}\n";
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 2, pre_stop));
  auto pods = pods_of(sim, "web-");
  REQUIRE(pods.size() == 2);
  const std::string victim = pods[0]->meta.name;
  const core::Ipv4 ip = pods[0]->status.pod_ip;
  REQUIRE(endpoint_of(sim, "web", ip)->conditions.is_ready());

  sim.run_until(at(10));
  auto del = sim.delete_object("pod", victim);
  CHECK(del.ok);
  CHECK(del.message == "pod \"" + victim + "\" deleted from default namespace");
  CHECK(sim.pod_lifecycle(victim) == PodLifecycle::terminating);
  const auto* pod = sim.state().pods.find("default", victim);
  REQUIRE(pod != nullptr);
  CHECK(cli::pod_status_text(*pod) == "Terminating");

  sim.run_until(at(10.2));
  const auto* ep = endpoint_of(sim, "web", ip);
  REQUIRE(ep != nullptr);
  CHECK_FALSE(ep->conditions.is_ready());
  CHECK(ep->conditions.is_serving());
  CHECK(ep->conditions.is_terminating());

  // preStop sleeps 5 s; then SIGTERM, the echo server exits, and the pod is gone.
  sim.run_until(at(14.9));
  CHECK(sim.pod_lifecycle(victim) == PodLifecycle::terminating);
  sim.run_until(at(15.0));
  CHECK(sim.pod_lifecycle(victim) == PodLifecycle::not_found);
  CHECK(sim.state().pods.find("default", victim) == nullptr);
  sim.run_until(at(15.2));
  CHECK(endpoint_of(sim, "web", ip) == nullptr);
  CHECK(sim.exec(victim, {"hostname"}).exit_code == 1);
}

TEST_CASE("terminationGracePeriodSeconds cuts a longer preStop sleep short", "[scenario][time]") {
  const std::string pre_stop = "        lifecycle: {preStop: {sleep: {seconds: 60}}}\n";
  auto sim = loaded(cluster(1, kTiming) + "---\n" +
                    web("web", 1, pre_stop, "", "      terminationGracePeriodSeconds: 3\n"));
  const std::string victim = pods_of(sim, "web-")[0]->meta.name;
  REQUIRE(sim.delete_object("po", victim).ok);
  sim.run_until(at(2.9));
  CHECK(sim.pod_lifecycle(victim) == PodLifecycle::terminating);
  sim.run_until(at(3.0));
  CHECK(sim.pod_lifecycle(victim) == PodLifecycle::not_found);
}

TEST_CASE("the replacement pod has a new name and IP", "[scenario][time]") {
  auto sim = loaded(cluster(1, kTiming) + "---\n" + web("web", 1));
  const auto* old = pods_of(sim, "web-")[0];
  const std::string old_name = old->meta.name;
  const core::Ipv4 old_ip = old->status.pod_ip;
  REQUIRE(sim.delete_object("pod", old_name).ok);
  // The ReplicaSet controller reacts after its delay.
  sim.run_until(at(0.05));
  CHECK(pods_of(sim, "web-").empty());
  sim.run_until(at(0.1));
  auto now = pods_of(sim, "web-");
  REQUIRE(now.size() == 1);
  const std::string new_name = now[0]->meta.name;
  CHECK(new_name != old_name);
  CHECK(new_name.starts_with("web-"));
  CHECK(now[0]->status.pod_ip != old_ip);
  CHECK_FALSE(now[0]->status.pod_ip.empty());
  CHECK(sim.pod_lifecycle(new_name) == PodLifecycle::container_creating);
  sim.run_until(at(1.1));
  CHECK(sim.pod_lifecycle(new_name) == PodLifecycle::ready);
  CHECK(sim.delete_object("pod", old_name).message ==
        "Error from server (NotFound): pods \"" + old_name + "\" not found");
}

TEST_CASE("a node's kube-proxy still routes to the old endpoint until its lag has passed",
          "[scenario][time]") {
  auto sim = loaded(cluster(1,
                            "containerStart: 1s, controllerDelay: 100ms, "
                            "endpointPropagation: 3s") +
                    "---\n" + web("web", 1));
  const std::string old_name = pods_of(sim, "web-")[0]->meta.name;
  const core::Ipv4 old_ip = pods_of(sim, "web-")[0]->status.pod_ip;
  REQUIRE(curl_service(sim, "web").exit_code == 0);

  const core::SimTime t0 = sim.now();
  REQUIRE(sim.delete_object("pod", old_name).ok);
  // No preStop: the pod is gone at once, but node-1's rules still name its IP. A new
  // connection is DNATed there and nobody answers the SYN.
  sim.run_until(t0 + core::Duration::millis(500));
  const std::uint64_t programmed = sim.proxy_generation("node-1");
  CHECK(programmed < sim.data_plane_generation());
  auto r = curl_service(sim, "web");
  CHECK(r.exit_code == 28);
  REQUIRE(r.requests.size() == 1);
  CHECK_FALSE(r.requests[0].served_by.has_value());
  bool dnat_to_old = false;
  for (const auto& h : r.hops)
    dnat_to_old = dnat_to_old ||
                  (h.stage == "kube-proxy" && h.detail.find(old_ip.str()) != std::string::npos);
  CHECK(dnat_to_old);

  // The sync 100 ms after the deletion reaches node-1 3 s later; by then the replacement
  // (started at 1.1 s) is ready and its own sync has been programmed too.
  sim.run_until(t0 + core::Duration::millis(3200));
  CHECK(sim.proxy_generation("node-1") > programmed);
  sim.run_until(t0 + core::Duration::millis(4300));
  r = curl_service(sim, "web");
  CHECK(r.exit_code == 0);
  REQUIRE(r.requests.size() == 1);
  CHECK(r.requests[0].served_by == "default/" + pods_of(sim, "web-")[0]->meta.name);
}

TEST_CASE("each node programs a change at its own time with propagation jitter",
          "[scenario][time]") {
  auto sim = loaded(cluster(3,
                            "containerStart: 1s, controllerDelay: 100ms, "
                            "endpointPropagation: 1s, propagationJitter: 2s") +
                    "---\n" + web("web", 3));
  REQUIRE(sim.scale("deployment", "web", 1).ok);
  sim.run_until(at(0.1));  // the sync that turns two endpoints terminating
  const std::uint64_t wanted = sim.data_plane_generation();
  std::vector<double> when(3, -1);
  for (int step = 1; step <= 40; ++step) {
    sim.run_until(at(0.1 + step * 0.1));
    for (int n = 0; n < 3; ++n)
      if (when[static_cast<std::size_t>(n)] < 0 &&
          sim.proxy_generation(fmt::format("node-{}", n + 1)) >= wanted)
        when[static_cast<std::size_t>(n)] = 0.1 + step * 0.1;
  }
  for (double w : when) {
    CHECK(w >= 1.1 - 1e-9);
    CHECK(w <= 3.2 + 1e-9);
  }
  CHECK_FALSE((when[0] == when[1] && when[1] == when[2]));
}

TEST_CASE("kubectl get pods shows each phase of a pod's life", "[scenario][time]") {
  const std::string probe =
      "        readinessProbe: {httpGet: {path: /, port: 8080}, initialDelaySeconds: 2}\n";
  auto sim = loaded(cluster(1, kTiming));
  REQUIRE(sim.apply_text(web("web", 1, probe)).ok());
  const std::string name = pods_of(sim, "web-")[0]->meta.name;
  auto status = [&] {
    const auto* p = sim.state().pods.find("default", name);
    if (p == nullptr) return std::string("<none>");
    return fmt::format("{}/{} {}", cli::ready_containers(*p), cli::container_count(*p),
                       cli::pod_status_text(*p));
  };
  CHECK(status() == "0/1 ContainerCreating");
  sim.run_until(at(1));
  CHECK(status() == "0/1 Running");
  sim.run_until(at(3));
  CHECK(status() == "1/1 Running");
  REQUIRE(sim.delete_object("pod", name).ok);
  CHECK(status() == "1/1 Terminating");
  sim.run_until(at(3.5));
  CHECK(status() == "<none>");
}
