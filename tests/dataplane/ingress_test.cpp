// The ingress controller: ingress-nginx's path and host matching, precedence, default
// backend, 503, 308, cookie affinity, rewrite-target, and the whole path through the
// pipeline (hostPort, headers to the backend, the trace).
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "podhop/dataplane/ingress.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/simulation.hpp"

using namespace podhop::dataplane;

namespace {

constexpr const char* kCluster = R"(
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: ing}
spec:
  nodes: [{name: minikube}]
  addons: [ingress, ingress-dns]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.k8s.io/echoserver:1.10, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: exact}
spec:
  selector: {app: web}
  ports: [{port: 81, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: deep}
spec:
  selector: {app: web}
  ports: [{port: 82, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: impl}
spec:
  selector: {app: web}
  ports: [{port: 83, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: wild}
spec:
  selector: {app: web}
  ports: [{port: 84, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: fallback}
spec:
  selector: {app: web}
  ports: [{port: 85, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec:
  selector: {app: nobody}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main}
spec:
  rules:
  - host: paths.test
    http:
      paths:
      - {path: /foo, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /foo, pathType: Exact, backend: {service: {name: exact, port: {number: 81}}}}
      - {path: /foo/bar, pathType: Prefix, backend: {service: {name: deep, port: {number: 82}}}}
      - {path: /impl, pathType: ImplementationSpecific, backend: {service: {name: impl, port: {number: 83}}}}
      - {path: /empty, pathType: Prefix, backend: {service: {name: empty, port: {number: 80}}}}
      - {path: /missing, pathType: Prefix, backend: {service: {name: nosuch, port: {number: 80}}}}
  - host: "*.wild.test"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 84}}}}
---
# A tls section makes every host of its Ingress get a certificate (here the fake one: no
# secretName), and so a 308 for plain HTTP: keep it apart from the other hosts.
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure}
spec:
  tls: [{hosts: [secure.test]}]
  rules:
  - host: secure.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: with-default}
spec:
  defaultBackend: {service: {name: fallback, port: {number: 85}}}
  rules:
  - host: fallback.test
    http:
      paths:
      - {path: /only, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: regex
  annotations:
    nginx.ingress.kubernetes.io/use-regex: "true"
    nginx.ingress.kubernetes.io/rewrite-target: /$2
spec:
  rules:
  - host: regex.test
    http:
      paths:
      - {path: /something(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: sticky
  annotations:
    nginx.ingress.kubernetes.io/affinity: cookie
    nginx.ingress.kubernetes.io/session-cookie-name: route
spec:
  rules:
  - host: sticky.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other-class}
spec:
  ingressClassName: traefik
  rules:
  - host: other.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
)";

podhop::Simulation loaded() {
  podhop::Simulation sim;
  auto report = sim.load_text(kCluster, "ingress.yaml");
  INFO(report.diagnostics.str());
  REQUIRE(report.ok());
  return sim;
}

}  // namespace

TEST_CASE("Prefix matching compares whole path elements", "[dataplane][ingress]") {
  struct Case {
    const char* rule;
    const char* path;
    bool match;
  };
  const std::vector<Case> cases = {
      {"/", "/anything", true},
      {"/foo", "/foo", true},
      {"/foo", "/foo/", true},
      {"/foo/", "/foo", true},
      {"/foo", "/foo/bar", true},
      {"/foo", "/foobar", false},
      {"/foo/bar", "/foo/barbaz", false},
      {"/foo", "/Foo", false},
      {"/foo", "/foo?x=1", true},
      {"/aaa/bb", "/aaa/bbb", false},
      {"/aaa/bbb", "/aaa/bbb/", true},
  };
  for (const auto& c : cases) {
    INFO(c.rule << " vs " << c.path);
    CHECK(prefix_path_matches(c.rule, c.path) == c.match);
  }
}

TEST_CASE("a wildcard host matches names under it as nginx server_name does",
          "[dataplane][ingress]") {
  struct Case {
    const char* pattern;
    const char* host;
    bool match;
  };
  const std::vector<Case> cases = {
      {"*.foo.com", "bar.foo.com", true},
      {"*.foo.com", "baz.bar.foo.com", true},  // nginx: any number of labels in front
      {"*.foo.com", "foo.com", false},
      {"*.foo.com", "barfoo.com", false},
      {"foo.com", "bar.foo.com", false},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " vs " << c.host);
    CHECK(wildcard_host_matches(c.pattern, c.host) == c.match);
  }
}

TEST_CASE("rewrite-target substitutes the capture groups of the path", "[dataplane][ingress]") {
  struct Case {
    const char* path;
    const char* expected;
  };
  // ingress-nginx's documented example: /something(/|$)(.*) with rewrite-target /$2.
  const std::vector<Case> cases = {
      {"/something", "/"},
      {"/something/", "/"},
      {"/something/new", "/new"},
      {"/SOMETHING/new?a=1", "/new?a=1"},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    auto r = apply_rewrite("/something(/|$)(.*)", "/$2", c.path);
    REQUIRE(r.has_value());
    CHECK(*r == c.expected);
  }
  CHECK_FALSE(apply_rewrite("/something(/|$)(.*)", "/$2", "/other").has_value());
}

TEST_CASE("cookie values are found among several cookies", "[dataplane][ingress]") {
  CHECK(cookie_value("a=1; route=abc; b=2", "route") == std::optional<std::string>("abc"));
  CHECK(cookie_value("a=1", "route") == std::nullopt);
}

TEST_CASE("the ingress controller routes by host and path with ingress-nginx's precedence",
          "[dataplane][ingress]") {
  auto sim = loaded();
  IngressRouter router(sim.state(), sim.network().tables());
  struct Case {
    const char* host;
    const char* path;
    IngressVerdict verdict;
    int status;
    const char* upstream;  // "" when no proxy
  };
  const std::vector<Case> cases = {
      {"paths.test", "/foo", IngressVerdict::proxy, 0, "default-exact-81"},  // Exact beats Prefix
      {"paths.test", "/foo/", IngressVerdict::proxy, 0, "default-web-80"},
      {"paths.test", "/foo/x", IngressVerdict::proxy, 0, "default-web-80"},
      {"paths.test", "/foo/bar/x", IngressVerdict::proxy, 0, "default-deep-82"},  // longest
      {"paths.test", "/foobar", IngressVerdict::not_found, 404, ""},  // whole elements only
      {"paths.test", "/implementation", IngressVerdict::proxy, 0,
       "default-impl-83"},                                                      // string prefix
      {"paths.test:80", "/foo", IngressVerdict::proxy, 0, "default-exact-81"},  // port ignored
      {"PATHS.test", "/foo/x", IngressVerdict::proxy, 0, "default-web-80"},
      {"paths.test", "/empty", IngressVerdict::unavailable, 503, "default-empty-80"},
      {"paths.test", "/missing", IngressVerdict::unavailable, 503, "default-nosuch-80"},
      {"a.wild.test", "/", IngressVerdict::proxy, 0, "default-wild-84"},
      {"a.b.wild.test", "/", IngressVerdict::proxy, 0, "default-wild-84"},
      {"wild.test", "/", IngressVerdict::not_found, 404, ""},
      {"fallback.test", "/only", IngressVerdict::proxy, 0, "default-web-80"},
      {"fallback.test", "/else", IngressVerdict::proxy, 0, "default-fallback-85"},
      {"unknown.test", "/", IngressVerdict::not_found, 404, ""},
      {"other.test", "/", IngressVerdict::not_found, 404, ""},  // its class is not ingress-nginx
      {"secure.test", "/", IngressVerdict::redirect, 308, ""},
      {"regex.test", "/something/new", IngressVerdict::proxy, 0, "default-web-80"},
  };
  for (const auto& c : cases) {
    INFO(c.host << c.path);
    IngressDecision d = router.route({c.host, c.path, "http", ""});
    INFO(d.why);
    CHECK(d.verdict == c.verdict);
    CHECK(d.status == c.status);
    CHECK(d.upstream == c.upstream);
  }
}

TEST_CASE("a https request to a host under tls is not redirected and http is, with 308",
          "[dataplane][ingress]") {
  auto sim = loaded();
  IngressRouter router(sim.state(), sim.network().tables());
  IngressDecision http = router.route({"secure.test", "/a?b=1", "http", ""});
  CHECK(http.verdict == IngressVerdict::redirect);
  CHECK(http.redirect_to == "https://secure.test/a?b=1");
  CHECK(router.route({"secure.test", "/a", "https", ""}).verdict == IngressVerdict::proxy);
}

TEST_CASE("rewrite-target hands the backend the rewritten path", "[dataplane][ingress]") {
  auto sim = loaded();
  IngressRouter router(sim.state(), sim.network().tables());
  IngressDecision d = router.route({"regex.test", "/something/new?x=1", "http", ""});
  REQUIRE(d.verdict == IngressVerdict::proxy);
  CHECK(d.upstream_path == "/new?x=1");
}

TEST_CASE("the ingress controller spreads requests round robin over the ready endpoints",
          "[dataplane][ingress]") {
  auto sim = loaded();
  IngressRouter router(sim.state(), sim.network().tables());
  std::vector<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    IngressDecision d = router.route({"paths.test", "/foo/x", "http", ""});
    REQUIRE(d.verdict == IngressVerdict::proxy);
    seen.push_back(d.endpoint.ip.str());
  }
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 3);
  CHECK(seen[0] == seen[3]);
  CHECK(seen[1] == seen[4]);
}

TEST_CASE("cookie affinity keeps a session on one endpoint and sets the cookie once",
          "[dataplane][ingress]") {
  auto sim = loaded();
  IngressRouter router(sim.state(), sim.network().tables());
  IngressDecision first = router.route({"sticky.test", "/", "http", ""});
  REQUIRE(first.verdict == IngressVerdict::proxy);
  REQUIRE(first.set_cookie.rfind("route=", 0) == 0);
  const std::string cookie = first.set_cookie.substr(0, first.set_cookie.find(';'));
  for (int i = 0; i < 5; ++i) {
    IngressDecision d = router.route({"sticky.test", "/", "http", cookie});
    CHECK(d.endpoint.ip == first.endpoint.ip);
    CHECK(d.set_cookie.empty());
  }
}

TEST_CASE("Ingresses of another class are ignored and the trace says why", "[dataplane][ingress]") {
  auto sim = loaded();
  IngressRouter router(sim.state(), sim.network().tables());
  REQUIRE(router.ignored().size() == 1);
  CHECK(router.ignored_note("other.test").find("default/other-class") != std::string::npos);
  CHECK(router.ignored_note("other.test").find("traefik") != std::string::npos);
}

TEST_CASE("curl through the ingress reaches an endpoint directly with forwarded headers",
          "[dataplane][ingress]") {
  auto sim = loaded();
  auto r = sim.curl({"-s", "http://paths.test/foo/x"}, ClientRef::external());
  REQUIRE(r.exit_code == 0);
  // echoserver prints the headers it received: ingress-nginx's, with the client's address
  // (the controller listens on a hostPort: no SNAT).
  CHECK(r.stdout_text.find("x-forwarded-for=192.168.49.1") != std::string::npos);
  CHECK(r.stdout_text.find("x-real-ip=192.168.49.1") != std::string::npos);
  CHECK(r.stdout_text.find("x-forwarded-host=paths.test") != std::string::npos);
  CHECK(r.stdout_text.find("x-forwarded-proto=http") != std::string::npos);
  bool ingress_hop = false;
  for (const auto& h : r.hops)
    ingress_hop = ingress_hop || (h.stage == "ingress" &&
                                  h.detail.find("Ingress default/main") != std::string::npos);
  CHECK(ingress_hop);
  REQUIRE(r.requests.size() == 1);
  REQUIRE(r.requests[0].served_by.has_value());
  CHECK(r.requests[0].served_by->rfind("default/web-", 0) == 0);
}

TEST_CASE("curl gets the controller's 404 page and 503 when the Service has no endpoints",
          "[dataplane][ingress]") {
  auto sim = loaded();
  auto nf =
      sim.curl({"-s", "-w", "%{http_code}", "http://paths.test/foobar"}, ClientRef::external());
  CHECK(nf.stdout_text.find("<center><h1>404 Not Found</h1></center>") != std::string::npos);
  CHECK(nf.stdout_text.substr(nf.stdout_text.size() - 3) == "404");
  auto na =
      sim.curl({"-s", "-w", "%{http_code}", "http://paths.test/empty"}, ClientRef::external());
  CHECK(na.stdout_text.substr(na.stdout_text.size() - 3) == "503");
  auto redirect = sim.curl({"-s", "-w", "%{http_code} %{redirect_url}", "http://secure.test/x"},
                           ClientRef::external());
  CHECK(redirect.stdout_text.find("308 https://secure.test/x") != std::string::npos);
}

TEST_CASE("ingress-dns resolves the hosts of Ingresses under .test for outside clients only",
          "[dataplane][ingress]") {
  auto sim = loaded();
  CHECK(sim.curl({"-s", "http://paths.test/foo/x"}, ClientRef::external()).exit_code == 0);
  CHECK(sim.curl({"-s", "http://nothing.test/"}, ClientRef::external()).exit_code == 6);
  CHECK(sim.curl({"-s", "http://paths.test/foo/x"}, ClientRef::node("minikube")).exit_code == 6);
}

TEST_CASE("https to the controller without a certificate for the host gets the fake one",
          "[dataplane][ingress]") {
  auto sim = loaded();
  auto r = sim.curl({"-s", "-S", "https://secure.test/"}, ClientRef::external());
  CHECK(r.exit_code == 60);
  CHECK(r.stderr_text.find("SSL certificate problem: self-signed certificate") !=
        std::string::npos);
  auto k = sim.curl({"-s", "-k", "https://secure.test/"}, ClientRef::external());
  CHECK(k.exit_code == 0);
  CHECK(k.stdout_text.find("x-forwarded-proto=https") != std::string::npos);
}
