#include <sstream>

#include <catch2/catch.hpp>

#include "podhop/trace/hop.hpp"
#include "podhop/trace/result.hpp"

using podhop::core::Duration;
using podhop::core::Ipv4;
using podhop::core::SimTime;
using namespace podhop::trace;

namespace {

Address addr(const char* ip, std::uint16_t port) {
  return {*Ipv4::parse(ip), port};
}

Hop sample_hop(int depth = 0) {
  Hop h;
  h.t = SimTime{250'000};
  h.stage = std::string(stage::kube_proxy);
  h.node = "minikube";
  h.from = addr("10.244.0.5", 40001);
  h.to = addr("10.96.0.12", 8888);
  h.detail = "DNAT to 10.244.0.3:8080";
  h.depth = depth;
  return h;
}

}  // namespace

TEST_CASE("a hop's log line starts with the simulated time and names stage, node and addresses",
          "[trace]") {
  CHECK(format_hop_line(sample_hop()) ==
        "0.000250s kube-proxy minikube  10.244.0.5:40001 -> 10.96.0.12:8888  DNAT to "
        "10.244.0.3:8080");
}

TEST_CASE("a forwarded request's hops are indented by their depth", "[trace]") {
  CHECK(format_hop_line(sample_hop(2)) ==
        "0.000250s     kube-proxy minikube  10.244.0.5:40001 -> 10.96.0.12:8888  DNAT to "
        "10.244.0.3:8080");
}

TEST_CASE("an address without a port prints the IP alone, an empty one a dash", "[trace]") {
  CHECK(addr("93.184.215.14", 0).str() == "93.184.215.14");
  CHECK(Address{}.str() == "-");
  CHECK(addr("10.96.0.10", 53).str() == "10.96.0.10:53");
}

TEST_CASE("a hop is one JSON object per line with its fields in a fixed order", "[trace]") {
  CHECK(hop_json_line(sample_hop(1)) ==
        R"({"t_ns":250000,"stage":"kube-proxy","node":"minikube","from":"10.244.0.5:40001",)"
        R"("to":"10.96.0.12:8888","detail":"DNAT to 10.244.0.3:8080","depth":1})");
  std::ostringstream out;
  JsonLinesSink sink(out);
  replay({sample_hop(), sample_hop()}, sink);
  const std::string text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("the log sink writes one formatted line per hop", "[trace]") {
  std::vector<std::string> lines;
  LogLineSink sink([&](const std::string& l) { lines.push_back(l); });
  replay({sample_hop(), sample_hop(1)}, sink);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == format_hop_line(sample_hop(1)));
}

TEST_CASE("the result document has SPEC section 4's keys in SPEC order", "[trace]") {
  RequestRecord r;
  r.status = 200;
  r.body = "Hello world";
  r.served_by = "default/app1";
  r.client = {"pod", "default/app1", *Ipv4::parse("10.244.0.5"), "node-1"};
  r.elapsed = Duration::micros(1234);
  r.dns.push_back({SimTime{0},
                   "app1-svc.default.svc.cluster.local.",
                   "A",
                   "NOERROR",
                   {"10.96.0.12"},
                   "kube-system/coredns-0"});
  r.hops.push_back(sample_hop());
  r.upstream.push_back(RequestRecord{});
  auto j = to_json(r);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  const std::vector<std::string> spec_keys = {"outcome",   "exit_code", "status",     "body",
                                              "served_by", "client",    "elapsed_ns", "dns",
                                              "hops",      "upstream"};
  REQUIRE(keys.size() >= spec_keys.size());
  CHECK(std::vector<std::string>(keys.begin(), keys.begin() + 10) == spec_keys);
  CHECK(j["outcome"] == "ok");
  CHECK(j["status"] == 200);
  CHECK(j["elapsed_ns"] == 1'234'000);
  CHECK(j["client"].dump() ==
        R"({"kind":"pod","name":"default/app1","ip":"10.244.0.5","node":"node-1"})");
  CHECK(j["dns"][0]["answers"][0] == "10.96.0.12");
  CHECK(j["hops"][0]["t_ns"] == 250000);
  CHECK(j["upstream"].size() == 1);
  CHECK(j["upstream"][0]["status"].is_null());
}

TEST_CASE("a request without a response has a null status and served_by", "[trace]") {
  RequestRecord r;
  r.outcome = Outcome::dns_failure;
  r.exit_code = 6;
  auto j = to_json(r);
  CHECK(j["outcome"] == "dns_failure");
  CHECK(j["status"].is_null());
  CHECK(j["served_by"].is_null());
  CHECK(j["client"]["node"].is_null());
}

TEST_CASE("every outcome has the name SPEC section 4 gives it", "[trace]") {
  CHECK(to_string(Outcome::ok) == "ok");
  CHECK(to_string(Outcome::dns_failure) == "dns_failure");
  CHECK(to_string(Outcome::connection_refused) == "connection_refused");
  CHECK(to_string(Outcome::timeout) == "timeout");
  CHECK(to_string(Outcome::tls_error) == "tls_error");
  CHECK(to_string(Outcome::reset) == "reset");
}
