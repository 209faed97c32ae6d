// The model's compact representations: copy-on-write string maps, interned events, the
// object tables' index. Each behaves as the plain structure it replaced.

#include <string>
#include <vector>

#include <fmt/format.h>

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

TEST_CASE("events read back as drafted whether their words were in the last records or not",
          "[model]") {
  // The log looks for a word among the last few records before its pool: runs, words
  // that come back after a few others, empty words, a long message (past the stack buffer)
  // and messages naming the object.
  const std::vector<std::string> kinds{"Pod", "ReplicaSet", "Pod", "Pod", "Deployment"};
  const std::vector<std::string> reasons{"Scheduled", "Pulled",  "Created",
                                         "Started",   "Killing", ""};
  const std::vector<std::string> namespaces{"default", "", "team-a", "default"};
  const std::string long_text(400, 'x');
  struct Drafted {
    std::string kind, ns, name, type, reason, message, source, arg;
  };
  std::vector<Drafted> drafted;
  EventLog log;
  for (int i = 0; i < 200; ++i) {
    Drafted d;
    d.kind = kinds[static_cast<std::size_t>(i / 3) % kinds.size()];
    d.ns = namespaces[static_cast<std::size_t>(i / 7) % namespaces.size()];
    d.name = fmt::format("obj-{}", i / 4);
    d.type = i % 9 == 0 ? "Warning" : "Normal";
    d.reason = reasons[static_cast<std::size_t>(i) % reasons.size()];
    d.source = i % 5 < 3 ? "kubelet" : "default-scheduler";
    switch (i % 4) {
      case 0:
        d.arg = fmt::format("pod-{}", i % 6);
        d.message = "Created pod: " + d.arg;
        break;
      case 1:
        d.message = fmt::format("Successfully assigned {}/{} to node-{}", d.ns, d.name, i % 3);
        break;
      case 2:
        d.message = fmt::format("{} {} {}", long_text, d.name, i % 2);
        break;
      default:
        d.message = "Started container app";
    }
    log.record({.kind = d.kind,
                .namespace_ = d.ns,
                .name = d.name,
                .type = d.type,
                .reason = d.reason,
                .message = d.message,
                .source = d.source,
                .at = core::SimTime{i / 10},
                .message_arg = d.arg});
    drafted.push_back(std::move(d));
  }
  REQUIRE(log.size() == drafted.size());
  for (std::size_t i = 0; i < drafted.size(); ++i) {
    const Event e = log[i];
    const Drafted& d = drafted[i];
    INFO("event " << i);
    CHECK(e.involved.kind == d.kind);
    CHECK(e.involved.namespace_ == d.ns);
    CHECK(e.involved.name == d.name);
    CHECK(e.type == d.type);
    CHECK(e.reason == d.reason);
    CHECK(e.source == d.source);
    CHECK(e.message() == d.message);
    CHECK(e.at == core::SimTime{static_cast<std::int64_t>(i / 10)});
    // One pooled text per word, however it was found.
    CHECK(&e.reason.str() == &log[i % reasons.size()].reason.str());
  }
}

TEST_CASE("the event log reads back by index and by iteration, each event knowing its place",
          "[model]") {
  EventLog log;
  for (int i = 0; i < 5; ++i)
    log.record({.kind = "Pod",
                .namespace_ = "default",
                .name = "p" + std::to_string(i),
                .reason = "Created",
                .message = "Created container: app",
                .at = core::SimTime{i}});
  std::size_t n = 0;
  for (const auto& e : log) {
    CHECK(e.index == n);
    CHECK(e.involved.name == "p" + std::to_string(n));
    CHECK(e.at == core::SimTime{static_cast<std::int64_t>(n)});
    ++n;
  }
  CHECK(n == 5);
  CHECK(log.back().involved.name == "p4");
  CHECK(log.end() - log.begin() == 5);
  // Records are ids into one pool: the same word is the same pooled string.
  CHECK(&log[0].reason.str() == &log[4].reason.str());
  CHECK(&log[0].message_text.str() == &log[3].message_text.str());
  EventLog other;
  other.swap(log);
  CHECK(log.empty());
  CHECK(other[2].message() == "Created container: app");
}

TEST_CASE("a SharedStr reads as its text and shares its block with copies and its pool",
          "[model]") {
  SharedStr a = std::string("node-00042");
  SharedStr b = a;
  CHECK(a.same(b));
  CHECK(b == "node-00042");
  CHECK(std::string_view(b) == "node-00042");
  CHECK(std::string(b.str()) + "!" == "node-00042!");
  SharedStr c("node-00042");
  CHECK(c == a);           // equal text
  CHECK_FALSE(c.same(a));  // made apart: its own block
  SharedStr empty;
  CHECK(empty.empty());
  CHECK(empty == "");
  CHECK(SharedStr(std::string()).empty());
  CHECK(SharedStr("a") < SharedStr("b"));
  CHECK(fmt::format("[{}]", a) == "[node-00042]");

  StringPool pool;
  SharedStr p1 = pool.share("zone-a");
  SharedStr p2 = pool.share(std::string("zone-a"));
  CHECK(p1.same(p2));
  CHECK(pool.share("").empty());
  {
    SharedStr moved = std::move(p1);
    CHECK(moved == "zone-a");
    CHECK(p1.empty());  // NOLINT: moved-from is empty
  }
  CHECK(p2 == "zone-a");  // still alive: the pool holds it
  // Pool ids: 0 is the empty string, the same text the same id.
  CHECK(pool.id("") == 0);
  const auto id = pool.id("Scheduled");
  CHECK(pool.id("Scheduled") == id);
  CHECK(pool.at(id) == "Scheduled");
  CHECK(pool.at(0).empty());
}

TEST_CASE("endpoint addresses keep one canonical IPv4 as 4 bytes and anything else as written",
          "[model]") {
  EndpointAddresses one = {"10.244.0.5"};
  CHECK(one.compact());
  CHECK(one.size() == 1);
  CHECK(one.front() == "10.244.0.5");
  CHECK(one == std::vector<std::string>{"10.244.0.5"});
  CHECK(EndpointAddresses::of(*Ipv4::parse("10.0.0.1")).list() ==
        std::vector<std::string>{"10.0.0.1"});
  // Not canonical text, several addresses, a name: kept as written, printed back the same.
  for (const std::vector<std::string>& written :
       {std::vector<std::string>{"010.0.0.1"}, std::vector<std::string>{"10.0.0.1", "10.0.0.2"},
        std::vector<std::string>{"example.com"}, std::vector<std::string>{"fd00::1"},
        std::vector<std::string>{"0.0.0.0"}}) {
    EndpointAddresses a = written;
    CHECK_FALSE(a.compact());
    CHECK(a.list() == written);
    CHECK(a.size() == written.size());
    EndpointAddresses copy = a;
    CHECK(copy == a);
    CHECK(copy.list() == written);
  }
  EndpointAddresses none;
  CHECK(none.empty());
  CHECK(none.list().empty());
}

TEST_CASE("an endpoint's hints take no heap until set and are copied with it", "[model]") {
  Endpoint e;
  CHECK_FALSE(e.hint_zones.allocated());
  CHECK(e.hint_zones.empty());
  e.hint_zones = {"zone-a"};
  e.hint_nodes = std::vector<std::string>{"node-1"};
  REQUIRE(e.hint_zones.allocated());
  Endpoint copy = e;
  CHECK(copy.hint_zones == std::vector<std::string>{"zone-a"});
  CHECK(copy.hint_nodes == std::vector<std::string>{"node-1"});
  copy.hint_nodes = {};
  CHECK_FALSE(copy.hint_nodes.allocated());
  CHECK(e.hint_nodes == std::vector<std::string>{"node-1"});
  const std::vector<std::string>& zones = e.hint_zones;
  CHECK(zones.size() == 1);
  // Built field by field from plain strings, as tests and converters do.
  e.target_ref = ObjectRef{"Pod", "default", std::string("web-0")};
  e.hostname = std::string("web-0");
  CHECK(e.target_ref->name == "web-0");
  CHECK(e.hostname == e.target_ref->name);
  EndpointAddress a{*Ipv4::parse("10.0.0.1"), "", "node-1", std::nullopt};
  CHECK(a.node_name == "node-1");
  CHECK(a.hostname.empty());
  // The compact layout is what keeps 150,000 endpoints small.
  CHECK(sizeof(Endpoint) <= 112);
  CHECK(sizeof(EndpointAddress) <= 56);
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
