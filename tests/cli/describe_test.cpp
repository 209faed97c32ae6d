// `podhop describe` on hand-built clusters: kubectl's layout for Services, pods, Ingresses,
// Endpoints, Deployments and nodes.
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/context.hpp"
#include "state_builders.hpp"

using namespace podhop;
using namespace podhop::cli;
using namespace podhop::cli::testing;

namespace {

std::pair<int, std::string> describe(const model::ClusterState& s, std::vector<std::string> args,
                                     std::string* err_text = nullptr) {
  DescribeRequest req;
  req.args = std::move(args);
  std::ostringstream out, err;
  int code = run_describe(s, req, out, err);
  if (err_text) *err_text = err.str();
  return {code, out.str()};
}

}  // namespace

TEST_CASE("describe service prints kubectl's fields aligned as kubectl aligns them", "[cli]") {
  auto s = seed_like_state();
  auto [code, out] = describe(s, {"svc", "app1-svc"});
  CHECK(code == 0);
  CHECK(out ==
        "Name:                     app1-svc\n"
        "Namespace:                default\n"
        "Labels:                   <none>\n"
        "Annotations:              <none>\n"
        "Selector:                 app=app1\n"
        "Type:                     ClusterIP\n"
        "IP Family Policy:         SingleStack\n"
        "IP Families:              IPv4\n"
        "IP:                       10.96.0.12\n"
        "IPs:                      10.96.0.12\n"
        "Port:                     <unset>  8888/TCP\n"
        "TargetPort:               8080/TCP\n"
        "Endpoints:                10.244.0.5:8080\n"
        "Session Affinity:         None\n"
        "Internal Traffic Policy:  Cluster\n"
        "Events:                   <none>\n");
}

TEST_CASE("describe service shows the NodePort and the external traffic policy", "[cli]") {
  auto s = seed_like_state();
  auto [code, out] = describe(s, {"service/app1-nodeport"});
  CHECK(out.find("NodePort:                 <unset>  30008/TCP\n") != std::string::npos);
  CHECK(out.find("External Traffic Policy:  Cluster\n") != std::string::npos);
}

TEST_CASE("describe lists the object's events as a table", "[cli]") {
  auto s = seed_like_state();
  s.events.record({.kind = "Service",
                   .namespace_ = "default",
                   .name = "app1-svc",
                   .reason = "Created",
                   .message = "created by podhop",
                   .source = "service-controller"});
  auto [code, out] = describe(s, {"svc", "app1-svc"});
  CHECK(out.find("Internal Traffic Policy:  Cluster\n"
                 "Events:\n"
                 "  Type    Reason   Age   From                Message\n"
                 "  ----    ------   ----  ----                -------\n"
                 "  Normal  Created  0s    service-controller  created by podhop\n") !=
        std::string::npos);
}

TEST_CASE("describe pod shows node, IPs, containers, environment and conditions", "[cli]") {
  auto s = seed_like_state();
  auto pod = *s.pods.find("default", "app1");
  auto spec = std::make_shared<model::PodSpec>(*pod.spec);
  spec->containers[0].env = {{"APP2_HOST", "app2-svc"}, {"APP2_PORT", "9999"}};
  pod.spec = spec;
  s.pods.upsert(pod);
  auto [code, out] = describe(s, {"pod", "app1"});
  CHECK(code == 0);
  CHECK(out.rfind("Name:             app1\n"
                  "Namespace:        default\n"
                  "Priority:         0\n"
                  "Service Account:  default\n"
                  "Node:             minikube/192.168.49.2\n"
                  "Start Time:       Wed, 01 Jan 2025 00:00:00 +0000\n"
                  "Labels:           app=app1\n"
                  "Annotations:      <none>\n"
                  "Status:           Running\n"
                  "IP:               10.244.0.5\n"
                  "IPs:\n"
                  "  IP:  10.244.0.5\n"
                  "Containers:\n"
                  "  app1:\n",
                  0) == 0);
  CHECK(out.find("    Image:          app:v1\n") != std::string::npos);
  CHECK(out.find("    Port:           8080/TCP\n") != std::string::npos);
  CHECK(out.find("    Environment:\n      APP2_HOST:  app2-svc\n      APP2_PORT:  9999\n") !=
        std::string::npos);
  CHECK(out.find("Conditions:\n"
                 "  Type                        Status\n"
                 "  PodReadyToStartContainers   True \n"
                 "  Initialized                 True \n"
                 "  Ready                       True \n"
                 "  ContainersReady             True \n"
                 "  PodScheduled                True \n") != std::string::npos);
}

TEST_CASE("describe ingress shows the rules with each backend's endpoints", "[cli]") {
  auto s = seed_like_state();
  auto [code, out] = describe(s, {"ing", "app-ingress"});
  CHECK(out ==
        "Name:             app-ingress\n"
        "Labels:           <none>\n"
        "Namespace:        default\n"
        "Address:          192.168.49.2\n"
        "Ingress Class:    nginx\n"
        "Default backend:  <default>\n"
        "Rules:\n"
        "  Host        Path  Backends\n"
        "  ----        ----  --------\n"
        "  app.test    \n"
        "              /app1   app1-svc:8888 (10.244.0.5:8080)\n"
        "Annotations:  <none>\n"
        "Events:       <none>\n");
}

TEST_CASE("describe ingress names a missing backend Service", "[cli]") {
  auto s = seed_like_state();
  s.ingresses.find("default", "app-ingress")->spec.rules[0].paths[0].backend.service->name = "gone";
  auto [code, out] = describe(s, {"ing", "app-ingress"});
  CHECK(out.find("/app1   gone:8888 (<error: endpoints \"gone\" not found>)\n") !=
        std::string::npos);
}

TEST_CASE("describe endpoints lists the subsets and their ports", "[cli]") {
  auto s = seed_like_state();
  auto [code, out] = describe(s, {"ep", "app1-svc"});
  CHECK(out ==
        "Name:         app1-svc\n"
        "Namespace:    default\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "Subsets:\n"
        "  Addresses:          10.244.0.5\n"
        "  NotReadyAddresses:  <none>\n"
        "  Ports:\n"
        "    Name     Port  Protocol\n"
        "    ----     ----  --------\n"
        "    <unset>  8080  TCP\n"
        "\n"
        "Events:  <none>\n");
}

TEST_CASE("describe node shows roles, addresses and the pods on it", "[cli]") {
  auto s = seed_like_state();
  auto [code, out] = describe(s, {"node", "minikube"});
  CHECK(out.rfind("Name:               minikube\nRoles:              control-plane\n", 0) == 0);
  CHECK(out.find("  InternalIP:  192.168.49.2\n  Hostname:    minikube\n") != std::string::npos);
  CHECK(out.find("Non-terminated Pods:          (2 in total)\n") != std::string::npos);
  CHECK(out.find("  default                     app1") != std::string::npos);
}

TEST_CASE("describe deployment shows replicas, the template and its ReplicaSet", "[cli]") {
  auto s = seed_like_state();
  model::Deployment d;
  d.meta = meta("default", "web", {{"app", "web"}});
  d.replicas = 2;
  d.selector.match_labels = {{"app", "web"}};
  d.pod_template.labels = {{"app", "web"}};
  auto spec = std::make_shared<model::PodSpec>();
  spec->containers.push_back({.name = "web", .image = "nginx:1.27"});
  d.pod_template.spec = spec;
  s.deployments.upsert(d);
  model::ReplicaSet rs;
  rs.meta = meta("default", "web-7c9f8d6b5", {{"app", "web"}});
  rs.meta.owner = {"Deployment", "web"};
  rs.replicas = 2;
  s.replica_sets.upsert(rs);
  for (const char* name : {"web-7c9f8d6b5-abcde", "web-7c9f8d6b5-fghij"}) {
    auto p = running_pod("default", name, {{"app", "web"}}, "10.244.0.9", "minikube");
    p.meta.owner = {"ReplicaSet", "web-7c9f8d6b5"};
    s.pods.upsert(p);
  }
  auto [code, out] = describe(s, {"deploy", "web"});
  CHECK(out.find("Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 "
                 "unavailable\n") != std::string::npos);
  CHECK(out.find("RollingUpdateStrategy:  25% max unavailable, 25% max surge\n") !=
        std::string::npos);
  CHECK(out.find("Pod Template:\n  Labels:  app=web\n  Containers:\n   web:\n    Image:") !=
        std::string::npos);
  CHECK(out.find("NewReplicaSet:   web-7c9f8d6b5 (2/2 replicas created)\n") != std::string::npos);
}

TEST_CASE("describe a missing object is NotFound; a prefix describes every match", "[cli]") {
  auto s = seed_like_state();
  std::string err;
  auto [code, out] = describe(s, {"pod", "nope"}, &err);
  CHECK(code == 1);
  CHECK(err == "Error from server (NotFound): pods \"nope\" not found\n");
  auto [code2, both] = describe(s, {"pods", "app"});
  CHECK(code2 == 0);
  CHECK(both.find("Name:             app1\n") != std::string::npos);
  CHECK(both.find("\n\n\nName:             app2\n") != std::string::npos);
}
