// The system objects every cluster has (SPEC section 2) and the ingress addon's.

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "podhop/controllers/system_objects.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

TEST_CASE("every cluster has the four namespaces, each labelled with its name",
          "[controllers][system]") {
  auto st = testing::state();
  add(st, testing::namespace_object("shop"));
  controllers::reconcile(st);
  for (const char* ns : {"default", "kube-node-lease", "kube-public", "kube-system", "shop"}) {
    CAPTURE(ns);
    const auto* n = st.namespaces.find("", ns);
    REQUIRE(n != nullptr);
    CHECK(*n->meta.labels.get("kubernetes.io/metadata.name") == ns);
  }
  CHECK(st.namespaces.find("", "ingress-nginx") == nullptr);
}

TEST_CASE("the kubernetes Service points at the first node's apiserver port",
          "[controllers][system]") {
  auto st = testing::state(testing::cluster().nodes(2));
  controllers::reconcile(st);
  const auto* svc = st.services.find("default", "kubernetes");
  REQUIRE(svc != nullptr);
  CHECK_FALSE(svc->spec.has_selector);
  REQUIRE(svc->spec.ports.size() == 1);
  CHECK(svc->spec.ports[0].name == "https");
  CHECK(svc->spec.ports[0].port == 443);
  CHECK(svc->spec.ports[0].target_port.int_value == 8443);
  CHECK_FALSE(svc->meta.source.known());

  const auto* ep = st.endpoints.find("default", "kubernetes");
  REQUIRE(ep != nullptr);
  CHECK(ep->subsets.at(0).addresses.at(0).ip.str() == "192.168.49.2");
  CHECK(ep->subsets.at(0).ports.at(0).port == 8443);
  // The API server writes its own slice; nothing mirrors the Endpoints.
  const auto* slice = st.endpoint_slices.find("default", "kubernetes");
  REQUIRE(slice != nullptr);
  CHECK(slice->service_name == "kubernetes");
  CHECK(slice->endpoints.at(0).ip.str() == "192.168.49.2");
  CHECK(testing::slices_of(st, "default", "kubernetes").empty());
}

TEST_CASE("CoreDNS runs behind kube-dns: 1 replica on one node, 2 on more",
          "[controllers][system]") {
  for (int nodes : {1, 3}) {
    CAPTURE(nodes);
    auto st = testing::state(testing::cluster().nodes(nodes));
    controllers::reconcile(st);
    const auto* d = st.deployments.find("kube-system", "coredns");
    REQUIRE(d != nullptr);
    CHECK(d->replicas == (nodes == 1 ? 1 : 2));
    const auto& c = d->pod_template.spec->containers.at(0);
    CHECK(c.image == "registry.k8s.io/coredns/coredns:v1.11.1");
    REQUIRE(c.ports.size() == 3);
    CHECK(c.ports[0].name == "dns");
    CHECK(c.ports[0].protocol == model::Protocol::UDP);
    CHECK(c.readiness_probe->port.int_value == 8181);
    CHECK(c.readiness_probe->path == "/ready");

    auto pods = testing::pods_named(st, "coredns-");
    CHECK(pods.size() == static_cast<std::size_t>(nodes == 1 ? 1 : 2));
    for (const auto* p : pods) CHECK(p->status.ready);

    const auto* svc = st.services.find("kube-system", "kube-dns");
    REQUIRE(svc != nullptr);
    CHECK(svc->spec.cluster_ip.str() == "10.96.0.10");
    CHECK(*svc->spec.selector.get("k8s-app") == "kube-dns");
    REQUIRE(svc->spec.ports.size() == 3);
    CHECK(svc->spec.ports[0].protocol == model::Protocol::UDP);
    CHECK(svc->spec.ports[1].name == "dns-tcp");
    CHECK(svc->spec.ports[2].port == 9153);

    auto slices = testing::slices_of(st, "kube-system", "kube-dns");
    REQUIRE(slices.size() == 1);
    CHECK(slices[0]->endpoints.size() == pods.size());
  }
}

TEST_CASE("the service CIDR decides the kubernetes and kube-dns addresses",
          "[controllers][system]") {
  auto st = testing::state(testing::cluster().nodes(1).service_cidr("10.0.0.0/16"));
  controllers::reconcile(st);
  CHECK(st.services.find("default", "kubernetes")->spec.cluster_ip.str() == "10.0.0.1");
  CHECK(st.services.find("kube-system", "kube-dns")->spec.cluster_ip.str() == "10.0.0.10");
}

TEST_CASE("the ingress addon installs ingress-nginx like minikube's", "[controllers][system]") {
  auto st = testing::state(testing::cluster().nodes(2).addon("ingress"));
  controllers::reconcile(st);
  CHECK(st.namespaces.find("", "ingress-nginx") != nullptr);

  const auto* d = st.deployments.find("ingress-nginx", "ingress-nginx-controller");
  REQUIRE(d != nullptr);
  const auto& c = d->pod_template.spec->containers.at(0);
  CHECK(c.image == "registry.k8s.io/ingress-nginx/controller:v1.10.1");
  REQUIRE(c.ports.size() == 3);
  CHECK(c.ports[0].host_port == 80);
  CHECK(c.ports[1].host_port == 443);
  CHECK(c.ports[2].name == "webhook");
  CHECK(*d->pod_template.labels.get("app.kubernetes.io/component") == "controller");

  // The controller runs on minikube's primary node.
  auto pods = testing::pods_named(st, "ingress-nginx-controller-");
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]->node_name == "node-1");

  const auto* svc = st.services.find("ingress-nginx", "ingress-nginx-controller");
  REQUIRE(svc != nullptr);
  CHECK(svc->spec.type == model::ServiceType::NodePort);
  REQUIRE(svc->spec.ports.size() == 2);
  CHECK(svc->spec.ports[0].target_port.str_value == "http");
  CHECK(svc->spec.ports[0].node_port != 0);
  const auto* admission = st.services.find("ingress-nginx", "ingress-nginx-controller-admission");
  REQUIRE(admission != nullptr);
  CHECK(admission->spec.ports.at(0).target_port.str_value == "webhook");

  const auto* ic = st.ingress_classes.find("", "nginx");
  REQUIRE(ic != nullptr);
  CHECK(ic->controller == "k8s.io/ingress-nginx");
  CHECK(ic->is_default);

  // The controller's Service finds its pod through the named ports.
  auto slices = testing::slices_of(st, "ingress-nginx", "ingress-nginx-controller");
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]->ports.size() == 2);
  CHECK(slices[0]->endpoints.size() == 1);
}

TEST_CASE("a user's object with a system object's name replaces it", "[controllers][system]") {
  auto st = testing::state();
  add(st, testing::service("kube-dns")
              .ns("kube-system")
              .selector("k8s-app", "my-dns")
              .port(53)
              .at("dns.yaml", 1));
  controllers::reconcile(st);
  const auto* svc = st.services.find("kube-system", "kube-dns");
  CHECK(*svc->spec.selector.get("k8s-app") == "my-dns");
  CHECK(svc->spec.ports.size() == 1);
}
