// The cluster DNS zone: which names exist and what they hold (rules 1.8, CoreDNS's
// kubernetes plugin handler tests).

#include <catch2/catch.hpp>

#include "dataplane/dns_test_fixture.hpp"
#include "podhop/controllers/dns_zone.hpp"

using namespace podhop;
using controllers::DnsZone;
using controllers::ZoneStatus;
using testing_dns::ip;

namespace {

std::string status_name(ZoneStatus s) {
  switch (s) {
    case ZoneStatus::outside:
      return "outside";
    case ZoneStatus::nxdomain:
      return "nxdomain";
    case ZoneStatus::found:
      return "found";
  }
  return "?";
}

std::vector<std::string> addresses(const controllers::ZoneRecords& r) {
  std::vector<std::string> out;
  for (auto a : r.a) out.push_back(a.str());
  return out;
}

}  // namespace

TEST_CASE("each name in the zone exists or not as CoreDNS decides", "[controllers][dns]") {
  DnsZone zone(testing_dns::tutorial_cluster());
  struct Case {
    std::string name;
    std::string status;
    std::vector<std::string> a;
  };
  auto c = GENERATE(values<Case>({
      {"app2-svc.default.svc.cluster.local.", "found", {"10.96.0.12"}},
      {"APP2-SVC.Default.SVC.Cluster.Local.", "found", {"10.96.0.12"}},
      {"app2-svc.default.svc.cluster.local", "found", {"10.96.0.12"}},
      {"empty-svc.default.svc.cluster.local.", "found", {"10.96.0.13"}},
      {"kubernetes.default.svc.cluster.local.", "found", {"10.96.0.1"}},
      {"nope.default.svc.cluster.local.", "nxdomain", {}},
      {"app2-svc.nope.svc.cluster.local.", "nxdomain", {}},
      {"app2-svc.other.svc.cluster.local.", "nxdomain", {}},
      {"default.svc.cluster.local.", "found", {}},
      {"nope.svc.cluster.local.", "nxdomain", {}},
      {"svc.cluster.local.", "found", {}},
      {"pod.cluster.local.", "found", {}},
      {"cluster.local.", "found", {}},
      {"foo.cluster.local.", "nxdomain", {}},
      {"app2-svc.default.cluster.local.", "nxdomain", {}},
      {"a.b.c.app2-svc.default.svc.cluster.local.", "nxdomain", {}},
      {"10-244-0-5.default.pod.cluster.local.", "found", {"10.244.0.5"}},
      {"1-2-3-4.default.pod.cluster.local.", "found", {"1.2.3.4"}},
      {"10-244-0-5.nope.pod.cluster.local.", "nxdomain", {}},
      {"app1.default.pod.cluster.local.", "nxdomain", {}},
      {"ns.dns.cluster.local.", "found", {"10.96.0.10"}},
      {"dns-version.cluster.local.", "nxdomain", {}},
      {"example.com.", "outside", {}},
      {"cluster.local.example.com.", "outside", {}},
      {"xcluster.local.", "outside", {}},
  }));
  CAPTURE(c.name);
  auto r = zone.lookup(c.name);
  CHECK(status_name(r.status) == c.status);
  CHECK(addresses(r) == c.a);
  CHECK(!r.detail.empty());
}

TEST_CASE("the zone keeps the query's case in the zone name", "[controllers][dns]") {
  DnsZone zone(testing_dns::tutorial_cluster());
  CHECK(zone.lookup("x.Cluster.LOCAL.").zone == "Cluster.LOCAL.");
  CHECK(zone.lookup("app2-svc.default.svc.cluster.local.").zone == "cluster.local.");
  CHECK(zone.domain() == "cluster.local.");
}

TEST_CASE("a headless Service answers with its ready endpoints only", "[controllers][dns]") {
  DnsZone zone(testing_dns::tutorial_cluster());
  auto web = zone.lookup("web.default.svc.cluster.local.");
  CHECK(web.status == ZoneStatus::found);
  CHECK(addresses(web) == std::vector<std::string>{"10.244.0.20", "10.244.0.21"});

  SECTION("hostnames and dashed IPs name single endpoints") {
    CHECK(addresses(zone.lookup("web-0.web.default.svc.cluster.local.")) ==
          std::vector<std::string>{"10.244.0.20"});
    CHECK(zone.lookup("web-2.web.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
    CHECK(addresses(zone.lookup("10-244-0-30.bare.default.svc.cluster.local.")) ==
          std::vector<std::string>{"10.244.0.30"});
    CHECK(zone.lookup("10-244-0-99.bare.default.svc.cluster.local.").status ==
          ZoneStatus::nxdomain);
  }
  SECTION("endpoint names exist under ClusterIP Services too") {
    CHECK(addresses(zone.lookup("10-244-0-6.app2-svc.default.svc.cluster.local.")) ==
          std::vector<std::string>{"10.244.0.6"});
  }
  SECTION("no ready endpoint is NXDOMAIN, publishNotReadyAddresses counts them") {
    CHECK(zone.lookup("cold.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
    CHECK(addresses(zone.lookup("warm.default.svc.cluster.local.")) ==
          std::vector<std::string>{"10.244.0.41"});
  }
  SECTION("a pod's hostname under its subdomain's Service") {
    CHECK(addresses(zone.lookup("db-host.dbs.default.svc.cluster.local.")) ==
          std::vector<std::string>{"10.244.0.50"});
    CHECK(zone.lookup("10-244-0-50.dbs.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
  }
  SECTION("a headless Service without ports still has addresses") {
    CHECK(addresses(zone.lookup("bare.default.svc.cluster.local.")) ==
          std::vector<std::string>{"10.244.0.30", "10.244.0.31"});
    CHECK(zone.lookup("bare.default.svc.cluster.local.").srv.empty());
  }
}

TEST_CASE("SRV records exist for named ports", "[controllers][dns]") {
  DnsZone zone(testing_dns::tutorial_cluster());
  auto srv = zone.lookup("_http._tcp.app2-svc.default.svc.cluster.local.");
  REQUIRE(srv.status == ZoneStatus::found);
  REQUIRE(srv.srv.size() == 1);
  CHECK(srv.srv[0].port == 8888);
  CHECK(srv.srv[0].weight == 100);
  CHECK(srv.srv[0].target == "app2-svc.default.svc.cluster.local.");
  CHECK(srv.srv[0].target_ip == ip("10.96.0.12"));

  // The protocol label is matched case-insensitively; a wrong protocol or name is NXDOMAIN.
  CHECK(zone.lookup("_HTTP._TCP.app2-svc.default.svc.cluster.local.").status == ZoneStatus::found);
  CHECK(zone.lookup("_http._udp.app2-svc.default.svc.cluster.local.").status ==
        ZoneStatus::nxdomain);
  CHECK(zone.lookup("_grpc._tcp.app2-svc.default.svc.cluster.local.").status ==
        ZoneStatus::nxdomain);
  // An unnamed port has no _port._proto name, but the Service name's SRV lists it.
  CHECK(zone.lookup("_http._tcp.app1-svc.default.svc.cluster.local.").status ==
        ZoneStatus::nxdomain);
  auto plain = zone.lookup("app1-svc.default.svc.cluster.local.");
  REQUIRE(plain.srv.size() == 1);
  CHECK(plain.srv[0].port == 8888);

  SECTION("headless SRV targets each ready endpoint, sharing the weight") {
    auto h = zone.lookup("_http._tcp.web.default.svc.cluster.local.");
    REQUIRE(h.srv.size() == 2);
    CHECK(h.srv[0].target == "web-0.web.default.svc.cluster.local.");
    CHECK(h.srv[1].target == "web-1.web.default.svc.cluster.local.");
    CHECK(h.srv[0].weight == 50);
    CHECK(h.srv[0].port == 80);
    auto all = zone.lookup("web.default.svc.cluster.local.");
    CHECK(all.srv.size() == 4);  // 2 endpoints x 2 ports
    CHECK(all.srv[0].weight == 25);
  }
}

TEST_CASE("an ExternalName Service is a CNAME and nothing below it exists", "[controllers][dns]") {
  DnsZone zone(testing_dns::tutorial_cluster());
  auto ext = zone.lookup("example-svc.default.svc.cluster.local.");
  CHECK(ext.status == ZoneStatus::found);
  CHECK(ext.cname == "example.com.");
  CHECK(ext.a.empty());
  CHECK(zone.lookup("anything.example-svc.default.svc.cluster.local.").status ==
        ZoneStatus::nxdomain);
  // An IP in externalName gives no record at all.
  CHECK(zone.lookup("byip-svc.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
}

TEST_CASE("reverse names point at Services and endpoints", "[controllers][dns]") {
  DnsZone zone(testing_dns::tutorial_cluster());
  struct Case {
    std::string name;
    std::vector<std::string> ptr;
  };
  auto c = GENERATE(values<Case>({
      {"12.0.96.10.in-addr.arpa.", {"app2-svc.default.svc.cluster.local."}},
      {"10.0.96.10.in-addr.arpa.", {"kube-dns.kube-system.svc.cluster.local."}},
      {"6.0.244.10.in-addr.arpa.", {"10-244-0-6.app2-svc.default.svc.cluster.local."}},
      {"20.0.244.10.in-addr.arpa.", {"web-0.web.default.svc.cluster.local."}},
      {"14.215.184.93.in-addr.arpa.", {"93-184-215-14.external-svc.default.svc.cluster.local."}},
      // A pod that backs no Service has no PTR: the query falls through upstream.
      {"60.0.244.10.in-addr.arpa.", {}},
      {"1.2.3.in-addr.arpa.", {}},
  }));
  CAPTURE(c.name);
  auto r = zone.lookup(c.name);
  CHECK(r.reverse);
  CHECK(r.ptr == c.ptr);
}

TEST_CASE("the zone derives its serial and DNS address from the cluster", "[controllers][dns]") {
  auto st = testing_dns::tutorial_cluster();
  DnsZone zone(st);
  CHECK(zone.serial() == 1735689600u + 42u);
  CHECK(zone.dns_ip() == ip("10.96.0.10"));
  CHECK(zone.has_namespace("OTHER"));
  CHECK_FALSE(zone.has_namespace("nope"));
  REQUIRE(zone.find_service("default", "web") != nullptr);
  CHECK(zone.find_service("default", "web")->ready_addresses == 2);

  st.config.cluster_domain = "corp.example.";
  DnsZone corp(st);
  CHECK(corp.domain() == "corp.example.");
  CHECK(corp.lookup("app2-svc.default.svc.corp.example.").status == ZoneStatus::found);
  CHECK(corp.lookup("app2-svc.default.svc.cluster.local.").status == ZoneStatus::outside);
}

TEST_CASE("endpoint labels match exactly as written, whatever the case", "[controllers][dns]") {
  // Labels are not kept per address: hostnames are looked up by name, dashed IPs by the
  // address they spell. Both must still behave as an exact (case-insensitive) label match.
  DnsZone zone(testing_dns::tutorial_cluster());
  CHECK(addresses(zone.lookup("WEB-0.web.default.svc.cluster.local.")) ==
        std::vector<std::string>{"10.244.0.20"});
  CHECK(addresses(zone.lookup("10-244-0-30.BARE.default.svc.cluster.local.")) ==
        std::vector<std::string>{"10.244.0.30"});
  // The same address spelled another way is another label.
  CHECK(zone.lookup("010-244-0-30.bare.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
  CHECK(zone.lookup("10-244-0-30-.bare.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
  // An endpoint's dashed IP belongs to its own Service only.
  CHECK(zone.lookup("10-244-0-30.web.default.svc.cluster.local.").status == ZoneStatus::nxdomain);
}
