// What a request learns at one step and uses (or records) at a later one: the app its SYN
// found, and the connection's fields of the record, written at the end.

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "podhop/dataplane/pipeline.hpp"
#include "podhop/simulation.hpp"
#include "support/two_nodes.hpp"

using podhop::Simulation;
using podhop::core::Duration;
using podhop::core::SimTime;
using podhop::testing::pod_url;
using podhop::trace::Outcome;
using namespace podhop::dataplane;

namespace {

struct Keeper : RequestObserver {
  std::vector<podhop::trace::RequestRecord> seen;
  void on_complete(RequestId, podhop::trace::RequestRecord& r) override { seen.push_back(r); }
};

}  // namespace

TEST_CASE("a pod rebuilt between the SYN and the request is asked again which app serves",
          "[dataplane]") {
  // a to b: the SYN reaches b at 100us (b listens on 8080), the request at 300us. In
  // between the network is rebuilt with b listening on 9090 only: the request finds nobody
  // on 8080 and the connection is reset, as it was before the SYN's answer was kept.
  Simulation sim = podhop::testing::two_nodes_with_web();
  const Client a = podhop::testing::pod_client(sim, "a");
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  spec.record_hops = false;
  Keeper keeper;
  sim.pipeline().set_observer(&keeper);
  sim.pipeline().start(a, spec);
  sim.simulator().run_until(SimTime{} + Duration::micros(150));
  REQUIRE(keeper.seen.empty());

  Network& net = sim.network();
  podhop::model::ClusterState state = sim.state();  // a copy the test changes
  podhop::model::Pod* b = state.pods.find("default", "b");
  REQUIRE(b != nullptr);
  auto moved = std::make_shared<podhop::model::PodSpec>(*b->spec);
  REQUIRE(moved->containers.size() == 1);
  REQUIRE(moved->containers[0].ports.size() == 1);
  moved->containers[0].ports[0].container_port = 9090;
  b->spec = moved;
  net.rebuild(state);
  sim.simulator().run();
  sim.pipeline().set_observer(nullptr);
  REQUIRE(keeper.seen.size() == 1);
  CHECK(keeper.seen[0].outcome == Outcome::reset);
  CHECK(keeper.seen[0].exit_code == 52);
  CHECK_FALSE(keeper.seen[0].status);
  net.rebuild(sim.state());  // back to the simulation's own state before it goes

  // Without the rebuild the same request is answered by b's echo server.
  auto whole = sim.pipeline().run(a, spec);
  CHECK(whole.outcome == Outcome::ok);
  CHECK(whole.body.rfind("pod: default/b\n", 0) == 0);
}

TEST_CASE("a record holds its connection's addresses and times however far it got", "[dataplane]") {
  Simulation sim = podhop::testing::two_nodes_with_web();
  const Client a = podhop::testing::pod_client(sim, "a");
  const std::string url = pod_url(sim, "b");
  const auto b_ip = sim.state().pods.find("default", "b")->status.pod_ip;
  for (const bool traced : {false, true}) {
    INFO("record_hops " << traced);
    RequestSpec spec;
    spec.url = url;
    spec.record_hops = traced;

    // Answered: connected at 200us (SYN and SYN-ACK across nodes), the answer back at 400us.
    auto ok = sim.pipeline().run(a, spec);
    REQUIRE(ok.outcome == Outcome::ok);
    CHECK(ok.time_namelookup == Duration{});
    CHECK(ok.time_connect == Duration::micros(200));
    CHECK(ok.time_starttransfer == Duration::micros(400));
    REQUIRE(ok.remote);
    CHECK(ok.remote->ip == b_ip);
    CHECK(ok.remote->port == 8080);
    CHECK(ok.connected_to == ok.remote);
    REQUIRE(ok.local);
    CHECK(ok.local->ip == a.ip);
    CHECK(ok.local->port > 0);
    CHECK(ok.resolved == std::vector<podhop::core::Ipv4>{b_ip});
    CHECK_FALSE(ok.reused_connection);

    // Given up after connecting, before the answer: connected, nothing transferred.
    spec.max_time = Duration::micros(350);
    auto cut = sim.pipeline().run(a, spec);
    CHECK(cut.outcome == Outcome::timeout);
    CHECK(cut.time_connect == Duration::micros(200));
    CHECK_FALSE(cut.time_starttransfer);
    CHECK(cut.connected_to == cut.remote);
    CHECK(cut.resolved == std::vector<podhop::core::Ipv4>{b_ip});

    // Refused (nothing listens on 9999): tried, never connected.
    spec.max_time.reset();
    spec.url = pod_url(sim, "b", 9999);
    auto refused = sim.pipeline().run(a, spec);
    CHECK(refused.outcome == Outcome::connection_refused);
    CHECK(refused.time_namelookup == Duration{});
    REQUIRE(refused.remote);
    CHECK(refused.remote->port == 9999);
    CHECK(refused.local);
    CHECK_FALSE(refused.connected_to);
    CHECK_FALSE(refused.time_connect);
    CHECK(refused.resolved == std::vector<podhop::core::Ipv4>{b_ip});
  }
}
