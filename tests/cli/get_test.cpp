// `podhop get` on hand-built clusters: kubectl's columns, names, errors and formats.
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/context.hpp"
#include "state_builders.hpp"

using namespace podhop;
using namespace podhop::cli;
using namespace podhop::cli::testing;

namespace {

struct Run {
  int code = 0;
  std::string out, err;
};

Run get(const model::ClusterState& s, std::vector<std::string> args, std::string output = "",
        bool all_namespaces = false, std::string ns = "default", std::string selector = "") {
  GetRequest req;
  req.args = std::move(args);
  req.output = std::move(output);
  req.all_namespaces = all_namespaces;
  req.namespace_ = std::move(ns);
  req.selector = std::move(selector);
  std::ostringstream out, err;
  Run r;
  r.code = run_get(s, req, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("get pods prints kubectl's columns", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"pods"});
  CHECK(r.code == 0);
  CHECK(r.out ==
        "NAME   READY   STATUS    RESTARTS   AGE\n"
        "app1   1/1     Running   0          0s\n"
        "app2   1/1     Running   0          0s\n");
  CHECK(r.err.empty());
}

TEST_CASE("get pods -o wide adds IP, NODE, NOMINATED NODE and READINESS GATES", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"po"}, "wide");
  CHECK(r.out ==
        "NAME   READY   STATUS    RESTARTS   AGE   IP           NODE       NOMINATED NODE   "
        "READINESS GATES\n"
        "app1   1/1     Running   0          0s    10.244.0.5   minikube   <none>           "
        "<none>\n"
        "app2   1/1     Running   0          0s    10.244.0.6   minikube   <none>           "
        "<none>\n");
}

TEST_CASE("AGE counts from creation to the cluster's now", "[cli]") {
  auto s = seed_like_state();
  s.now = core::SimTime{0} + core::Duration::seconds(125);
  s.pods.find("default", "app2")->meta.created = core::SimTime{0} + core::Duration::seconds(5);
  auto r = get(s, {"pods"});
  CHECK(r.out.find("app1   1/1     Running   0          2m5s\n") != std::string::npos);
  CHECK(r.out.find("app2   1/1     Running   0          2m\n") != std::string::npos);
}

TEST_CASE("get services shows types, cluster IPs, external IPs and ports", "[cli]") {
  auto s = seed_like_state();
  auto lb = service("default", "web-lb", model::ServiceType::LoadBalancer, "10.96.0.30",
                    {port(80, 8080, 31000), port(443, 8443, 31001)});
  s.services.upsert(lb);
  auto headless =
      service("default", "db", model::ServiceType::ClusterIP, nullptr, {port(5432, 5432)});
  headless.spec.headless = true;
  s.services.upsert(headless);
  auto r = get(s, {"svc"});
  CHECK(
      r.out ==
      "NAME            TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE\n"
      "app1-nodeport   NodePort       10.96.0.20   <none>        8888:30008/TCP               0s\n"
      "app1-svc        ClusterIP      10.96.0.12   <none>        8888/TCP                     0s\n"
      "db              ClusterIP      None         <none>        5432/TCP                     0s\n"
      "example-svc     ExternalName   <none>       example.com   <none>                       0s\n"
      "web-lb          LoadBalancer   10.96.0.30   <pending>     80:31000/TCP,443:31001/TCP   "
      "0s\n");
  s.services.find("default", "web-lb")->load_balancer.push_back({.ip = ip("192.168.49.200")});
  auto wide = get(s, {"service", "web-lb"}, "wide");
  CHECK(wide.out ==
        "NAME     TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)                      AGE   "
        "SELECTOR\n"
        "web-lb   LoadBalancer   10.96.0.30   192.168.49.200   80:31000/TCP,443:31001/TCP   0s    "
        "<none>\n");
}

TEST_CASE("get endpoints joins addresses and cuts after three", "[cli]") {
  auto s = seed_like_state();
  s.endpoints.upsert(
      endpoints("default", "many",
                {"10.244.0.1", "10.244.0.2", "10.244.0.3", "10.244.0.4", "10.244.0.7"}, 80));
  s.endpoints.upsert(endpoints("default", "none", {}, 80));
  auto r = get(s, {"ep"});
  CHECK(r.out ==
        "NAME            ENDPOINTS                                               AGE\n"
        "app1-nodeport   10.244.0.5:8080                                         0s\n"
        "app1-svc        10.244.0.5:8080                                         0s\n"
        "many            10.244.0.1:80,10.244.0.2:80,10.244.0.3:80 + 2 more...   0s\n"
        "none            <none>                                                  0s\n");
}

TEST_CASE("get ingress shows class, hosts, address and ports", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"ing"});
  CHECK(r.out ==
        "NAME          CLASS   HOSTS      ADDRESS        PORTS   AGE\n"
        "app-ingress   nginx   app.test   192.168.49.2   80      0s\n");
  s.ingresses.find("default", "app-ingress")->spec.tls.push_back({{"app.test"}, "app-tls"});
  CHECK(get(s, {"ing"}).out.find("192.168.49.2   80, 443   0s") != std::string::npos);
}

TEST_CASE("get nodes shows the control-plane role and podhop's Kubernetes version", "[cli]") {
  auto s = seed_like_state();
  s.nodes.upsert(node("worker", "192.168.49.3", 1));
  auto r = get(s, {"nodes"});
  CHECK(r.out ==
        "NAME       STATUS   ROLES           AGE   VERSION\n"
        "minikube   Ready    control-plane   0s    v1.30.0\n"
        "worker     Ready    <none>          0s    v1.30.0\n");
}

TEST_CASE("get -A adds the NAMESPACE column", "[cli]") {
  auto s = seed_like_state();
  s.pods.upsert(running_pod("other", "client", {{"app", "client"}}, "10.244.0.7", "minikube"));
  auto r = get(s, {"pods"}, "", true);
  CHECK(r.out ==
        "NAMESPACE   NAME     READY   STATUS    RESTARTS   AGE\n"
        "default     app1     1/1     Running   0          0s\n"
        "default     app2     1/1     Running   0          0s\n"
        "other       client   1/1     Running   0          0s\n");
}

TEST_CASE("get -l keeps the objects whose labels match", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"pods"}, "name", false, "default", "app=app2");
  CHECK(r.out == "pod/app2\n");
}

TEST_CASE("get -o name prints resource/name", "[cli]") {
  auto s = seed_like_state();
  CHECK(get(s, {"pods"}, "name").out == "pod/app1\npod/app2\n");
  CHECK(get(s, {"ing"}, "name").out == "ingress.networking.k8s.io/app-ingress\n");
}

TEST_CASE("a missing object is NotFound and exits 1", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"pod", "nope"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "Error from server (NotFound): pods \"nope\" not found\n");
  auto ing = get(s, {"ingress/nope"});
  CHECK(ing.err ==
        "Error from server (NotFound): ingresses.networking.k8s.io \"nope\" not found\n");
  // Found objects are still printed.
  auto mixed = get(s, {"pods", "app1", "nope"}, "name");
  CHECK(mixed.code == 1);
  CHECK(mixed.out == "pod/app1\n");
}

TEST_CASE("an empty list says No resources found on stderr", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"pods"}, "", false, "other");
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  CHECK(r.err == "No resources found in other namespace.\n");
  CHECK(get(s, {"deploy"}, "", true).err == "No resources found\n");
}

TEST_CASE("an unknown resource type is an error", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"foo"});
  CHECK(r.code == 1);
  CHECK(r.err == "error: the server doesn't have a resource type \"foo\"\n");
}

TEST_CASE("get -o yaml prints one object, or a List for several", "[cli]") {
  auto s = seed_like_state();
  auto one = get(s, {"pod", "app1"}, "yaml");
  CHECK(one.out.rfind("apiVersion: v1\nkind: Pod\nmetadata:\n", 0) == 0);
  CHECK(one.out.find("  podIP: 10.244.0.5\n") != std::string::npos);
  CHECK(one.out.find("  nodeName: minikube\n") != std::string::npos);
  auto svc = get(s, {"svc", "app1-nodeport"}, "yaml");
  CHECK(svc.out.find(
            "  - nodePort: 30008\n    port: 8888\n    protocol: TCP\n    targetPort: 8080\n") !=
        std::string::npos);
  CHECK(svc.out.find("  clusterIP: 10.96.0.20\n  clusterIPs:\n  - 10.96.0.20\n") !=
        std::string::npos);
  auto list = get(s, {"pods"}, "yaml");
  CHECK(list.out.rfind("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n", 0) == 0);
  CHECK(list.out.find("kind: List\nmetadata:\n  resourceVersion: \"\"\n") != std::string::npos);
}

TEST_CASE("get -o json prints what the API server would return", "[cli]") {
  auto s = seed_like_state();
  auto r = get(s, {"pods"}, "json");
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["kind"] == "List");
  REQUIRE(doc["items"].size() == 2);
  CHECK(doc["items"][0]["metadata"]["name"] == "app1");
  CHECK(doc["items"][0]["status"]["phase"] == "Running");
  CHECK(doc["items"][0]["status"]["podIPs"][0]["ip"] == "10.244.0.5");
  CHECK(r.out.rfind("{\n    \"apiVersion\": \"v1\",\n", 0) == 0);
}

TEST_CASE("get all lists pods, services and workloads with kind prefixes", "[cli]") {
  auto s = seed_like_state();
  model::Deployment d;
  d.meta = meta("default", "web", {{"app", "web"}});
  d.replicas = 1;
  d.selector.match_labels = {{"app", "web"}};
  s.deployments.upsert(d);
  auto r = get(s, {"all"});
  CHECK(r.out.find("NAME       READY   STATUS    RESTARTS   AGE\npod/app1   1/1") == 0);
  CHECK(r.out.find("\n\nNAME                    TYPE ") != std::string::npos);
  CHECK(r.out.find("service/app1-svc ") != std::string::npos);
  CHECK(r.out.find("deployment.apps/web   0/1     0            0           0s\n") !=
        std::string::npos);
}

TEST_CASE("get events lists what happened, oldest first", "[cli]") {
  auto s = seed_like_state();
  s.events.record({.kind = "Pod",
                   .namespace_ = "default",
                   .name = "app1",
                   .reason = "Scheduled",
                   .message = "Successfully assigned default/app1 to minikube",
                   .source = "default-scheduler"});
  auto r = get(s, {"events"});
  CHECK(r.out ==
        "LAST SEEN   TYPE     REASON      OBJECT     MESSAGE\n"
        "0s          Normal   Scheduled   pod/app1   Successfully assigned default/app1 to "
        "minikube\n");
}
