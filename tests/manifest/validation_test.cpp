// Every validation rule the loader applies, one manifest each, with the exact lines a user
// sees: file:line:col, the object as kubectl names it, the field path, and kubectl's
// message (k8s-networking-rules.md 1.4 and 1.10; apimachinery's validation messages).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "manifest_test_support.hpp"

namespace {

using podhop::manifest::testing::lines;
using podhop::manifest::testing::load;

struct ValidationCase {
  const char* name;
  const char* yaml;
  std::vector<std::string> expected;
};

template <std::size_t N>
void check_cases(const ValidationCase (&cases)[N]) {
  for (const auto& c : cases) {
    INFO(c.name);
    INFO(c.yaml);
    auto l = load(c.yaml);
    CHECK(lines(l.report.diagnostics) == c.expected);
    bool any_error = false;
    for (const auto& e : c.expected)
      any_error = any_error || e.find(": error: ") != std::string::npos;
    CHECK(l.report.ok() == !any_error);
    if (any_error) {
      // Nothing half-loaded: a load with an error leaves the state as it was.
      CHECK(l.state.services.empty());
      CHECK(l.state.pods.empty());
      CHECK(l.state.deployments.empty());
      CHECK(l.state.ingresses.empty());
      CHECK(l.state.next_creation_index == 0);
    }
  }
}

const ValidationCase
    kServiceCases
        [] =
            {
                {"a Service name must be a DNS-1035 label",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: 1web}
spec:
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:3:18: error: Service "1web": metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'))x"}},
                {"a Service without ports needs them unless headless or ExternalName",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
)x",
                 {R"x(t.yaml:5:3: error: Service "web": spec.ports: Required value)x"}},
                {"a LoadBalancer Service may not be headless",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  clusterIP: None
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:6:14: error: Service "web": spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services)x"}},
                {"a NodePort Service may not be headless",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  clusterIP: None
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:6:14: error: Service "web": spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services)x"}},
                {"an ExternalName Service may not have a cluster IP",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: ExternalName
  externalName: example.com
  clusterIP: 10.96.0.20
)x",
                 {R"x(t.yaml:7:14: error: Service "web": spec.clusterIPs: Forbidden: may not be set for ExternalName services)x"}},
                {"an ExternalName Service needs an externalName",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: ExternalName
)x",
                 {R"x(t.yaml:5:3: error: Service "web": spec.externalName: Required value)x"}},
                {"an ExternalName must be a DNS subdomain",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: ExternalName
  externalName: Example.COM.
)x",
                 {R"x(t.yaml:6:17: error: Service "web": spec.externalName: Invalid value: "Example.COM": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
                {"with several ports every port needs a name",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - port: 80
  - {name: b, port: 81}
)x",
                 {R"x(t.yaml:6:5: error: Service "web": spec.ports[0].name: Required value)x"}},
                {"port names must be unique",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {name: web, port: 80}
  - {name: web, port: 81}
)x",
                 {R"x(t.yaml:7:12: error: Service "web": spec.ports[1].name: Duplicate value: "web")x"}},
                {"port names are DNS-1123 labels",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{name: Web_Port, port: 80}]
)x",
                 {R"x(t.yaml:5:18: error: Service "web": spec.ports[0].name: Invalid value: "Web_Port": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))x"}},
                {"a port number must be in range",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 70000}]
)x",
                 {R"x(t.yaml:5:18: error: Service "web": spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive)x"}},
                {"the protocol must be TCP, UDP or SCTP",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, protocol: HTTP}]
)x",
                 {R"x(t.yaml:5:32: error: Service "web": spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP")x"}},
                {"the same port and protocol may not appear twice",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {name: a, port: 80}
  - {name: b, port: 80}
)x",
                 {R"x(t.yaml:7:5: error: Service "web": spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0})x"}},
                {"the same node port may not appear twice",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports:
  - {name: a, port: 80, nodePort: 30080}
  - {name: b, port: 81, nodePort: 30080}
)x",
                 {R"x(t.yaml:8:35: error: Service "web": spec.ports[1].nodePort: Duplicate value: 30080)x"}},
                {"a ClusterIP Service may not set a node port",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, nodePort: 30080}]
)x",
                 {R"x(t.yaml:5:32: error: Service "web": spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP')x"}},
                {"a node port must be inside the node port range",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 80}]
)x",
                 {R"x(t.yaml:6:32: error: Service "web": spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767)x"}},
                {"sessionAffinity is ClientIP or None",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  sessionAffinity: Sticky
)x",
                 {R"x(t.yaml:6:20: error: Service "web": spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None")x"}},
                {"the ClientIP timeout is between 1 and 86400 seconds",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}
)x",
                 {R"x(t.yaml:7:54: error: Service "web": spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400)x"}},
                {"externalTrafficPolicy needs an externally accessible Service",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  externalTrafficPolicy: Local
)x",
                 {R"x(t.yaml:6:26: error: Service "web": spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services)x"}},
                {"externalTrafficPolicy is Cluster or Local",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 80}]
  externalTrafficPolicy: Nearest
)x",
                 {R"x(t.yaml:7:26: error: Service "web": spec.externalTrafficPolicy: Unsupported value: "Nearest": supported values: "Cluster", "Local")x"}},
                {"healthCheckNodePort needs LoadBalancer and Local",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 80}]
  externalTrafficPolicy: Local
  healthCheckNodePort: 32000
)x",
                 {R"x(t.yaml:8:24: error: Service "web": spec.healthCheckNodePort: Invalid value: 32000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local')x"}},
                {"loadBalancerSourceRanges need a LoadBalancer and CIDRs",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  loadBalancerSourceRanges: [10.0.0.0/8, 10.1.2.3]
)x",
                 {R"x(t.yaml:6:29: error: Service "web": spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer')x",
                  R"x(t.yaml:6:42: error: Service "web": spec.LoadBalancerSourceRanges[1]: Invalid value: "10.1.2.3": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64))x"}},
                {"allocateLoadBalancerNodePorts needs a LoadBalancer",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 80}]
  allocateLoadBalancerNodePorts: false
)x",
                 {R"x(t.yaml:7:34: error: Service "web": spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer')x"}},
                {"externalIPs must be valid and not special",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  externalIPs: [1.2.3, 127.0.0.1, 169.254.169.254]
)x",
                 {R"x(t.yaml:6:17: error: Service "web": spec.externalIPs[0]: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))x",
                  R"x(t.yaml:6:24: error: Service "web": spec.externalIPs[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128))x",
                  R"x(t.yaml:6:35: error: Service "web": spec.externalIPs[2]: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10))x"}},
                {"internalTrafficPolicy is Cluster or Local",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  internalTrafficPolicy: Nearby
)x",
                 {R"x(t.yaml:6:26: error: Service "web": spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local")x"}},
                {"a named targetPort must be an IANA service name",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, targetPort: "8080"}]
)x",
                 {R"x(t.yaml:5:34: error: Service "web": spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z))x"}},
                {"a numeric targetPort must be in range",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, targetPort: 0x10000}]
)x",
                 {R"x(t.yaml:5:34: error: Service "web": spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive)x"}},
                {"the Service type must be one of the four",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: Headless
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:5:9: error: Service "web": spec.type: Unsupported value: "Headless": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort")x"}},
                {"a clusterIP must be an IP address",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: 10.96.0.300
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:5:14: error: Service "web": spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))x"}},
                {"an IPv6 family is not configured on this IPv4 cluster",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ipFamilies: [IPv6]
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:5:16: error: Service "web": spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster)x"}},
                {"RequireDualStack needs a dual-stack cluster",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ipFamilyPolicy: RequireDualStack
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:5:19: error: Service "web": spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services)x"}},
                {"the alpha ipFamily field is refused",
                 R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ipFamily: IPv6
  ports: [{port: 80}]
)x",
                 {R"x(t.yaml:5:3: error: Service "web": spec.ipFamily: strict decoding error: unknown field "spec.ipFamily" (the alpha field was removed in Kubernetes 1.20: use spec.ipFamilies and spec.ipFamilyPolicy))x"}},
};

const ValidationCase
    kIngressCases[] =
        {
            {"an Ingress needs a defaultBackend or rules",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{secretName: cert}]
)x",
             {R"x(t.yaml:5:3: error: Ingress "web": spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified)x"}},
            {"a rule host may not be an IP address",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: 10.0.0.1
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
)x",
             {R"x(t.yaml:6:11: error: Ingress "web": spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address)x"}},
            {"a wildcard host is '*.' and a subdomain",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: "*"
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  - host: foo.*.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
)x",
             {R"x(t.yaml:6:11: error: Ingress "web": spec.rules[0].host: Invalid value: "*": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x",
              R"x(t.yaml:8:11: error: Ingress "web": spec.rules[1].host: Invalid value: "foo.*.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
            {"a rule host must be a lowercase subdomain",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: App.Example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
)x",
             {R"x(t.yaml:6:11: error: Ingress "web": spec.rules[0].host: Invalid value: "App.Example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
            {"pathType is required",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - http:
      paths:
      - path: /
        backend: {service: {name: web, port: {number: 80}}}
)x",
             {R"x(t.yaml:8:9: error: Ingress "web": spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified)x"}},
            {"pathType must be Exact, Prefix or ImplementationSpecific",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Regex
        backend: {service: {name: web, port: {number: 80}}}
)x",
             {R"x(t.yaml:9:19: error: Ingress "web": spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix")x"}},
            {"Exact and Prefix paths are absolute and clean",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - http:
      paths:
      - {path: api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /a//b, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /a/%2F/b/.., pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
)x",
             {R"x(t.yaml:8:16: error: Ingress "web": spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path)x",
              R"x(t.yaml:9:16: error: Ingress "web": spec.rules[0].http.paths[1].path: Invalid value: "/a//b": must not contain '//')x",
              R"x(t.yaml:10:16: error: Ingress "web": spec.rules[0].http.paths[2].path: Invalid value: "/a/%2F/b/..": must not contain '%2F')x", R"x(t.yaml:10:16: error: Ingress "web": spec.rules[0].http.paths[2].path: Invalid value: "/a/%2F/b/..": cannot end with '/..')x"}},
            {"an ImplementationSpecific path, when given, is absolute",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - http:
      paths:
      - {path: "*.js", pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}
)x",
             {R"x(t.yaml:8:16: error: Ingress "web": spec.rules[0].http.paths[0].path: Invalid value: "*.js": must be an absolute path)x"}},
            {"http needs paths",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: a.example.com
    http: {paths: []}
)x",
             {R"x(t.yaml:7:19: error: Ingress "web": spec.rules[0].http.paths: Required value)x"}},
            {"a backend is a service or a resource, not both",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend:
    service: {name: web, port: {number: 80}}
    resource: {kind: Bucket, name: static}
)x",
             {R"x(t.yaml:6:5: error: Ingress "web": spec.defaultBackend: Invalid value: "": cannot set both resource and service backends)x"}},
            {"a service backend needs a port name or number",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend:
    service: {name: web}
)x",
             {R"x(t.yaml:6:14: error: Ingress "web": spec.defaultBackend: Required value: port name or number is required)x"}},
            {"a service backend may not give both port name and number",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend:
    service: {name: web, port: {name: http, number: 80}}
)x",
             {R"x(t.yaml:6:32: error: Ingress "web": spec.defaultBackend: Invalid value: "": cannot set both port name & port number)x"}},
            {"a backend service name is a DNS-1035 label",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend:
    service: {name: Web, port: {name: HTTP}}
)x",
             {R"x(t.yaml:6:21: error: Ingress "web": spec.defaultBackend.service.name: Invalid value: "Web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'))x",
              R"x(t.yaml:6:39: error: Ingress "web": spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-))x",
              R"x(t.yaml:6:39: error: Ingress "web": spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain at least one letter (a-z))x"}},
            {"a backend needs a service or a resource",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {}
  rules: [{host: a.example.com}]
)x",
             {R"x(t.yaml:5:19: error: Ingress "web": spec.defaultBackend: Invalid value: "": resource or service backend is required)x"}},
            {"TLS hosts and secret names are DNS subdomains",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  tls:
  - hosts: [__HOST__]
    secretName: __SECRET__
)x",
             {R"x(t.yaml:7:13: error: Ingress "web": spec.tls[0].hosts[0]: Invalid value: "__HOST__": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x",
              R"x(t.yaml:8:17: error: Ingress "web": spec.tls[0].secretName: Invalid value: "__SECRET__": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
            {"ingressClassName and the class annotation must agree",
             R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {kubernetes.io/ingress.class: traefik}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: web, port: {number: 80}}}
)x",
             {R"x(t.yaml:5:46: error: Ingress "web": annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified)x"}},
};

const ValidationCase kEndpointsCases[] = {
    {"the v1beta1 backend shape is refused in v1",
     R"x(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend: {serviceName: web, servicePort: 80}
)x",
     {R"x(t.yaml:10:18: error: Ingress "web": spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required)x",
      R"x(t.yaml:10:19: error: Ingress "web": spec.rules[0].http.paths[0].backend.serviceName: strict decoding error: unknown field "spec.rules[0].http.paths[0].backend.serviceName" (networking.k8s.io/v1 writes backend.service.name and backend.service.port.number or .name))x",
      R"x(t.yaml:10:37: error: Ingress "web": spec.rules[0].http.paths[0].backend.servicePort: strict decoding error: unknown field "spec.rules[0].http.paths[0].backend.servicePort" (networking.k8s.io/v1 writes backend.service.name and backend.service.port.number or .name))x"}},
    {"Endpoints addresses may not be loopback, link-local, multicast or unspecified",
     R"x(apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses:
  - ip: 127.0.0.1
  - ip: 169.254.10.1
  - ip: 224.0.0.251
  - ip: 0.0.0.0
  ports: [{port: 80}]
)x",
     {R"x(t.yaml:6:9: error: Endpoints "web": subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128))x",
      R"x(t.yaml:7:9: error: Endpoints "web": subsets[0].addresses[1].ip: Invalid value: "169.254.10.1": may not be in the link-local range (169.254.0.0/16, fe80::/10))x",
      R"x(t.yaml:8:9: error: Endpoints "web": subsets[0].addresses[2].ip: Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10))x",
      R"x(t.yaml:9:9: error: Endpoints "web": subsets[0].addresses[3].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0))x"}},
    {"Endpoints addresses must be IP addresses",
     R"x(apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses: [{ip: example.com}]
)x",
     {R"x(t.yaml:5:20: error: Endpoints "web": subsets[0].addresses[0].ip: Invalid value: "example.com": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))x",
      R"x(t.yaml:5:20: error: Endpoints "web": subsets[0].addresses[0].ip: Invalid value: "example.com": must be a valid IP address)x"}},
    {"Endpoints subsets need addresses and named ports when several",
     R"x(apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- ports:
  - port: 80
  - {name: b, port: 81}
)x",
     {R"x(t.yaml:5:3: error: Endpoints "web": subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`)x",
      R"x(t.yaml:6:5: error: Endpoints "web": subsets[0].ports[0].name: Required value)x"}},
    {"EndpointSlice addresses follow the same IP rules",
     R"x(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1}
addressType: IPv4
endpoints:
- addresses: [127.0.0.2]
- addresses: [fd00::1]
- addresses: []
ports: [{name: http, port: 80}]
)x",
     {R"x(t.yaml:6:15: error: EndpointSlice "web-1": endpoints[0].addresses[0]: Invalid value: "127.0.0.2": may not be in the loopback range (127.0.0.0/8, ::1/128))x",
      R"x(t.yaml:7:15: error: EndpointSlice "web-1": endpoints[1].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address)x",
      R"x(t.yaml:8:14: error: EndpointSlice "web-1": endpoints[2].addresses: Required value: must contain at least 1 address)x"}},
};

const ValidationCase kWorkloadsCases[] = {
    {"EndpointSlice addressType is required and known",
     R"x(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1}
addressType: IP
)x",
     {R"x(t.yaml:4:14: error: EndpointSlice "web-1": addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6")x"}},
    {"a Deployment selector must match the template labels",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:7:24: error: Deployment "web": spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`)x"}},
    {"a Deployment needs a selector",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:3: error: Deployment "web": spec.selector: Required value)x",
      R"x(t.yaml:6:24: error: Deployment "web": spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`)x"}},
    {"an empty Deployment selector is invalid",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:13: error: Deployment "web": spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment)x"}},
    {"replicas may not be negative",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: -2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:13: error: Deployment "web": spec.replicas: Invalid value: -2: must be greater than or equal to 0)x"}},
    {"maxSurge and maxUnavailable may not both be 0",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:6:59: error: Deployment "web": spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0)x"}},
    {"maxSurge is a number or a percentage, maxUnavailable at most 100%",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: half, maxUnavailable: 101%}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:6:40: error: Deployment "web": spec.strategy.rollingUpdate.maxSurge: Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'))x",
      R"x(t.yaml:6:62: error: Deployment "web": spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 101%: must not be greater than 100%)x"}},
    {"Recreate takes no rollingUpdate",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:6:45: error: Deployment "web": spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate')x"}},
    {"the strategy type is Recreate or RollingUpdate",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {type: BlueGreen}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:6:20: error: Deployment "web": spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate")x"}},
    {"pods of a workload restart Always",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      restartPolicy: OnFailure
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:9:22: error: Deployment "web": spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always")x"}},
    {"a matchExpressions operator must be known and In needs values",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchExpressions:
    - {key: app, operator: In}
    - {key: tier, operator: Near, values: [a]}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:7:7: error: Deployment "web": spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn')x",
      R"x(t.yaml:8:29: error: Deployment "web": spec.selector.matchExpressions[1].operator: Invalid value: "Near": not a valid selector operator)x"}},
    {"a ReplicaSet selector must match its template",
     R"x(apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:7:24: error: ReplicaSet "web": spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`)x"}},
    {"a StatefulSet needs a selector and a known podManagementPolicy",
     R"x(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  podManagementPolicy: Fast
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres}]
)x",
     {R"x(t.yaml:5:3: error: StatefulSet "db": spec.selector: Required value)x",
      R"x(t.yaml:5:24: error: StatefulSet "db": spec.podManagementPolicy: Invalid value: "Fast": must be 'OrderedReady' or 'Parallel')x",
      R"x(t.yaml:7:24: error: StatefulSet "db": spec.template.metadata.labels: Invalid value: map[string]string{"app":"db"}: `selector` does not match template `labels`)x"}},
    {"a DaemonSet selector must match its template",
     R"x(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    spec:
      containers: [{name: agent, image: agent}]
)x",
     {R"x(t.yaml:7:5: error: DaemonSet "agent": spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`)x"}},
};

const ValidationCase kPodsCases[] = {
    {"a ReplicationController needs a selector or template labels",
     R"x(apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:3: error: ReplicationController "web": spec.selector: Required value)x"}},
    {"a container needs a name and an image",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - image: nginx
  - name: sidecar
)x",
     {R"x(t.yaml:6:5: error: Pod "p": spec.containers[0].name: Required value)x",
      R"x(t.yaml:7:5: error: Pod "p": spec.containers[1].image: Required value)x"}},
    {"container names are unique DNS-1123 labels",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: Web_1, image: a}
  - {name: web, image: b}
  - {name: web, image: c}
)x",
     {R"x(t.yaml:6:12: error: Pod "p": spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))x",
      R"x(t.yaml:8:12: error: Pod "p": spec.containers[2].name: Duplicate value: "web")x"}},
    {"container ports need a number, valid unique names and a protocol",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - {name: http}
    - {name: http, containerPort: 80}
    - {name: HTTP, containerPort: 8080, protocol: tcp}
    - {containerPort: 70000, hostPort: -1}
)x",
     {R"x(t.yaml:9:7: error: Pod "p": spec.containers[0].ports[0].containerPort: Required value)x",
      R"x(t.yaml:10:14: error: Pod "p": spec.containers[0].ports[1].name: Duplicate value: "http")x",
      R"x(t.yaml:11:14: error: Pod "p": spec.containers[0].ports[2].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-))x",
      R"x(t.yaml:11:14: error: Pod "p": spec.containers[0].ports[2].name: Invalid value: "HTTP": must contain at least one letter (a-z))x",
      R"x(t.yaml:11:51: error: Pod "p": spec.containers[0].ports[2].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP")x",
      R"x(t.yaml:12:23: error: Pod "p": spec.containers[0].ports[3].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive)x",
      R"x(t.yaml:12:40: error: Pod "p": spec.containers[0].ports[3].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive)x"}},
    {"a probe has exactly one handler",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: web
    image: nginx
    readinessProbe: {periodSeconds: 5}
    livenessProbe:
      httpGet: {path: /, port: 80}
      exec: {command: [true]}
)x",
     {R"x(t.yaml:8:21: error: Pod "p": spec.containers[0].readinessProbe: Required value: must specify a handler type)x",
      R"x(t.yaml:11:13: error: Pod "p": spec.containers[0].livenessProbe.exec: Forbidden: may not specify more than 1 handler type)x",
      R"x(t.yaml:11:24: error: Pod "p": spec.containers[0].livenessProbe.exec.command[0]: cannot unmarshal bool into a field of type string (YAML reads true as a boolean: write "true"))x"}},
    {"probe ports and thresholds are checked",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: web
    image: nginx
    readinessProbe: {httpGet: {port: Metrics_Port}, initialDelaySeconds: -1}
    livenessProbe: {tcpSocket: {port: 80}, successThreshold: 3}
)x",
     {R"x(t.yaml:8:38: error: Pod "p": spec.containers[0].readinessProbe.httpGet.port: Invalid value: "Metrics_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-))x",
      R"x(t.yaml:8:74: error: Pod "p": spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0)x",
      R"x(t.yaml:9:62: error: Pod "p": spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1)x"}},
    {"dnsPolicy must be known",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  dnsPolicy: Cluster
  containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:14: error: Pod "p": spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")x"}},
    {"dnsPolicy None needs a dnsConfig with a nameserver",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  dnsPolicy: None
  containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:14: error: Pod "p": spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None)x"}},
    {"dnsConfig nameservers are IPs and searches are subdomains",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: [8.8.8.8, 1.1.1.1, 9.9.9.9, dns.example]
    searches: [Bad_Domain]
    options: [{value: "2"}]
  containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:7:18: error: Pod "p": spec.dnsConfig.nameservers: Invalid value: []string{"8.8.8.8", "1.1.1.1", "9.9.9.9", "dns.example"}: must not have more than 3 nameservers)x",
      R"x(t.yaml:7:46: error: Pod "p": spec.dnsConfig.nameservers[3]: Invalid value: "dns.example": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))x",
      R"x(t.yaml:8:16: error: Pod "p": spec.dnsConfig.searches[0]: Invalid value: "Bad_Domain": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x",
      R"x(t.yaml:9:15: error: Pod "p": spec.dnsConfig.options[0]: Required value: Option.Name must not be empty)x"}},
    {"a pod needs containers",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Sometimes
)x",
     {R"x(t.yaml:5:3: error: Pod "p": spec.containers: Required value)x",
      R"x(t.yaml:5:18: error: Pod "p": spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure")x"}},
    {"only init containers may set restartPolicy",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: proxy, image: envoy, restartPolicy: Never}
  containers:
  - {name: web, image: nginx, restartPolicy: Always}
)x",
     {R"x(t.yaml:6:48: error: Pod "p": spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always")x",
      R"x(t.yaml:8:46: error: Pod "p": spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers)x"}},
};

const ValidationCase
    kMetaCases[] =
        {
            {"hostname, subdomain and hostAliases are checked",
             R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostname: Web.1
  subdomain: my_svc
  hostAliases: [{ip: localhost, hostnames: [Foo_Bar]}]
  containers: [{name: web, image: nginx}]
)x",
             {R"x(t.yaml:5:13: error: Pod "p": spec.hostname: Invalid value: "Web.1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))x",
              R"x(t.yaml:6:14: error: Pod "p": spec.subdomain: Invalid value: "my_svc": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))x",
              R"x(t.yaml:7:22: error: Pod "p": spec.hostAliases[0].ip: Invalid value: "localhost": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff))x",
              R"x(t.yaml:7:45: error: Pod "p": spec.hostAliases[0].hostnames[0]: Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))x"}},
            {"metadata needs a name and a valid namespace",
             R"x(apiVersion: v1
kind: Pod
metadata: {namespace: Team_A}
spec:
  containers: [{name: web, image: nginx}]
)x",
             {R"x(t.yaml:3:11: error: Pod "": metadata.name: Required value: name or generateName is required)x",
              R"x(t.yaml:3:23: error: Pod "": metadata.namespace: Invalid value: "Team_A": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))x"}},
            {"labels keys and values follow the label rules",
             R"x(apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {"app/name/x": a, tier: "-bad-", "example.com/": b}
spec:
  containers: [{name: web, image: nginx}]
)x",
             {R"x(t.yaml:5:12: error: Pod "p": metadata.labels: Invalid value: "app/name/x": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName'))x", R"x(t.yaml:5:35: error: Pod "p": metadata.labels: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'))x",
              R"x(t.yaml:5:44: error: Pod "p": metadata.labels: Invalid value: "example.com/": name part must be non-empty)x",
              R"x(t.yaml:5:44: error: Pod "p": metadata.labels: Invalid value: "example.com/": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'))x"}},
            {"a Secret's data is base64 and a TLS Secret has its keys",
             R"x(apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
data:
  tls.crt: "not base64!"
  key file: YWJj
)x",
             {R"x(t.yaml:6:3: error: Secret "tls": data[tls.key]: Required value)x",
              R"x(t.yaml:6:12: error: Secret "tls": data[tls.crt]: illegal base64 data at input byte 3)x",
              R"x(t.yaml:7:13: error: Secret "tls": data[key file]: Invalid value: "key file": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'))x"}},
            {"an IngressClass needs a domain-prefixed controller",
             R"x(apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec:
  controller: nginx
)x",
             {R"x(t.yaml:5:15: error: IngressClass "nginx": spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo"))x"}},
};

const ValidationCase kDecodingCases[] = {
    {"a Namespace name is a DNS-1123 label",
     R"x(apiVersion: v1
kind: Namespace
metadata: {name: team.a}
)x",
     {R"x(t.yaml:3:18: error: Namespace "team.a": metadata.name: Invalid value: "team.a": must not contain dots)x"}},
    {"a number where a string goes is a decoding error",
     R"x(apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {version: 1.0}
spec:
  containers:
  - name: web
    image: nginx
    env: [{name: PORT, value: 8080}]
    args: [--verbose, on]
)x",
     {R"x(t.yaml:5:21: error: Pod "p": metadata.labels[version]: cannot unmarshal number into a field of type string (YAML reads 1.0 as a number: write "1.0"))x",
      R"x(t.yaml:10:31: error: Pod "p": spec.containers[0].env[0].value: cannot unmarshal number into a field of type string (YAML reads 8080 as a number: write "8080"))x",
      R"x(t.yaml:11:23: error: Pod "p": spec.containers[0].args[1]: cannot unmarshal bool into a field of type string (YAML reads on as a boolean: write "on"))x"}},
    {"a quoted number where an integer goes is a decoding error",
     R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: "80"}]
)x",
     {R"x(t.yaml:5:18: error: Service "web": spec.ports[0].port: cannot unmarshal string into a field of type int32 (a quoted "80" is a string: write 80))x"}},
    {"a quoted boolean where a boolean goes is a decoding error",
     R"x(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: "true"
  containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:16: error: Pod "p": spec.hostNetwork: cannot unmarshal string into a field of type bool (a quoted "true" is a string: write true))x"}},
    {"a mapping where a list goes is a decoding error",
     R"x(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: {port: 80}
)x",
     {R"x(t.yaml:5:10: error: Service "web": spec.ports: cannot unmarshal object into a field of type array)x"}},
};

const ValidationCase kDocumentsCases[] = {
    {"a fraction where an integer goes is a decoding error",
     R"x(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1.5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)x",
     {R"x(t.yaml:5:13: error: Deployment "web": spec.replicas: cannot unmarshal number 1.5 into a field of type int32)x"}},
    {"a document without apiVersion and kind",
     R"x(metadata: {name: x}
)x",
     {R"x(t.yaml:1:1: error: error validating data: [apiVersion not set, kind not set])x"}},
    {"a document without kind",
     R"x(apiVersion: v1
metadata: {name: x}
)x",
     {R"x(t.yaml:1:1: error: error validating data: kind not set)x"}},
    {"a document that is not a mapping",
     R"x(- apiVersion: v1
)x",
     {R"x(t.yaml:1:1: error: unable to decode: json: cannot unmarshal array into Go value of type map[string]interface {})x"}},
    {"YAML syntax errors name their position",
     R"x(apiVersion: v1
kind: Service
metadata: {name: web
)x",
     {R"x(t.yaml:4:1: error: error converting YAML to JSON: yaml: end of map flow not found)x"}},
    {"a duplicate key is refused",
     R"x(apiVersion: v1
kind: Service
metadata:
  name: web
  name: api
spec:
  ports: [{port: 80}]
)x",
     {R"x(t.yaml:5:3: error: error converting YAML to JSON: yaml: unmarshal errors: line 5: key "name" already set in map (first set at line 4))x"}},
    {"extensions/v1beta1 Ingress was removed",
     R"x(apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}
)x",
     {R"x(t.yaml:1:13: error: Ingress "web": no matches for kind "Ingress" in version "extensions/v1beta1" (extensions/v1beta1 Ingress was removed in Kubernetes 1.22: use apiVersion networking.k8s.io/v1, where a backend is written service: {name: ..., port: {number: ...}} and every path needs a pathType))x"}},
    {"networking.k8s.io/v1beta1 Ingress was removed",
     R"x(apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata: {name: web}
)x",
     {R"x(t.yaml:1:13: error: Ingress "web": no matches for kind "Ingress" in version "networking.k8s.io/v1beta1" (networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22: use apiVersion networking.k8s.io/v1, where a backend is written service: {name: ..., port: {number: ...}} and every path needs a pathType))x"}},
    {"apps/v1beta1 Deployment was removed",
     R"x(apiVersion: apps/v1beta1
kind: Deployment
metadata: {name: web}
)x",
     {R"x(t.yaml:1:13: error: Deployment "web": no matches for kind "Deployment" in version "apps/v1beta1" (apps/v1beta1 Deployment was removed in Kubernetes 1.16: use apiVersion apps/v1))x"}},
    {"extensions/v1beta1 DaemonSet was removed",
     R"x(apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: web}
)x",
     {R"x(t.yaml:1:13: error: DaemonSet "web": no matches for kind "DaemonSet" in version "extensions/v1beta1" (extensions/v1beta1 DaemonSet was removed in Kubernetes 1.16: use apiVersion apps/v1))x"}},
    {"apps/v1beta2 StatefulSet was removed",
     R"x(apiVersion: apps/v1beta2
kind: StatefulSet
metadata: {name: web}
)x",
     {R"x(t.yaml:1:13: error: StatefulSet "web": no matches for kind "StatefulSet" in version "apps/v1beta2" (apps/v1beta2 StatefulSet was removed in Kubernetes 1.16: use apiVersion apps/v1))x"}},
    {"networking.k8s.io/v1beta1 IngressClass was removed",
     R"x(apiVersion: networking.k8s.io/v1beta1
kind: IngressClass
metadata: {name: nginx}
)x",
     {R"x(t.yaml:1:13: error: IngressClass "nginx": no matches for kind "IngressClass" in version "networking.k8s.io/v1beta1" (networking.k8s.io/v1beta1 IngressClass was removed in Kubernetes 1.22: use apiVersion networking.k8s.io/v1))x"}},
    {"discovery.k8s.io/v1beta1 EndpointSlice was removed",
     R"x(apiVersion: discovery.k8s.io/v1beta1
kind: EndpointSlice
metadata: {name: web-1}
)x",
     {R"x(t.yaml:1:13: error: EndpointSlice "web-1": no matches for kind "EndpointSlice" in version "discovery.k8s.io/v1beta1" (discovery.k8s.io/v1beta1 EndpointSlice was removed in Kubernetes 1.25: use apiVersion discovery.k8s.io/v1))x"}},
    {"a version the API never served",
     R"x(apiVersion: v2
kind: Pod
metadata: {name: p}
)x",
     {R"x(t.yaml:1:13: error: Pod "p": no matches for kind "Pod" in version "v2" (use apiVersion v1))x"}},
    {"a removed version of a kind podhop ignores is a warning",
     R"x(apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: pdb}
)x",
     {R"x(t.yaml:1:13: warning: PodDisruptionBudget "pdb": policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (use apiVersion policy/v1): a real cluster answers no matches for kind "PodDisruptionBudget" in version "policy/v1beta1"; podhop does not simulate PodDisruptionBudget and ignores it)x"}},
};

const ValidationCase kPodhopCases[] = {
    {"Cluster fields are checked",
     R"x(apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  nodes: [{name: a}, {name: a}, {ip: 1.2.3.4}]
  podCIDR: 10.244.0.0/33
  proxyMode: nftables
  addons: [ingress, dashboard]
  loadBalancer: 192.168.49.250-192.168.49.200
  latency: {sameNode: 50, crossNode: slow}
  serviceNodePortRange: 30000
)x",
     {R"x(t.yaml:5:29: error: Cluster "demo": spec.nodes[1].name: Duplicate value: "a")x",
      R"x(t.yaml:5:33: error: Cluster "demo": spec.nodes[2].name: Required value)x",
      R"x(t.yaml:6:12: error: Cluster "demo": spec.podCIDR: Invalid value: "10.244.0.0/33": must be a valid IPv4 CIDR value, (e.g. 10.9.8.0/24))x",
      R"x(t.yaml:7:14: error: Cluster "demo": spec.proxyMode: Unsupported value: "nftables": supported values: "iptables", "ipvs")x",
      R"x(t.yaml:8:21: error: Cluster "demo": spec.addons[1]: Unsupported value: "dashboard": supported values: "ingress", "ingress-dns")x",
      R"x(t.yaml:9:17: error: Cluster "demo": spec.loadBalancer: Invalid value: "192.168.49.250-192.168.49.200": must be "pending" or an address range such as "192.168.49.200-192.168.49.250" (or a CIDR))x",
      R"x(t.yaml:10:23: error: Cluster "demo": spec.latency.sameNode: Invalid value: "50": a duration needs a unit, such as 50s or 50ms)x",
      R"x(t.yaml:10:38: error: Cluster "demo": spec.latency.crossNode: Invalid value: "slow": must be a duration such as 50us, 2ms, 1.5s or 1m30s)x",
      R"x(t.yaml:11:25: error: Cluster "demo": spec.serviceNodePortRange: cannot unmarshal number into a field of type string (YAML reads 30000 as a number: write "30000"))x"}},
    {"App fields are checked",
     R"x(apiVersion: podhop.dev/v1alpha1
kind: App
metadata: {name: app1}
spec:
  respond: {status: 99}
  forward: {method: POST}
  ports: [0]
  capacity: {workers: -1, queue: -2, serviceTime: 1}
)x",
     {R"x(t.yaml:5:3: error: App "app1": spec.image: Required value)x",
      R"x(t.yaml:5:21: error: App "app1": spec.respond.status: Invalid value: 99: must be between 100 and 599, inclusive)x",
      R"x(t.yaml:6:12: error: App "app1": spec.forward.url: Required value)x",
      R"x(t.yaml:6:12: error: App "app1": spec.forward: Forbidden: may not be set together with `respond`)x",
      R"x(t.yaml:7:11: error: App "app1": spec.ports[0]: Invalid value: 0: must be between 1 and 65535, inclusive)x",
      R"x(t.yaml:8:23: error: App "app1": spec.capacity.workers: Invalid value: -1: must be greater than or equal to 0)x",
      R"x(t.yaml:8:34: error: App "app1": spec.capacity.queue: Invalid value: -2: must be -1 (unbounded) or greater than or equal to 0)x",
      R"x(t.yaml:8:51: error: App "app1": spec.capacity.serviceTime: Invalid value: "1": a duration needs a unit, such as 1s or 1ms)x"}},
    {"only one Cluster may be declared",
     R"x(apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: a}
---
apiVersion: podhop.dev/v1alpha1
kind: Cluster
metadata: {name: b}
)x",
     {R"x(t.yaml:5:1: error: Cluster "b": only one Cluster may be declared; another one is at t.yaml:1:1)x"}},
};

}  // namespace

TEST_CASE("Service validation speaks kubectl's words at the offending field", "[manifest]") {
  check_cases(kServiceCases);
}

TEST_CASE("Ingress validation follows the networking API rules", "[manifest]") {
  check_cases(kIngressCases);
}

TEST_CASE("Endpoints and EndpointSlices refuse special addresses", "[manifest]") {
  check_cases(kEndpointsCases);
}

TEST_CASE("workload validation checks selectors, replicas and strategies", "[manifest]") {
  check_cases(kWorkloadsCases);
}

TEST_CASE("pod spec validation checks containers, ports, probes and DNS", "[manifest]") {
  check_cases(kPodsCases);
}

TEST_CASE("metadata, labels, Secrets, IngressClasses and Namespaces are validated", "[manifest]") {
  check_cases(kMetaCases);
}

TEST_CASE("a value of the wrong YAML type is a decoding error naming the field", "[manifest]") {
  check_cases(kDecodingCases);
}

TEST_CASE("documents that are not objects, and removed API versions, get kubectl's errors",
          "[manifest]") {
  check_cases(kDocumentsCases);
}

TEST_CASE("podhop's own kinds are validated too", "[manifest]") {
  check_cases(kPodhopCases);
}
