// The model's compact representations: copy-on-write string maps, interned events, the
// object tables' index. Each behaves as the plain structure it replaced.

#include <string>

#include <catch2/catch.hpp>

#include "podhop/model/cluster_state.hpp"

namespace podhop::model {
namespace {

TEST_CASE("a copied StringMap shares its entries until one side changes", "[model]") {
  StringMap a = {{"app", "web"}, {"tier", "front"}};
  StringMap b = a;
  CHECK(&*a.begin() == &*b.begin());  // one set of entries
  b.set("pod-template-hash", "abc");
  CHECK(&*a.begin() != &*b.begin());
  CHECK(a.size() == 2);
  CHECK(a.str() == "app=web,tier=front");
  CHECK(b.str() == "app=web,pod-template-hash=abc,tier=front");
  CHECK(b.erase("app"));
  CHECK_FALSE(b.erase("app"));
  CHECK(a.get("app") != nullptr);
  CHECK(*a.get("app") == "web");
  CHECK(b.get("app") == nullptr);
  CHECK(a != b);
  StringMap c = {{"tier", "front"}, {"app", "web"}};
  CHECK(a == c);  // equal contents, different storage
}

TEST_CASE("an empty StringMap iterates nothing and can be filled", "[model]") {
  StringMap m;
  CHECK(m.empty());
  CHECK(m.begin() == m.end());
  CHECK(m == StringMap{});
  m.set("a", "1");
  CHECK(m.size() == 1);
  CHECK(m.erase("a"));
  CHECK(m.empty());
  CHECK(m == StringMap{});
}

TEST_CASE("events read back as recorded, with their messages whole", "[model]") {
  EventLog log;
  log.record({.kind = "ReplicaSet",
              .namespace_ = "default",
              .name = "web-5d8f",
              .reason = "SuccessfulCreate",
              .message = "Created pod: web-5d8f-abcde",
              .source = "replicaset-controller",
              .message_arg = "web-5d8f-abcde"});
  log.record({.kind = "Pod",
              .namespace_ = "web",
              .name = "web",
              .type = "Warning",
              .reason = "Scheduled",
              .message = "Successfully assigned web/web to node-1",
              .source = "default-scheduler"});
  log.record({.kind = "Pod", .name = "x", .reason = "Odd", .message = "not about x"});
  REQUIRE(log.size() == 3);
  CHECK(log[0].involved.kind == "ReplicaSet");
  CHECK(log[0].involved.name == "web-5d8f");
  CHECK(log[0].type == "Normal");
  CHECK(log[0].message() == "Created pod: web-5d8f-abcde");
  CHECK(log[1].message() == "Successfully assigned web/web to node-1");
  CHECK(log[1].is_warning());
  CHECK(log[2].message() == "not about x");
  CHECK(log[2].involved.namespace_.empty());
  // The varying word is cut out, so the rest of the message is one shared text.
  EventLog copy = log;
  copy.record({.kind = "ReplicaSet",
               .namespace_ = "default",
               .name = "web-5d8f",
               .reason = "SuccessfulCreate",
               .message = "Created pod: web-5d8f-fghij",
               .source = "replicaset-controller",
               .message_arg = "web-5d8f-fghij"});
  CHECK(&copy[3].message_text.str() == &log[0].message_text.str());
  CHECK(copy[3].message() == "Created pod: web-5d8f-fghij");
  CHECK(log.size() == 3);
}

struct Thing {
  ObjectMeta meta;
  int value = 0;
};

Thing thing(std::string ns, std::string name, int value) {
  Thing t;
  t.meta.namespace_ = std::move(ns);
  t.meta.name = std::move(name);
  t.value = value;
  return t;
}

TEST_CASE("ObjectTable finds, replaces and erases by namespace and name", "[model]") {
  ObjectTable<Thing> t;
  CHECK(t.find("a", "b") == nullptr);
  for (int i = 0; i < 1000; ++i)
    CHECK(t.upsert(thing("ns" + std::to_string(i % 7), "n" + std::to_string(i), i)) ==
          static_cast<std::uint32_t>(i));
  CHECK(t.size() == 1000);
  REQUIRE(t.find("ns3", "n3") != nullptr);
  CHECK(t.find("ns3", "n3")->value == 3);
  CHECK(t.find("ns4", "n3") == nullptr);
  CHECK(t.upsert(thing("ns3", "n3", -3)) == 3);  // same key: replaced in its slot
  CHECK(t.size() == 1000);
  CHECK(t.find("ns3", "n3")->value == -3);
  CHECK(t.erase("ns0", "n0"));
  CHECK_FALSE(t.erase("ns0", "n0"));
  CHECK(t.slot_of("ns1", "n1") == 0u);  // later slots shift down
  CHECK(t.erase_if([](const Thing& x) { return x.value % 2 == 0; }) == 499);
  CHECK(t.size() == 500);
  for (const auto& x : t.items()) CHECK(t.find(x.meta.namespace_, x.meta.name) == &x);
  CHECK(t.find("ns2", "n2") == nullptr);
}

}  // namespace
}  // namespace podhop::model
