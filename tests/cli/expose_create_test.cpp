// `podhop expose` and `podhop create secret tls`: the objects kubectl would print with
// --dry-run=client -o yaml, and kubectl's errors.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <catch2/catch.hpp>

#include "cli/context.hpp"
#include "cli/printers.hpp"
#include "state_builders.hpp"
#include "support/test_certs.hpp"

using namespace podhop;
using namespace podhop::cli;
using namespace podhop::cli::testing;

namespace {

struct Run {
  int code = 0;
  std::string out, err;
};

Run expose(const model::ClusterState& s, ExposeRequest req) {
  std::ostringstream out, err;
  Run r;
  r.code = run_expose(s, req, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("expose pod prints the Service kubectl would create", "[cli]") {
  auto s = seed_like_state();
  ExposeRequest req;
  req.args = {"pod", "app1"};
  req.port = "8888";
  req.target_port = "8080";
  req.name = "app1-svc";
  auto r = expose(s, req);
  CHECK(r.code == 0);
  CHECK(r.out ==
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  creationTimestamp: null\n"
        "  labels:\n"
        "    app: app1\n"
        "  name: app1-svc\n"
        "spec:\n"
        "  ports:\n"
        "  - port: 8888\n"
        "    protocol: TCP\n"
        "    targetPort: 8080\n"
        "  selector:\n"
        "    app: app1\n"
        "status:\n"
        "  loadBalancer: {}\n");
}

TEST_CASE("expose takes the pod's ports when --port is not given", "[cli]") {
  auto s = seed_like_state();
  s.pods.upsert(
      running_pod("default", "multi", {{"app", "multi"}}, "10.244.0.8", "minikube", {8080, 9090}));
  ExposeRequest one;
  one.args = {"pod/app2"};
  one.type = "NodePort";
  auto r1 = expose(s, one);
  CHECK(r1.out.find("  ports:\n  - port: 8080\n    protocol: TCP\n    targetPort: 8080\n") !=
        std::string::npos);
  CHECK(r1.out.find("  type: NodePort\n") != std::string::npos);
  CHECK(r1.out.find("  name: app2\n") != std::string::npos);

  ExposeRequest two;
  two.args = {"pod", "multi"};
  auto r2 = expose(s, two);
  CHECK(
      r2.out.find("  - name: port-1\n    port: 8080\n    protocol: TCP\n    targetPort: 8080\n"
                  "  - name: port-2\n    port: 9090\n    protocol: TCP\n    targetPort: 9090\n") !=
      std::string::npos);
}

TEST_CASE("expose service and deployment use their selectors", "[cli]") {
  auto s = seed_like_state();
  ExposeRequest svc;
  svc.args = {"svc", "app1-svc"};
  svc.name = "copy";
  auto r = expose(s, svc);
  // kubectl's target port defaults to the port, not to the Service's targetPort.
  CHECK(r.out.find("  - port: 8888\n    protocol: TCP\n    targetPort: 8888\n  selector:\n"
                   "    app: app1\n") != std::string::npos);

  model::Deployment d;
  d.meta = meta("default", "web", {{"team", "blue"}});
  d.selector.match_labels = {{"app", "web"}};
  auto spec = std::make_shared<model::PodSpec>();
  spec->containers.push_back({.name = "web", .image = "nginx", .ports = {{.container_port = 80}}});
  d.pod_template.spec = spec;
  s.deployments.upsert(d);
  ExposeRequest dep;
  dep.args = {"deployment", "web"};
  dep.namespace_given = true;
  auto rd = expose(s, dep);
  CHECK(rd.out ==
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  creationTimestamp: null\n"
        "  labels:\n"
        "    team: blue\n"
        "  name: web\n"
        "  namespace: default\n"
        "spec:\n"
        "  ports:\n"
        "  - port: 80\n"
        "    protocol: TCP\n"
        "    targetPort: 80\n"
        "  selector:\n"
        "    app: web\n"
        "status:\n"
        "  loadBalancer: {}\n");
}

TEST_CASE("expose errors read as kubectl's", "[cli]") {
  auto s = seed_like_state();
  ExposeRequest missing;
  missing.args = {"pod", "nope"};
  missing.port = "80";
  auto r = expose(s, missing);
  CHECK(r.code == 1);
  CHECK(r.err == "Error from server (NotFound): pods \"nope\" not found\n");

  auto bare = running_pod("default", "bare", {}, "10.244.0.9", "minikube");
  s.pods.upsert(bare);
  ExposeRequest unlabeled;
  unlabeled.args = {"pod", "bare"};
  unlabeled.port = "80";
  auto r2 = expose(s, unlabeled);
  CHECK(r2.code == 1);
  CHECK(r2.err.rfind("error: couldn't retrieve selectors via --selector flag or introspection: "
                     "the pod has no labels and cannot be exposed\n",
                     0) == 0);

  auto portless = running_pod("default", "portless", {{"a", "b"}}, "10.244.0.10", "minikube", {});
  s.pods.upsert(portless);
  ExposeRequest no_port;
  no_port.args = {"pod", "portless"};
  auto r3 = expose(s, no_port);
  CHECK(r3.code == 1);
  CHECK(r3.err.rfind("error: couldn't find port via --port flag or introspection\n", 0) == 0);

  ExposeRequest node;
  node.args = {"node", "minikube"};
  node.port = "80";
  CHECK(expose(s, node).err == "error: cannot expose a Node\n");
}

// ---------------------------------------------------------------------------------------
// create secret tls

namespace {

// Keys and certificates are made at run time (support/test_certs), never checked in.
namespace certs = podhop::testing;

// A self-signed certificate for CN=app.test, as `openssl req -x509` makes in the tutorial.
std::string self_signed_cert_pem(const certs::TestKey& key) {
  return certs::make_self_signed({.common_name = "app.test"}, key).cert_pem;
}

// A scratch folder removed when the test ends.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path =
        std::filesystem::temp_directory_path() / ("podhop-cli-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
};

Run create_tls(CreateSecretTlsRequest req) {
  std::ostringstream out, err;
  Run r;
  r.code = run_create_secret_tls(req, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("create secret tls prints a kubernetes.io/tls Secret with both files", "[cli]") {
  TempDir dir;
  auto key = certs::make_key();
  std::string cert_pem = self_signed_cert_pem(key);
  std::string kpem = key.pem;
  CreateSecretTlsRequest req;
  req.name = "app-tls";
  req.cert_file = dir.write("tls.crt", cert_pem);
  req.key_file = dir.write("tls.key", kpem);
  auto r = create_tls(req);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "apiVersion: v1\n"
        "data:\n"
        "  tls.crt: " +
            base64_encode(cert_pem) +
            "\n"
            "  tls.key: " +
            base64_encode(kpem) +
            "\n"
            "kind: Secret\n"
            "metadata:\n"
            "  creationTimestamp: null\n"
            "  name: app-tls\n"
            "type: kubernetes.io/tls\n");
  req.namespace_ = "web";
  CHECK(create_tls(req).out.find("  name: app-tls\n  namespace: web\n") != std::string::npos);
}

TEST_CASE("create secret tls refuses a key that does not match the certificate", "[cli]") {
  TempDir dir;
  auto key = certs::make_key();
  auto other = certs::make_key();
  auto rsa = certs::make_key(certs::KeyType::rsa2048);
  CreateSecretTlsRequest req;
  req.name = "app-tls";
  req.cert_file = dir.write("tls.crt", self_signed_cert_pem(key));
  req.key_file = dir.write("other.key", other.pem);
  auto r = create_tls(req);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "error: tls: private key does not match public key\n");

  req.key_file = dir.write("rsa.key", rsa.pem);
  CHECK(create_tls(req).err == "error: tls: private key type does not match public key type\n");

  req.key_file = dir.write("cert-as-key.pem", self_signed_cert_pem(key));
  CHECK(create_tls(req).err ==
        "error: tls: found a certificate rather than a key in the PEM for the private key\n");

  req.cert_file = dir.write("empty.crt", "not pem at all\n");
  CHECK(create_tls(req).err == "error: tls: failed to find any PEM data in certificate input\n");
}

TEST_CASE("create secret tls reports an unreadable file as kubectl does", "[cli]") {
  CreateSecretTlsRequest req;
  req.name = "x";
  req.cert_file = "/nonexistent/tls.crt";
  req.key_file = "/nonexistent/tls.key";
  auto r = create_tls(req);
  CHECK(r.code == 1);
  CHECK(r.err == "error: open /nonexistent/tls.crt: no such file or directory\n");
}
