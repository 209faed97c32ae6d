// CoreDNS's answers: record types, NXDOMAIN versus NODATA with the SOA, ExternalName,
// PTR, and names forwarded to the simulated internet (rules 1.8; CoreDNS handler tests).

#include <catch2/catch.hpp>

#include "dataplane/dns_test_fixture.hpp"
#include "podhop/controllers/dns_zone.hpp"
#include "podhop/dataplane/dns.hpp"

using namespace podhop;
using dataplane::DnsAnswer;
using dataplane::DnsQuery;
using dataplane::DnsType;
using dataplane::Rcode;

namespace {

struct Cluster {
  model::ClusterState state = testing_dns::tutorial_cluster();
  controllers::DnsZone zone{state};
  dataplane::DnsServer server{zone, state.config};

  DnsAnswer ask(std::string name, DnsType type = DnsType::A) const {
    return server.answer(DnsQuery{std::move(name), type});
  }
};

std::vector<std::string> lines(const std::vector<dataplane::DnsRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& r : rrs)
    out.push_back(fmt::format("{} {} {} {}", r.name, r.ttl, dataplane::to_string(r.type), r.data));
  return out;
}

const std::string kSoa =
    "cluster.local. 30 SOA ns.dns.cluster.local. hostmaster.cluster.local. 1735689642 7200 1800 "
    "86400 30";

}  // namespace

TEST_CASE("record types, NXDOMAIN and NODATA as CoreDNS answers them", "[dataplane][dns]") {
  Cluster c;
  struct Case {
    std::string name;
    DnsType type;
    Rcode rcode;
    std::vector<std::string> answer;
    std::vector<std::string> authority;
  };
  auto k = GENERATE_COPY(values<Case>({
      {"app2-svc.default.svc.cluster.local.",
       DnsType::A,
       Rcode::NOERROR,
       {"app2-svc.default.svc.cluster.local. 30 A 10.96.0.12"},
       {}},
      // Even with no endpoints.
      {"empty-svc.default.svc.cluster.local.",
       DnsType::A,
       Rcode::NOERROR,
       {"empty-svc.default.svc.cluster.local. 30 A 10.96.0.13"},
       {}},
      // IPv4-only Service: AAAA is NODATA, TXT too.
      {"app2-svc.default.svc.cluster.local.", DnsType::AAAA, Rcode::NOERROR, {}, {kSoa}},
      {"app2-svc.default.svc.cluster.local.", DnsType::TXT, Rcode::NOERROR, {}, {kSoa}},
      {"app2-svc.default.svc.cluster.local.", DnsType::MX, Rcode::NOERROR, {}, {kSoa}},
      {"nope.default.svc.cluster.local.", DnsType::A, Rcode::NXDOMAIN, {}, {kSoa}},
      {"nope.default.svc.cluster.local.", DnsType::AAAA, Rcode::NXDOMAIN, {}, {kSoa}},
      {"app2-svc.other.svc.cluster.local.", DnsType::A, Rcode::NXDOMAIN, {}, {kSoa}},
      // Empty non-terminals.
      {"svc.cluster.local.", DnsType::A, Rcode::NOERROR, {}, {kSoa}},
      {"default.svc.cluster.local.", DnsType::A, Rcode::NOERROR, {}, {kSoa}},
      {"pod.cluster.local.", DnsType::A, Rcode::NOERROR, {}, {kSoa}},
      {"cluster.local.", DnsType::A, Rcode::NOERROR, {}, {kSoa}},
      // Headless: one A per ready endpoint; none ready is NXDOMAIN.
      {"web.default.svc.cluster.local.",
       DnsType::A,
       Rcode::NOERROR,
       {"web.default.svc.cluster.local. 30 A 10.244.0.20",
        "web.default.svc.cluster.local. 30 A 10.244.0.21"},
       {}},
      {"cold.default.svc.cluster.local.", DnsType::A, Rcode::NXDOMAIN, {}, {kSoa}},
      {"web-1.web.default.svc.cluster.local.",
       DnsType::A,
       Rcode::NOERROR,
       {"web-1.web.default.svc.cluster.local. 30 A 10.244.0.21"},
       {}},
      // Pod records (pods insecure).
      {"10-244-0-5.default.pod.cluster.local.",
       DnsType::A,
       Rcode::NOERROR,
       {"10-244-0-5.default.pod.cluster.local. 30 A 10.244.0.5"},
       {}},
      // SRV for a named port, with the A record in the additional section.
      {"_http._tcp.app2-svc.default.svc.cluster.local.",
       DnsType::SRV,
       Rcode::NOERROR,
       {"_http._tcp.app2-svc.default.svc.cluster.local. 30 SRV 0 100 8888 "
        "app2-svc.default.svc.cluster.local."},
       {}},
      {"_http._tcp.app1-svc.default.svc.cluster.local.", DnsType::SRV, Rcode::NXDOMAIN, {}, {kSoa}},
      // The schema version: TXT only.
      {"dns-version.cluster.local.",
       DnsType::TXT,
       Rcode::NOERROR,
       {"dns-version.cluster.local. 28800 TXT \"1.1.0\""},
       {}},
      {"dns-version.cluster.local.", DnsType::A, Rcode::NXDOMAIN, {}, {kSoa}},
      // Zone apex.
      {"cluster.local.", DnsType::SOA, Rcode::NOERROR, {kSoa}, {}},
      {"cluster.local.",
       DnsType::NS,
       Rcode::NOERROR,
       {"cluster.local. 30 NS ns.dns.cluster.local."},
       {}},
      {"ns.dns.cluster.local.",
       DnsType::A,
       Rcode::NOERROR,
       {"ns.dns.cluster.local. 30 A 10.96.0.10"},
       {}},
      // PTR for a Service IP and for an endpoint.
      {"12.0.96.10.in-addr.arpa.",
       DnsType::PTR,
       Rcode::NOERROR,
       {"12.0.96.10.in-addr.arpa. 30 PTR app2-svc.default.svc.cluster.local."},
       {}},
      {"21.0.244.10.in-addr.arpa.",
       DnsType::PTR,
       Rcode::NOERROR,
       {"21.0.244.10.in-addr.arpa. 30 PTR web-1.web.default.svc.cluster.local."},
       {}},
  }));
  CAPTURE(k.name, dataplane::to_string(k.type));
  DnsAnswer a = c.ask(k.name, k.type);
  CHECK(a.rcode == k.rcode);
  CHECK(lines(a.answer) == k.answer);
  CHECK(lines(a.authority) == k.authority);
  CHECK(a.source == "cluster");
  CHECK(a.authoritative);
  CHECK_FALSE(a.recursion_available);
  CHECK(!a.detail.empty());
}

TEST_CASE("the answer keeps the query's spelling of the name", "[dataplane][dns]") {
  Cluster c;
  auto a = c.ask("App2-Svc.DEFAULT.svc.Cluster.Local.");
  REQUIRE(a.answer.size() == 1);
  CHECK(a.answer[0].name == "App2-Svc.DEFAULT.svc.Cluster.Local.");
  CHECK(a.answer[0].ip == testing_dns::ip("10.96.0.12"));
  auto nx = c.ask("NOPE.default.svc.CLUSTER.LOCAL.");
  REQUIRE(nx.authority.size() == 1);
  CHECK(nx.authority[0].name == "CLUSTER.LOCAL.");
}

TEST_CASE("SRV answers carry their targets' addresses", "[dataplane][dns]") {
  Cluster c;
  auto a = c.ask("_http._tcp.web.default.svc.cluster.local.", DnsType::SRV);
  CHECK(lines(a.answer) ==
        std::vector<std::string>{"_http._tcp.web.default.svc.cluster.local. 30 SRV 0 50 80 "
                                 "web-0.web.default.svc.cluster.local.",
                                 "_http._tcp.web.default.svc.cluster.local. 30 SRV 0 50 80 "
                                 "web-1.web.default.svc.cluster.local."});
  CHECK(lines(a.additional) ==
        std::vector<std::string>{"web-0.web.default.svc.cluster.local. 30 A 10.244.0.20",
                                 "web-1.web.default.svc.cluster.local. 30 A 10.244.0.21"});
  auto srv = c.ask("_http._tcp.app2-svc.default.svc.cluster.local.", DnsType::SRV);
  CHECK(lines(srv.additional) ==
        std::vector<std::string>{"app2-svc.default.svc.cluster.local. 30 A 10.96.0.12"});
}

TEST_CASE("an ExternalName Service answers with its CNAME and the target's address",
          "[dataplane][dns]") {
  Cluster c;
  SECTION("a target on the simulated internet") {
    auto a = c.ask("example-svc.default.svc.cluster.local.");
    CHECK(a.rcode == Rcode::NOERROR);
    CHECK(a.authoritative);
    CHECK(lines(a.answer) ==
          std::vector<std::string>{"example-svc.default.svc.cluster.local. 30 CNAME example.com.",
                                   "example.com. 30 A 93.184.215.14"});
    CHECK(a.detail.find("example.com.") != std::string::npos);
    // AAAA: the CNAME alone (the target has no IPv6 address); CNAME: the CNAME.
    CHECK(lines(c.ask("example-svc.default.svc.cluster.local.", DnsType::AAAA).answer) ==
          std::vector<std::string>{"example-svc.default.svc.cluster.local. 30 CNAME example.com."});
    CHECK(lines(c.ask("example-svc.default.svc.cluster.local.", DnsType::CNAME).answer) ==
          std::vector<std::string>{"example-svc.default.svc.cluster.local. 30 CNAME example.com."});
    auto srv = c.ask("example-svc.default.svc.cluster.local.", DnsType::SRV);
    CHECK(srv.nodata());
  }
  SECTION("a target inside the cluster") {
    auto a = c.ask("alias-svc.default.svc.cluster.local.");
    CHECK(lines(a.answer) ==
          std::vector<std::string>{
              "alias-svc.default.svc.cluster.local. 30 CNAME app2-svc.default.svc.cluster.local.",
              "app2-svc.default.svc.cluster.local. 30 A 10.96.0.12"});
    // No AAAA for the target inside the zone: no CNAME either, NODATA.
    CHECK(c.ask("alias-svc.default.svc.cluster.local.", DnsType::AAAA).nodata());
  }
  SECTION("a target that does not exist") {
    auto a = c.ask("nowhere-svc.default.svc.cluster.local.");
    CHECK(a.rcode == Rcode::NOERROR);
    CHECK(lines(a.answer) ==
          std::vector<std::string>{
              "nowhere-svc.default.svc.cluster.local. 30 CNAME no-such-host.example.org."});
  }
}

TEST_CASE("names outside the cluster are forwarded to the simulated internet", "[dataplane][dns]") {
  Cluster c;
  auto a = c.ask("example.com.");
  CHECK(a.source == "upstream");
  CHECK_FALSE(a.authoritative);
  CHECK(a.recursion_available);
  CHECK(lines(a.answer) == std::vector<std::string>{"example.com. 30 A 93.184.215.14"});
  CHECK(c.ask("EXAMPLE.com.").answer.size() == 1);

  auto aaaa = c.ask("example.com.", DnsType::AAAA);
  CHECK(aaaa.nodata());

  auto nx = c.ask("app2-svc.");
  CHECK(nx.rcode == Rcode::NXDOMAIN);
  CHECK(nx.source == "upstream");
  CHECK(lines(nx.authority) ==
        std::vector<std::string>{". 30 SOA a.root-servers.net. nstld.verisign-grs.com. "
                                 "2025010100 1800 900 604800 86400"});

  // A reverse miss falls through to upstream (`fallthrough in-addr.arpa`).
  auto ptr = c.ask("60.0.244.10.in-addr.arpa.", DnsType::PTR);
  CHECK(ptr.rcode == Rcode::NXDOMAIN);
  CHECK(ptr.source == "upstream");
  CHECK(ptr.detail.find("fell through") != std::string::npos);
}

TEST_CASE("the kubernetes plugin's TTL is configurable", "[dataplane][dns]") {
  Cluster c;
  dataplane::DnsServer plugin_default(c.zone, c.state.config, {.ttl = 5, .cache_ttl = 30});
  auto a = plugin_default.answer({"app2-svc.default.svc.cluster.local.", DnsType::A});
  REQUIRE(a.answer.size() == 1);
  CHECK(a.answer[0].ttl == 5);
  auto nx = plugin_default.answer({"nope.default.svc.cluster.local.", DnsType::A});
  CHECK(nx.authority.at(0).ttl == 5);
  CHECK(nx.authority.at(0).data.ends_with(" 5"));
}

TEST_CASE("DNS types parse case-insensitively and print in capitals", "[dataplane][dns]") {
  CHECK(dataplane::parse_dns_type("srv") == DnsType::SRV);
  CHECK(dataplane::parse_dns_type("Aaaa") == DnsType::AAAA);
  CHECK_FALSE(dataplane::parse_dns_type("AXFR").has_value());
  CHECK(dataplane::to_string(DnsType::PTR) == "PTR");
  CHECK(dataplane::to_string(Rcode::NXDOMAIN) == "NXDOMAIN");
  CHECK(dataplane::reverse_name(testing_dns::ip("10.96.0.12")) == "12.0.96.10.in-addr.arpa.");
}

TEST_CASE("a repeated query is served from the server's answer cache", "[dataplane][dns]") {
  Cluster c;
  const DnsQuery q{"app2-svc.default.svc.cluster.local.", DnsType::A};
  auto first = c.server.answer_shared(q);
  auto again = c.server.answer_shared(q);
  // One answer object: the second query neither rebuilt nor copied it.
  CHECK(first.get() == again.get());
  CHECK(lines(first->answer) == lines(c.ask(q.name).answer));
  // The type and the spelling are part of the key: each gets its own answer.
  auto aaaa = c.server.answer_shared({q.name, DnsType::AAAA});
  CHECK(aaaa.get() != first.get());
  CHECK(aaaa->nodata());
  auto upper = c.server.answer_shared({"NOPE.default.svc.CLUSTER.local.", DnsType::A});
  auto lower = c.server.answer_shared({"nope.default.svc.cluster.local.", DnsType::A});
  REQUIRE(upper->authority.size() == 1);
  REQUIRE(lower->authority.size() == 1);
  CHECK(upper->authority[0].name == "CLUSTER.local.");
  CHECK(lower->authority[0].name == "cluster.local.");
}
