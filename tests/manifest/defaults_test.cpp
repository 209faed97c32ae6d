// The API defaults of k8s-networking-rules.md 1.1, applied before validation, and what each
// simulated kind is converted into.

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "manifest_test_support.hpp"

namespace {

using podhop::manifest::testing::lines;
using podhop::manifest::testing::load;
namespace model = podhop::model;
using podhop::core::Duration;

const model::Service& only_service(const podhop::manifest::testing::Loaded& l) {
  REQUIRE(l.report.ok());
  REQUIRE(l.state.services.size() == 1);
  return l.state.services.items().front();
}

std::string policy(const std::optional<model::TrafficPolicy>& p) {
  return p ? std::string(model::to_string(*p)) : "unset";
}

std::string alloc(const std::optional<bool>& a) {
  return a ? (*a ? "true" : "false") : "unset";
}

}  // namespace

TEST_CASE("Service defaults follow SetDefaults_Service for each type", "[manifest]") {
  struct Case {
    const char* spec;
    model::ServiceType type;
    const char* etp;
    const char* itp;
    const char* alloc;
  };
  const Case cases[] = {
      {"  ports: [{port: 80}]\n", model::ServiceType::ClusterIP, "unset", "Cluster", "unset"},
      {"  type: NodePort\n  ports: [{port: 80}]\n", model::ServiceType::NodePort, "Cluster",
       "Cluster", "unset"},
      {"  type: LoadBalancer\n  ports: [{port: 80}]\n", model::ServiceType::LoadBalancer, "Cluster",
       "Cluster", "true"},
      {"  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  ports: [{port: 80}]\n",
       model::ServiceType::LoadBalancer, "Cluster", "Cluster", "false"},
      {"  type: LoadBalancer\n  externalTrafficPolicy: Local\n  internalTrafficPolicy: Local\n  "
       "ports: [{port: 80}]\n",
       model::ServiceType::LoadBalancer, "Local", "Local", "true"},
      // externalIPs make a ClusterIP Service reachable from outside: it gets a policy too.
      {"  externalIPs: [192.0.2.10]\n  ports: [{port: 80}]\n", model::ServiceType::ClusterIP,
       "Cluster", "Cluster", "unset"},
      {"  type: ExternalName\n  externalName: example.com\n", model::ServiceType::ExternalName,
       "unset", "unset", "unset"},
  };
  for (const auto& c : cases) {
    INFO(c.spec);
    auto l =
        load(std::string("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n") + c.spec);
    const auto& svc = only_service(l);
    CHECK(svc.spec.type == c.type);
    CHECK(policy(svc.spec.external_traffic_policy) == c.etp);
    CHECK(policy(svc.spec.internal_traffic_policy) == c.itp);
    CHECK(alloc(svc.spec.allocate_load_balancer_node_ports) == c.alloc);
    CHECK(svc.spec.session_affinity == model::SessionAffinity::None);
    CHECK(svc.meta.namespace_ == "default");
  }
}

TEST_CASE("a Service port defaults its protocol to TCP and its targetPort to the port",
          "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - {name: a, port: 80}
  - {name: b, port: 81, targetPort: 0}
  - {name: c, port: 82, targetPort: http, protocol: UDP}
  - {name: d, port: 83, targetPort: 8083, appProtocol: kubernetes.io/h2c}
)");
  const auto& svc = only_service(l);
  REQUIRE(svc.spec.ports.size() == 4);
  CHECK(svc.spec.ports[0].protocol == model::Protocol::TCP);
  CHECK(svc.spec.ports[0].target_port == model::IntOrString::of(80));
  CHECK(svc.spec.ports[1].target_port == model::IntOrString::of(81));
  CHECK(svc.spec.ports[2].target_port == model::IntOrString::of(std::string("http")));
  CHECK(svc.spec.ports[2].protocol == model::Protocol::UDP);
  CHECK(svc.spec.ports[3].target_port == model::IntOrString::of(8083));
  CHECK(svc.spec.ports[3].app_protocol == "kubernetes.io/h2c");
  CHECK(svc.spec.has_selector);
  CHECK(svc.spec.selector == model::StringMap{{"app", "web"}});
  CHECK(svc.spec.ip_family_policy == "SingleStack");
}

TEST_CASE("ClientIP affinity defaults its timeout to 10800 seconds and None drops the config",
          "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  ports: [{port: 80}]
  sessionAffinity: ClientIP
---
apiVersion: v1
kind: Service
metadata: {name: short}
spec:
  ports: [{port: 80}]
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
---
apiVersion: v1
kind: Service
metadata: {name: none}
spec:
  ports: [{port: 80}]
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
)");
  REQUIRE(l.report.ok());
  CHECK(l.state.services.find("default", "sticky")->spec.affinity_timeout ==
        Duration::seconds(10800));
  CHECK(l.state.services.find("default", "sticky")->spec.session_affinity ==
        model::SessionAffinity::ClientIP);
  CHECK(l.state.services.find("default", "short")->spec.affinity_timeout == Duration::seconds(60));
  CHECK(l.state.services.find("default", "none")->spec.session_affinity ==
        model::SessionAffinity::None);
}

TEST_CASE("clusterIP None makes a Service headless and an address is kept as requested",
          "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: fixed}
spec:
  clusterIP: 10.96.0.50
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: manual}
spec:
  selector: {}
  ports: [{port: 80}]
)");
  REQUIRE(l.report.ok());
  const auto* db = l.state.services.find("default", "db");
  CHECK(db->spec.headless);
  CHECK(db->spec.cluster_ip.empty());
  const auto* fixed = l.state.services.find("default", "fixed");
  CHECK_FALSE(fixed->spec.headless);
  CHECK(fixed->spec.cluster_ip.str() == "10.96.0.50");
  // An empty selector is no selector: the Service waits for manual endpoints.
  CHECK_FALSE(l.state.services.find("default", "manual")->spec.has_selector);
}

TEST_CASE("a node port inside the Cluster's own node port range is accepted", "[manifest]") {
  const char* service = R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 8080}]
)";
  const char* cluster = R"(apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: wide}
spec:
  serviceNodePortRange: 8000-9000
)";
  // The Cluster may come after the Service in the load: the range is checked at the end.
  auto ok = load(std::string(service) + "---\n" + cluster);
  CHECK(lines(ok.report.diagnostics).empty());
  CHECK(ok.report.ok());
  CHECK(ok.state.config.node_port_min == 8000);
  auto bad = load(service);
  CHECK(lines(bad.report.diagnostics) ==
        std::vector<std::string>{
            "t.yaml:6:32: error: Service \"web\": spec.ports[0].nodePort: Invalid value: 8080: "
            "provided port is not in the valid range. The range of valid ports is 30000-32767"});
}

TEST_CASE("a pod spec keeps what the data plane needs, with ClusterFirst and TCP defaults",
          "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
  annotations: {podhop.dev/app: web}
spec:
  nodeName: node-2
  hostname: web-0
  subdomain: web
  hostNetwork: false
  nodeSelector: {disk: ssd}
  terminationGracePeriodSeconds: 45
  hostAliases: [{ip: 10.1.2.3, hostnames: [db.local]}]
  dnsConfig:
    nameservers: [1.1.1.1]
    searches: [corp.example]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  initContainers:
  - name: proxy
    image: envoy
    restartPolicy: Always
    ports: [{name: admin, containerPort: 9901}]
  containers:
  - name: web
    image: nginx:1.27
    command: [nginx]
    args: [-g, daemon off;]
    ports:
    - {name: http, containerPort: 80}
    - {containerPort: 53, protocol: UDP, hostPort: 5353}
    env:
    - {name: APP2_HOST, value: app2-svc}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    readinessProbe:
      httpGet: {path: /healthz, port: http}
      initialDelaySeconds: 3
      periodSeconds: 5
      timeoutSeconds: 2
      successThreshold: 2
      failureThreshold: 4
    livenessProbe: {tcpSocket: {port: 80}}
    startupProbe: {grpc: {port: 9000}}
)");
  REQUIRE(lines(l.report.diagnostics) ==
          std::vector<std::string>{
              "t.yaml:1:1: warning: namespace shop used but not declared; podhop creates it (a "
              "real API server refuses objects in a namespace that does not exist)"});
  const auto* pod = l.state.pods.find("shop", "web");
  REQUIRE(pod);
  const auto& spec = *pod->spec;
  CHECK(pod->node_name == "node-2");
  CHECK(spec.node_name == "node-2");
  CHECK(spec.hostname == "web-0");
  CHECK(spec.subdomain == "web");
  CHECK(spec.dns_policy == model::DnsPolicy::ClusterFirst);
  CHECK(spec.node_selector == model::StringMap{{"disk", "ssd"}});
  CHECK(spec.termination_grace_period == Duration::seconds(45));
  CHECK(spec.restart_policy == "Always");
  REQUIRE(spec.host_aliases.size() == 1);
  CHECK(spec.host_aliases[0].hostnames == std::vector<std::string>{"db.local"});
  REQUIRE(spec.dns_config);
  CHECK(spec.dns_config->nameservers == std::vector<std::string>{"1.1.1.1"});
  REQUIRE(spec.dns_config->options.size() == 2);
  CHECK(spec.dns_config->options[0].value == std::optional<std::string>("2"));
  CHECK_FALSE(spec.dns_config->options[1].value);
  REQUIRE(spec.init_containers.size() == 1);
  CHECK(spec.init_containers[0].restart_policy == "Always");
  REQUIRE(spec.containers.size() == 1);
  const auto& c = spec.containers[0];
  CHECK(c.image == "nginx:1.27");
  CHECK(c.args == std::vector<std::string>{"-g", "daemon off;"});
  REQUIRE(c.ports.size() == 2);
  CHECK(c.ports[0].protocol == model::Protocol::TCP);
  CHECK(c.ports[1].protocol == model::Protocol::UDP);
  CHECK(c.ports[1].host_port == 5353);
  REQUIRE(c.env.size() == 2);
  CHECK(c.env[0].value == "app2-svc");
  CHECK(c.env[1].value_from);
  REQUIRE(c.readiness_probe);
  CHECK(c.readiness_probe->handler == model::Probe::Handler::http_get);
  CHECK(c.readiness_probe->port == model::IntOrString::of(std::string("http")));
  CHECK(c.readiness_probe->path == "/healthz");
  CHECK(c.readiness_probe->initial_delay == Duration::seconds(3));
  CHECK(c.readiness_probe->period == Duration::seconds(5));
  CHECK(c.readiness_probe->timeout == Duration::seconds(2));
  CHECK(c.readiness_probe->success_threshold == 2);
  CHECK(c.readiness_probe->failure_threshold == 4);
  REQUIRE(c.liveness_probe);
  CHECK(c.liveness_probe->handler == model::Probe::Handler::tcp_socket);
  CHECK(c.liveness_probe->period == Duration::seconds(10));  // API default
  CHECK(c.liveness_probe->failure_threshold == 3);
  REQUIRE(c.startup_probe);
  CHECK(c.startup_probe->handler == model::Probe::Handler::grpc);
  CHECK(c.startup_probe->port == model::IntOrString::of(9000));
  CHECK(pod->meta.annotations == model::StringMap{{"podhop.dev/app", "web"}});
}

TEST_CASE("a preStop sleep is read from the sleep action or a plain sleep command", "[manifest]") {
  struct Case {
    const char* pre_stop;
    std::optional<Duration> sleep;
  };
  const Case cases[] = {
      {"sleep: {seconds: 15}", Duration::seconds(15)},
      {"exec: {command: [sleep, \"5\"]}", Duration::seconds(5)},
      {"exec: {command: [/bin/sleep, \"2.5\"]}", Duration::millis(2500)},
      {"exec: {command: [/bin/sh, -c, sleep 180]}", Duration::seconds(180)},
      {"exec: {command: [sh, -c, \"sleep 10;\"]}", Duration::seconds(10)},
      {"exec: {command: [\"sleep 7\"]}", Duration::seconds(7)},
      {"exec: {command: [/bin/sh, -c, nodetool drain]}", std::nullopt},
      {"exec: {command: [/usr/sbin/nginx, -s, quit]}", std::nullopt},
      {"httpGet: {path: /shutdown, port: 8080}", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.pre_stop);
    auto l = load(std::string(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: web
    image: nginx
    lifecycle:
      preStop: {)") +
                  c.pre_stop + "}\n");
    REQUIRE(l.report.ok());
    const auto& ctr = l.state.pods.items().front().spec->containers.front();
    CHECK(ctr.has_pre_stop);
    CHECK(ctr.pre_stop_sleep == c.sleep);
  }
}

TEST_CASE("workloads default replicas to 1 and share one PodSpec per template", "[manifest]") {
  auto l = load(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}, annotations: {a: b}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: recreate}
spec:
  replicas: 0
  minReadySeconds: 5
  selector:
    matchLabels: {app: r}
    matchExpressions: [{key: tier, operator: NotIn, values: [canary]}]
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: r}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: surge}
spec:
  selector: {matchLabels: {app: s}}
  strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: s}}
    spec:
      containers: [{name: web, image: nginx}]
)");
  REQUIRE(l.report.ok());
  const auto* web = l.state.deployments.find("default", "web");
  CHECK(web->replicas == 1);
  CHECK(web->strategy == "RollingUpdate");
  CHECK(web->max_surge == model::IntOrString::of(std::string("25%")));
  CHECK(web->max_unavailable == model::IntOrString::of(std::string("25%")));
  CHECK(web->pod_template.labels == model::StringMap{{"app", "web"}, {"tier", "front"}});
  CHECK(web->pod_template.annotations == model::StringMap{{"a", "b"}});
  REQUIRE(web->pod_template.spec);
  CHECK(web->pod_template.spec->containers.front().image == "nginx");
  const auto* recreate = l.state.deployments.find("default", "recreate");
  CHECK(recreate->replicas == 0);
  CHECK(recreate->strategy == "Recreate");
  CHECK(recreate->min_ready_seconds == 5);
  REQUIRE(recreate->selector.match_expressions.size() == 1);
  CHECK(recreate->selector.match_expressions[0].op == model::SelectorOp::NotIn);
  const auto* surge = l.state.deployments.find("default", "surge");
  CHECK(surge->max_surge == model::IntOrString::of(2));
  CHECK(surge->max_unavailable == model::IntOrString::of(0));
}

TEST_CASE("a ReplicationController's selector defaults to its template labels", "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: ReplicationController
metadata: {name: frontend}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: guestbook, tier: frontend}}
    spec:
      containers: [{name: php-redis, image: gcr.io/google_samples/gb-frontend:v4}]
)");
  REQUIRE(l.report.ok());
  const auto& rc = l.state.replication_controllers.items().front();
  CHECK(rc.replicas == 3);
  CHECK(rc.selector == model::StringMap{{"app", "guestbook"}, {"tier", "frontend"}});
  CHECK(rc.meta.labels == rc.selector);
}

TEST_CASE("StatefulSets, DaemonSets and ReplicaSets keep their own fields", "[manifest]") {
  auto l = load(R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-abc}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto& sts = l.state.stateful_sets.items().front();
  CHECK(sts.service_name == "db");
  CHECK(sts.replicas == 3);
  CHECK(sts.pod_management_policy == "Parallel");
  CHECK(l.state.daemon_sets.find("kube-system", "agent"));
  CHECK(l.state.replica_sets.find("default", "web-abc")->replicas == 1);
}

TEST_CASE("Endpoints, EndpointSlices, Secrets, Nodes and IngressClasses convert field by field",
          "[manifest]") {
  auto l = load(R"(apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets:
- addresses: [{ip: 93.184.215.14, hostname: web, nodeName: node-1}]
  notReadyAddresses: [{ip: 10.0.0.9}]
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ext-1
  labels: {kubernetes.io/service-name: ext, endpointslice.kubernetes.io/managed-by: me}
addressType: IPv4
endpoints:
- addresses: [10.0.0.7]
  conditions: {ready: false, serving: true}
  nodeName: node-1
  zone: zone-a
  hints: {forZones: [{name: zone-a}]}
ports: [{name: http, port: 8080, protocol: TCP}]
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {user: YWRtaW4=, pass: c2VjcmV0}
stringData: {pass: override}
---
apiVersion: v1
kind: Node
metadata:
  name: node-b
  labels: {topology.kubernetes.io/zone: zone-b}
spec: {podCIDR: 10.244.7.0/24}
status:
  addresses: [{type: Hostname, address: node-b}, {type: InternalIP, address: 192.168.49.3}]
  conditions: [{type: Ready, status: "False"}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto& ep = l.state.endpoints.items().front();
  CHECK_FALSE(ep.managed);
  REQUIRE(ep.subsets.size() == 1);
  CHECK(ep.subsets[0].addresses[0].ip.str() == "93.184.215.14");
  CHECK(ep.subsets[0].addresses[0].hostname == "web");
  CHECK(ep.subsets[0].not_ready_addresses[0].ip.str() == "10.0.0.9");
  CHECK(ep.subsets[0].ports[0].port == 80);
  CHECK(ep.subsets[0].ports[0].protocol == model::Protocol::TCP);
  const auto& slice = l.state.endpoint_slices.items().front();
  CHECK(slice.service_name == "ext");
  CHECK_FALSE(slice.managed);
  REQUIRE(slice.endpoints.size() == 1);
  CHECK(slice.endpoints[0].ip.str() == "10.0.0.7");
  CHECK_FALSE(slice.endpoints[0].conditions.is_ready());
  CHECK(slice.endpoints[0].conditions.is_serving());
  CHECK_FALSE(slice.endpoints[0].conditions.is_terminating());
  CHECK(slice.endpoints[0].hint_zones == std::vector<std::string>{"zone-a"});
  CHECK(slice.ports[0].port == std::optional<std::int32_t>(8080));
  const auto& secret = l.state.secrets.items().front();
  CHECK(secret.type == "Opaque");
  CHECK(secret.data == model::StringMap{{"pass", "override"}, {"user", "admin"}});
  const auto& node = l.state.nodes.items().front();
  CHECK(node.meta.namespace_.empty());
  CHECK(node.internal_ip.str() == "192.168.49.3");
  CHECK(node.zone == "zone-b");
  CHECK(node.pod_cidr.str() == "10.244.7.0/24");
  CHECK_FALSE(node.ready);
  const auto& ic = l.state.ingress_classes.items().front();
  CHECK(ic.is_default);
  CHECK(ic.controller == "k8s.io/ingress-nginx");
}

TEST_CASE("an Ingress keeps its class, default backend, rules and TLS", "[manifest]") {
  auto l = load(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: fallback, port: {name: http}}}
  tls: [{hosts: [app.test], secretName: app-tls}]
  rules:
  - host: app.test
    http:
      paths:
      - {path: /app1, pathType: Prefix, backend: {service: {name: app1-svc, port: {number: 8888}}}}
      - {path: /exact, pathType: Exact, backend: {resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}}}
  - host: "*.app.test"
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto& ing = l.state.ingresses.items().front();
  CHECK(ing.spec.ingress_class_name == std::optional<std::string>("nginx"));
  REQUIRE(ing.spec.default_backend);
  CHECK(ing.spec.default_backend->service->port_name == "http");
  REQUIRE(ing.spec.rules.size() == 2);
  CHECK(ing.spec.rules[0].has_http);
  CHECK(ing.spec.rules[0].paths[0].path_type == model::PathType::Prefix);
  CHECK(ing.spec.rules[0].paths[0].backend.service->name == "app1-svc");
  CHECK(ing.spec.rules[0].paths[0].backend.service->port_number == 8888);
  CHECK(ing.spec.rules[0].paths[1].backend.resource->kind == "Bucket");
  CHECK(ing.spec.rules[1].host == "*.app.test");
  CHECK_FALSE(ing.spec.rules[1].has_http);
  CHECK(ing.spec.tls[0].secret_name == "app-tls");
}

TEST_CASE("a Cluster object fills the cluster config, then the documented defaults apply",
          "[manifest]") {
  auto l = load(R"(apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  nodes:
  - name: node-a
  - {name: node-b, zone: zone-b, ip: 192.168.49.20, labels: {disk: ssd}}
  podCIDR: 10.200.0.0/16
  serviceCIDR: 10.100.0.0/16
  clusterDomain: corp.local
  proxyMode: ipvs
  addons: [ingress, ingress-dns]
  loadBalancer: 192.168.49.200-192.168.49.250
  externalHosts: [{name: api.example.org, ip: 203.0.113.5}]
  latency: {sameNode: 10us, crossNode: 1ms, external: 30ms}
  nodeSearchDomains: [lan]
  nodeNameserver: 192.168.49.254
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto& cfg = l.state.config;
  CHECK(cfg.declared);
  CHECK(cfg.name == "demo");
  CHECK(cfg.source.str() == "t.yaml:1:1");
  REQUIRE(cfg.nodes.size() == 2);
  CHECK(cfg.nodes[0].ip->str() == "192.168.49.2");  // default address, filled in order
  CHECK(cfg.nodes[1].ip->str() == "192.168.49.20");
  CHECK(cfg.nodes[1].zone == "zone-b");
  CHECK(cfg.pod_cidr.str() == "10.200.0.0/16");
  CHECK(cfg.service_cidr.str() == "10.100.0.0/16");
  CHECK(cfg.cluster_domain == "corp.local");
  CHECK(cfg.proxy_mode == model::ProxyMode::ipvs);
  CHECK(cfg.has_addon("ingress-dns"));
  CHECK_FALSE(cfg.load_balancer_pending);
  CHECK(cfg.lb_pool_first.str() == "192.168.49.200");
  CHECK(cfg.lb_pool_last.str() == "192.168.49.250");
  REQUIRE(cfg.external_hosts.size() == 2);  // example.com is added by the defaults
  CHECK(cfg.external_hosts[1].name == "example.com");
  CHECK(cfg.latency.same_node == Duration::micros(10));
  CHECK(cfg.latency.cross_node == Duration::millis(1));
  CHECK(cfg.latency.external == Duration::millis(30));
  CHECK(cfg.node_search_domains == std::vector<std::string>{"lan"});
  CHECK(cfg.node_nameserver.str() == "192.168.49.254");
}

TEST_CASE("an App describes what an image does", "[manifest]") {
  auto l = load(R"(apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: app2}
spec:
  image: app2:svc
  respond: {status: 201, body: Hello world, headers: {X-App: app2}, latency: 2ms}
  ports: [8080]
  capacity: {serviceTime: 5ms, workers: 4, queue: 16}
---
apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: app1}
spec:
  image: app1:*
  forward: {url: "http://$(APP2_HOST):$(APP2_PORT)/", method: POST, headers: {X-Via: app1}}
)");
  REQUIRE(lines(l.report.diagnostics).empty());
  const auto* app2 = l.state.apps.find("", "app2");
  REQUIRE(app2);
  REQUIRE(app2->spec.respond);
  CHECK(app2->spec.respond->status == 201);
  CHECK(app2->spec.respond->body == "Hello world");
  CHECK(app2->spec.respond->headers == model::StringMap{{"X-App", "app2"}});
  CHECK(app2->spec.respond->latency == Duration::millis(2));
  CHECK(app2->spec.ports == std::vector<std::int32_t>{8080});
  CHECK(app2->spec.capacity.service_time == Duration::millis(5));
  CHECK(app2->spec.capacity.workers == 4);
  CHECK(app2->spec.capacity.queue == 16);
  const auto* app1 = l.state.apps.find("", "app1");
  REQUIRE(app1->spec.forward);
  CHECK(app1->spec.forward->url == "http://$(APP2_HOST):$(APP2_PORT)/");
  CHECK(app1->spec.forward->method == "POST");
  CHECK(app1->spec.image == "app1:*");
}
