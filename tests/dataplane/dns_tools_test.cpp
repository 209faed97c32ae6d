// nslookup and dig text for the answers podhop's CoreDNS gives. Where a real capture exists
// (docs/dns.md cites them), the test rebuilds the same cluster and compares the lines.

#include <catch2/catch.hpp>

#include "cli/dns_tools.hpp"
#include "dataplane/dns_test_fixture.hpp"
#include "podhop/controllers/dns_zone.hpp"

using namespace podhop;
using cli::DigOptions;
using cli::DigRun;
using cli::NslookupFlavor;
using cli::NslookupRun;
using dataplane::DnsType;
using testing_dns::ip;

namespace {

struct Cluster {
  model::ClusterState state;
  controllers::DnsZone zone;
  dataplane::DnsServer server;
  dataplane::ResolvConf conf;

  explicit Cluster(model::ClusterState st, std::string ns = "default")
      : state(std::move(st)), zone(state), server(zone, state.config) {
    model::Pod p;
    p.meta.namespace_ = std::move(ns);
    p.meta.name = "client";
    p.spec = std::make_shared<const model::PodSpec>();
    conf = dataplane::resolv_conf_for(p, state.config, ip("10.96.0.10"));
  }

  cli::ToolOutput nslookup(const std::vector<std::string>& args, NslookupFlavor flavor) const {
    auto opts = cli::parse_nslookup_args(args);
    REQUIRE(opts.error.empty());
    NslookupRun run(opts, conf, flavor);
    while (auto q = run.next_query()) run.on_answer(server.answer(*q), core::Duration::micros(400));
    return run.output();
  }

  cli::ToolOutput dig(const std::vector<std::string>& args, cli::DigWire wire = {},
                      core::Duration rtt = core::Duration::micros(400)) const {
    auto opts = cli::parse_dig_args(args);
    REQUIRE(opts.error.empty());
    DigRun run(opts, conf, wire);
    while (auto q = run.next_query()) run.on_answer(server.answer(*q), rtt);
    return run.output();
  }
};

}  // namespace

TEST_CASE("BIND nslookup prints the Service it found", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o = c.nslookup({"app2-svc"}, NslookupFlavor::bind);
  CHECK(o.exit_code == 0);
  CHECK(o.out ==
        ";; Got recursion not available from 10.96.0.10\n"
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10#53\n"
        "\n"
        "Name:\tapp2-svc.default.svc.cluster.local\n"
        "Address: 10.96.0.12\n"
        ";; Got recursion not available from 10.96.0.10\n"
        "\n");
}

TEST_CASE("BIND nslookup prints NXDOMAIN for the name as typed", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster(), "other");
  auto o = c.nslookup({"app2-svc"}, NslookupFlavor::bind);
  CHECK(o.exit_code == 1);
  // Three NXDOMAINs from CoreDNS (no RA), then the root's from upstream.
  CHECK(o.out ==
        ";; Got recursion not available from 10.96.0.10\n"
        ";; Got recursion not available from 10.96.0.10\n"
        ";; Got recursion not available from 10.96.0.10\n"
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10#53\n"
        "\n"
        "** server can't find app2-svc: NXDOMAIN\n"
        "\n");
}

TEST_CASE("BIND nslookup shows an ExternalName's canonical name", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o = c.nslookup({"example-svc"}, NslookupFlavor::bind);
  CHECK(o.exit_code == 0);
  CHECK(o.out ==
        ";; Got recursion not available from 10.96.0.10\n"
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10#53\n"
        "\n"
        "example-svc.default.svc.cluster.local\tcanonical name = example.com.\n"
        "Name:\texample.com\n"
        "Address: 93.184.215.14\n"
        "\n");
}

TEST_CASE("BIND nslookup of an outside name is not authoritative", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o = c.nslookup({"example.com"}, NslookupFlavor::bind);
  CHECK(o.out ==
        ";; Got recursion not available from 10.96.0.10\n"
        ";; Got recursion not available from 10.96.0.10\n"
        ";; Got recursion not available from 10.96.0.10\n"
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10#53\n"
        "\n"
        "Non-authoritative answer:\n"
        "Name:\texample.com\n"
        "Address: 93.184.215.14\n"
        "\n");
}

TEST_CASE("BIND nslookup of an address asks for its PTR", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o = c.nslookup({"10.96.0.10"}, NslookupFlavor::bind);
  CHECK(o.out ==
        ";; Got recursion not available from 10.96.0.10\n"
        "10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local.\n"
        "\n");
  auto srv = c.nslookup({"-type=srv", "_http._tcp.app2-svc"}, NslookupFlavor::bind);
  CHECK(srv.out ==
        ";; Got recursion not available from 10.96.0.10\n"
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10#53\n"
        "\n"
        "_http._tcp.app2-svc.default.svc.cluster.local\tservice = 0 100 8888 "
        "app2-svc.default.svc.cluster.local.\n"
        "\n");
}

TEST_CASE("BusyBox nslookup prints every search-list query it sent", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o = c.nslookup({"app2-svc"}, NslookupFlavor::busybox);
  CHECK(o.out ==
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10:53\n"
        "\n"
        "Name:\tapp2-svc.default.svc.cluster.local\n"
        "Address: 10.96.0.12\n"
        "\n"
        "** server can't find app2-svc.svc.cluster.local: NXDOMAIN\n"
        "\n"
        "** server can't find app2-svc.cluster.local: NXDOMAIN\n"
        "\n"
        "*** Can't find app2-svc.default.svc.cluster.local: No answer\n"
        "\n"
        "** server can't find app2-svc.svc.cluster.local: NXDOMAIN\n"
        "\n"
        "** server can't find app2-svc.cluster.local: NXDOMAIN\n"
        "\n");

  // A name with a dot is not searched at all by BusyBox: kubernetes.default fails.
  auto dotted = c.nslookup({"app2-svc.default"}, NslookupFlavor::busybox);
  CHECK(dotted.exit_code == 1);
  CHECK(dotted.out ==
        "Server:\t\t10.96.0.10\n"
        "Address:\t10.96.0.10:53\n"
        "\n"
        "** server can't find app2-svc.default: NXDOMAIN\n"
        "\n"
        "** server can't find app2-svc.default: NXDOMAIN\n"
        "\n");
  CHECK(cli::nslookup_flavor_for_image("curlimages/curl:8.8.0") == NslookupFlavor::busybox);
  CHECK(cli::nslookup_flavor_for_image("docker.io/library/busybox:1.36") ==
        NslookupFlavor::busybox);
  CHECK(cli::nslookup_flavor_for_image("registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3") ==
        NslookupFlavor::bind);
}

TEST_CASE("dig prints a cluster answer as BIND 9.18 does against CoreDNS",
          "[dataplane][dns][tools]") {
  // The capture in docs/dns.md: minikube, dig 9.18.24, a ClusterIP Service.
  auto st = testing_dns::tutorial_cluster();
  testing_dns::add_service(st, "default", "web-clusterip", "10.102.13.85",
                           {testing_dns::port("http", 80)});
  Cluster c(std::move(st));
  cli::DigWire wire{.id = 58969, .cookie = 0x3be3a2db162c8232, .when_unix = 1791399844};
  auto o = c.dig({"web-clusterip.default.svc.cluster.local"}, wire, core::Duration::micros(400));
  CHECK(o.exit_code == 0);
  CHECK(o.out ==
        "\n"
        "; <<>> DiG 9.18.24 <<>> web-clusterip.default.svc.cluster.local\n"
        ";; global options: +cmd\n"
        ";; Got answer:\n"
        ";; WARNING: .local is reserved for Multicast DNS\n"
        ";; You are currently testing what happens when an mDNS query is leaked to DNS\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 58969\n"
        ";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"
        ";; WARNING: recursion requested but not available\n"
        "\n"
        ";; OPT PSEUDOSECTION:\n"
        "; EDNS: version: 0, flags:; udp: 1232\n"
        "; COOKIE: 3be3a2db162c8232 (echoed)\n"
        ";; QUESTION SECTION:\n"
        ";web-clusterip.default.svc.cluster.local. IN A\n"
        "\n"
        ";; ANSWER SECTION:\n"
        "web-clusterip.default.svc.cluster.local. 30 IN A 10.102.13.85\n"
        "\n"
        ";; Query time: 0 msec\n"
        ";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n"
        ";; WHEN: Wed Oct 07 19:04:04 UTC 2026\n"
        ";; MSG SIZE  rcvd: 135\n"
        "\n");
}

TEST_CASE("dig prints NXDOMAIN with the zone's SOA", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o =
      c.dig({"nope.default.svc.cluster.local"}, {.id = 7, .cookie = 1}, core::Duration::millis(3));
  CHECK(o.out ==
        "\n"
        "; <<>> DiG 9.18.24 <<>> nope.default.svc.cluster.local\n"
        ";; global options: +cmd\n"
        ";; Got answer:\n"
        ";; WARNING: .local is reserved for Multicast DNS\n"
        ";; You are currently testing what happens when an mDNS query is leaked to DNS\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 7\n"
        ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n"
        ";; WARNING: recursion requested but not available\n"
        "\n"
        ";; OPT PSEUDOSECTION:\n"
        "; EDNS: version: 0, flags:; udp: 1232\n"
        "; COOKIE: 0000000000000001 (echoed)\n"
        ";; QUESTION SECTION:\n"
        ";nope.default.svc.cluster.local. IN\tA\n"
        "\n"
        ";; AUTHORITY SECTION:\n"
        "cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. "
        "1735689642 7200 1800 86400 30\n"
        "\n"
        ";; Query time: 3 msec\n"
        ";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n"
        ";; WHEN: Wed Jan 01 00:00:00 UTC 2025\n"
        ";; MSG SIZE  rcvd: 164\n"
        "\n");
}

TEST_CASE("dig +noall +answer lines up a CNAME answer as BIND does", "[dataplane][dns][tools]") {
  // The capture in docs/dns.md: an ExternalName Service to api.github.com.
  auto st = testing_dns::tutorial_cluster();
  testing_dns::add_namespace(st, "s11-services");
  auto& ext = testing_dns::add_service(st, "s11-services", "external-api", "");
  ext.spec.type = model::ServiceType::ExternalName;
  ext.spec.external_name = "api.github.com";
  st.config.external_hosts.push_back({"api.github.com", ip("20.207.73.85")});
  Cluster c(std::move(st), "s11-services");
  auto o = c.dig({"+noall", "+answer", "external-api.s11-services.svc.cluster.local"});
  CHECK(o.out ==
        "external-api.s11-services.svc.cluster.local. 30\tIN CNAME api.github.com.\n"
        "api.github.com.\t\t30\tIN\tA\t20.207.73.85\n");
  auto shrt = c.dig({"+short", "external-api.s11-services.svc.cluster.local"});
  CHECK(shrt.out == "api.github.com.\n20.207.73.85\n");
}

TEST_CASE("dig queries the name as given unless +search", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto opts = cli::parse_dig_args({"app2-svc"});
  DigRun plain(opts, c.conf);
  auto q = plain.next_query();
  REQUIRE(q);
  CHECK(q->name == "app2-svc.");
  plain.on_answer(c.server.answer(*q));
  CHECK_FALSE(plain.next_query());
  CHECK(plain.output().out.find("status: NXDOMAIN") != std::string::npos);

  auto o = c.dig({"+search", "+short", "app2-svc"});
  CHECK(o.out == "10.96.0.12\n");
  auto srv = c.dig({"+short", "_http._tcp.app2-svc.default.svc.cluster.local", "SRV"});
  CHECK(srv.out == "0 100 8888 app2-svc.default.svc.cluster.local.\n");
  auto ptr = c.dig({"-x", "10.96.0.12", "+short"});
  CHECK(ptr.out == "app2-svc.default.svc.cluster.local.\n");
}

TEST_CASE("dig of an outside name shows the upstream's flags", "[dataplane][dns][tools]") {
  Cluster c(testing_dns::tutorial_cluster());
  auto o = c.dig({"example.com"}, {.id = 1, .cookie = 2});
  CHECK(o.out.find(";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n") !=
        std::string::npos);
  CHECK(o.out.find("WARNING") == std::string::npos);
  CHECK(o.out.find("COOKIE") == std::string::npos);
  CHECK(o.out.find("example.com.\t\t30\tIN\tA\t93.184.215.14\n") != std::string::npos);
  CHECK(o.out.find(";; MSG SIZE  rcvd: 67\n") != std::string::npos);
}

TEST_CASE("tool arguments parse as the real tools read them", "[dataplane][dns][tools]") {
  auto d = cli::parse_dig_args({"@10.96.0.10", "SRV", "web.default.svc.cluster.local", "+short"});
  CHECK(d.error.empty());
  CHECK(d.type == DnsType::SRV);
  CHECK(d.server == ip("10.96.0.10"));
  CHECK(d.name == "web.default.svc.cluster.local");
  CHECK(d.short_form);
  CHECK(cli::parse_dig_args({"@nowhere", "x"}).error.find("couldn't get address") !=
        std::string::npos);
  auto n = cli::parse_nslookup_args({"-type=AAAA", "app2-svc", "10.96.0.10"});
  CHECK(n.error.empty());
  CHECK(n.type == DnsType::AAAA);
  CHECK(n.server == ip("10.96.0.10"));
  CHECK(cli::parse_nslookup_args({"-type=BOGUS", "x"}).error == "unknown query type: BOGUS");
}
