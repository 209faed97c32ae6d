// Writes a synthetic cluster at Kubernetes' published scalability limits as one YAML file:
// a Cluster with 5,000 nodes, 10,000 Services, 10,000 Deployments x 15 replicas (150,000
// pods) and 1,000 Ingresses, in 100 namespaces: about 27 MB. The manifests look like what
// real charts render (labels, annotations, probes, resources, env, volumes), so the loader
// is measured on realistic documents, not on minimal ones.
//
//   gen_cluster OUT.yaml [--nodes N] [--services N] [--replicas N] [--ingresses N]
//
// Deterministic: the same arguments always write the same bytes.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <fmt/os.h>

namespace {

struct Shape {
  int nodes = 5000;
  int services = 10000;  // one Deployment per Service
  int replicas = 15;
  int ingresses = 1000;
  int namespaces = 100;
};

void write_cluster(fmt::ostream& out, const Shape& s) {
  out.print(
      "apiVersion: podhop.dev/v1alpha1\n"
      "kind: Cluster\n"
      "metadata:\n"
      "  name: limits\n"
      "spec:\n"
      "  podCIDR: 100.64.0.0/10\n"
      "  serviceCIDR: 10.96.0.0/12\n"
      "  addons: [ingress]\n"
      "  nodes:\n");
  for (int i = 0; i < s.nodes; ++i)
    out.print("  - {{name: node-{:04}, zone: zone-{}}}\n", i, static_cast<char>('a' + i % 3));
}

void write_namespace(fmt::ostream& out, int n) {
  out.print("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-{:03}\n", n);
}

void write_service_and_deployment(fmt::ostream& out, const Shape& s, int i) {
  const int ns = i % s.namespaces;
  const int next = (i + 1) % s.services;
  out.print(
      "---\n"
      "apiVersion: v1\n"
      "kind: Service\n"
      "metadata:\n"
      "  name: svc-{0:05}\n"
      "  namespace: team-{1:03}\n"
      "  labels:\n"
      "    app.kubernetes.io/name: svc-{0:05}\n"
      "    app.kubernetes.io/part-of: shop-{1:03}\n"
      "    app.kubernetes.io/managed-by: Helm\n"
      "spec:\n"
      "  type: ClusterIP\n"
      "  selector:\n"
      "    app.kubernetes.io/name: svc-{0:05}\n"
      "  ports:\n"
      "  - name: http\n"
      "    port: 80\n"
      "    targetPort: http\n"
      "    protocol: TCP\n"
      "  - name: metrics\n"
      "    port: 9090\n"
      "    targetPort: 9090\n"
      "    protocol: TCP\n",
      i, ns);
  out.print(
      "---\n"
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "metadata:\n"
      "  name: svc-{0:05}\n"
      "  namespace: team-{1:03}\n"
      "  labels:\n"
      "    app.kubernetes.io/name: svc-{0:05}\n"
      "    app.kubernetes.io/part-of: shop-{1:03}\n"
      "    app.kubernetes.io/managed-by: Helm\n"
      "    helm.sh/chart: svc-1.4.2\n"
      "  annotations:\n"
      "    deployment.kubernetes.io/revision: \"3\"\n"
      "    meta.helm.sh/release-name: shop-{1:03}\n"
      "    meta.helm.sh/release-namespace: team-{1:03}\n"
      "spec:\n"
      "  replicas: {2}\n"
      "  revisionHistoryLimit: 10\n"
      "  strategy:\n"
      "    type: RollingUpdate\n"
      "    rollingUpdate:\n"
      "      maxSurge: 25%\n"
      "      maxUnavailable: 0\n"
      "  selector:\n"
      "    matchLabels:\n"
      "      app.kubernetes.io/name: svc-{0:05}\n"
      "  template:\n"
      "    metadata:\n"
      "      labels:\n"
      "        app.kubernetes.io/name: svc-{0:05}\n"
      "        app.kubernetes.io/part-of: shop-{1:03}\n"
      "        version: v1\n"
      "      annotations:\n"
      "        prometheus.io/scrape: \"true\"\n"
      "        prometheus.io/port: \"9090\"\n"
      "    spec:\n"
      "      serviceAccountName: svc-{0:05}\n"
      "      terminationGracePeriodSeconds: 30\n"
      "      securityContext:\n"
      "        runAsNonRoot: true\n"
      "        runAsUser: 1000\n"
      "        fsGroup: 2000\n"
      "      containers:\n"
      "      - name: server\n"
      "        image: registry.example.com/shop/svc-{0:05}:1.4.2\n"
      "        imagePullPolicy: IfNotPresent\n"
      "        args: [\"--port=8080\", \"--metrics-port=9090\", \"--log-level=info\"]\n"
      "        ports:\n"
      "        - name: http\n"
      "          containerPort: 8080\n"
      "          protocol: TCP\n"
      "        - name: metrics\n"
      "          containerPort: 9090\n"
      "          protocol: TCP\n"
      "        env:\n"
      "        - name: UPSTREAM_HOST\n"
      "          value: svc-{3:05}.team-{4:03}.svc.cluster.local\n"
      "        - name: UPSTREAM_PORT\n"
      "          value: \"80\"\n"
      "        - name: POD_NAME\n"
      "          valueFrom:\n"
      "            fieldRef:\n"
      "              fieldPath: metadata.name\n"
      "        - name: OTEL_EXPORTER_OTLP_ENDPOINT\n"
      "          value: http://otel-collector.observability.svc.cluster.local:4317\n"
      "        readinessProbe:\n"
      "          httpGet:\n"
      "            path: /ready\n"
      "            port: http\n"
      "          initialDelaySeconds: 5\n"
      "          periodSeconds: 10\n"
      "        livenessProbe:\n"
      "          httpGet:\n"
      "            path: /healthz\n"
      "            port: http\n"
      "          initialDelaySeconds: 15\n"
      "          periodSeconds: 20\n"
      "        resources:\n"
      "          requests:\n"
      "            cpu: 100m\n"
      "            memory: 128Mi\n"
      "          limits:\n"
      "            cpu: 500m\n"
      "            memory: 512Mi\n"
      "        volumeMounts:\n"
      "        - name: config\n"
      "          mountPath: /etc/svc\n"
      "          readOnly: true\n"
      "        - name: tmp\n"
      "          mountPath: /tmp\n"
      "      volumes:\n"
      "      - name: config\n"
      "        configMap:\n"
      "          name: svc-{0:05}-config\n"
      "      - name: tmp\n"
      "        emptyDir: {{}}\n",
      i, ns, s.replicas, next, next % s.namespaces);
}

void write_ingress(fmt::ostream& out, const Shape& s, int j) {
  // Each Ingress fronts the first Services of its namespace, on its own host.
  const int ns = j % s.namespaces;
  const int a = ns;                 // svc index in namespace ns (first)
  const int b = ns + s.namespaces;  // second
  out.print(
      "---\n"
      "apiVersion: networking.k8s.io/v1\n"
      "kind: Ingress\n"
      "metadata:\n"
      "  name: web-{0:04}\n"
      "  namespace: team-{1:03}\n"
      "  annotations:\n"
      "    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n"
      "spec:\n"
      "  ingressClassName: nginx\n"
      "  rules:\n"
      "  - host: web-{0:04}.shop.example.test\n"
      "    http:\n"
      "      paths:\n"
      "      - path: /api\n"
      "        pathType: Prefix\n"
      "        backend:\n"
      "          service:\n"
      "            name: svc-{2:05}\n"
      "            port:\n"
      "              name: http\n"
      "      - path: /\n"
      "        pathType: Prefix\n"
      "        backend:\n"
      "          service:\n"
      "            name: svc-{3:05}\n"
      "            port:\n"
      "              number: 80\n",
      j, ns, a % s.services, b % s.services);
}

int parse_int(const char* v, const char* flag) {
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (!end || *end || n < 0 || n > 10'000'000) {
    std::fprintf(stderr, "gen_cluster: %s needs a count, got '%s'\n", flag, v);
    std::exit(2);
  }
  return static_cast<int>(n);
}

}  // namespace

int main(int argc, char** argv) {
  // The output file comes first and is never an option: `gen_cluster --help` once wrote a
  // 30 MB file named "--help". An option without its value is an error too.
  const bool help = argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"));
  if (argc < 2 || argv[1][0] == '-' || argc % 2 != 0) {
    std::fprintf(help ? stdout : stderr,
                 "usage: gen_cluster OUT.yaml [--nodes N] [--services N] [--replicas N] "
                 "[--ingresses N]\n");
    return help ? 0 : 2;
  }
  Shape s;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--nodes"))
      s.nodes = parse_int(argv[i + 1], argv[i]);
    else if (!std::strcmp(argv[i], "--services"))
      s.services = parse_int(argv[i + 1], argv[i]);
    else if (!std::strcmp(argv[i], "--replicas"))
      s.replicas = parse_int(argv[i + 1], argv[i]);
    else if (!std::strcmp(argv[i], "--ingresses"))
      s.ingresses = parse_int(argv[i + 1], argv[i]);
    else {
      std::fprintf(stderr, "gen_cluster: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (s.services < s.namespaces) s.namespaces = s.services > 0 ? s.services : 1;
  auto out = fmt::output_file(argv[1]);
  write_cluster(out, s);
  for (int n = 0; n < s.namespaces; ++n) write_namespace(out, n);
  for (int i = 0; i < s.services; ++i) write_service_and_deployment(out, s, i);
  for (int j = 0; j < s.ingresses; ++j) write_ingress(out, s, j);
  return 0;
}
