// Traffic while pods come and go: requests in flight never see another pod in the slot
// they hold, and a preStop sleep longer than the propagation lag makes a rolling update
// lose nothing.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/engine/simulator.hpp"
#include "time_support.hpp"

using namespace podhop;
using namespace podhop::time_testing;

namespace {

// An open-loop client on node-1: one request every `gap` to `url`, each on a new
// connection, giving up on connect after 1 s.
class Load : public dataplane::RequestObserver {
 public:
  Load(Simulation& sim, std::string url, core::Duration gap, int requests)
      : sim_(sim), url_(std::move(url)), gap_(gap), left_(requests) {
    client_ = *sim.network().client(dataplane::ClientRef::node("node-1"));
    sim.pipeline().set_observer(this);
    sim.simulator().schedule_in(gap_, [this] { tick(); });
  }
  ~Load() override { sim_.pipeline().set_observer(nullptr); }
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void on_complete(dataplane::RequestId, trace::RequestRecord& record) override {
    ++outcomes[record.outcome];
    if (record.served_by) ++served[*record.served_by];
  }
  int failed() const {
    int n = 0;
    for (const auto& [o, count] : outcomes) n += o == trace::Outcome::ok ? 0 : count;
    return n;
  }
  int total() const {
    int n = 0;
    for (const auto& [o, count] : outcomes) n += count;
    return n;
  }

  std::map<trace::Outcome, int> outcomes;
  std::map<std::string, int> served;

 private:
  void tick() {
    if (left_-- <= 0) return;
    dataplane::RequestSpec spec;
    spec.url = url_;
    spec.record_hops = false;
    spec.connect_timeout = core::Duration::seconds(1);
    sim_.pipeline().start(client_, std::move(spec));
    sim_.simulator().schedule_in(gap_, [this] { tick(); });
  }

  Simulation& sim_;
  std::string url_;
  core::Duration gap_;
  int left_;
  dataplane::Client client_;
};

std::string url_of(const Simulation& sim, std::string_view svc) {
  return fmt::format("http://{}/",
                     sim.state().services.find("default", svc)->spec.cluster_ip.str());
}

const std::string kStrategy =
    "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n";

}  // namespace

TEST_CASE("a rolling update without a preStop sleep drops requests and one with it drops none",
          "[scenario][time]") {
  const std::string timing = "containerStart: 1s, controllerDelay: 100ms, endpointPropagation: 1s";
  auto run = [&](std::string_view container_extra) {
    auto sim = loaded(cluster(2, timing) + "---\n" + web("web", 3, container_extra, kStrategy));
    Load load(sim, url_of(sim, "web"), core::Duration::millis(5), 4000);  // 20 s of traffic
    REQUIRE(sim.rollout("web", "example/web:v2").ok);
    sim.run_until(at(30));
    CHECK(sim.rollout_complete("web"));
    CHECK(sim.pipeline().in_flight() == 0);
    CHECK(load.total() == 4000);
    return load.failed();
  };
  const int without = run("");
  const int with = run("        lifecycle: {preStop: {sleep: {seconds: 3}}}\n");
  CHECK(without > 0);
  CHECK(with == 0);
}

TEST_CASE("requests keep flowing while pods are deleted and replaced", "[scenario][time]") {
  auto sim = loaded(cluster(2,
                            "containerStart: 500ms, controllerDelay: 50ms, "
                            "endpointPropagation: 300ms, propagationJitter: 400ms") +
                    "---\n" + web("web", 4));
  Load load(sim, url_of(sim, "web"), core::Duration::millis(2), 5000);  // 10 s
  for (int round = 0; round < 8; ++round) {
    sim.run_until(at(1.0 + round));
    auto pods = pods_of(sim, "web-");
    REQUIRE_FALSE(pods.empty());
    REQUIRE(sim.delete_object("pod", pods[static_cast<std::size_t>(round) % pods.size()]->meta.name)
                .ok);
  }
  sim.run_until(at(15));
  CHECK(load.total() == 5000);
  // Each deletion loses the new connections a node still sends to the gone pod until its
  // kube-proxy catches up (50 ms + 300..700 ms, a quarter of the traffic): about 8 x 60.
  CHECK(load.outcomes[trace::Outcome::ok] > 4000);
  CHECK(load.outcomes[trace::Outcome::ok] < 5000);
  CHECK(load.outcomes[trace::Outcome::ok] + load.outcomes[trace::Outcome::timeout] == 5000);
  // Every pod that answered is a web pod, old or new.
  for (const auto& [pod, n] : load.served) CHECK(pod.starts_with("default/web-"));
  CHECK(load.served.size() > 4);
  // Nothing in flight: the tombstones have been compacted away.
  CHECK(sim.network().state().pods.size() == sim.state().pods.size());
}
