// Generated names: their shapes, their determinism for a seed, their difference across seeds.

#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "helpers.hpp"
#include "podhop/controllers/names.hpp"
#include "support/builders.hpp"

using namespace podhop;
using testing::add;

namespace {

bool all_in_alphabet(std::string_view s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string_view::npos;
}

model::ClusterState deployment_cluster(std::uint64_t seed, int replicas = 3) {
  auto st = testing::state();
  add(st, testing::deployment("web").replicas(replicas).image("nginx").port(80, "http"));
  controllers::reconcile(st, {.seed = seed});
  return st;
}

}  // namespace

TEST_CASE("safe_encode maps decimal digits onto kubectl's alphabet", "[controllers][names]") {
  // '0'..'9' are bytes 48..57; modulo 27 they land on "4 5 6 7 8 9 b c d f".
  CHECK(controllers::safe_encode("0123456789") == "456789bcdf");
}

TEST_CASE("a pod-template-hash has 1 to 10 characters of the digit alphabet",
          "[controllers][names]") {
  model::PodTemplate t;
  t.labels = {{"app", "web"}};
  t.spec = std::make_shared<const model::PodSpec>();
  auto h = controllers::pod_template_hash(t);
  CHECK(h.size() >= 1);
  CHECK(h.size() <= 10);
  CHECK(all_in_alphabet(h, "456789bcdf"));
}

TEST_CASE("equal templates hash equal and a changed image changes the hash",
          "[controllers][names]") {
  auto make = [](std::string image) {
    model::PodTemplate t;
    t.labels = {{"app", "web"}};
    auto spec = std::make_shared<model::PodSpec>();
    spec->containers.push_back({.name = "web", .image = std::move(image)});
    t.spec = spec;
    return t;
  };
  CHECK(controllers::pod_template_hash(make("nginx:1")) ==
        controllers::pod_template_hash(make("nginx:1")));
  CHECK(controllers::pod_template_hash(make("nginx:1")) !=
        controllers::pod_template_hash(make("nginx:2")));
}

TEST_CASE("generated names cut the prefix to 58 characters and add 5 from the alphabet",
          "[controllers][names]") {
  const std::string long_prefix(70, 'a');
  auto name = controllers::generated_name(1, "s", long_prefix, 0);
  REQUIRE(name.size() == 63);
  CHECK(name.substr(0, 58) == std::string(58, 'a'));
  CHECK(all_in_alphabet(name.substr(58), controllers::kNameAlphabet));
}

TEST_CASE("Deployment pods are named <deploy>-<hash>-<5 chars> like kubectl shows",
          "[controllers][names]") {
  auto st = deployment_cluster(1);
  auto pods = testing::pods_named(st, "web-");
  REQUIRE(pods.size() == 3);
  const std::regex shape("web-[456789bcdf]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}");
  for (const auto* p : pods) CHECK(std::regex_match(p->meta.name, shape));
  // All three share the ReplicaSet's name as prefix.
  const auto* rs = st.replica_sets.sorted().front();
  for (const auto* p : pods) CHECK(p->meta.name.rfind(rs->meta.name + "-", 0) == 0);
}

TEST_CASE("the same seed gives the same names, another seed other pod names",
          "[controllers][names]") {
  auto names = [](std::uint64_t seed) {
    std::vector<std::string> out;
    auto st = deployment_cluster(seed);
    for (const auto* p : testing::pods_named(st, "web-")) out.push_back(p->meta.name);
    return out;
  };
  CHECK(names(7) == names(7));
  CHECK(names(7) != names(8));
}

TEST_CASE("the ReplicaSet name does not depend on the seed (it is the template's hash)",
          "[controllers][names]") {
  auto a = deployment_cluster(1);
  auto b = deployment_cluster(2);
  CHECK(a.replica_sets.sorted().front()->meta.name == b.replica_sets.sorted().front()->meta.name);
}

TEST_CASE("many replicas get distinct names", "[controllers][names]") {
  auto st = deployment_cluster(3, 200);
  std::set<std::string> names;
  for (const auto* p : testing::pods_named(st, "web-")) names.insert(p->meta.name);
  CHECK(names.size() == 200);
}

TEST_CASE("StatefulSet pods are <name>-0, -1, -2", "[controllers][names]") {
  auto st = testing::state();
  add(st, testing::stateful_set("db").replicas(3).service_name("db"));
  controllers::reconcile(st);
  auto pods = testing::pods_named(st, "db-");
  REQUIRE(pods.size() == 3);
  CHECK(pods[0]->meta.name == "db-0");
  CHECK(pods[1]->meta.name == "db-1");
  CHECK(pods[2]->meta.name == "db-2");
}

TEST_CASE("EndpointSlices are named <service>-<5 chars>", "[controllers][names]") {
  auto st = testing::state();
  add(st, testing::deployment("web").port(80));
  add(st, testing::service("web-svc").selector("app", "web").port(80));
  controllers::reconcile(st);
  auto slices = testing::slices_of(st, "default", "web-svc");
  REQUIRE(slices.size() == 1);
  CHECK(std::regex_match(slices[0]->meta.name,
                         std::regex("web-svc-[bcdfghjklmnpqrstvwxz2456789]{5}")));
}
