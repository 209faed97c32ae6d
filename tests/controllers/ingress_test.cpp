// Ingress class (as admitted) and status (what minikube's ingress-nginx writes).

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "podhop/controllers/system_objects.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

std::string address_of(const model::ClusterState& st, std::string_view name) {
  const auto* i = st.ingresses.find("default", name);
  REQUIRE(i != nullptr);
  return i->load_balancer.empty() ? std::string() : i->load_balancer.front().ip.str();
}

}  // namespace

TEST_CASE("with the ingress addon, Ingresses of class nginx get the first node's IP",
          "[controllers][ingress]") {
  auto st = testing::state(testing::cluster().nodes(2).addon("ingress"));
  add(st, testing::ingress("named").class_name("nginx").rule("app.test", "/", "web", 80));
  add(st, testing::ingress("defaulted").rule("app.test", "/x", "web", 80));
  CHECK(testing::reconcile_text(st).empty());
  CHECK(address_of(st, "named") == "192.168.49.2");
  CHECK(address_of(st, "defaulted") == "192.168.49.2");
  CHECK(st.ingresses.find("default", "defaulted")->effective_class == "nginx");
}

TEST_CASE("without an ingress controller an Ingress never gets an address",
          "[controllers][ingress]") {
  auto st = testing::state();
  add(st, testing::ingress("lonely").class_name("nginx").rule("app.test", "/", "web", 80));
  controllers::reconcile(st);
  CHECK(address_of(st, "lonely").empty());
  CHECK(st.ingresses.find("default", "lonely")->effective_class == "nginx");
}

TEST_CASE("an Ingress of a class ingress-nginx does not own gets no address",
          "[controllers][ingress]") {
  auto st = testing::state(testing::cluster().nodes(1).addon("ingress"));
  add(st, testing::ingress_class("traefik").controller("traefik.io/ingress-controller"));
  add(st, testing::ingress("other").class_name("traefik").rule("a.test", "/", "web", 80));
  add(st, testing::ingress("unknown").class_name("missing").rule("b.test", "/", "web", 80));
  controllers::reconcile(st);
  CHECK(address_of(st, "other").empty());
  CHECK(address_of(st, "unknown").empty());
}

TEST_CASE("the deprecated class annotation is honoured", "[controllers][ingress]") {
  auto st = testing::state(testing::cluster().nodes(1).addon("ingress"));
  add(st, testing::ingress("old")
              .annotation("kubernetes.io/ingress.class", "nginx")
              .rule("a.test", "/", "web", 80));
  add(st, testing::ingress("elsewhere")
              .annotation("kubernetes.io/ingress.class", "traefik")
              .rule("b.test", "/", "web", 80));
  controllers::reconcile(st);
  CHECK(st.ingresses.find("default", "old")->effective_class == "nginx");
  CHECK(address_of(st, "old") == "192.168.49.2");
  CHECK(st.ingresses.find("default", "elsewhere")->effective_class == "traefik");
  CHECK(address_of(st, "elsewhere").empty());
}

TEST_CASE("the effective class is spec, else annotation, else the one default class",
          "[controllers][ingress]") {
  auto st = testing::state();
  add(st, testing::ingress_class("main").default_class());
  add(st, testing::ingress("spec").class_name("x").annotation("kubernetes.io/ingress.class", "y"));
  add(st, testing::ingress("annotated").annotation("kubernetes.io/ingress.class", "y"));
  add(st, testing::ingress("none"));
  controllers::reconcile(st);
  CHECK(st.ingresses.find("default", "spec")->effective_class == "x");
  CHECK(st.ingresses.find("default", "annotated")->effective_class == "y");
  CHECK(st.ingresses.find("default", "none")->effective_class == "main");
}

TEST_CASE("two default IngressClasses make a class-less Ingress an admission error",
          "[controllers][ingress]") {
  auto st = testing::state(testing::cluster().nodes(1).addon("ingress"));
  add(st, testing::ingress_class("second").default_class());
  add(st, testing::ingress("classless").rule("a.test", "/", "web", 80).at("ing.yaml", 5));
  CHECK(testing::reconcile_text(st) ==
        "ing.yaml:5:1: error: Ingress \"classless\": Forbidden: 2 default IngressClasses were "
        "found, only 1 allowed\n");
  CHECK(address_of(st, "classless").empty());
}

TEST_CASE("a class given at admission stays when a second default class appears",
          "[controllers][ingress]") {
  auto st = testing::state(testing::cluster().nodes(1).addon("ingress"));
  add(st, testing::ingress("early").rule("a.test", "/", "web", 80));
  controllers::reconcile(st);
  add(st, testing::ingress_class("second").default_class());
  CHECK(testing::reconcile_text(st).empty());
  CHECK(st.ingresses.find("default", "early")->effective_class == "nginx");
}

TEST_CASE("served_by_ingress_nginx answers for any Ingress without a class",
          "[controllers][ingress]") {
  auto st = testing::state(testing::cluster().nodes(1).addon("ingress"));
  controllers::reconcile(st);
  // No default class left: minikube's controller watches class-less Ingresses anyway.
  st.ingress_classes.find("", "nginx")->is_default = false;
  auto ing = testing::ingress("bare").build();
  CHECK(controllers::served_by_ingress_nginx(st, ing));
  st.config.addons.clear();
  CHECK_FALSE(controllers::served_by_ingress_nginx(st, ing));
}
