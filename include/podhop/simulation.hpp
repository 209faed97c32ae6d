#pragma once
// The public facade: what the CLI and Catch2 scenario tests use.
//
//   podhop::Simulation sim({.seed = 1});
//   auto report = sim.load({"examples/seed/manifests"});
//   REQUIRE(report.ok());
//   auto r = sim.exec("app1", {"curl", "-s", "http://app1-svc:8888"});
//   CHECK(r.stdout_text == "Hello world");
//
// A Simulation is a value: two can live side by side in one test. Its clock runs on: each
// exec or curl starts at the simulated time the previous one ended.

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/time.hpp"
#include "podhop/dataplane/curl.hpp"
#include "podhop/dataplane/request.hpp"
#include "podhop/manifest/loader.hpp"
#include "podhop/model/cluster_state.hpp"
#include "podhop/trace/hop.hpp"
#include "podhop/trace/result.hpp"

namespace podhop {

namespace dataplane {
class Network;
class Pipeline;
struct Client;
struct DnsExchangeResult;
struct DnsQuery;
}  // namespace dataplane
namespace engine {
class Simulator;
}

struct SimulationOptions {
  std::uint64_t seed = 1;
};

/// What a command run inside a pod printed, and how it ended.
struct ExecResult {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
  /// One record per request the command made (curl: one per transfer, redirects
  /// included; nslookup and dig: one holding their DNS queries).
  std::vector<trace::RequestRecord> requests;
  /// Every hop of every request, in the order they happened.
  std::vector<trace::Hop> hops;
};

/// A command to run in a pod, as `kubectl exec POD [-n NS] [-c CONTAINER] -- ARGV...`.
struct ExecRequest {
  std::string pod;
  std::string namespace_ = "default";
  std::string container;  // empty: the first container
  std::vector<std::string> argv;
  /// Receives every hop as it happens (the CLI's log lines); optional.
  trace::HopSink* sink = nullptr;
};

class Simulation;

/// Where a pod is in its lifecycle (docs/time.md), as `kubectl get pods` shows it and as
/// traffic finds it.
enum class PodLifecycle : std::uint8_t {
  not_found,           // no such pod (never existed, or gone)
  pending,             // not scheduled, or no IP yet (STATUS Pending)
  container_creating,  // scheduled with an IP, containers not started (ContainerCreating)
  running,             // containers started, not Ready yet (Running, READY 0/1)
  ready,               // Ready: an endpoint of its Services (Running, READY 1/1)
  terminating,         // deletionTimestamp set, containers still running (Terminating)
};
std::string_view to_string(PodLifecycle p);

/// Something that happened in the cluster while simulated time ran (for reports and tests).
struct ClusterEvent {
  enum class Kind : std::uint8_t {
    pod_created,         // a controller (or apply) created the pod: Pending
    pod_started,         // its containers run
    pod_ready,           // its readiness probe passed (or it has none): Ready
    pod_terminating,     // deletion started: endpoints turn terminating, preStop runs
    pod_sigterm,         // preStop done (or none): SIGTERM; the app stops and exits
    pod_gone,            // its containers exited: the pod and its IP are gone
    controllers_synced,  // the controllers reacted to changes (EndpointSlices rewritten)
    proxy_programmed,    // a node's kube-proxy programmed the rules of `generation`
    ingress_programmed,  // ingress-nginx reloaded with `generation`
  };
  core::SimTime time;
  Kind kind = Kind::pod_created;
  std::string namespace_;        // pod events
  std::string name;              // the pod, or the node for proxy_programmed
  std::string node;              // the pod's node
  core::Ipv4 ip;                 // the pod's IP
  std::uint64_t generation = 0;  // the data plane build (synced, programmed)

  /// "1.000000s pod_ready default/web-7c9f8d6b5-x2k4p 10.244.0.5 on node-1".
  std::string str() const;
};
std::string_view to_string(ClusterEvent::Kind k);

/// Receives ClusterEvents as they happen.
class ClusterObserver {
 public:
  virtual ~ClusterObserver() = default;
  virtual void on_cluster_event(const ClusterEvent& event) = 0;
};

/// How an action on the cluster (delete, scale, rollout) went: kubectl's words either way
/// (`pod "app2" deleted from default namespace`, `deployment.apps/web scaled`,
/// `Error from server (NotFound): pods "x" not found`).
struct ActionResult {
  bool ok = true;
  std::string message;
};

/// What a program run by exec sees: the pod, its container, its arguments, and the
/// simulation to send packets through.
struct ToolContext {
  Simulation& sim;
  const model::Pod& pod;
  const model::Container& container;
  const dataplane::Client& client;
  std::vector<std::string> argv;  // argv[0] is the program
  trace::HopSink* sink = nullptr;
};

/// A program exec can run, beyond the built-in ones (see Simulation::add_tool).
using ExecTool = std::function<ExecResult(ToolContext&)>;

class Simulation {
 public:
  explicit Simulation(SimulationOptions options = {});
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) noexcept;

  /// Loads manifests and brings the cluster to its settled state. All or nothing: on any
  /// error (in the files, or in allocation such as a taken nodePort) the cluster is left as
  /// it was and the report lists every error.
  manifest::LoadReport load(const std::vector<std::string>& paths, std::istream* in = nullptr);
  /// Loads YAML text as if it were the file `filename`.
  manifest::LoadReport load_text(std::string_view text, std::string_view filename = "<text>");

  const model::ClusterState& state() const;
  std::uint64_t seed() const;

  /// Runs a command in a pod of namespace "default", as `kubectl exec POD -- ARGV...`.
  /// Built in: curl, cat (/etc/resolv.conf, /etc/hosts, /etc/hostname), env, hostname,
  /// printenv, echo, true, false; nslookup and dig once their tool is added (add_tool).
  /// An unknown pod gives kubectl's `Error from server (NotFound): pods "x" not found`
  /// (exit 1); an unknown program the container runtime's "executable file not found in
  /// $PATH" (exit 126).
  ExecResult exec(std::string_view pod, const std::vector<std::string>& argv);
  /// The same in another namespace.
  ExecResult exec(std::string_view pod, std::string_view namespace_,
                  const std::vector<std::string>& argv);
  /// The general form: container, hop sink.
  ExecResult exec(const ExecRequest& request);

  /// `podhop curl`: curl's arguments (without "curl") run from a pod, a node or outside.
  ExecResult curl(const std::vector<std::string>& curl_args, const dataplane::ClientRef& from,
                  trace::HopSink* sink = nullptr);
  /// The same with parsed options.
  ExecResult curl(const dataplane::CurlOptions& options, const dataplane::ClientRef& from,
                  trace::HopSink* sink = nullptr);

  /// Makes `name` runnable by exec (the CLI adds nslookup and dig this way).
  void add_tool(std::string name, ExecTool tool);

  /// Sends one DNS query from `client` to `server`:53 through the simulated network, as
  /// nslookup and dig do, and waits for the answer (or `timeout`).
  dataplane::DnsExchangeResult dns_query(const dataplane::Client& client,
                                         const dataplane::DnsQuery& query, core::Ipv4 server,
                                         core::Duration timeout, trace::HopSink* sink = nullptr);

  /// The simulated time now.
  core::SimTime now() const;

  // --- Time (issue 5). The cluster a load() gives has settled; these make things happen
  // --- over simulated time: pods start and become ready, endpoints propagate to each
  // --- node's kube-proxy after a lag, pods terminate gracefully, controllers replace them.

  /// Runs every event due up to and including `t` (requests in flight, pod starts,
  /// readiness, endpoint propagation), then leaves the clock at `t`.
  void run_until(core::SimTime t);
  /// Runs until nothing is pending or `limit` is reached; returns the time reached.
  core::SimTime run_until_idle(core::SimTime limit);
  /// `kubectl apply -f` at the current simulated time: new and changed objects take effect
  /// through the same lifecycle (pods Pending, started, ready; endpoints lag). All or
  /// nothing, like load().
  manifest::LoadReport apply(const std::vector<std::string>& paths);
  manifest::LoadReport apply_text(std::string_view text, std::string_view filename = "<text>");
  /// `kubectl delete KIND NAME [-n NS]` now (kinds as get accepts them: pod, po, svc,
  /// deployment...). A pod terminates gracefully; its controller, if any, replaces it.
  ActionResult delete_object(std::string_view kind, std::string_view name,
                             std::string_view namespace_ = "default");
  /// `kubectl scale KIND/NAME --replicas=N` (deployment, replicaset, statefulset,
  /// replicationcontroller).
  ActionResult scale(std::string_view kind, std::string_view name, int replicas,
                     std::string_view namespace_ = "default");
  /// `kubectl set image deployment/NAME CONTAINER=IMAGE` (container empty: every container),
  /// which starts a rolling update with the Deployment's maxSurge and maxUnavailable.
  ActionResult rollout(std::string_view deployment, std::string_view image,
                       std::string_view namespace_ = "default", std::string_view container = "");
  /// `kubectl rollout undo deployment/NAME [--to-revision=N]`: the Deployment takes the pod
  /// template (and annotations) of the ReplicaSet with that revision, 0 meaning the one
  /// before the newest, and rolls to it as to any new template; that ReplicaSet is then
  /// current again with a new revision. kubectl's messages: "rolled back", "skipped rollback
  /// (current template already matches revision N)", and its errors.
  ActionResult rollout_undo(std::string_view deployment, std::int64_t to_revision = 0,
                            std::string_view namespace_ = "default");
  /// True when the Deployment's rollout has finished (`kubectl rollout status` would return):
  /// its ReplicaSet for the current template has every replica Ready and no pod of an older
  /// ReplicaSet is left running (terminating ones do not count, as for kubectl).
  bool rollout_complete(std::string_view deployment, std::string_view namespace_ = "default") const;

  /// Where a pod is in its lifecycle now.
  PodLifecycle pod_lifecycle(std::string_view pod, std::string_view namespace_ = "default") const;
  /// Receives every ClusterEvent from now on (null: none). Must outlive its use.
  void set_cluster_observer(ClusterObserver* observer);
  /// The build of the data plane (Network::generation) whose rules the kube-proxy of node
  /// `node` runs; 0 for an unknown node. Equal to data_plane_generation() once it caught up.
  std::uint64_t proxy_generation(std::string_view node) const;
  /// The newest build of the data plane.
  std::uint64_t data_plane_generation() const;

  /// The data plane underneath, for tests and the scenario engine.
  dataplane::Network& network();
  dataplane::Pipeline& pipeline();
  engine::Simulator& simulator();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Splits a command line the way a POSIX shell splits words: spaces separate, single and
/// double quotes group, backslash escapes (for scenario files that write commands as one
/// string).
std::vector<std::string> split_command_line(std::string_view line);

}  // namespace podhop
