// Complete HTTP requests simulated per second of wall time (issue 3, benchmark 2).
//
// Loads a cluster written by gen_cluster, picks a client pod, and keeps K requests in flight
// from it: each completed request starts the next one, to a Service port picked by a named
// random stream, until N requests have completed. Every request runs the whole path
// (resolver and CoreDNS when it names a Service, kube-proxy on the client's node, the pod
// network, the app in the endpoint, the response) with its latency recorded; hops are not
// recorded (record_hops=false), as for bulk traffic in scenarios.
//
//   gen_cluster /tmp/c100.yaml --nodes 10 --services 100 --replicas 3 --ingresses 0
//   request_bench /tmp/c100.yaml [--requests N] [--in-flight K] [--target ip|fqdn|short]
//
// Prints the load time, then requests, wall seconds, requests/s, simulated seconds, and the
// outcomes, so a broken cluster cannot pass for a fast one.

#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "podhop/core/rng.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/simulation.hpp"

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

enum class Target { ip, fqdn, short_name };

// Keeps K requests in flight until N have completed.
class Driver : public podhop::dataplane::RequestObserver {
 public:
  Driver(podhop::dataplane::Pipeline& pipeline, const podhop::dataplane::Client& client,
         std::vector<std::string> urls, std::size_t total)
      : pipeline_(pipeline), client_(client), total_(total), rng_(1, "request-bench/targets") {
    // One spec per URL, shared by the requests that send it (as a traffic step shares its
    // spec).
    for (auto& url : urls) {
      auto spec = std::make_shared<podhop::dataplane::RequestSpec>();
      spec->url = std::move(url);
      spec->record_hops = false;
      spec->reuse_connection = false;
      specs_.push_back(std::move(spec));
    }
  }

  void start_one() {
    if (started_ >= total_) return;
    ++started_;
    pipeline_.start_shared(client_, specs_[rng_.uniform(specs_.size())]);
  }

  void on_complete(podhop::dataplane::RequestId, podhop::trace::RequestRecord& record) override {
    ++completed_;
    ++outcomes_[static_cast<std::size_t>(record.outcome)];
    start_one();
  }

  std::size_t completed() const { return completed_; }
  /// Completed requests by outcome, in name order (counted in an array: the driver's own
  /// bookkeeping should not weigh on the figure).
  std::map<std::string, std::size_t> outcomes() const {
    std::map<std::string, std::size_t> out;
    for (std::size_t i = 0; i < outcomes_.size(); ++i)
      if (outcomes_[i] > 0)
        out[std::string(podhop::trace::to_string(static_cast<podhop::trace::Outcome>(i)))] =
            outcomes_[i];
    return out;
  }

 private:
  podhop::dataplane::Pipeline& pipeline_;
  const podhop::dataplane::Client& client_;
  std::vector<std::shared_ptr<const podhop::dataplane::RequestSpec>> specs_;
  std::size_t total_;
  std::size_t started_ = 0;
  std::size_t completed_ = 0;
  std::array<std::size_t, 8> outcomes_{};  // by trace::Outcome
  podhop::core::RngStream rng_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: request_bench CLUSTER.yaml [--requests N] [--in-flight K] "
                 "[--target ip|fqdn|short]\n");
    return 2;
  }
  std::string path = argv[1];
  std::size_t total = 1'000'000;
  std::size_t in_flight = 1'000;
  Target target = Target::ip;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string_view value = argv[i + 1];
    if (flag == "--requests")
      total = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--in-flight")
      in_flight = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--target")
      target = value == "fqdn" ? Target::fqdn : value == "short" ? Target::short_name : Target::ip;
  }

  const double t0 = now_s();
  podhop::Simulation sim({.seed = 1});
  auto report = sim.load({path});
  if (!report.ok()) {
    std::fprintf(stderr, "load failed\n");
    return 1;
  }
  const double t1 = now_s();
  const auto& state = sim.state();

  // The client: the first pod of the first user namespace, as a workload pod would call.
  const podhop::model::Pod* client_pod = nullptr;
  for (const auto* pod : state.pods.sorted()) {
    if (pod->meta.namespace_ != "kube-system" && pod->meta.namespace_ != "ingress-nginx" &&
        !pod->status.pod_ip.empty()) {
      client_pod = pod;
      break;
    }
  }
  if (!client_pod) {
    std::fprintf(stderr, "no client pod\n");
    return 1;
  }
  auto client = sim.network().client(
      podhop::dataplane::ClientRef::pod(client_pod->meta.namespace_, client_pod->meta.name));
  if (!client) return 1;

  // Every port of every user Service with endpoints, addressed as the target asks.
  std::vector<std::string> urls;
  for (const auto* svc : state.services.sorted()) {
    if (svc->meta.namespace_ == "kube-system" || svc->meta.namespace_ == "ingress-nginx" ||
        svc->meta.name == "kubernetes" || svc->spec.headless || svc->spec.cluster_ip.empty() ||
        svc->spec.ports.empty())
      continue;
    const auto& p = svc->spec.ports.front();
    switch (target) {
      case Target::ip:
        urls.push_back(fmt::format("http://{}:{}/", svc->spec.cluster_ip.str(), p.port));
        break;
      case Target::fqdn:
        urls.push_back(fmt::format("http://{}.{}.svc.cluster.local:{}/", svc->meta.name,
                                   svc->meta.namespace_, p.port));
        break;
      case Target::short_name:
        urls.push_back(
            fmt::format("http://{}.{}:{}/", svc->meta.name, svc->meta.namespace_, p.port));
        break;
    }
  }
  if (urls.empty()) return 1;

  Driver driver(sim.pipeline(), *client, std::move(urls), total);
  sim.pipeline().set_observer(&driver);
  const auto sim_start = sim.now();
  const double t2 = now_s();
  for (std::size_t i = 0; i < in_flight; ++i) driver.start_one();
  sim.simulator().run();
  const double t3 = now_s();
  sim.pipeline().set_observer(nullptr);

  const double wall = t3 - t2;
  std::printf("cluster      %s: %zu pods, %zu services (load %.2f s)\n", path.c_str(),
              state.pods.size(), state.services.size(), t1 - t0);
  std::printf("client       %s/%s, target %s, in flight %zu\n", client_pod->meta.namespace_.c_str(),
              client_pod->meta.name.c_str(),
              target == Target::ip     ? "cluster IP"
              : target == Target::fqdn ? "FQDN"
                                       : "short name",
              in_flight);
  std::printf("requests     %zu in %.3f s wall: %.0f requests/s\n", driver.completed(), wall,
              static_cast<double>(driver.completed()) / wall);
  std::printf("simulated    %.3f s\n", static_cast<double>((sim.now() - sim_start).ns) / 1e9);
  std::printf("peak RSS     %ld MB\n", peak_rss_kb() / 1024);
  for (const auto& [outcome, n] : driver.outcomes())
    std::printf("outcome      %s: %zu\n", outcome.c_str(), n);
  return 0;
}
