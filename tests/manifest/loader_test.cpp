// How the loader reads inputs: files, folders, stdin, multi-document YAML, Lists, JSON and
// KYAML; where objects and errors are placed; what a load does to the state.

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "manifest_test_support.hpp"

namespace {

using podhop::manifest::load_paths;
using podhop::manifest::load_text;
using podhop::manifest::testing::lines;
using podhop::manifest::testing::load;
using podhop::manifest::testing::TempDir;
namespace model = podhop::model;

constexpr const char* kService = R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)";

}  // namespace

TEST_CASE("each object remembers the file, line and column where its document starts",
          "[manifest]") {
  auto l = load(R"(# leading comment
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---

  # a comment before the object
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 80}]
)",
                "apps/shop.yaml");
  REQUIRE(l.report.ok());
  CHECK(l.state.namespaces.find("", "shop")->meta.source.str() == "apps/shop.yaml:3:1");
  CHECK(l.state.services.find("shop", "web")->meta.source.str() == "apps/shop.yaml:9:1");
  CHECK(l.state.services.find("shop", "web")->meta.api_version == "v1");
  CHECK(l.report.documents == 2);
  CHECK(l.report.files == 1);
}

TEST_CASE("objects are stamped with creation indices in load order, from the state's counter",
          "[manifest]") {
  model::ClusterState state;
  state.next_creation_index = 40;
  auto report = load_text(
      std::string(kService) + "---\n" +
          "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, "
          "image: i}]\n",
      "t.yaml", state);
  REQUIRE(report.ok());
  CHECK(report.objects == 2);
  CHECK(state.services.find("default", "web")->meta.creation_index == 40);
  CHECK(state.pods.find("default", "p")->meta.creation_index == 41);
  CHECK(state.next_creation_index == 42);
}

TEST_CASE("a later definition in the same load wins, with a warning naming both places",
          "[manifest]") {
  auto l = load(std::string(kService) + "---\n" + R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web2}
  ports: [{port: 8080}]
)");
  CHECK(lines(l.report.diagnostics) ==
        std::vector<std::string>{
            "t.yaml:8:1: warning: Service \"web\": declared again in namespace default: this "
            "definition replaces the one at t.yaml:1:1"});
  REQUIRE(l.report.ok());
  REQUIRE(l.state.services.size() == 1);
  const auto& svc = l.state.services.items().front();
  CHECK(svc.spec.ports[0].port == 8080);
  CHECK(svc.meta.source.str() == "t.yaml:8:1");
  CHECK(svc.meta.creation_index == 0);  // an update keeps the first one's place
  CHECK(l.report.objects == 1);
}

TEST_CASE("a second load updates objects in place and keeps their creation order", "[manifest]") {
  model::ClusterState state;
  REQUIRE(load_text(kService, "a.yaml", state).ok());
  REQUIRE(load_text(
              std::string(
                  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, "
                  "image: i}]\n"),
              "b.yaml", state)
              .ok());
  auto report = load_text(std::string(kService).replace(std::string(kService).find("80"), 2, "81"),
                          "c.yaml", state);
  REQUIRE(report.ok());
  CHECK(lines(report.diagnostics).empty());
  const auto* svc = state.services.find("default", "web");
  CHECK(svc->spec.ports[0].port == 81);
  CHECK(svc->meta.creation_index == 0);
  CHECK(svc->meta.source.file == "c.yaml");
  CHECK(state.pods.find("default", "p")->meta.creation_index == 1);
}

TEST_CASE("nothing is half-loaded: one error anywhere leaves the state untouched", "[manifest]") {
  model::ClusterState state;
  REQUIRE(load_text(kService, "first.yaml", state).ok());
  auto report = load_text(R"(apiVersion: v1
kind: Namespace
metadata: {name: extra}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api}]
---
apiVersion: v1
kind: Service
metadata: {name: broken}
spec:
  ports: [{port: 0}]
---
apiVersion: v1
kind: Service
metadata: {name: also-broken}
spec: {}
)",
                          "second.yaml", state);
  CHECK_FALSE(report.ok());
  // Every error of the load is reported, not just the first.
  CHECK(report.diagnostics.error_count() == 2);
  CHECK(state.services.size() == 1);
  CHECK(state.deployments.empty());
  CHECK(state.namespaces.empty());
  CHECK(state.next_creation_index == 1);
}

TEST_CASE("empty documents are skipped and a List's items are objects", "[manifest]") {
  auto l = load(R"(---
---
# only a comment
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a}
  spec: {ports: [{port: 80}]}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: sa}
- apiVersion: v1
  kind: ServiceList
  items:
  - apiVersion: v1
    kind: Service
    metadata: {name: b}
    spec: {ports: [{port: 81}]}
...
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  CHECK(l.state.services.size() == 2);
  CHECK(l.state.services.find("default", "b")->meta.source.str() == "t.yaml:18:5");
  CHECK(l.report.documents == 3);  // a, sa and b; the Lists themselves are not objects
  CHECK(l.report.ignored_kinds == std::map<std::string, std::size_t>{{"ServiceAccount", 1}});
}

TEST_CASE("JSON and KYAML are YAML", "[manifest]") {
  auto json = load(R"({
  "apiVersion": "v1",
  "kind": "Service",
  "metadata": {"name": "web", "labels": {"app": "web"}},
  "spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "web"}}
})",
                   "svc.json");
  REQUIRE(json.report.ok());
  CHECK(json.state.services.find("default", "web")->spec.ports[0].target_port ==
        model::IntOrString::of(8080));
  auto kyaml = load(R"(---
{
  apiVersion: "v1",
  kind: "Service",
  metadata: {
    name: "web",
  },
  spec: {
    ports: [{
      port: 80,
      protocol: "TCP",
    }],
  },
}
)");
  REQUIRE(lines(kyaml.report.diagnostics).empty());
  CHECK(kyaml.state.services.find("default", "web")->meta.source.str() == "t.yaml:2:1");
}

TEST_CASE("YAML anchors, aliases and merge keys are resolved", "[manifest]") {
  auto l = load(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &labels {app: web}
spec:
  selector: {matchLabels: *labels}
  template:
    metadata: {labels: *labels}
    spec:
      containers:
      - &base {name: web, image: nginx, args: [a]}
      - <<: *base
        name: sidecar
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto& spec = *l.state.deployments.items().front().pod_template.spec;
  REQUIRE(spec.containers.size() == 2);
  CHECK(spec.containers[1].name == "sidecar");
  CHECK(spec.containers[1].image == "nginx");
  CHECK(spec.containers[1].args == std::vector<std::string>{"a"});
}

TEST_CASE("labels merged in with << are labels, and are validated as such", "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {<<: &common {team: shop, tier: front}, app: web}
spec:
  selector: {<<: *common}
  ports: [{port: 80}]
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto& svc = l.state.services.items().front();
  CHECK(svc.meta.labels == model::StringMap{{"app", "web"}, {"team", "shop"}, {"tier", "front"}});
  CHECK(svc.spec.selector == model::StringMap{{"team", "shop"}, {"tier", "front"}});
  auto bad = load(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {<<: {\"bad key\": x}}\nspec:\n  "
      "containers: [{name: c, image: i}]\n");
  REQUIRE(lines(bad.report.diagnostics).size() == 1);
  CHECK(lines(bad.report.diagnostics)[0].find("metadata.labels: Invalid value: \"bad key\"") !=
        std::string::npos);
}

TEST_CASE("kinds podhop does not simulate are counted as ignored, never an error", "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: tools}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {a: b}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa2}
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  CHECK(l.report.ok());
  CHECK(l.report.ignored_kinds == std::map<std::string, std::size_t>{{"ClusterRole", 1},
                                                                     {"ConfigMap", 1},
                                                                     {"HTTPRoute", 1},
                                                                     {"NetworkPolicy", 1},
                                                                     {"ServiceAccount", 2}});
  REQUIRE(l.state.ignored.size() == 6);
  CHECK(l.state.ignored[0].namespace_ == "tools");
  CHECK(l.state.ignored[0].source.str() == "t.yaml:1:1");
  // Ignored objects do not make their namespace exist.
  CHECK(l.report.created_namespaces.empty());
  CHECK(l.report.objects == 0);
}

TEST_CASE("a Scenario in the same files is accepted silently", "[manifest]") {
  auto l = load(std::string(R"(apiVersion: podhop.dev/v1alpha1
kind: Scenario
metadata: {name: seed}
spec:
  steps: [{exec: {pod: app1, command: "curl -s http://app1-svc"}}]
---
)") + kService);
  REQUIRE(lines(l.report.diagnostics).empty());
  CHECK(l.report.ignored_kinds.empty());
  CHECK(l.state.ignored.empty());
  CHECK(l.report.objects == 1);
}

TEST_CASE("namespaces used but not declared are created with one warning naming them all",
          "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Service
metadata: {name: a, namespace: team-b}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: team-a}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: declared}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: declared}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: sys, namespace: kube-system}
spec: {ports: [{port: 80}]}
)");
  CHECK(lines(l.report.diagnostics) ==
        std::vector<std::string>{
            "t.yaml:1:1: warning: namespaces team-a, team-b used but not declared; podhop "
            "creates them (a real API server refuses objects in a namespace that does not "
            "exist)"});
  CHECK(l.report.created_namespaces == std::vector<std::string>{"team-a", "team-b"});
  CHECK(l.state.namespaces.find("", "team-a"));
  CHECK(l.state.namespaces.find("", "team-b"));
  CHECK(l.state.namespaces.find("", "declared"));
  // System namespaces are the controllers' to create.
  CHECK_FALSE(l.state.namespaces.find("", "kube-system"));
}

TEST_CASE("a namespace declared in an earlier load counts as declared", "[manifest]") {
  model::ClusterState state;
  REQUIRE(load_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n", "ns.yaml", state)
              .ok());
  auto report = load_text(
      "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\nspec: {ports: [{port: "
      "80}]}\n",
      "svc.yaml", state);
  CHECK(lines(report.diagnostics).empty());
  CHECK(report.created_namespaces.empty());
}

TEST_CASE("generateName gets a deterministic kubectl-style suffix", "[manifest]") {
  const char* yaml = R"(apiVersion: v1
kind: Pod
metadata: {generateName: probe-}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {generateName: probe-}
spec:
  containers: [{name: c, image: busybox}]
)";
  auto a = load(yaml);
  auto b = load(yaml);
  REQUIRE(a.report.ok());
  REQUIRE(a.state.pods.size() == 2);
  const auto& first = a.state.pods.items()[0].meta.name;
  const auto& second = a.state.pods.items()[1].meta.name;
  CHECK(first.rfind("probe-", 0) == 0);
  CHECK(first.size() == std::string("probe-").size() + 5);
  CHECK(first != second);
  CHECK(first.find_first_not_of("bcdfghjklmnpqrstvwxz2456789", 6) == std::string::npos);
  CHECK(b.state.pods.items()[0].meta.name == first);
  CHECK(b.state.pods.items()[1].meta.name == second);
}

TEST_CASE("a folder is read recursively in sorted order, manifests only", "[manifest]") {
  TempDir dir;
  dir.write("b.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n");
  dir.write("a/z.yml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: az}\n");
  dir.write("a.json",
            R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a-json"}})");
  dir.write("c/README.md", "not a manifest: [");
  dir.write("c/d/e.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: cde}\n");
  podhop::core::Diagnostics diags;
  auto files = podhop::manifest::expand_path(dir.path().string(), diags);
  CHECK(diags.empty());
  std::vector<std::string> relative;
  for (const auto& f : files) relative.push_back(std::filesystem::relative(f, dir.path()).string());
  // kubectl walks each folder in name order: "a" before "a.json", folders where they sort.
  CHECK(relative == std::vector<std::string>{"a/z.yml", "a.json", "b.yaml", "c/d/e.yaml"});

  model::ClusterState state;
  auto report = load_paths({dir.path().string()}, state);
  REQUIRE(lines(report.diagnostics).empty());
  CHECK(report.files == 4);
  CHECK(state.namespaces.find("", "az")->meta.creation_index == 0);
  CHECK(state.namespaces.find("", "a-json")->meta.creation_index == 1);
  CHECK(state.namespaces.find("", "cde")->meta.creation_index == 3);
}

TEST_CASE("a missing path, an empty folder and an unreadable file are errors", "[manifest]") {
  TempDir dir;
  dir.write("empty/notes.txt", "nothing here");
  model::ClusterState state;
  auto missing = (dir.path() / "nope.yaml").string();
  auto empty = (dir.path() / "empty").string();
  auto report = load_paths({missing, empty}, state);
  CHECK(lines(report.diagnostics) ==
        std::vector<std::string>{"error: the path \"" + missing + "\" does not exist",
                                 empty + ": error: error reading [" + empty +
                                     "]: recognized file extensions are [.json .yaml .yml]"});
  CHECK_FALSE(report.ok());
}

TEST_CASE("a dash reads standard input", "[manifest]") {
  TempDir dir;
  auto file =
      dir.write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: from-file}\n");
  std::istringstream in(
      "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: from-file}\nspec: {ports: "
      "[{port: 80, nodePort: 30001}]}\n");
  model::ClusterState state;
  auto report = load_paths({file, "-"}, state, &in);
  CHECK(lines(report.diagnostics) ==
        std::vector<std::string>{
            "STDIN:4:37: error: Service \"web\": spec.ports[0].nodePort: Forbidden: may not be "
            "used when `type` is 'ClusterIP'"});
  CHECK(report.files == 2);
  CHECK(state.namespaces.empty());
}

TEST_CASE("errors of several files come back together, in file order", "[manifest]") {
  TempDir dir;
  auto a = dir.write("a.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {}\n");
  auto b =
      dir.write("b.yaml", "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: y}\n");
  model::ClusterState state;
  auto report = load_paths({b, a}, state);
  auto got = lines(report.diagnostics);
  REQUIRE(got.size() == 2);
  CHECK(got[0].rfind(b + ":1:13: error: Ingress \"y\": no matches for kind", 0) == 0);
  CHECK(got[1] == a + ":4:7: error: Service \"x\": spec.ports: Required value");
}

TEST_CASE("an EndpointSlice claiming the controller's managed-by label draws a warning",
          "[manifest]") {
  auto l = load(R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc
  labels:
    kubernetes.io/service-name: web
    endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
addressType: IPv4
endpoints: [{addresses: [10.0.0.5]}]
)");
  CHECK(lines(l.report.diagnostics) ==
        std::vector<std::string>{"t.yaml:7:45: warning: EndpointSlice \"web-abc\": "
                                 "metadata.labels[endpointslice.kubernetes.io/managed-by]: "
                                 "\"endpointslice-controller.k8s.io\" is reserved "
                                 "for Kubernetes' own controllers, which would take this slice "
                                 "over or delete it; podhop keeps it as "
                                 "written"});
  CHECK(l.report.ok());
}
