// The pod's resolver: resolv.conf as kubelet writes it for each dnsPolicy, /etc/hosts, and
// glibc's search-list walk against the cluster DNS (rules 1.8 and 2.1).

#include <optional>

#include <catch2/catch.hpp>

#include "dataplane/dns_test_fixture.hpp"
#include "podhop/controllers/dns_zone.hpp"
#include "podhop/dataplane/dns.hpp"

using namespace podhop;
using dataplane::DnsType;
using dataplane::ResolvConf;
using dataplane::SearchWalk;
using testing_dns::ip;

namespace {

model::Pod pod_with(model::PodSpec spec, std::string ns = "default") {
  model::Pod p;
  p.meta.namespace_ = std::move(ns);
  p.meta.name = "client";
  p.status.pod_ip = ip("10.244.0.7");
  p.spec = std::make_shared<const model::PodSpec>(std::move(spec));
  return p;
}

model::ClusterConfig node_config() {
  model::ClusterConfig cfg;
  model::apply_cluster_defaults(cfg);
  cfg.node_search_domains = {"corp.example.", "cluster.local"};
  return cfg;
}

const core::Ipv4 kDns = ip("10.96.0.10");

ResolvConf cluster_first(std::string ns) {
  model::ClusterConfig cfg;
  model::apply_cluster_defaults(cfg);
  return dataplane::resolv_conf_for(pod_with({}, std::move(ns)), cfg, kDns);
}

/// What a whole walk did: its result, and the queries it sent with their rcodes.
struct Walked : dataplane::Resolution {
  std::vector<dataplane::DnsQuery> queries;
  std::vector<dataplane::Rcode> rcodes;
};

/// Runs a whole walk against the tutorial cluster's CoreDNS.
struct Walker {
  model::ClusterState state = testing_dns::tutorial_cluster();
  controllers::DnsZone zone{state};
  dataplane::DnsServer server{zone, state.config};

  Walked resolve(std::string_view name, const ResolvConf& conf,
                 const dataplane::HostsFile* hosts = nullptr) const {
    SearchWalk walk(name, conf, hosts);
    while (auto q = walk.next_query()) walk.on_answer(server.answer(*q));
    Walked out{walk.result(), {}, {}};
    for (const auto& s : walk.sent()) {
      out.queries.push_back({std::string(s.name), s.type});
      out.rcodes.push_back(s.rcode);
    }
    return out;
  }
};

std::vector<std::string> sent(const Walked& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.queries.size(); ++i) {
    out.push_back(fmt::format("{} {} {}", dataplane::to_string(r.queries[i].type),
                              r.queries[i].name, dataplane::to_string(r.rcodes[i])));
  }
  return out;
}

}  // namespace

TEST_CASE("resolv.conf for each dnsPolicy, as kubelet writes it", "[dataplane][dns]") {
  auto cfg = node_config();
  struct Case {
    std::string what;
    model::DnsPolicy policy;
    bool host_network;
    std::optional<model::PodDnsConfig> dns_config;
    std::string file;
  };
  model::PodDnsConfig custom;
  custom.nameservers = {"1.1.1.1", "8.8.8.8", "9.9.9.9", "2001:db8::1"};
  custom.searches = {"ns1.svc.cluster-domain.example", "my.dns.search.suffix"};
  custom.options = {{"ndots", std::string("2")}, {"edns0", std::nullopt}};
  model::PodDnsConfig tweak;
  tweak.options = {{"ndots", std::string("1")}, {"single-request-reopen", std::nullopt}};
  tweak.searches = {"svc.cluster.local", "extra.example"};

  auto c = GENERATE_COPY(values<Case>({
      {"ClusterFirst", model::DnsPolicy::ClusterFirst, false, std::nullopt,
       "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
       "nameserver 10.96.0.10\n"
       "options ndots:5\n"},
      {"ClusterFirst with dnsConfig merged", model::DnsPolicy::ClusterFirst, false, tweak,
       "search default.svc.cluster.local svc.cluster.local cluster.local corp.example "
       "extra.example\n"
       "nameserver 10.96.0.10\n"
       "options ndots:1 single-request-reopen\n"},
      {"Default", model::DnsPolicy::Default, false, std::nullopt,
       "search corp.example cluster.local\n"
       "nameserver 192.168.49.1\n"},
      {"None", model::DnsPolicy::None, false, custom,
       "search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
       "nameserver 1.1.1.1\n"
       "nameserver 8.8.8.8\n"
       "nameserver 9.9.9.9\n"
       "options ndots:2 edns0\n"},
      {"hostNetwork with ClusterFirst falls back to Default", model::DnsPolicy::ClusterFirst, true,
       std::nullopt,
       "search corp.example cluster.local\n"
       "nameserver 192.168.49.1\n"},
      {"ClusterFirstWithHostNet", model::DnsPolicy::ClusterFirstWithHostNet, true, std::nullopt,
       "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
       "nameserver 10.96.0.10\n"
       "options ndots:5\n"},
  }));
  CAPTURE(c.what);
  model::PodSpec spec;
  spec.dns_policy = c.policy;
  spec.host_network = c.host_network;
  spec.dns_config = c.dns_config;
  auto conf = dataplane::resolv_conf_for(pod_with(spec), cfg, kDns);
  CHECK(conf.render() == c.file);
}

TEST_CASE("resolv.conf follows the pod's namespace and the ndots it ends up with",
          "[dataplane][dns]") {
  auto conf = cluster_first("other");
  CHECK(conf.searches ==
        std::vector<std::string>{"other.svc.cluster.local", "svc.cluster.local", "cluster.local"});
  CHECK(conf.ndots == 5);
  CHECK(conf.nameservers == std::vector<core::Ipv4>{kDns});

  model::PodSpec spec;
  spec.dns_config = model::PodDnsConfig{{}, {}, {{"ndots", std::string("2")}}};
  model::ClusterConfig cfg;
  model::apply_cluster_defaults(cfg);
  CHECK(dataplane::resolv_conf_for(pod_with(spec), cfg, kDns).ndots == 2);
  CHECK(dataplane::node_resolv_conf(cfg).ndots == 1);
}

TEST_CASE("resolv.conf keeps to kubelet's limits", "[dataplane][dns]") {
  model::ClusterConfig cfg;
  model::apply_cluster_defaults(cfg);
  model::PodSpec spec;
  spec.dns_policy = model::DnsPolicy::None;
  model::PodDnsConfig dc;
  dc.nameservers = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
  for (int i = 0; i < 40; ++i) dc.searches.push_back(fmt::format("s{}.example", i));
  dc.searches.push_back(std::string(254, 'x'));
  spec.dns_config = dc;
  auto conf = dataplane::resolv_conf_for(pod_with(spec), cfg, kDns);
  CHECK(conf.nameservers.size() == 3);
  CHECK(conf.searches.size() == 32);
  CHECK(conf.searches.back() == "s31.example");
  CHECK(conf.ndots == 1);  // no options: glibc's default
}

TEST_CASE("the search list gives the candidates glibc tries, in order", "[dataplane][dns]") {
  struct Case {
    std::string name;
    int ndots;
    std::vector<std::string> candidates;
  };
  auto c = GENERATE(values<Case>({
      {"app2-svc",
       5,
       {"app2-svc.default.svc.cluster.local.", "app2-svc.svc.cluster.local.",
        "app2-svc.cluster.local.", "app2-svc."}},
      {"app2-svc.default",
       5,
       {"app2-svc.default.default.svc.cluster.local.", "app2-svc.default.svc.cluster.local.",
        "app2-svc.default.cluster.local.", "app2-svc.default."}},
      // A trailing dot: the name exactly, nothing else.
      {"app2-svc.default.svc.cluster.local.", 5, {"app2-svc.default.svc.cluster.local."}},
      // ndots or more dots: as-is first, then the search list.
      {"a.b.c.d.e.f",
       5,
       {"a.b.c.d.e.f.", "a.b.c.d.e.f.default.svc.cluster.local.", "a.b.c.d.e.f.svc.cluster.local.",
        "a.b.c.d.e.f.cluster.local."}},
      {"example.com",
       1,
       {"example.com.", "example.com.default.svc.cluster.local.", "example.com.svc.cluster.local.",
        "example.com.cluster.local."}},
      {"example.com",
       5,
       {"example.com.default.svc.cluster.local.", "example.com.svc.cluster.local.",
        "example.com.cluster.local.", "example.com."}},
  }));
  CAPTURE(c.name, c.ndots);
  auto conf = cluster_first("default");
  conf.ndots = c.ndots;
  SearchWalk walk(c.name, conf);
  CHECK(std::vector<std::string>(walk.candidates().begin(), walk.candidates().end()) ==
        c.candidates);
}

TEST_CASE("a walk's candidate names stay valid when the walk is moved", "[dataplane][dns]") {
  // Short names fit std::string's inline buffer; the walk's own buffer must not move with it.
  auto conf = cluster_first("default");
  std::optional<SearchWalk> walk;
  walk.emplace("a", conf);
  SearchWalk moved = std::move(*walk);
  walk.reset();
  const std::vector<std::string> want = {"a.default.svc.cluster.local.", "a.svc.cluster.local.",
                                         "a.cluster.local.", "a."};
  CHECK(std::vector<std::string>(moved.candidates().begin(), moved.candidates().end()) == want);
  auto q = moved.next_query();
  REQUIRE(q);
  CHECK(q->name == "a.default.svc.cluster.local.");
}

TEST_CASE("a lookup sends A and AAAA per candidate and stops at the first answer",
          "[dataplane][dns]") {
  Walker w;
  auto from_default = cluster_first("default");
  auto from_other = cluster_first("other");

  SECTION("the short name in the same namespace: one candidate") {
    auto r = w.resolve("app2-svc", from_default);
    CHECK(r.ok);
    CHECK(r.address == ip("10.96.0.12"));
    CHECK(r.canonical_name == "app2-svc.default.svc.cluster.local.");
    CHECK(sent(r) == std::vector<std::string>{"A app2-svc.default.svc.cluster.local. NOERROR",
                                              "AAAA app2-svc.default.svc.cluster.local. NOERROR"});
  }
  SECTION("all four name forms resolve from the same namespace") {
    for (const char* name : {"app2-svc.default.svc.cluster.local", "app2-svc.default.svc",
                             "app2-svc.default", "app2-svc"}) {
      CAPTURE(name);
      auto r = w.resolve(name, from_default);
      CHECK(r.ok);
      CHECK(r.address == ip("10.96.0.12"));
    }
  }
  SECTION("the short name from another namespace fails after the whole walk") {
    auto r = w.resolve("app2-svc", from_other);
    CHECK_FALSE(r.ok);
    CHECK(sent(r) == std::vector<std::string>{
                         "A app2-svc.other.svc.cluster.local. NXDOMAIN",
                         "AAAA app2-svc.other.svc.cluster.local. NXDOMAIN",
                         "A app2-svc.svc.cluster.local. NXDOMAIN",
                         "AAAA app2-svc.svc.cluster.local. NXDOMAIN",
                         "A app2-svc.cluster.local. NXDOMAIN",
                         "AAAA app2-svc.cluster.local. NXDOMAIN",
                         "A app2-svc. NXDOMAIN",
                         "AAAA app2-svc. NXDOMAIN",
                     });
  }
  SECTION("svc.ns works from another namespace through the svc.<zone> entry") {
    auto r = w.resolve("app2-svc.default", from_other);
    CHECK(r.ok);
    CHECK(r.canonical_name == "app2-svc.default.svc.cluster.local.");
    CHECK(r.queries.size() == 4);
  }
  SECTION("an external name walks every cluster suffix first (ndots:5)") {
    auto r = w.resolve("example.com", from_default);
    CHECK(r.ok);
    CHECK(r.address == ip("93.184.215.14"));
    CHECK(r.queries.size() == 8);
    CHECK(sent(r).front() == "A example.com.default.svc.cluster.local. NXDOMAIN");
    CHECK(sent(r).back() == "AAAA example.com. NOERROR");
  }
  SECTION("a trailing dot sends the name alone") {
    auto r = w.resolve("example.com.", from_default);
    CHECK(r.ok);
    CHECK(r.queries.size() == 2);
  }
  SECTION("NODATA moves the walk on like NXDOMAIN") {
    // default.svc.cluster.local exists (an empty non-terminal) but has no address.
    auto r = w.resolve("default", from_other);
    CHECK_FALSE(r.ok);
    CHECK(sent(r).at(2) == "A default.svc.cluster.local. NOERROR");
    CHECK(r.queries.size() == 8);
  }
  SECTION("an ExternalName resolves through its CNAME") {
    auto r = w.resolve("example-svc", from_default);
    CHECK(r.ok);
    CHECK(r.address == ip("93.184.215.14"));
    CHECK(r.canonical_name == "example.com.");
    CHECK(r.queries.size() == 2);
  }
  SECTION("a headless Service gives every ready endpoint") {
    auto r = w.resolve("web", from_default);
    CHECK(r.addresses == std::vector<core::Ipv4>{ip("10.244.0.20"), ip("10.244.0.21")});
  }
  SECTION("no-aaaa sends A queries only") {
    auto conf = from_other;
    conf.options.push_back("no-aaaa");
    auto r = w.resolve("app2-svc", conf);
    CHECK(r.queries.size() == 4);
    for (const auto& q : r.queries) CHECK(q.type == DnsType::A);
  }
}

TEST_CASE("IP literals and /etc/hosts names send no query", "[dataplane][dns]") {
  Walker w;
  auto conf = cluster_first("default");
  auto lit = w.resolve("10.96.0.12", conf);
  CHECK(lit.ok);
  CHECK(lit.literal);
  CHECK(lit.queries.empty());

  model::PodSpec spec;
  spec.host_aliases = {{"1.2.3.4", {"foo.local", "bar"}}};
  auto hosts = dataplane::hosts_file_for(pod_with(spec), w.state.config);
  auto local = w.resolve("localhost", conf, &hosts);
  CHECK(local.ok);
  CHECK(local.from_hosts);
  CHECK(local.address == ip("127.0.0.1"));
  CHECK(local.queries.empty());
  CHECK(w.resolve("BAR", conf, &hosts).address == ip("1.2.3.4"));
  CHECK(w.resolve("client", conf, &hosts).address == ip("10.244.0.7"));
}

TEST_CASE("/etc/hosts as kubelet writes it", "[dataplane][dns]") {
  model::ClusterConfig cfg;
  model::apply_cluster_defaults(cfg);
  model::PodSpec spec;
  spec.hostname = "db-0";
  spec.subdomain = "db";
  spec.host_aliases = {{"1.2.3.4", {"foo.local", "bar.local"}}};
  CHECK(dataplane::hosts_file_for(pod_with(spec), cfg).render() ==
        "# Kubernetes-managed hosts file.\n"
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "fe00::0\tip6-mcastprefix\n"
        "fe00::1\tip6-allnodes\n"
        "fe00::2\tip6-allrouters\n"
        "10.244.0.7\tdb-0.db.default.svc.cluster.local\tdb-0\n"
        "\n"
        "# Entries added by HostAliases.\n"
        "1.2.3.4\tfoo.local\tbar.local\n");
}
