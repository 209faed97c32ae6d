// Applications: the choice of behaviour, listening ports, $(VAR) expansion and what each
// built-in profile answers (SPEC section 3, docs/apps.md).

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "podhop/dataplane/apps.hpp"

namespace {

using podhop::core::Duration;
using podhop::core::Ipv4;
using namespace podhop::dataplane;
namespace model = podhop::model;

model::App make_app(std::string name, std::string image, std::string body,
                    std::string ns = "default") {
  model::App app;
  app.meta.name = std::move(name);
  app.meta.namespace_ = std::move(ns);
  app.spec.image = std::move(image);
  app.spec.respond = model::AppRespond{200, std::move(body), {}, Duration::millis(2)};
  return app;
}

model::Container make_container(std::string image, std::vector<std::int32_t> ports = {},
                                std::vector<std::string> args = {}) {
  model::Container c;
  c.name = "main";
  c.image = std::move(image);
  for (auto p : ports) c.ports.push_back({"", p, model::Protocol::TCP, 0});
  c.args = std::move(args);
  return c;
}

model::Pod make_pod(std::string name, model::Container c, std::string ns = "default") {
  model::Pod pod;
  pod.meta.name = std::move(name);
  pod.meta.namespace_ = std::move(ns);
  auto spec = std::make_shared<model::PodSpec>();
  spec->containers.push_back(std::move(c));
  pod.spec = std::move(spec);
  pod.status.pod_ip = *Ipv4::parse("10.244.0.5");
  return pod;
}

/// Resolves the only container of `pod` in `state`.
AppBehavior resolve(const model::ClusterState& state, const model::Pod& pod,
                    podhop::core::Diagnostics* warnings = nullptr) {
  return resolve_container(state, pod, pod.spec->containers.front(), warnings);
}

AppRequest request_to(const model::Pod& pod, std::int32_t port, std::string_view path = "/") {
  AppRequest r;
  r.pod_namespace = pod.meta.namespace_;
  r.pod_name = pod.meta.name;
  r.pod_ip = pod.status.pod_ip;
  r.node = "minikube";
  r.container = pod.spec->containers.front().name;
  r.port = port;
  r.method = "GET";
  r.path = path;
  r.client_ip = *Ipv4::parse("10.244.0.6");
  r.client_port = 40001;
  return r;
}

/// What a container running `image` with `args` answers on `port` for `path`.
AppAction answer(const model::Container& c, std::int32_t port, std::string_view path = "/",
                 std::string_view host = "") {
  model::ClusterState state;
  auto pod = make_pod("web-1", c);
  auto app = resolve(state, pod);
  auto req = request_to(pod, port, path);
  req.host = host;
  return handle(app, req);
}

std::string header(const AppResponse& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "<absent>";
}

}  // namespace

TEST_CASE(
    "behaviour is chosen by annotation, then exact App image, then pattern, then profile, then "
    "echo",
    "[dataplane][apps]") {
  model::ClusterState state;
  state.apps.upsert(make_app("chosen", "unrelated:1", "by annotation"));
  state.apps.upsert(make_app("exact", "shop:1", "exact image"));
  state.apps.upsert(make_app("pattern-long", "shop:*", "long pattern"));
  state.apps.upsert(make_app("pattern-short", "sh*", "short pattern"));

  struct Case {
    std::string image;
    std::string annotation;
    AppSource source;
    AppKind kind;
    std::string app;
  };
  auto c = GENERATE(values<Case>({
      {"shop:1", "chosen", AppSource::annotation, AppKind::respond, "default/chosen"},
      {"shop:1", "", AppSource::app_exact, AppKind::respond, "default/exact"},
      {"shop:2", "", AppSource::app_pattern, AppKind::respond, "default/pattern-long"},
      {"shoe:1", "", AppSource::app_pattern, AppKind::respond, "default/pattern-short"},
      {"nginx:1.25.3", "", AppSource::profile, AppKind::nginx, ""},
      {"my/app:1", "", AppSource::default_echo, AppKind::echo, ""},
  }));
  CAPTURE(c.image, c.annotation);
  auto pod = make_pod("p", make_container(c.image));
  if (!c.annotation.empty()) pod.meta.annotations.set("podhop.dev/app", c.annotation);
  auto b = resolve(state, pod);
  CHECK(b.source == c.source);
  CHECK(b.kind == c.kind);
  CHECK(b.app == c.app);
  CHECK_FALSE(b.explain.empty());
}

TEST_CASE("an exact App image beats a matching pattern and Docker's implied tag counts as exact",
          "[dataplane][apps]") {
  model::ClusterState state;
  state.apps.upsert(make_app("a-pattern", "nginx*", "pattern"));
  state.apps.upsert(make_app("z-exact", "docker.io/library/nginx:latest", "exact"));
  auto b = resolve(state, make_pod("p", make_container("nginx")));
  CHECK(b.source == AppSource::app_exact);
  CHECK(b.app == "default/z-exact");
  CHECK(b.respond.body == "exact");
}

TEST_CASE("the annotation finds the App in the pod's namespace first, then in any namespace",
          "[dataplane][apps]") {
  model::ClusterState state;
  state.apps.upsert(make_app("api", "x:1", "from alpha", "alpha"));
  state.apps.upsert(make_app("api", "x:1", "from beta", "beta"));
  state.apps.upsert(make_app("only-in-beta", "y:1", "beta only", "beta"));

  auto pod = make_pod("p", make_container("whatever:1"), "beta");
  pod.meta.annotations.set("podhop.dev/app", "api");
  CHECK(resolve(state, pod).app == "beta/api");

  auto gamma = make_pod("p", make_container("whatever:1"), "gamma");
  gamma.meta.annotations.set("podhop.dev/app", "api");
  CHECK(resolve(state, gamma).app == "alpha/api");  // first in namespace order

  gamma.meta.annotations.set("podhop.dev/app", "beta/api");
  CHECK(resolve(state, gamma).app == "beta/api");
  gamma.meta.annotations.set("podhop.dev/app", "only-in-beta");
  CHECK(resolve(state, gamma).app == "beta/only-in-beta");
}

TEST_CASE("an annotation naming a missing App warns and falls through to the next rule",
          "[dataplane][apps]") {
  model::ClusterState state;
  auto pod = make_pod("p", make_container("nginx:1.25.3"));
  pod.meta.annotations.set("podhop.dev/app", "ghost");
  podhop::core::Diagnostics warnings;
  auto b = resolve(state, pod, &warnings);
  CHECK(b.source == AppSource::profile);
  CHECK(b.kind == AppKind::nginx);
  REQUIRE(warnings.items().size() == 1);
  CHECK(warnings.items()[0].severity == podhop::core::Severity::warning);
  CHECK_THAT(warnings.items()[0].message, Catch::Contains("\"ghost\""));
}

TEST_CASE("a per-container annotation overrides the pod-wide one", "[dataplane][apps]") {
  model::ClusterState state;
  state.apps.upsert(make_app("wide", "a:1", "wide"));
  state.apps.upsert(make_app("side", "b:1", "side"));
  auto pod = make_pod("p", make_container("x:1"));
  auto spec = std::make_shared<model::PodSpec>(*pod.spec);
  auto sidecar = make_container("y:1", {9000});
  sidecar.name = "sidecar";
  spec->containers.push_back(sidecar);
  pod.spec = spec;
  pod.meta.annotations.set("podhop.dev/app", "wide");
  pod.meta.annotations.set("podhop.dev/app.sidecar", "side");
  CHECK(resolve_container(state, pod, spec->containers[0]).app == "default/wide");
  CHECK(resolve_container(state, pod, spec->containers[1]).app == "default/side");
}

TEST_CASE("a container listens on its containerPorts, else on its App's or profile's ports",
          "[dataplane][apps]") {
  model::ClusterState state;
  auto app = make_app("svc", "svc:1", "hi");
  app.spec.ports = {9090, 9091};
  state.apps.upsert(app);

  struct Case {
    model::Container container;
    std::string ports;
    bool declared;
  };
  auto c = GENERATE_COPY(values<Case>({
      {make_container("nginx:1.25.3"), "80/TCP", false},
      {make_container("nginx:1.25.3", {8080, 9090}), "8080/TCP, 9090/TCP", true},
      {make_container("registry.k8s.io/echoserver:1.4"), "8080/TCP", false},
      {make_container("hashicorp/http-echo", {}, {"-text=hi"}), "5678/TCP", false},
      {make_container("gcr.io/google-samples/hello-app:2.0"), "8080/TCP", false},
      {make_container("redis:alpine"), "6379/TCP", false},
      {make_container("svc:1"), "9090/TCP, 9091/TCP", false},
      {make_container("svc:1", {7000}), "7000/TCP", true},
      {make_container("my/app:1"), "8080/TCP", false},
      {make_container("curlimages/curl:8.8.0"), "no ports", false},
  }));
  CAPTURE(c.container.image);
  model::ClusterState s2 = state;
  s2.pods.upsert(make_pod("p", c.container));
  AppCatalog catalog(s2);
  const PodApps* pod = catalog.pod(0);
  REQUIRE(pod != nullptr);
  CHECK(pod->ports_text() == c.ports);
  CHECK(pod->containers.front().ports_declared == c.declared);
}

TEST_CASE("a port nothing listens on has no serving container and the pod names its ports",
          "[dataplane][apps]") {
  model::ClusterState state;
  auto pod = make_pod("web", make_container("my/app:1", {8080, 9090}));
  auto spec = std::make_shared<model::PodSpec>(*pod.spec);
  auto metrics = make_container("my/exporter:1", {9100});
  metrics.name = "metrics";
  metrics.ports[0].protocol = model::Protocol::UDP;
  spec->containers.push_back(metrics);
  pod.spec = spec;
  state.pods.upsert(pod);
  AppCatalog catalog(state);
  const PodApps& apps = *catalog.pod(0);

  CHECK(apps.listens(8080));
  CHECK_FALSE(apps.listens(80));
  CHECK(apps.serving(80) == nullptr);
  CHECK_FALSE(apps.listens(9100, model::Protocol::TCP));
  REQUIRE(apps.serving(9100, model::Protocol::UDP) != nullptr);
  CHECK(apps.serving(9100, model::Protocol::UDP)->container == "metrics");
  CHECK(apps.serving(9090)->container == "main");
  CHECK(apps.ports_text() == "8080/TCP, 9090/TCP, 9100/UDP");
  CHECK(catalog.pod(1) == nullptr);
}

TEST_CASE("$(VAR) expands as Kubernetes expands it", "[dataplane][apps]") {
  model::StringMap env{{"A", "x"}, {"B", "y"}, {"EMPTY", ""}};
  struct Case {
    std::string in;
    std::string out;
  };
  auto c = GENERATE(values<Case>({
      {"$(A)$(B)", "xy"},
      {"http://$(A):$(B)/", "http://x:y/"},
      {"$$(A)", "$(A)"},
      {"$$$(A)", "$x"},
      {"$(UNKNOWN)", "$(UNKNOWN)"},
      {"$(A)-$(UNKNOWN)", "x-$(UNKNOWN)"},
      {"$(EMPTY)z", "z"},
      {"$(A", "$(A"},
      {"$A", "$A"},
      {"a$", "a$"},
      {"$()", "$()"},
      {"no refs", "no refs"},
      {"", ""},
  }));
  CAPTURE(c.in);
  CHECK(expand_env_refs(c.in, env) == c.out);
}

TEST_CASE("the container environment has service env vars and expands env in order",
          "[dataplane][apps]") {
  model::ClusterState state;
  model::Service svc;
  svc.meta.name = "app2-svc";
  svc.meta.namespace_ = "default";
  svc.meta.creation_index = 1;
  svc.spec.cluster_ip = *Ipv4::parse("10.96.0.20");
  svc.spec.ports.push_back(
      {"http", model::Protocol::TCP, 9999, model::IntOrString::of(8080), 0, ""});
  state.services.upsert(svc);
  model::Service late = svc;
  late.meta.name = "late";
  late.meta.creation_index = 9;
  state.services.upsert(late);

  auto c = make_container("x:1");
  c.env = {{"HOST", "$(APP2_SVC_SERVICE_HOST)", false},
           {"URL", "http://$(HOST):$(APP2_SVC_SERVICE_PORT)/$(LATER)", false},
           {"LATER", "z", false},
           {"POD_NAME", "", true}};
  auto pod = make_pod("p", c);
  pod.meta.creation_index = 5;
  auto env = container_environment(state, pod, c);
  CHECK(*env.get("APP2_SVC_SERVICE_HOST") == "10.96.0.20");
  CHECK(*env.get("APP2_SVC_SERVICE_PORT_HTTP") == "9999");
  CHECK(*env.get("APP2_SVC_PORT") == "tcp://10.96.0.20:9999");
  CHECK(*env.get("APP2_SVC_PORT_9999_TCP_ADDR") == "10.96.0.20");
  CHECK(*env.get("URL") == "http://10.96.0.20:9999/$(LATER)");
  CHECK_FALSE(env.contains("LATE_SERVICE_HOST"));  // created after the pod
  CHECK_FALSE(env.contains("POD_NAME"));
}

TEST_CASE("a forward App expands its url from the container's env", "[dataplane][apps]") {
  model::ClusterState state;
  model::App app;
  app.meta.name = "app1";
  app.meta.namespace_ = "default";
  app.spec.image = "app1:svc";
  app.spec.forward = model::AppForward{"http://$(APP2_HOST):$(APP2_PORT)/$(NOPE)", "GET", {}};
  state.apps.upsert(app);
  auto c = make_container("app1:svc", {8080});
  c.env = {{"APP2_HOST", "app2-svc", false}, {"APP2_PORT", "9999", false}};
  state.pods.upsert(make_pod("app1", c));
  AppCatalog catalog(state);
  const auto& b = catalog.pod(0)->containers.front();
  CHECK(b.kind == AppKind::forward);
  CHECK(b.forward.url == "http://app2-svc:9999/$(NOPE)");
  auto action = handle(b, request_to(state.pods[0], 8080));
  REQUIRE(action.kind == AppAction::Kind::forward);
  CHECK(action.forward.url == "http://app2-svc:9999/$(NOPE)");
  CHECK(action.forward.method == "GET");
}

TEST_CASE("a respond App answers its status, body, headers and latency", "[dataplane][apps]") {
  model::ClusterState state;
  auto app = make_app("app2", "app2:svc", "Hello world");
  app.spec.respond->status = 201;
  app.spec.respond->headers.set("X-Trace", "yes");
  state.apps.upsert(app);
  auto pod = make_pod("app2", make_container("app2:svc", {8080}));
  auto action = handle(resolve(state, pod), request_to(pod, 8080));
  REQUIRE(action.kind == AppAction::Kind::respond);
  CHECK(action.response.status == 201);
  CHECK(action.response.body == "Hello world");
  CHECK(action.response.latency == Duration::millis(2));
  CHECK(header(action.response, "X-Trace") == "yes");
  CHECK(header(action.response, "Content-Length") == "11");
}

TEST_CASE("the echo server names the pod and shows the client address it sees",
          "[dataplane][apps]") {
  model::ClusterState state;
  auto pod = make_pod("app1", make_container("my/app:1", {8080}));
  auto req = request_to(pod, 8080);
  req.host = "app1-svc:8888";
  req.client_ip = *Ipv4::parse("192.168.49.2");  // SNAT to the node
  req.client_port = 31007;
  auto action = handle(resolve(state, pod), req);
  REQUIRE(action.kind == AppAction::Kind::respond);
  CHECK(action.response.status == 200);
  CHECK(action.response.body ==
        "pod: default/app1\npod_ip: 10.244.0.5\nnode: minikube\nclient: 192.168.49.2:31007\n"
        "request: GET app1-svc:8888/\n");
}

TEST_CASE("nginx serves its welcome page on / and its 404 page elsewhere", "[dataplane][apps]") {
  auto c = make_container("nginx:1.25.3");
  auto home = answer(c, 80, "/");
  CHECK(home.response.status == 200);
  CHECK_THAT(home.response.body, Catch::Contains("<title>Welcome to nginx!</title>"));
  CHECK(header(home.response, "Server") == "nginx/1.25.3");
  CHECK(header(home.response, "Content-Type") == "text/html");

  auto missing = answer(c, 80, "/nope?x=1");
  CHECK(missing.response.status == 404);
  CHECK_THAT(missing.response.body, Catch::Contains("<center><h1>404 Not Found</h1></center>"));
  CHECK_THAT(missing.response.body, Catch::Contains("<hr><center>nginx/1.25.3</center>"));

  auto latest = answer(make_container("nginx"), 80, "/index.html");
  CHECK(latest.response.status == 200);
  CHECK(header(latest.response, "Server") == "nginx/1.27.4");
  CHECK(header(answer(make_container("nginx:1.25-alpine"), 80).response, "Server") ==
        "nginx/1.25.0");
}

TEST_CASE("http-echo reads -text and -listen in every flag form", "[dataplane][apps]") {
  struct Case {
    std::vector<std::string> args;
    std::int32_t port;
    std::int32_t status;
    std::string body;
  };
  auto c = GENERATE(values<Case>({
      {{"-text=hello"}, 5678, 200, "hello\n"},
      {{"-text", "hello world"}, 5678, 200, "hello world\n"},
      {{"--text=apple", "--listen=:8080"}, 8080, 200, "apple\n"},
      {{"-listen", "0.0.0.0:9000", "-text=x"}, 9000, 200, "x\n"},
      {{"-text=gone", "-status-code=404"}, 5678, 404, "gone\n"},
      {{"-text", "a", "-status-code", "503"}, 5678, 503, "a\n"},
  }));
  auto container = make_container("hashicorp/http-echo:1.0", {}, c.args);
  model::ClusterState state;
  auto pod = make_pod("echo", container);
  auto b = resolve(state, pod);
  CHECK(b.kind == AppKind::http_echo);
  REQUIRE(b.ports.size() == 1);
  CHECK(b.ports[0].port == c.port);
  auto action = handle(b, request_to(pod, c.port, "/anything"));
  CHECK(action.response.status == c.status);
  CHECK(action.response.body == c.body);
  CHECK(header(action.response, "X-App-Name") == "http-echo");
}

TEST_CASE("http-echo without -text exits and listens nowhere", "[dataplane][apps]") {
  model::ClusterState state;
  state.pods.upsert(
      make_pod("echo", make_container("hashicorp/http-echo", {5678}, {"-listen=:5678"})));
  AppCatalog catalog(state);
  CHECK(catalog.pod(0)->containers.front().kind == AppKind::none);
  CHECK_FALSE(catalog.pod(0)->listens(5678));
  CHECK(catalog.pod(0)->ports_text() == "no ports");
}

TEST_CASE("echoserver prints the request in its old and new formats", "[dataplane][apps]") {
  auto old_format = answer(make_container("registry.k8s.io/echoserver:1.4"), 8080, "/hi?a=1",
                           "192.168.49.2:30080");
  CHECK(old_format.response.body ==
        "CLIENT VALUES:\nclient_address=10.244.0.6\ncommand=GET\nreal path=/hi?a=1\nquery=a=1\n"
        "request_version=1.1\nrequest_uri=http://192.168.49.2:8080/hi?a=1\n\n"
        "SERVER VALUES:\nserver_version=nginx: 1.10.0 - lua: 10001\n\n"
        "HEADERS RECEIVED:\nhost=192.168.49.2:30080\nBODY:\n-no body in request-");

  auto c = make_container("registry.k8s.io/e2e-test-images/echoserver:2.3", {8080});
  c.env = {{"POD_NAME", "", true}};
  auto new_format = answer(c, 8080, "/", "http-svc");
  const auto& body = new_format.response.body;
  CHECK_THAT(
      body, Catch::StartsWith("\n\nHostname: web-1\n\nPod Information:\n\tnode name:\tminikube\n"));
  CHECK_THAT(body,
             Catch::Contains("Request Information:\n\tclient_address=10.244.0.6\n\tmethod=GET\n"
                             "\treal path=/\n"));
  CHECK_THAT(body, Catch::Contains("\trequest_uri=http://http-svc:8080/\n"));
  CHECK_THAT(body, Catch::Contains("Request Headers:\n\thost=http-svc\n"));
  CHECK_THAT(body, Catch::Contains("Request Body:\n\t-no body in request-\n"));
}

TEST_CASE("hello-app says hello with the version of its tag and the pod name",
          "[dataplane][apps]") {
  auto a =
      answer(make_container("us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0"), 8080);
  CHECK(a.response.body == "Hello, world!\nVersion: 2.0.0\nHostname: web-1\n");
  auto b = answer(make_container("gcr.io/google-samples/hello-app:1.0"), 8080, "/any");
  CHECK(b.response.body == "Hello, world!\nVersion: 1.0.0\nHostname: web-1\n");
}

TEST_CASE("httpbin answers /get, /ip, /status/N and /delay/N", "[dataplane][apps]") {
  auto c = make_container("kennethreitz/httpbin");
  auto get = answer(c, 80, "/get?x=1", "httpbin");
  CHECK(get.response.status == 200);
  CHECK(header(get.response, "Content-Type") == "application/json");
  CHECK_THAT(get.response.body, Catch::Contains("\"origin\": \"10.244.0.6\""));
  CHECK_THAT(get.response.body, Catch::Contains("\"x\": \"1\""));
  CHECK_THAT(get.response.body, Catch::Contains("\"url\": \"http://httpbin/get?x=1\""));
  CHECK(answer(c, 80, "/ip").response.body == "{\n  \"origin\": \"10.244.0.6\"\n}\n");
  CHECK(answer(c, 80, "/status/418").response.status == 418);
  CHECK(answer(c, 80, "/delay/3").response.latency == Duration::seconds(3));
  CHECK(answer(c, 80, "/nope").response.status == 404);
}

TEST_CASE("agnhost netexec and serve-hostname answer with the pod's name and the client",
          "[dataplane][apps]") {
  auto netexec = make_container("registry.k8s.io/e2e-test-images/agnhost:2.39", {},
                                {"netexec", "--http-port=8080"});
  CHECK(answer(netexec, 8080, "/hostname").response.body == "web-1");
  CHECK(answer(netexec, 8080, "/clientip").response.body == "10.244.0.6:40001");
  CHECK(answer(netexec, 8080, "/echo?msg=hi%20there").response.body == "hi there");
  auto serve =
      make_container("registry.k8s.io/e2e-test-images/agnhost:2.39", {}, {"serve-hostname"});
  CHECK(answer(serve, 9376).response.body == "web-1");
}

TEST_CASE("redis is not HTTP: it closes the connection", "[dataplane][apps]") {
  auto a = answer(make_container("redis:alpine"), 6379);
  REQUIRE(a.kind == AppAction::Kind::close);
  CHECK(a.raw == "-ERR wrong number of arguments for 'get' command\r\n");
}

TEST_CASE("tool images and sleeping commands listen nowhere unless they declare ports",
          "[dataplane][apps]") {
  model::ClusterState state;
  auto sleeper = make_container("nginx:1.25.3");
  sleeper.command = {"sleep", "infinity"};
  auto shell = make_container("my/app:1");
  shell.command = {"/bin/sh", "-c", "sleep 3600"};
  auto busybox_server = make_container("busybox:1.28", {8080});
  state.pods.upsert(make_pod("curl", make_container("curlimages/curl:8.8.0")));
  state.pods.upsert(make_pod("sleeper", sleeper));
  state.pods.upsert(make_pod("shell", shell));
  state.pods.upsert(make_pod("httpd", busybox_server));
  AppCatalog catalog(state);
  CHECK(catalog.pod(0)->listening.empty());
  CHECK(catalog.pod(1)->listening.empty());
  CHECK(catalog.pod(1)->containers.front().kind == AppKind::none);
  CHECK(catalog.pod(2)->listening.empty());
  CHECK(catalog.pod(3)->listens(8080));
  CHECK(catalog.pod(3)->containers.front().kind == AppKind::echo);
}

TEST_CASE("replicas of one template share their resolved apps", "[dataplane][apps]") {
  model::ClusterState state;
  auto spec = std::make_shared<model::PodSpec>();
  spec->containers.push_back(make_container("nginx:1.25.3"));
  for (int i = 0; i < 3; ++i) {
    model::Pod pod;
    pod.meta.name = "web-" + std::to_string(i);
    pod.meta.namespace_ = "default";
    pod.spec = spec;
    state.pods.upsert(pod);
  }
  state.pods.upsert(make_pod("other", make_container("my/app:1")));
  AppCatalog catalog(state);
  REQUIRE(catalog.size() == 4);
  CHECK(catalog.pod(0) == catalog.pod(2));
  CHECK(catalog.pod(0) != catalog.pod(3));
  CHECK(catalog.pod(3)->containers.front().kind == AppKind::echo);
}

TEST_CASE("HEAD gets the headers and no body", "[dataplane][apps]") {
  model::ClusterState state;
  auto pod = make_pod("web", make_container("nginx:1.25.3"));
  auto req = request_to(pod, 80);
  req.method = "HEAD";
  auto a = handle(resolve(state, pod), req);
  CHECK(a.response.status == 200);
  CHECK(a.response.body.empty());
  CHECK(header(a.response, "Content-Length") != "0");
}

TEST_CASE("sidecar init containers listen, plain init containers do not", "[dataplane][apps]") {
  model::ClusterState state;
  auto pod = make_pod("web", make_container("my/app:1", {8080}));
  auto spec = std::make_shared<model::PodSpec>(*pod.spec);
  auto sidecar = make_container("my/proxy:1", {15001});
  sidecar.name = "proxy";
  sidecar.restart_policy = "Always";
  auto init = make_container("my/migrate:1", {5000});
  init.name = "migrate";
  spec->init_containers = {sidecar, init};
  pod.spec = spec;
  pod.meta.annotations.set("podhop.dev/app", "missing");
  state.pods.upsert(pod);
  AppCatalog catalog(state);
  CHECK(catalog.pod(0)->ports_text() == "8080/TCP, 15001/TCP");
  REQUIRE(catalog.pod(0)->serving(15001) != nullptr);
  CHECK(catalog.pod(0)->serving(15001)->container == "proxy");
  CHECK_FALSE(catalog.pod(0)->listens(5000));
  CHECK(catalog.warnings().items().size() == 2);  // one per container naming the missing App
}
