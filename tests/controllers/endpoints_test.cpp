// EndpointSlices and Endpoints as Kubernetes derives them (rules 1.5), and the mirroring of
// hand-written Endpoints of selector-less Services.

#include <catch2/catch.hpp>
#include <map>
#include <optional>

#include "helpers.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

const model::Endpoints& endpoints_of(const model::ClusterState& st, std::string_view name) {
  const auto* e = st.endpoints.find("default", name);
  REQUIRE(e != nullptr);
  return *e;
}

// A pod as a scenario would leave it: addressed, on node-1, started, ready or not.
testing::PodBuilder pod_at(std::string name, std::string ip, bool ready = true) {
  return testing::pod(std::move(name))
      .label("app", "web")
      .port(8080, "http")
      .ip(std::move(ip))
      .on_node("node-1")
      .running(ready);
}

const controllers::ReconcileOptions kAsIs{.settle = false};  // keep the pods' conditions

}  // namespace

TEST_CASE("endpoint conditions follow readiness, termination and publishNotReadyAddresses",
          "[controllers][endpoints]") {
  struct Case {
    const char* what;
    bool ready;
    bool terminating;
    bool publish_not_ready;
    bool e_ready, e_serving, e_terminating;
  };
  const std::vector<Case> cases = {
      {"ready", true, false, false, true, true, false},
      {"not ready", false, false, false, false, false, false},
      {"ready and terminating", true, true, false, false, true, true},
      {"not ready and terminating", false, true, false, false, false, true},
      {"not ready, publishNotReadyAddresses", false, false, true, true, false, false},
      {"terminating, publishNotReadyAddresses", true, true, true, true, true, true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    auto st = testing::state();
    auto p = pod_at("p", "10.244.0.7", c.ready);
    if (c.terminating) p.terminating();
    add(st, p);
    add(st, testing::service("web")
                .selector("app", "web")
                .port(80, "http")
                .publish_not_ready(c.publish_not_ready));
    controllers::reconcile(st, kAsIs);
    auto slices = testing::slices_of(st, "default", "web");
    REQUIRE(slices.size() == 1);
    REQUIRE(slices[0]->endpoints.size() == 1);
    const auto& cond = slices[0]->endpoints[0].conditions;
    CHECK(cond.is_ready() == c.e_ready);
    CHECK(cond.is_serving() == c.e_serving);
    CHECK(cond.is_terminating() == c.e_terminating);
  }
}

TEST_CASE("pods without an IP or finished are never endpoints", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("done", "10.244.0.7").phase(model::PodPhase::Succeeded));
  add(st, testing::pod("noip").label("app", "web").on_node("node-9"));  // unknown node: no IP
  add(st, pod_at("ok", "10.244.0.8"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st, kAsIs);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 1);
  REQUIRE(slices[0]->endpoints.size() == 1);
  CHECK(slices[0]->endpoints[0].ip.str() == "10.244.0.8");
}

TEST_CASE("legacy Endpoints split addresses by readiness and drop terminating pods",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.10", true));
  add(st, pod_at("b", "10.244.0.9", false));
  add(st, pod_at("c", "10.244.0.2", true));
  add(st, pod_at("gone", "10.244.0.3", true).terminating());
  add(st, testing::service("web").selector("app", "web").port(80, "http", "http"));
  controllers::reconcile(st, kAsIs);
  const auto& e = endpoints_of(st, "web");
  CHECK(e.managed);
  REQUIRE(e.subsets.size() == 1);
  const auto& sub = e.subsets[0];
  REQUIRE(sub.addresses.size() == 2);
  CHECK(sub.addresses[0].ip.str() == "10.244.0.10");  // sorted as text, as kubectl shows
  CHECK(sub.addresses[1].ip.str() == "10.244.0.2");
  REQUIRE(sub.not_ready_addresses.size() == 1);
  CHECK(sub.not_ready_addresses[0].ip.str() == "10.244.0.9");
  REQUIRE(sub.ports.size() == 1);
  CHECK(sub.ports[0].name == "http");
  CHECK(sub.ports[0].port == 8080);
  CHECK(sub.addresses[0].target_ref->name == "a");
  CHECK(sub.addresses[0].node_name == "node-1");
}

TEST_CASE("with publishNotReadyAddresses every address is ready, terminating ones too",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.2", false));
  add(st, pod_at("b", "10.244.0.3", true).terminating());
  add(st, testing::service("web").selector("app", "web").port(80, "http").publish_not_ready());
  controllers::reconcile(st, kAsIs);
  const auto& sub = endpoints_of(st, "web").subsets.at(0);
  CHECK(sub.addresses.size() == 2);
  CHECK(sub.not_ready_addresses.empty());
}

TEST_CASE("a named targetPort resolves per pod: different numbers give one slice each",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::deployment("v1").pod_label("app", "web").replicas(2).port(8080, "http"));
  add(st, testing::deployment("v2").pod_label("app", "web").replicas(1).port(9090, "http"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 2);
  std::map<std::int32_t, std::size_t> by_port;
  for (const auto* s : slices) {
    REQUIRE(s->ports.size() == 1);
    by_port[*s->ports[0].port] = s->endpoints.size();
  }
  CHECK(by_port == std::map<std::int32_t, std::size_t>{{8080, 2}, {9090, 1}});
}

TEST_CASE("named ports match name and protocol, in containers then sidecars",
          "[controllers][endpoints]") {
  struct Case {
    const char* what;
    testing::PodBuilder pod;
    std::optional<std::int32_t> resolved;
  };
  auto base = [](const char* name) {
    return testing::pod(name).label("app", "web").ip("10.244.0.5").on_node("node-1").running();
  };
  std::vector<Case> cases;
  cases.push_back({"container port", base("a").port(8080, "http"), 8080});
  cases.push_back(
      {"wrong protocol", base("b").port(8080, "http", model::Protocol::UDP), std::nullopt});
  cases.push_back({"sidecar port", base("c").sidecar("proxy", "envoy").port(15001, "http"), 15001});
  cases.push_back({"init container port",
                   base("d").init_container("setup", "busybox").port(7000, "http"), std::nullopt});
  cases.push_back({"container before sidecar",
                   base("e").port(8080, "http").sidecar("proxy", "envoy").port(15001, "http"),
                   8080});
  for (auto& c : cases) {
    CAPTURE(c.what);
    auto st = testing::state();
    add(st, c.pod);
    add(st, testing::service("web").selector("app", "web").port(80, "http"));
    controllers::reconcile(st, kAsIs);
    auto slices = testing::slices_of(st, "default", "web");
    REQUIRE(slices.size() == 1);
    REQUIRE(slices[0]->endpoints.size() == 1);
    if (c.resolved) {
      REQUIRE(slices[0]->ports.size() == 1);
      CHECK(slices[0]->ports[0].port == c.resolved);
      CHECK(endpoints_of(st, "web").subsets.size() == 1);
    } else {
      // The pod stays in a slice without that port, and out of the Endpoints.
      CHECK(slices[0]->ports.empty());
      CHECK(endpoints_of(st, "web").subsets.empty());
    }
  }
}

TEST_CASE("a numeric targetPort is used without checking the pod's ports",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5"));
  add(st, testing::service("web").selector("app", "web").port(80, 9376));
  controllers::reconcile(st, kAsIs);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]->ports.at(0).port == 9376);
}

TEST_CASE("a slice holds at most max-endpoints-per-slice endpoints", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(5).port(8080, "http"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st, {.max_endpoints_per_slice = 2});
  std::vector<std::size_t> sizes;
  for (const auto* s : testing::slices_of(st, "default", "web"))
    sizes.push_back(s->endpoints.size());
  std::sort(sizes.begin(), sizes.end());
  CHECK(sizes == std::vector<std::size_t>{1, 2, 2});
}

TEST_CASE("101 endpoints make two slices at the default limit", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(101).port(8080, "http"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 2);
  CHECK(slices[0]->endpoints.size() + slices[1]->endpoints.size() == 101);
}

TEST_CASE("slices are labelled and owned like the EndpointSlice controller's",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5"));
  add(st, testing::service("web").selector("app", "web").label("team", "shop").port(80, "http"));
  controllers::reconcile(st, kAsIs);
  const auto* s = testing::slices_of(st, "default", "web").at(0);
  CHECK(*s->meta.labels.get("kubernetes.io/service-name") == "web");
  CHECK(*s->meta.labels.get("endpointslice.kubernetes.io/managed-by") ==
        "endpointslice-controller.k8s.io");
  CHECK(*s->meta.labels.get("team") == "shop");
  CHECK_FALSE(s->meta.labels.contains("service.kubernetes.io/headless"));
  CHECK(s->meta.owner.kind == "Service");
  CHECK(s->address_type == model::AddressType::IPv4);
  const auto& ep = s->endpoints.at(0);
  CHECK(ep.addresses == std::vector<std::string>{"10.244.0.5"});
  CHECK(ep.node_name == "node-1");
  CHECK(ep.target_ref->kind == "Pod");
  CHECK(ep.target_ref->name == "a");
}

TEST_CASE("endpoints carry their node's zone", "[controllers][endpoints]") {
  auto st = testing::state(testing::cluster().node("a", "zone-a").node("b", "zone-b"));
  add(st, testing::deployment("web").replicas(2).port(8080, "http"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st);
  for (const auto& ep : testing::slices_of(st, "default", "web").at(0)->endpoints)
    CHECK(ep.zone == "zone-" + ep.node_name);
}

TEST_CASE("an endpoint has a hostname only when the pod's subdomain is the Service",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5").hostname("alpha").subdomain("web"));
  add(st, pod_at("b", "10.244.0.6").hostname("beta").subdomain("other"));
  add(st, pod_at("c", "10.244.0.7").subdomain("web"));
  add(st, testing::service("web").selector("app", "web").headless().port(80, "http"));
  controllers::reconcile(st, kAsIs);
  std::map<std::string, std::string> hostnames;
  for (const auto& ep : testing::slices_of(st, "default", "web").at(0)->endpoints)
    hostnames[ep.target_ref->name] = ep.hostname;
  CHECK(hostnames == std::map<std::string, std::string>{{"a", "alpha"}, {"b", ""}, {"c", ""}});
  CHECK(endpoints_of(st, "web").subsets.at(0).addresses.at(0).hostname == "alpha");
}

TEST_CASE("StatefulSet pods behind their headless Service get their names as hostnames",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::stateful_set("db").replicas(2).service_name("db").port(5432, "pg"));
  add(st, testing::service("db").selector("app", "db").headless().port(5432, "pg"));
  controllers::reconcile(st);
  auto slices = testing::slices_of(st, "default", "db");
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]->meta.labels.contains("service.kubernetes.io/headless"));
  std::vector<std::string> hostnames;
  for (const auto& ep : slices[0]->endpoints) hostnames.push_back(ep.hostname);
  std::sort(hostnames.begin(), hostnames.end());
  CHECK(hostnames == std::vector<std::string>{"db-0", "db-1"});
}

TEST_CASE("a headless Service without ports lists addresses without ports",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5"));
  add(st, testing::service("web").selector("app", "web").headless());
  controllers::reconcile(st, kAsIs);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]->ports.empty());
  CHECK(slices[0]->endpoints.size() == 1);
  const auto& e = endpoints_of(st, "web");
  REQUIRE(e.subsets.size() == 1);
  CHECK(e.subsets[0].ports.empty());
  CHECK(e.subsets[0].addresses.size() == 1);
}

TEST_CASE("a selector that matches nothing gives one empty slice and empty Endpoints",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5"));
  add(st, testing::service("typo").selector("app", "wbe").port(80));
  controllers::reconcile(st, kAsIs);
  auto slices = testing::slices_of(st, "default", "typo");
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]->endpoints.empty());
  CHECK(slices[0]->ports.empty());
  CHECK(endpoints_of(st, "typo").subsets.empty());
}

TEST_CASE("a selector matches only pods of its own namespace", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("here", "10.244.0.5"));
  add(st, pod_at("there", "10.244.0.6").ns("other"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  controllers::reconcile(st, kAsIs);
  const auto& eps = testing::slices_of(st, "default", "web").at(0)->endpoints;
  REQUIRE(eps.size() == 1);
  CHECK(eps[0].target_ref->name == "here");
}

TEST_CASE("ExternalName Services get neither slices nor Endpoints", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5"));
  auto ext = testing::service("ext").external_name("example.com").selector("app", "web");
  add(st, ext);
  controllers::reconcile(st, kAsIs);
  CHECK(testing::slices_of(st, "default", "ext").empty());
  CHECK(st.endpoints.find("default", "ext") == nullptr);
}

TEST_CASE("hand-written Endpoints of a selector-less Service are mirrored into a slice",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::service("external-web").port(80, 0, "http"));
  add(st, testing::endpoints("external-web")
              .address("93.184.215.14")
              .not_ready_address("93.184.215.15")
              .port(80, "http"));
  CHECK(testing::reconcile_text(st).empty());

  // The user's Endpoints stay as written.
  CHECK_FALSE(endpoints_of(st, "external-web").managed);
  auto slices = testing::slices_of(st, "default", "external-web");
  REQUIRE(slices.size() == 1);
  const auto* s = slices[0];
  CHECK(s->meta.name.rfind("external-web-", 0) == 0);
  CHECK(*s->meta.labels.get("endpointslice.kubernetes.io/managed-by") ==
        "endpointslicemirroring-controller.k8s.io");
  CHECK(*s->meta.labels.get("kubernetes.io/service-name") == "external-web");
  REQUIRE(s->ports.size() == 1);
  CHECK(s->ports[0].name == "http");
  CHECK(s->ports[0].port == 80);
  REQUIRE(s->endpoints.size() == 2);
  CHECK(s->endpoints[0].ip.str() == "93.184.215.14");
  CHECK(s->endpoints[0].conditions.is_ready());
  CHECK_FALSE(s->endpoints[1].conditions.is_ready());
}

TEST_CASE("Endpoints labelled skip-mirror are not mirrored", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::service("ext").port(80));
  add(st, testing::endpoints("ext").address("1.2.3.4").port(80).label(
              "endpointslice.kubernetes.io/skip-mirror", "true"));
  controllers::reconcile(st);
  CHECK(testing::slices_of(st, "default", "ext").empty());
}

TEST_CASE("hand-written EndpointSlices are used as they are", "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::service("ext").port(80, 0, "http"));
  auto slice = testing::endpoint_slice("ext-manual").endpoint("1.2.3.4").port(80, "http").build();
  slice.meta.labels.set("kubernetes.io/service-name", "ext");  // the label only, as YAML has it
  add(st, slice);
  controllers::reconcile(st);
  controllers::reconcile(st);
  const auto* s = st.endpoint_slices.find("default", "ext-manual");
  REQUIRE(s != nullptr);
  CHECK_FALSE(s->managed);
  CHECK(s->service_name == "ext");
  CHECK(s->endpoints.size() == 1);
  CHECK(testing::slices_of(st, "default", "ext").empty());  // nothing derived next to it
}

TEST_CASE(
    "a manual endpoint port whose name matches no Service port is mirrored as written "
    "and warned about",
    "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::service("ext").port(80, 0, "http").at("ext.yaml", 4));
  add(st, testing::endpoints("ext").address("1.2.3.4").port(80, "web"));
  auto diags = controllers::reconcile(st);
  CHECK_FALSE(diags.has_errors());
  CHECK(diags.str() ==
        "ext.yaml:4:1: warning: Service \"ext\": spec.ports[0].name: no port named \"http\" in "
        "the EndpointSlices of this Service (their ports: \"web\"): kube-proxy matches endpoint "
        "ports by name, so this Service port has no endpoints and connections to it are "
        "refused\n");
  CHECK(testing::slices_of(st, "default", "ext").at(0)->ports.at(0).name == "web");
}

TEST_CASE("the Endpoints controller owns the Endpoints of a Service with a selector",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, pod_at("a", "10.244.0.5"));
  add(st, testing::service("web").selector("app", "web").port(80, "http"));
  add(st, testing::endpoints("web").address("1.2.3.4").port(80));
  controllers::reconcile(st, kAsIs);
  const auto& e = endpoints_of(st, "web");
  CHECK(e.managed);
  CHECK(e.subsets.at(0).addresses.at(0).ip.str() == "10.244.0.5");
}

TEST_CASE("pods that resolve every port share one slice with all the ports",
          "[controllers][endpoints]") {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(2).port(8080, "http").port(9090, "metrics"));
  add(st, testing::service("web")
              .selector("app", "web")
              .port(80, "http", "http")
              .port(9090, "metrics", "metrics"));
  controllers::reconcile(st);
  auto slices = testing::slices_of(st, "default", "web");
  REQUIRE(slices.size() == 1);
  REQUIRE(slices[0]->ports.size() == 2);
  CHECK(slices[0]->ports[0].name == "http");
  CHECK(slices[0]->ports[1].name == "metrics");
  const auto& e = endpoints_of(st, "web");
  REQUIRE(e.subsets.size() == 1);
  CHECK(e.subsets[0].ports.size() == 2);
  CHECK(e.subsets[0].addresses.size() == 2);
}
