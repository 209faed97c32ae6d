// The model's shared words: a pool that keeps a block it is given, an event log that keeps a
// draft's block and its times as ids, string maps that share their entries through an
// 8-byte pointer. Each reads back exactly as what was put in.

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "podhop/model/cluster_state.hpp"

namespace podhop::model {
namespace {

TEST_CASE("a pool keeps the block it is given for a new text, and finds it by text", "[model]") {
  StringPool pool;
  const SharedStr name("web-5d8f-abcde");
  const std::uint32_t id = pool.id_of(name);
  CHECK(id != 0);
  CHECK(&pool.at(id).str() == &name.str());  // the block itself, no copy
  CHECK(pool.id("web-5d8f-abcde") == id);    // the same text finds it
  const SharedStr other("web-5d8f-abcde");
  CHECK(pool.id_of(other) == id);  // a text it has keeps its first block
  CHECK(&pool.at(id).str() == &name.str());
  CHECK(pool.id_of(SharedStr()) == 0);
  CHECK(pool.id("plain") != id);
  CHECK(pool.at(pool.id("plain")) == "plain");
}

TEST_CASE("an event log keeps a draft's shared word and reads times and words back", "[model]") {
  EventLog log;
  const SharedStr pod("web-5d8f-abcde");
  log.record({.kind = "ReplicaSet",
              .namespace_ = "default",
              .name = "web-5d8f",
              .reason = "SuccessfulCreate",
              .message = "Created pod: web-5d8f-abcde",
              .source = "replicaset-controller",
              .at = core::SimTime{5},
              .message_arg = "web-5d8f-abcde",
              .shared_word = &pod});
  log.record({.kind = "Pod",
              .namespace_ = "default",
              .name = "web-5d8f-abcde",
              .reason = "Scheduled",
              .message = "Successfully assigned default/web-5d8f-abcde to node-1",
              .source = "default-scheduler",
              .at = core::SimTime{5},
              .shared_word = &pod});
  // Times out of order and repeated read back as recorded.
  log.record({.kind = "Pod",
              .name = "x",
              .type = "Warning",
              .reason = "Odd",
              .message = "m",
              .source = "kubelet",
              .at = core::SimTime{2}});
  log.record({.kind = "Pod",
              .name = "x",
              .reason = "Odd",
              .message = "m",
              .source = "kubelet",
              .at = core::SimTime{9}});
  REQUIRE(log.size() == 4);
  CHECK(&log[0].message_arg.str() == &pod.str());
  CHECK(&log[1].involved.name.str() == &pod.str());
  CHECK(log[0].message() == "Created pod: web-5d8f-abcde");
  CHECK(log[1].message() == "Successfully assigned default/web-5d8f-abcde to node-1");
  CHECK(log[0].at == core::SimTime{5});
  CHECK(log[1].at == core::SimTime{5});
  CHECK(log[2].at == core::SimTime{2});
  CHECK(log[3].at == core::SimTime{9});
  CHECK(log[0].involved.kind == "ReplicaSet");
  CHECK(log[0].source == "replicaset-controller");
  CHECK(log[1].involved.kind == "Pod");
  CHECK(log[1].source == "default-scheduler");
  CHECK(log[2].is_warning());
  CHECK_FALSE(log[3].is_warning());
  CHECK(log[3].source == "kubelet");
  // A copy records into the same pools; the original reads as before.
  EventLog copy = log;
  copy.record(
      {.kind = "Pod", .name = "y", .reason = "Odd", .message = "n", .at = core::SimTime{1}});
  CHECK(copy[4].at == core::SimTime{1});
  CHECK(copy[4].involved.name == "y");
  CHECK(log.size() == 4);
  CHECK(log[3].at == core::SimTime{9});
  copy.shrink_to_fit();
  CHECK(copy[4].message() == "n");
}

TEST_CASE("string maps share their entries through copies, moves and assignments", "[model]") {
  StringMap a = {{"app", "web"}};
  StringMap b = a;
  StringMap c;
  c = b;
  CHECK(&*c.begin() == &*a.begin());
  const StringMap& same = c;
  c = same;  // assigning a map to itself keeps the entries
  CHECK(c.str() == "app=web");
  StringMap d = std::move(c);
  CHECK(c.empty());  // NOLINT: a moved-from map is empty
  CHECK(&*d.begin() == &*a.begin());
  d.set("tier", "front");  // d gets entries of its own
  CHECK(a.str() == "app=web");
  CHECK(b.str() == "app=web");
  CHECK(d.str() == "app=web,tier=front");
  a = StringMap{};
  CHECK(a.empty());
  CHECK(b.str() == "app=web");  // b still holds the first entries
  b = d;
  CHECK(b == d);
  CHECK(&*b.begin() == &*d.begin());
}

TEST_CASE("a cluster state gives back the room of its tables, keeping every object", "[model]") {
  ClusterState st;
  for (int i = 0; i < 5; ++i) {
    Service s;
    s.meta.namespace_ = "default";
    s.meta.name = "s" + std::to_string(i);
    st.services.upsert(s);
  }
  st.events.record({.kind = "Service", .name = "s0", .reason = "R", .message = "m"});
  st.shrink_to_fit();
  CHECK(st.services.items().capacity() == 5);
  REQUIRE(st.services.find("default", "s3") != nullptr);
  CHECK(st.services.find("default", "s3")->meta.name == "s3");
  CHECK(st.events.size() == 1);
  CHECK(st.events[0].message() == "m");
}

}  // namespace
}  // namespace podhop::model
