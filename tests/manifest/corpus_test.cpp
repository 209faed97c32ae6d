// Every file of the shared corpus of real manifests, pinned: the objects it gives by kind,
// or the exact errors a Kubernetes user would get for it (a removed API version, an alpha
// field, a placeholder host, IPv6 on an IPv4 cluster). See docs/manifests.md for why each
// failing file fails.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "manifest_test_support.hpp"

namespace {

using podhop::manifest::testing::lines;

struct CorpusFile {
  const char* path;                      // relative to the corpus folder
  const char* objects;                   // what the load made, by kind; empty when it failed
  std::vector<std::string> diagnostics;  // exact lines, paths relative to the corpus folder
};

// "Deployment=1 Service=2; ignored ServiceAccount=1; created ns"
std::string summarize(const podhop::manifest::LoadReport& r, const podhop::model::ClusterState& s) {
  std::vector<std::string> parts;
  auto add = [&](const char* kind, std::size_t n) {
    if (n) parts.push_back(fmt::format("{}={}", kind, n));
  };
  add("App", s.apps.size());
  add("Cluster", s.config.declared ? 1 : 0);
  add("DaemonSet", s.daemon_sets.size());
  add("Deployment", s.deployments.size());
  add("EndpointSlice", s.endpoint_slices.size());
  add("Endpoints", s.endpoints.size());
  add("Ingress", s.ingresses.size());
  add("IngressClass", s.ingress_classes.size());
  add("Namespace", s.namespaces.size());
  add("Node", s.nodes.size());
  add("Pod", s.pods.size());
  add("ReplicaSet", s.replica_sets.size());
  add("ReplicationController", s.replication_controllers.size());
  add("Secret", s.secrets.size());
  add("Service", s.services.size());
  add("StatefulSet", s.stateful_sets.size());
  std::string out = fmt::format("{}", fmt::join(parts, " "));
  if (!r.ignored_kinds.empty()) {
    std::vector<std::string> ig;
    for (const auto& [k, n] : r.ignored_kinds) ig.push_back(fmt::format("{}={}", k, n));
    out += fmt::format("; ignored {}", fmt::join(ig, " "));
  }
  if (!r.created_namespaces.empty())
    out += fmt::format("; created {}", fmt::join(r.created_namespaces, " "));
  return out;
}

const CorpusFile kCorpus[] =
    {
        {"example-voting-app/k8s-specifications/db-deployment.yaml", "Deployment=1", {}},
        {"example-voting-app/k8s-specifications/db-service.yaml", "Service=1", {}},
        {"example-voting-app/k8s-specifications/redis-deployment.yaml", "Deployment=1", {}},
        {"example-voting-app/k8s-specifications/redis-service.yaml", "Service=1", {}},
        {"example-voting-app/k8s-specifications/result-deployment.yaml", "Deployment=1", {}},
        {"example-voting-app/k8s-specifications/result-service.yaml", "Service=1", {}},
        {"example-voting-app/k8s-specifications/vote-deployment.yaml", "Deployment=1", {}},
        {"example-voting-app/k8s-specifications/vote-service.yaml", "Service=1", {}},
        {"example-voting-app/k8s-specifications/worker-deployment.yaml", "Deployment=1", {}},
        {"ingress-nginx/docs/examples/affinity/cookie/ingress-samesite.yaml", "Ingress=2", {}},
        {"ingress-nginx/docs/examples/affinity/cookie/ingress.yaml", "Ingress=1", {}},
        {"ingress-nginx/docs/examples/auth/external-auth/ingress.yaml", "Ingress=1", {}},
        {"ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml",
         "",
         {R"x(ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:72:11: error: Ingress "oauth2-proxy": spec.rules[0].host: Invalid value: "__INGRESS_HOST__": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x",
          R"x(ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:84:7: error: Ingress "oauth2-proxy": spec.tls[0].hosts[0]: Invalid value: "__INGRESS_HOST__": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x",
          R"x(ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:85:17: error: Ingress "oauth2-proxy": spec.tls[0].secretName: Invalid value: "__INGRESS_SECRET__": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x",
          R"x(ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:100:11: error: Ingress "external-auth-oauth2": spec.rules[0].host: Invalid value: "__INGRESS_HOST__": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
        {"ingress-nginx/docs/examples/chashsubset/deployment.yaml",
         "Deployment=1 Ingress=1 Service=1",
         {}},
        {"ingress-nginx/docs/examples/customization/configuration-snippets/ingress.yaml",
         "Ingress=1",
         {}},
        {"ingress-nginx/docs/examples/customization/custom-errors/custom-default-backend.yaml",
         "Deployment=1 Service=1",
         {}},
        {"ingress-nginx/docs/examples/customization/external-auth-headers/auth-service.yaml",
         "Deployment=1 Service=1",
         {}},
        {"ingress-nginx/docs/examples/customization/external-auth-headers/echo-service.yaml",
         "Deployment=1 Ingress=2 Service=1",
         {}},
        {"ingress-nginx/docs/examples/docker-registry/deployment.yaml",
         "Deployment=1 Namespace=1 Service=1",
         {}},
        {"ingress-nginx/docs/examples/docker-registry/ingress-with-tls.yaml", "", {R"x(ingress-nginx/docs/examples/docker-registry/ingress-with-tls.yaml:15:7: error: Ingress "docker-registry": spec.tls[0].hosts[0]: Invalid value: "registry.<your domain>": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x", R"x(ingress-nginx/docs/examples/docker-registry/ingress-with-tls.yaml:18:11: error: Ingress "docker-registry": spec.rules[0].host: Invalid value: "registry.<your domain>": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
        {"ingress-nginx/docs/examples/docker-registry/ingress-without-tls.yaml", "", {R"x(ingress-nginx/docs/examples/docker-registry/ingress-without-tls.yaml:13:11: error: Ingress "docker-registry": spec.rules[0].host: Invalid value: "registry.<your domain>": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
        {"ingress-nginx/docs/examples/http-svc.yaml", "Deployment=1 Service=1", {}},
        {"ingress-nginx/docs/examples/multi-tls/multi-tls.yaml",
         "Ingress=1 ReplicationController=2 Service=2",
         {}},
        {"ingress-nginx/docs/examples/static-ip/nginx-ingress.yaml", "Ingress=1", {}},
        {"ingress-nginx/docs/examples/static-ip/static-ip-svc.yaml", "Service=1", {}},
        {"ingress-nginx/docs/examples/tls-termination/ingress.yaml", "Ingress=1", {}},
        {"istio/samples/bookinfo/gateway-api/bookinfo-gateway.yaml",
         "; ignored Gateway=1 HTTPRoute=1",
         {}},
        {"istio/samples/bookinfo/gateway-api/route-reviews-90-10.yaml",
         "; ignored HTTPRoute=1",
         {}},
        {"istio/samples/bookinfo/platform/kube/bookinfo-ingress.yaml", "Ingress=1", {}},
        {"istio/samples/bookinfo/platform/kube/bookinfo-versions.yaml", "Service=6", {}},
        {"istio/samples/bookinfo/platform/kube/bookinfo.yaml",
         "Deployment=6 Service=4; ignored ServiceAccount=4",
         {}},
        {"istio/samples/bookinfo/platform/kube/productpage-nodeport.yaml", "Service=1", {}},
        {"istio/samples/curl/curl.yaml", "Deployment=1 Service=1; ignored ServiceAccount=1", {}},
        {"istio/samples/helloworld/helloworld.yaml", "Deployment=2 Service=1", {}},
        {"istio/samples/httpbin/httpbin.yaml",
         "Deployment=1 Service=1; ignored ServiceAccount=1",
         {}},
        {"istio/samples/sleep/sleep.yaml", "Deployment=1 Service=1; ignored ServiceAccount=1", {}},
        {"kubernetes-examples/AI/model-serving-tensorflow/deployment.yaml", "Deployment=1", {}},
        {"kubernetes-examples/AI/model-serving-tensorflow/ingress.yaml", "Ingress=1", {}},
        {"kubernetes-examples/AI/model-serving-tensorflow/service.yaml", "Service=1", {}},
        {"kubernetes-examples/databases/cassandra/cassandra-service.yaml", "Service=1", {}},
        {"kubernetes-examples/databases/cassandra/cassandra-statefulset.yaml",
         "StatefulSet=1; ignored StorageClass=1",
         {}},
        {"kubernetes-examples/web/guestbook/all-in-one/frontend.yaml",
         "Deployment=1 Service=1",
         {}},
        {"kubernetes-examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml",
         "Deployment=3 Service=3",
         {}},
        {"kubernetes-examples/web/guestbook/all-in-one/redis-replica.yaml",
         "Deployment=1 Service=1",
         {}},
        {"kubernetes-examples/web/guestbook/frontend-deployment.yaml", "Deployment=1", {}},
        {"kubernetes-examples/web/guestbook/frontend-service.yaml", "Service=1", {}},
        {"kubernetes-examples/web/guestbook/legacy/frontend-controller.yaml",
         "ReplicationController=1",
         {}},
        {"kubernetes-examples/web/guestbook/legacy/redis-master-controller.yaml",
         "ReplicationController=1",
         {}},
        {"kubernetes-examples/web/guestbook/legacy/redis-replica-controller.yaml",
         "ReplicationController=1",
         {}},
        {"kubernetes-examples/web/guestbook/redis-master-deployment.yaml", "Deployment=1", {}},
        {"kubernetes-examples/web/guestbook/redis-master-service.yaml", "Service=1", {}},
        {"kubernetes-examples/web/guestbook/redis-replica-deployment.yaml", "Deployment=1", {}},
        {"kubernetes-examples/web/guestbook/redis-replica-service.yaml", "Service=1", {}},
        {"kubernetes-website/admin/dns/dns-horizontal-autoscaler.yaml",
         "Deployment=1; ignored ClusterRole=1 ClusterRoleBinding=1 ServiceAccount=1",
         {}},
        {"kubernetes-website/service/access/backend-deployment.yaml", "Deployment=1", {}},
        {"kubernetes-website/service/access/backend-service.yaml", "Service=1", {}},
        {"kubernetes-website/service/access/frontend-deployment.yaml", "Deployment=1", {}},
        {"kubernetes-website/service/access/frontend-service.yaml", "Service=1", {}},
        {"kubernetes-website/service/explore-graceful-termination-nginx.yaml", "Service=1", {}},
        {"kubernetes-website/service/load-balancer-example.yaml", "Deployment=1", {}},
        {"kubernetes-website/service/networking/curlpod.yaml", "Deployment=1", {}},
        {"kubernetes-website/service/networking/custom-dns.yaml", "Pod=1", {}},
        {"kubernetes-website/service/networking/dual-stack-ipv6-lb-svc.yaml",
         "",
         {R"x(kubernetes-website/service/networking/dual-stack-ipv6-lb-svc.yaml:8:3: error: Service "my-service": spec.ipFamily: strict decoding error: unknown field "spec.ipFamily" (the alpha field was removed in Kubernetes 1.20: use spec.ipFamilies and spec.ipFamilyPolicy))x"}},
        {"kubernetes-website/service/networking/dual-stack-ipv6-svc.yaml",
         "",
         {R"x(kubernetes-website/service/networking/dual-stack-ipv6-svc.yaml:6:3: error: Service "my-service": spec.ipFamily: strict decoding error: unknown field "spec.ipFamily" (the alpha field was removed in Kubernetes 1.20: use spec.ipFamilies and spec.ipFamilyPolicy))x"}},
        {"kubernetes-website/service/networking/dual-stack-preferred-svc.yaml", "Service=1", {}},
        {"kubernetes-website/service/networking/example-ingress.yaml",
         "",
         {R"x(kubernetes-website/service/networking/example-ingress.yaml:1:13: error: Ingress "example-ingress": no matches for kind "Ingress" in version "networking.k8s.io/v1beta1" (networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22: use apiVersion networking.k8s.io/v1, where a backend is written service: {name: ..., port: {number: ...}} and every path needs a pathType))x"}},
        {"kubernetes-website/service/networking/gateway.yaml", "; ignored Gateway=1", {}},
        {"kubernetes-website/service/networking/gatewayclass.yaml", "; ignored GatewayClass=1", {}},
        {"kubernetes-website/service/networking/grpcroute-matching.yaml",
         "; ignored GRPCRoute=1",
         {}},
        {"kubernetes-website/service/networking/grpcroute.yaml", "; ignored GRPCRoute=1", {}},
        {"kubernetes-website/service/networking/httproute.yaml", "; ignored HTTPRoute=1", {}},
        {"kubernetes-website/service/networking/minimal-ingress.yaml", "Ingress=1", {}},
        {"kubernetes-website/service/networking/"
         "network-policy-allow-all-egress-deny-all-ingress.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website/service/networking/networkpolicy-multiport-egress.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website/service/networking/networkpolicy.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website/service/networking/nginx-policy.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website/service/networking/vap-servicecidr-deny.yaml",
         "; ignored ValidatingAdmissionPolicy=1 ValidatingAdmissionPolicyBinding=1",
         {}},
        {"kubernetes-website/service/nginx-service.yaml", "Service=1", {}},
        {"kubernetes-website/service/pod-with-graceful-termination.yaml",
         "Deployment=1 Service=1",
         {}},
        {"kubernetes-website-kyaml/admin/dns/busybox.yaml", "Pod=1", {}},
        {"kubernetes-website-kyaml/admin/dns/dnsutils.yaml", "Pod=1", {}},
        {"kubernetes-website-kyaml/service/access/hello-application.yaml", "Deployment=1", {}},
        {"kubernetes-website-kyaml/service/networking/default-ingressclass.yaml",
         "IngressClass=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/dual-stack-default-svc.yaml",
         "Service=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/dual-stack-ipfamilies-ipv6.yaml",
         "",
         {R"x(kubernetes-website-kyaml/service/networking/dual-stack-ipfamilies-ipv6.yaml:13:7: error: Service "my-service": spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster)x"}},
        {"kubernetes-website-kyaml/service/networking/dual-stack-prefer-ipv6-lb-svc.yaml", "", {R"x(kubernetes-website-kyaml/service/networking/dual-stack-prefer-ipv6-lb-svc.yaml:14:7: error: Service "my-service": spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster)x"}},
        {"kubernetes-website-kyaml/service/networking/dual-stack-preferred-ipfamilies-svc.yaml",
         "",
         {R"x(kubernetes-website-kyaml/service/networking/dual-stack-preferred-ipfamilies-svc.yaml:14:7: error: Service "my-service": spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster)x"}},
        {"kubernetes-website-kyaml/service/networking/external-lb.yaml", "IngressClass=1", {}},
        {"kubernetes-website-kyaml/service/networking/hostaliases-pod.yaml", "Pod=1", {}},
        {"kubernetes-website-kyaml/service/networking/ingress-resource-backend.yaml",
         "Ingress=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/ingress-wildcard-host.yaml", "Ingress=1", {}},
        {"kubernetes-website-kyaml/service/networking/name-virtual-host-ingress-no-third-host.yaml",
         "Ingress=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/name-virtual-host-ingress.yaml",
         "Ingress=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/namespaced-params.yaml",
         "IngressClass=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/network-policy-allow-all-egress.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/network-policy-allow-all-ingress.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/network-policy-default-deny-all.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/network-policy-default-deny-egress.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/network-policy-default-deny-ingress.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/nginx-secure-app.yaml",
         "Deployment=1 Service=1",
         {}},
        {"kubernetes-website-kyaml/service/networking/nginx-svc.yaml", "Service=1", {}},
        {"kubernetes-website-kyaml/service/networking/run-my-nginx.yaml", "Deployment=1", {}},
        {"kubernetes-website-kyaml/service/networking/simple-fanout-example.yaml", "Ingress=1", {}},
        {"kubernetes-website-kyaml/service/networking/test-ingress.yaml", "Ingress=1", {}},
        {"kubernetes-website-kyaml/service/networking/tls-example-ingress.yaml", "Ingress=1", {}},
        {"kubernetes-website-kyaml/service/simple-service.yaml", "Service=1", {}},
        {"microservices-demo/.github/release-cluster/frontend-ingress.yaml", "Ingress=1", {}},
        {"microservices-demo/.github/release-cluster/frontend-service.yaml", "Service=1", {}},
        {"microservices-demo/kustomize/components/network-policies/network-policy-adservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/network-policy-cartservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-checkoutservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-currencyservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/network-policy-deny-all.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-emailservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/network-policy-frontend.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-loadgenerator.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-paymentservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-productcatalogservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-recommendationservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/network-policy-redis.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/kustomize/components/network-policies/"
         "network-policy-shippingservice.yaml",
         "; ignored NetworkPolicy=1",
         {}},
        {"microservices-demo/release/istio-manifests.yaml",
         "; ignored Gateway=1 HTTPRoute=1 ServiceEntry=2 VirtualService=1",
         {}},
        {"microservices-demo/release/kubernetes-manifests.yaml",
         "Deployment=12 Service=12; ignored ServiceAccount=11",
         {}},
};

}  // namespace

TEST_CASE(
    "every corpus manifest loads or fails as pinned (skipped, with a warning, when the corpus is "
    "absent)",
    "[manifest][corpus]") {
  const std::string dir = PODHOP_CORPUS_DIR;
  if (!std::filesystem::is_directory(dir)) {
    WARN("SKIPPED: the corpus folder " << dir
                                       << " is absent, so the corpus test has nothing to check");
    return;
  }
  std::map<std::string, const CorpusFile*> pinned;
  for (const auto& f : kCorpus) pinned[f.path] = &f;

  podhop::core::Diagnostics expand_diags;
  auto files = podhop::manifest::expand_path(dir, expand_diags);
  REQUIRE(expand_diags.empty());
  std::size_t seen = 0;
  for (const auto& file : files) {
    std::string rel = std::filesystem::relative(file, dir).generic_string();
    INFO(rel);
    auto it = pinned.find(rel);
    CHECK(it != pinned.end());  // a new corpus file must be pinned here
    if (it == pinned.end()) continue;
    ++seen;
    podhop::model::ClusterState state;
    auto report = podhop::manifest::load_paths({file}, state);
    std::vector<std::string> got;
    const std::string prefix = file.substr(0, file.size() - rel.size());
    for (auto line : lines(report.diagnostics)) {
      if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
      got.push_back(line);
    }
    CHECK(got == it->second->diagnostics);
    CHECK(summarize(report, state) == it->second->objects);
    CHECK(report.files == 1);
    bool failed = report.diagnostics.has_errors();
    CHECK(failed == std::string(it->second->objects).empty());
  }
  // Every pinned file is still in the corpus.
  CHECK(seen == std::size(kCorpus));
}
