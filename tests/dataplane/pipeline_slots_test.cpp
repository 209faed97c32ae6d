// The request path's bookkeeping that must not show: a connect timer armed late, records
// that stay in their slot while an observer reads them, answers folded into one event.

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
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

Client client_a(Simulation& sim) {
  return podhop::testing::pod_client(sim, "a");
}

// Copies what it sees and leaves the record in its slot (whose memory the next request in
// that slot reuses); starts the next spec from the completion, as bulk traffic does.
struct Relay : RequestObserver {
  Pipeline* pipeline = nullptr;
  const Client* client = nullptr;
  std::vector<RequestSpec> next;  // started one per completion, in order
  std::size_t started = 0;
  std::vector<podhop::trace::RequestRecord> seen;
  void on_complete(RequestId, podhop::trace::RequestRecord& r) override {
    seen.push_back(r);  // a copy: the slot keeps its strings
    if (started < next.size()) pipeline->start(*client, next[started++]);
  }
};

// Every hop in the order the pipeline reports them, with marks put in by other events.
struct Log : podhop::trace::HopSink {
  std::vector<std::string> lines;
  void on_hop(const podhop::trace::Hop& h) override {
    lines.push_back(fmt::format("{} {}", h.t.ns, h.stage));
  }
};

}  // namespace

TEST_CASE("a SYN-ACK due at the very connect deadline still loses to the timeout", "[dataplane]") {
  // a (node-a) to b (node-b): the SYN-ACK is back at 200us. The connect timer was placed
  // when the request began, before the SYN-ACK's step, so at an equal time it fires first,
  // as it did when it was scheduled at once.
  Simulation sim = podhop::testing::two_nodes_with_web();
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  spec.connect_timeout = Duration::micros(200);
  auto r = sim.pipeline().run(client_a(sim), spec);
  CHECK(r.outcome == Outcome::timeout);
  CHECK(r.elapsed == Duration::micros(200));
  CHECK(r.exit_code == 28);
  spec.connect_timeout = Duration::micros(201);
  auto ok = sim.pipeline().run(client_a(sim), spec);
  CHECK(ok.outcome == Outcome::ok);
  CHECK(ok.elapsed == Duration::micros(400));
  CHECK(sim.simulator().pending() == 0);  // no timer left behind
}

TEST_CASE("a dropped SYN of bulk traffic times out at the same time as a traced one",
          "[dataplane]") {
  Simulation sim = podhop::testing::two_nodes_with_web();
  Relay relay;
  sim.pipeline().set_observer(&relay);
  auto client = client_a(sim);
  RequestSpec spec;
  spec.url = "http://10.1.2.3/";  // no host: the SYN and every retransmission are lost
  spec.connect_timeout = Duration::seconds(3);
  spec.record_hops = false;
  const SimTime t0 = sim.now();
  sim.pipeline().start(client, spec);
  sim.simulator().run();
  REQUIRE(relay.seen.size() == 1);
  CHECK(relay.seen[0].outcome == Outcome::timeout);
  CHECK(relay.seen[0].elapsed == Duration::seconds(3));
  CHECK(sim.now() - t0 == Duration::seconds(3));
  CHECK(relay.seen[0].error ==
        "Failed to connect to 10.1.2.3 port 80 after 3000 ms: Timeout was reached");
  // Without --connect-timeout the kernel's 127 s come first; curl's 300 s never fire.
  spec.connect_timeout.reset();
  const SimTime t1 = sim.now();
  sim.pipeline().start(client, spec);
  sim.simulator().run();
  REQUIRE(relay.seen.size() == 2);
  CHECK(relay.seen[1].elapsed == kSynGiveUp);
  CHECK(sim.now() - t1 == kSynGiveUp);
  sim.pipeline().set_observer(nullptr);
}

TEST_CASE("records read after their slot is reused still name their own pod", "[dataplane]") {
  Simulation sim = podhop::testing::two_nodes_with_web();
  auto client = client_a(sim);
  Relay relay;
  relay.pipeline = &sim.pipeline();
  relay.client = &client;
  RequestSpec to_a;
  to_a.url = pod_url(sim, "a");
  to_a.record_hops = false;
  RequestSpec to_b = to_a;
  to_b.url = pod_url(sim, "b");
  RequestSpec refused = to_a;
  refused.url = pod_url(sim, "b", 9999);
  // One request in flight at a time: the next starts while the last is read, so two slots
  // take turns, each reused with the memory of the request before.
  relay.next = {to_b, refused, to_a, to_b, to_a};
  sim.pipeline().set_observer(&relay);
  sim.pipeline().start(client, to_a);
  sim.simulator().run();
  sim.pipeline().set_observer(nullptr);
  REQUIRE(relay.seen.size() == 6);
  const char* expected[] = {"default/a", "default/b", nullptr,
                            "default/a", "default/b", "default/a"};
  for (std::size_t i = 0; i < relay.seen.size(); ++i) {
    const auto& r = relay.seen[i];
    INFO(i);
    if (expected[i] == nullptr) {
      CHECK(r.outcome == Outcome::connection_refused);
      CHECK_FALSE(r.served_by);
      CHECK(r.headers.empty());
      CHECK(r.body.empty());
      CHECK_FALSE(r.status);
      continue;
    }
    CHECK(r.outcome == Outcome::ok);
    CHECK(r.served_by == expected[i]);
    CHECK(r.body.rfind(fmt::format("pod: {}\n", expected[i]), 0) == 0);
    REQUIRE(r.headers.size() == 2);
    CHECK(r.headers[0] ==
          std::pair<std::string, std::string>{"Content-Type", "text/plain; charset=utf-8"});
    CHECK(r.headers[1].first == "Content-Length");
    CHECK(r.headers[1].second == std::to_string(r.body.size()));
    CHECK(r.url == (expected[i] == std::string("default/a") ? to_a.url : to_b.url));
    CHECK(r.error.empty());
  }
  // The same request as a fresh pipeline's traced run answers, byte for byte but for the
  // client's ephemeral port.
  Simulation fresh = podhop::testing::two_nodes_with_web();
  RequestSpec traced = to_b;
  traced.record_hops = true;
  auto alone = fresh.pipeline().run(client_a(fresh), traced);
  const std::string& reused = relay.seen[1].body;
  CHECK(reused.substr(0, reused.find("\nclient:")) ==
        alone.body.substr(0, alone.body.find("\nclient:")));
  CHECK(reused.substr(reused.find("\nrequest:")) ==
        alone.body.substr(alone.body.find("\nrequest:")));
}

TEST_CASE("the echo server shows a client's X-Forwarded-For in bulk traffic too", "[dataplane]") {
  Simulation sim = podhop::testing::two_nodes_with_web();
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  spec.headers = {{"X-Real-IP", "192.0.2.9"}, {"x-forwarded-for", "192.0.2.7"}};
  spec.record_hops = false;
  auto bulk = sim.pipeline().run(client_a(sim), spec);
  spec.record_hops = true;
  auto traced = sim.pipeline().run(client_a(sim), spec);
  CHECK(bulk.body.find("\nX-Forwarded-For: 192.0.2.7\nX-Real-IP: 192.0.2.9\n") !=
        std::string::npos);
  // Only the client port differs between the two (each connection has its own).
  auto strip_port = [](std::string body) {
    auto c = body.find("\nclient: ");
    auto e = body.find('\n', c + 1);
    return body.erase(c, e - c);
  };
  CHECK(strip_port(bulk.body) == strip_port(traced.body));
  CHECK(bulk.headers == traced.headers);
}

TEST_CASE("an answer ready at once goes out after the other events due at that time",
          "[dataplane]") {
  // a to b: the request reaches b's echo server at 300us, which answers at once. An event
  // scheduled at 250us for 300us runs after the request's arrival (scheduled earlier) but
  // before its answer leaves, as when the answer was a step of its own.
  Simulation sim = podhop::testing::two_nodes_with_web();
  Log log;
  RequestSpec spec;
  spec.url = pod_url(sim, "b");
  auto& engine = sim.simulator();
  const SimTime t0 = sim.now();
  struct Mark {
    Log* log;
    void operator()() const { log->lines.push_back("mark"); }
  };
  struct Later {
    Log* log;
    SimTime at;
    void operator()(podhop::engine::Simulator& s) const { s.schedule_at(at, Mark{log}); }
  };
  engine.schedule_at(t0 + Duration::micros(250), Later{&log, t0 + Duration::micros(300)});
  auto r = sim.pipeline().run(client_a(sim), spec, &log);
  REQUIRE(r.outcome == Outcome::ok);
  const std::string arrive = fmt::format("{} app", (t0 + Duration::micros(300)).ns);
  const std::string leave = fmt::format("{} network", (t0 + Duration::micros(300)).ns);
  auto find = [&](const std::string& s) {
    return std::find(log.lines.begin(), log.lines.end(), s) - log.lines.begin();
  };
  const auto i_arrive = find(arrive);
  const auto i_mark = find("mark");
  const auto i_leave = find(leave);
  REQUIRE(i_leave < static_cast<long>(log.lines.size()));
  CHECK(i_arrive < i_mark);
  CHECK(i_mark < i_leave);
}

TEST_CASE("a request keeps its parsed URL when the URL cache is cleared under it", "[dataplane]") {
  // The pipeline parses each URL once into a bounded cache that is cleared when it is full;
  // requests in flight share its entries. 5,000 distinct URLs started at once clear it while
  // the first ones are still on their way: every record still has its own URL and path.
  Simulation sim = podhop::testing::two_nodes_with_web();
  auto client = client_a(sim);
  Relay relay;
  sim.pipeline().set_observer(&relay);
  const std::string base = pod_url(sim, "b");
  constexpr int kRequests = 5000;
  for (int i = 0; i < kRequests; ++i) {
    RequestSpec spec;
    spec.url = fmt::format("{}p{}?q={}", base, i, i);
    spec.record_hops = false;
    sim.pipeline().start(client, spec);
  }
  sim.simulator().run();
  sim.pipeline().set_observer(nullptr);
  REQUIRE(relay.seen.size() == kRequests);
  std::vector<bool> found(kRequests, false);
  for (const auto& r : relay.seen) {
    REQUIRE(r.outcome == Outcome::ok);
    const auto p = r.url.find("/p");
    REQUIRE(p != std::string::npos);
    const int i = std::stoi(r.url.substr(p + 2));
    CHECK(r.url == fmt::format("{}p{}?q={}", base, i, i));
    CHECK(r.body.find(fmt::format("/p{}?q={}\n", i, i)) != std::string::npos);
    found[static_cast<std::size_t>(i)] = true;
  }
  CHECK(std::all_of(found.begin(), found.end(), [](bool f) { return f; }));
}
