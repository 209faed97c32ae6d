// What a reused slot keeps from the request before must never show: an answer put in place
// before it is delivered, a client's words left in the record, a client shared between
// requests.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "podhop/dataplane/pipeline.hpp"
#include "podhop/simulation.hpp"
#include "support/two_nodes.hpp"

using podhop::Simulation;
using podhop::core::Duration;
using podhop::testing::pod_url;
using podhop::trace::Outcome;
using namespace podhop::dataplane;

namespace {

// Copies every record; moves the client's name out of the ones it is told to (as an
// observer may), which leaves that string empty in the slot.
struct Keeper : RequestObserver {
  std::vector<podhop::trace::RequestRecord> seen;
  std::vector<bool> take_name;  // by completion
  void on_complete(RequestId, podhop::trace::RequestRecord& r) override {
    seen.push_back(r);
    if (seen.size() <= take_name.size() && take_name[seen.size() - 1]) {
      std::string name = std::move(r.client.name);
      seen.back().client.name = name;
    }
  }
};

}  // namespace

TEST_CASE("an answer that never arrives leaves its slot's next answer whole", "[dataplane]") {
  // a to b: the echo server answers at 300us, the answer is back at 400us. --max-time 350us
  // gives up in between, after the answer was put in place for the record.
  Simulation sim = podhop::testing::two_nodes_with_web();
  const Client a = podhop::testing::pod_client(sim, "a");
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  spec.record_hops = false;
  spec.max_time = Duration::micros(350);
  auto cut = sim.pipeline().run(a, spec);
  CHECK(cut.outcome == Outcome::timeout);
  CHECK(cut.elapsed == Duration::micros(350));
  CHECK(cut.body.empty());
  CHECK(cut.headers.empty());
  CHECK_FALSE(cut.status);
  // The next request takes the same slot (the last freed) and gets all of its answer.
  spec.max_time.reset();
  auto whole = sim.pipeline().run(a, spec);
  CHECK(whole.outcome == Outcome::ok);
  CHECK(whole.body.rfind("pod: default/b\n", 0) == 0);
  REQUIRE(whole.headers.size() == 2);
  CHECK(whole.headers[0].second == "text/plain; charset=utf-8");
  CHECK(whole.headers[1].second == std::to_string(whole.body.size()));
  // And once more cut, through an observer, whose record stays in the slot meanwhile.
  Keeper keeper;
  sim.pipeline().set_observer(&keeper);
  spec.max_time = Duration::micros(350);
  sim.pipeline().start(a, spec);
  sim.simulator().run();
  spec.max_time.reset();
  sim.pipeline().start(a, spec);
  sim.simulator().run();
  sim.pipeline().set_observer(nullptr);
  REQUIRE(keeper.seen.size() == 2);
  CHECK(keeper.seen[0].body.empty());
  CHECK(keeper.seen[0].headers.empty());
  CHECK(keeper.seen[1].body ==
        whole.body.substr(0, whole.body.find("\nclient:")) +
            keeper.seen[1].body.substr(keeper.seen[1].body.find("\nclient:")));
  CHECK(keeper.seen[1].headers == whole.headers);
}

TEST_CASE("clients taking turns in one slot are recorded under their own names", "[dataplane]") {
  Simulation sim = podhop::testing::two_nodes_with_web();
  const Client a = podhop::testing::pod_client(sim, "a");
  const Client b = podhop::testing::pod_client(sim, "b");
  Client renamed = a;  // equal to a but for its name: a different client
  renamed.name = "default/a2";
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  spec.record_hops = false;
  Keeper keeper;
  // The second a's name is moved out by the observer: the third a must still carry it.
  keeper.take_name = {false, true, false, false, false, false};
  sim.pipeline().set_observer(&keeper);
  const std::vector<const Client*> order = {&a, &a, &a, &b, &renamed, &a};
  for (const Client* c : order) {
    sim.pipeline().start(*c, spec);
    sim.simulator().run();  // one at a time: every request takes the same slot
  }
  sim.pipeline().set_observer(nullptr);
  REQUIRE(keeper.seen.size() == order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    INFO(i);
    const auto& r = keeper.seen[i];
    CHECK(r.outcome == Outcome::ok);
    CHECK(r.client.kind == "pod");
    CHECK(r.client.name == order[i]->name);
    CHECK(r.client.node == order[i]->node_name);
    CHECK(r.client.ip == order[i]->ip);
  }
  // b's requests come from b's own address.
  CHECK(keeper.seen[3].body.find("client: " + b.ip.str() + ":") != std::string::npos);
  CHECK(keeper.seen[2].body.find("client: " + a.ip.str() + ":") != std::string::npos);
}
