// The system objects of SPEC section 2: the `kubernetes` Service with its endpoints,
// CoreDNS behind kube-dns, and with the `ingress` addon minikube's ingress-nginx
// (controller Deployment, its two Services, IngressClass `nginx`).
//
// Each is created only when absent, so an object the user applied under the same name wins,
// as it would with `kubectl apply`. They carry no source location.

#include "podhop/controllers/system_objects.hpp"

#include <fmt/format.h>

#include "context.hpp"

namespace podhop::controllers {

core::Ipv4 service_cidr_host(const core::Cidr& cidr, std::uint32_t n) {
  return cidr.at(n);
}

namespace detail {

namespace {

model::ContainerPort container_port(std::string name, std::int32_t port, model::Protocol proto,
                                    std::int32_t host_port = 0) {
  model::ContainerPort p;
  p.name = std::move(name);
  p.container_port = port;
  p.protocol = proto;
  p.host_port = host_port;
  return p;
}

model::Probe http_probe(std::string path, std::int32_t port) {
  model::Probe p;
  p.handler = model::Probe::Handler::http_get;
  p.path = std::move(path);
  p.port = model::IntOrString::of(port);
  return p;
}

model::ServicePort service_port(std::string name, model::Protocol proto, std::int32_t port,
                                model::IntOrString target, std::string app_protocol = {}) {
  model::ServicePort p;
  p.name = std::move(name);
  p.protocol = proto;
  p.port = port;
  p.target_port = std::move(target);
  p.app_protocol = std::move(app_protocol);
  return p;
}

// The API defaults the loader would have applied to a Service of this type.
void default_service(model::Service& s) {
  if (s.spec.type != model::ServiceType::ExternalName)
    s.spec.internal_traffic_policy = model::TrafficPolicy::Cluster;
  if (s.spec.type == model::ServiceType::NodePort ||
      s.spec.type == model::ServiceType::LoadBalancer)
    s.spec.external_traffic_policy = model::TrafficPolicy::Cluster;
  s.spec.ip_families = {"IPv4"};
}

// The `kubernetes` Service, its Endpoints and its EndpointSlice: the API server's endpoint
// reconciler writes them itself (not the controllers), pointing at the first node's
// apiserver port, and marks the Endpoints skip-mirror.
void ensure_api_server(Context& ctx) {
  auto& st = ctx.state;
  const std::string ns = "default";
  const std::string name(kApiServerService);
  if (!st.services.find(ns, name)) {
    model::Service s;
    s.meta = ctx.new_meta(ns, name, "v1");
    s.meta.labels = {{"component", "apiserver"}, {"provider", "kubernetes"}};
    s.spec.type = model::ServiceType::ClusterIP;
    s.spec.cluster_ip = service_cidr_host(st.config.service_cidr, 1);
    s.spec.ports.push_back(
        service_port("https", model::Protocol::TCP, 443, model::IntOrString::of(kApiServerPort)));
    default_service(s);
    st.services.upsert(std::move(s));
  }
  const core::Ipv4 ip = ctx.node_at(0).internal_ip;
  model::EndpointPort port{"https", kApiServerPort, model::Protocol::TCP, {}};

  auto* ep = st.endpoints.find(ns, name);
  if (!ep || made_by_podhop(ep->meta)) {
    model::Endpoints e;
    e.meta = ep ? ep->meta : ctx.new_meta(ns, name, "v1");
    e.meta.labels.set(std::string(kSkipMirrorLabel), "true");
    model::EndpointSubset subset;
    subset.addresses.push_back({ip, {}, {}, std::nullopt});
    subset.ports.push_back(port);
    e.subsets = {std::move(subset)};
    e.managed = false;
    st.endpoints.upsert(std::move(e));
  }
  auto* slice = st.endpoint_slices.find(ns, name);
  if (!slice || made_by_podhop(slice->meta)) {
    model::EndpointSlice sl;
    sl.meta = slice ? slice->meta : ctx.new_meta(ns, name, "discovery.k8s.io/v1");
    sl.meta.labels.set(std::string(kServiceNameLabel), name);
    model::Endpoint endpoint;
    endpoint.addresses = {ip.str()};
    endpoint.ip = ip;
    endpoint.conditions.ready = true;
    sl.endpoints = {std::move(endpoint)};
    sl.ports = {port};
    sl.service_name = name;
    sl.managed = false;
    st.endpoint_slices.upsert(std::move(sl));
  }
}

void ensure_core_dns(Context& ctx) {
  auto& st = ctx.state;
  const std::string ns(kSystemNamespace);
  const model::StringMap app = {{"k8s-app", "kube-dns"}};

  if (!st.deployments.find(ns, kCoreDnsDeployment)) {
    model::Deployment d;
    d.meta = ctx.new_meta(ns, std::string(kCoreDnsDeployment), "apps/v1");
    d.meta.labels = app;
    // minikube scales CoreDNS to one replica; kubeadm runs two.
    d.replicas = st.nodes.size() == 1 ? 1 : 2;
    d.selector.match_labels = app;
    d.max_unavailable = model::IntOrString::of(1);
    auto spec = std::make_shared<model::PodSpec>();
    model::Container c;
    c.name = "coredns";
    c.image = std::string(kCoreDnsImage);
    c.args = {"-conf", "/etc/coredns/Corefile"};
    c.ports = {container_port("dns", 53, model::Protocol::UDP),
               container_port("dns-tcp", 53, model::Protocol::TCP),
               container_port("metrics", 9153, model::Protocol::TCP)};
    c.readiness_probe = http_probe("/ready", 8181);
    auto liveness = http_probe("/health", 8080);
    liveness.initial_delay = core::Duration::seconds(60);
    liveness.timeout = core::Duration::seconds(5);
    liveness.failure_threshold = 5;
    c.liveness_probe = liveness;
    spec->containers.push_back(std::move(c));
    spec->dns_policy = model::DnsPolicy::Default;
    spec->node_selector = {{"kubernetes.io/os", "linux"}};
    d.pod_template.labels = app;
    d.pod_template.spec = std::move(spec);
    st.deployments.upsert(std::move(d));
  }

  if (!st.services.find(ns, kDnsService)) {
    model::Service s;
    s.meta = ctx.new_meta(ns, std::string(kDnsService), "v1");
    s.meta.labels = {{"k8s-app", "kube-dns"},
                     {"kubernetes.io/cluster-service", "true"},
                     {"kubernetes.io/name", "CoreDNS"}};
    s.meta.annotations = {{"prometheus.io/port", "9153"}, {"prometheus.io/scrape", "true"}};
    s.spec.type = model::ServiceType::ClusterIP;
    s.spec.cluster_ip = service_cidr_host(st.config.service_cidr, 10);
    s.spec.has_selector = true;
    s.spec.selector = app;
    s.spec.ports = {
        service_port("dns", model::Protocol::UDP, 53, model::IntOrString::of(53)),
        service_port("dns-tcp", model::Protocol::TCP, 53, model::IntOrString::of(53)),
        service_port("metrics", model::Protocol::TCP, 9153, model::IntOrString::of(9153))};
    default_service(s);
    st.services.upsert(std::move(s));
  }
}

// What minikube's `ingress` addon installs (deploy/addons/ingress), reduced to the fields
// podhop simulates.
void ensure_ingress_nginx(Context& ctx) {
  auto& st = ctx.state;
  const std::string ns(kIngressNginxNamespace);
  const model::StringMap labels = {{"app.kubernetes.io/component", "controller"},
                                   {"app.kubernetes.io/instance", "ingress-nginx"},
                                   {"app.kubernetes.io/name", "ingress-nginx"}};

  if (!st.deployments.find(ns, kIngressNginxController)) {
    model::Deployment d;
    d.meta = ctx.new_meta(ns, std::string(kIngressNginxController), "apps/v1");
    d.meta.labels = labels;
    d.replicas = 1;
    d.selector.match_labels = labels;
    d.max_unavailable = model::IntOrString::of(1);
    auto spec = std::make_shared<model::PodSpec>();
    model::Container c;
    c.name = "controller";
    c.image = std::string(kIngressNginxImage);
    c.args = {"/nginx-ingress-controller",
              "--election-id=ingress-nginx-leader",
              fmt::format("--controller-class={}", kIngressNginxControllerName),
              "--watch-ingress-without-class=true",
              "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
              "--tcp-services-configmap=$(POD_NAMESPACE)/tcp-services",
              "--udp-services-configmap=$(POD_NAMESPACE)/udp-services",
              "--validating-webhook=:8443",
              "--validating-webhook-certificate=/usr/local/certificates/cert",
              "--validating-webhook-key=/usr/local/certificates/key"};
    c.ports = {container_port("http", 80, model::Protocol::TCP, 80),
               container_port("https", 443, model::Protocol::TCP, 443),
               container_port("webhook", 8443, model::Protocol::TCP)};
    c.env = {{"POD_NAME", "", true},
             {"POD_NAMESPACE", "", true},
             {"LD_PRELOAD", "/usr/local/lib/libmimalloc.so", false}};
    auto readiness = http_probe("/healthz", 10254);
    readiness.initial_delay = core::Duration::seconds(10);
    c.readiness_probe = readiness;
    auto liveness = readiness;
    liveness.failure_threshold = 5;
    c.liveness_probe = liveness;
    c.has_pre_stop = true;  // /wait-shutdown
    spec->containers.push_back(std::move(c));
    spec->node_selector = {{"kubernetes.io/os", "linux"}, {"minikube.k8s.io/primary", "true"}};
    spec->termination_grace_period = core::Duration::seconds(300);
    d.pod_template.labels = labels;
    d.pod_template.labels.set("gcp-auth-skip-secret", "true");
    d.pod_template.spec = std::move(spec);
    st.deployments.upsert(std::move(d));
  }

  if (!st.services.find(ns, kIngressNginxController)) {
    model::Service s;
    s.meta = ctx.new_meta(ns, std::string(kIngressNginxController), "v1");
    s.meta.labels = labels;
    s.spec.type = model::ServiceType::NodePort;
    s.spec.has_selector = true;
    s.spec.selector = labels;
    s.spec.ports = {service_port("http", model::Protocol::TCP, 80,
                                 model::IntOrString::of(std::string("http")), "http"),
                    service_port("https", model::Protocol::TCP, 443,
                                 model::IntOrString::of(std::string("https")), "https")};
    default_service(s);
    st.services.upsert(std::move(s));
  }

  if (!st.services.find(ns, kIngressNginxAdmission)) {
    model::Service s;
    s.meta = ctx.new_meta(ns, std::string(kIngressNginxAdmission), "v1");
    s.meta.labels = labels;
    s.spec.type = model::ServiceType::ClusterIP;
    s.spec.has_selector = true;
    s.spec.selector = labels;
    s.spec.ports = {service_port("https-webhook", model::Protocol::TCP, 443,
                                 model::IntOrString::of(std::string("webhook")), "https")};
    default_service(s);
    st.services.upsert(std::move(s));
  }

  if (!st.ingress_classes.find("", kIngressNginxClass)) {
    model::IngressClass ic;
    ic.meta = ctx.new_meta("", std::string(kIngressNginxClass), "networking.k8s.io/v1");
    ic.meta.labels = labels;
    ic.meta.annotations = {{"ingressclass.kubernetes.io/is-default-class", "true"}};
    ic.controller = std::string(kIngressNginxControllerName);
    ic.is_default = true;
    st.ingress_classes.upsert(std::move(ic));
  }
}

}  // namespace

void ensure_system_objects(Context& ctx) {
  ensure_api_server(ctx);
  ensure_core_dns(ctx);
  if (ctx.state.config.has_addon(kIngressAddon)) ensure_ingress_nginx(ctx);
}

}  // namespace detail
}  // namespace podhop::controllers
