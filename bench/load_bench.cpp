// Load + derive at Kubernetes' published limits, next to yaml-cpp's bare parse of the same
// file, each measured in a child process of its own so that peak RSS belongs to one phase.
//
//   gen_cluster /tmp/limits.yaml && load_bench /tmp/limits.yaml
//   heaptrack load_bench --breakdown /tmp/limits.yaml   (the step-by-step load alone)
//   load_bench --one-thread /tmp/limits.yaml            (the same, parsing on one thread)
//
// Prints one line per phase: wall time, peak RSS, and for the podhop load the resident size
// left once the load has finished (the model and its derived tables). podhop parses a large
// file on two threads, so its lines also give the CPU time of the calling thread and of all
// threads: on a busy machine the first is about the wall time a free second core gives.

#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "podhop/controllers/reconcile.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/manifest/loader.hpp"
#include "podhop/simulation.hpp"

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of the calling thread and of the whole process: the load parses a large file on
// two threads, so on a busy machine its wall time says little; this thread's CPU time is
// about what the wall time is when a second core is free.
double cpu_s(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

long current_rss_kb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A handler that does nothing: the parse alone, no node tree.
class NullHandler : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

int phase_events(const char* path) {
  long base = current_rss_kb();
  double t0 = now_s();
  const double c0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
  std::ifstream in(path);
  YAML::Parser parser(in);
  NullHandler h;
  std::size_t docs = 0;
  while (parser.HandleNextDocument(h)) ++docs;
  double t1 = now_s();
  std::printf("yaml-cpp events only     %8.2f s   peak RSS %6ld MB   (%zu documents; cpu %.2f s)\n",
              t1 - t0, (peak_rss_kb() - base) / 1024, docs, cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
  return 0;
}

int phase_loadall(const char* path) {
  long base = current_rss_kb();
  double t0 = now_s();
  const double c0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
  std::ifstream in(path);
  auto docs = YAML::LoadAll(in);
  double t1 = now_s();
  std::printf("yaml-cpp LoadAll (nodes) %8.2f s   peak RSS %6ld MB   (%zu documents; cpu %.2f s)\n",
              t1 - t0, (peak_rss_kb() - base) / 1024, docs.size(),
              cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
  return 0;
}

int phase_podhop(const char* path) {
  long base = current_rss_kb();
  double t0 = now_s();
  const double c0 = cpu_s(CLOCK_THREAD_CPUTIME_ID), p0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
  podhop::Simulation sim({.seed = 1});
  auto report = sim.load({path});
  double t1 = now_s();
  const double c1 = cpu_s(CLOCK_THREAD_CPUTIME_ID), p1 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
  if (!report.ok()) {
    std::fprintf(stderr, "%s", report.diagnostics.str().c_str());
    return 1;
  }
  malloc_trim(0);
  const auto& s = sim.state();
  std::printf(
      "podhop load + derive     %8.2f s   peak RSS %6ld MB   model %ld MB   (%zu nodes, %zu "
      "pods, %zu services, %zu endpointslices, %zu ingresses)\n",
      t1 - t0, (peak_rss_kb() - base) / 1024, (current_rss_kb() - base) / 1024, s.nodes.size(),
      s.pods.size(), s.services.size(), s.endpoint_slices.size(), s.ingresses.size());
  std::printf("                           cpu: %.2f s this thread, %.2f s all threads\n", c1 - c0,
              p1 - p0);
  return 0;
}

// Where the memory goes: the same load done step by step (parse and convert into the applied
// state, the settled state derived from a copy of it, the data plane's tables), with the
// resident size after each step. Simulation::load keeps both states, as here.
int phase_breakdown_with(const char* path, const podhop::manifest::LoadOptions& options) {
  const long base = current_rss_kb();
  auto mb = [&] { return (current_rss_kb() - base) / 1024; };
  double t0 = now_s();
  const double c0 = cpu_s(CLOCK_THREAD_CPUTIME_ID), p0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
  podhop::model::ClusterState applied;
  auto report = podhop::manifest::load_paths({path}, applied, nullptr, options);
  if (!report.ok()) return 1;
  applied.shrink_to_fit();  // as Simulation::load does
  malloc_trim(0);
  double t1 = now_s();
  const double c1 = cpu_s(CLOCK_THREAD_CPUTIME_ID), p1 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
  const long after_load = mb();
  podhop::model::ClusterState settled = applied;
  podhop::model::EventLog{}.swap(settled.events);  // its own pool, as in Simulation::load
  auto diags = podhop::controllers::reconcile(settled, {.seed = 1});
  settled.shrink_to_fit();
  malloc_trim(0);
  double t2 = now_s();
  const long after_reconcile = mb();
  podhop::model::ClusterState quiet = applied;
  podhop::controllers::reconcile(quiet, {.seed = 1, .record_events = false});
  malloc_trim(0);
  const long quiet_mb = mb() - after_reconcile;
  { podhop::model::ClusterState{}.events.swap(quiet.events); }
  std::size_t events = settled.events.size();
  quiet = {};
  malloc_trim(0);
  double t3 = now_s();
  podhop::dataplane::Network net(settled, 1);
  malloc_trim(0);
  double t4 = now_s();
  std::printf(
      "  parse + convert          %8.2f s   %6ld MB (applied objects; cpu %.2f s this thread, "
      "%.2f s all threads)\n",
      t1 - t0, after_load, c1 - c0, p1 - p0);
  std::printf(
      "  reconcile                %8.2f s   %6ld MB (settled state, %zu events; %ld MB without "
      "events)\n",
      t2 - t1, after_reconcile - after_load, events, quiet_mb);
  std::printf("  data plane tables        %8.2f s   %6ld MB (kube-proxy tables, DNS zone, apps)\n",
              t4 - t3, mb() - after_reconcile);
  return diags.has_errors() ? 1 : 0;
}

int phase_breakdown(const char* path) {
  return phase_breakdown_with(path, {});
}

// The breakdown with the file parsed on the calling thread alone, as before the two-thread
// parse: the difference is what the second thread gives.
int phase_breakdown_one_thread(const char* path) {
  return phase_breakdown_with(path,
                              {.parallel_min_bytes = std::numeric_limits<std::size_t>::max()});
}

// What each table of the loaded model holds: loads as Simulation::load does (the applied
// state and the settled one), then frees the applied state and the settled tables one by
// one, printing how much resident memory each release gave back. Words shared between
// tables are counted where their last holder goes.
int phase_tables(const char* path) {
  const long base = current_rss_kb();
  auto mb = [&] { return static_cast<double>(current_rss_kb() - base) / 1024.0; };
  podhop::model::ClusterState applied;
  auto report = podhop::manifest::load_paths({path}, applied);
  if (!report.ok()) return 1;
  applied.shrink_to_fit();
  podhop::model::ClusterState settled = applied;
  podhop::model::EventLog{}.swap(settled.events);
  malloc_trim(0);
  const double copied = mb();
  podhop::controllers::reconcile(settled, {.seed = 1});
  settled.shrink_to_fit();
  malloc_trim(0);
  double last = mb();
  std::printf("  applied + its copy %8.1f MB, settled %8.1f MB\n", copied, last);
  auto drop = [&](const char* what, auto&& release) {
    release();
    malloc_trim(0);
    const double now = mb();
    std::printf("  %-28s %8.1f MB\n", what, last - now);
    last = now;
  };
  drop("applied state", [&] { applied = {}; });
  drop("settled events", [&] { podhop::model::ClusterState{}.events.swap(settled.events); });
  drop("settled legacy endpoints", [&] { settled.endpoints = {}; });
  drop("settled endpoint slices", [&] { settled.endpoint_slices = {}; });
  drop("settled pods", [&] { settled.pods = {}; });
  drop("settled replica sets", [&] { settled.replica_sets = {}; });
  drop("settled deployments", [&] { settled.deployments = {}; });
  drop("settled services", [&] { settled.services = {}; });
  drop("settled nodes", [&] { settled.nodes = {}; });
  drop("settled ingresses", [&] { settled.ingresses = {}; });
  drop("the rest", [&] { settled = {}; });
  return 0;
}

int in_child(int (*phase)(const char*), const char* path) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    // _Exit skips stdio's flush: without this, output to a pipe or file is lost.
    const int rc = phase(path);
    std::fflush(stdout);
    std::_Exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage =
      "usage: load_bench [--breakdown | --one-thread | --tables | --load] FILE.yaml\n"
      "       (make FILE.yaml with gen_cluster)\n";
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::printf("%s", usage);
    return 0;
  }
  // `--breakdown` runs the step-by-step load alone, in this process: for heaptrack, which
  // does not follow the children.
  if (argc == 3 && std::string(argv[1]) == "--breakdown") return phase_breakdown(argv[2]);
  // `--one-thread` is the breakdown with the parse on one thread.
  if (argc == 3 && std::string(argv[1]) == "--one-thread")
    return phase_breakdown_one_thread(argv[2]);
  // `--load` runs Simulation::load alone, in this process (for heaptrack).
  if (argc == 3 && std::string(argv[1]) == "--load") return phase_podhop(argv[2]);
  // `--tables` says what each table of the model holds.
  if (argc == 3 && std::string(argv[1]) == "--tables") return phase_tables(argv[2]);
  if (argc != 2) {
    std::fprintf(stderr, "%s", usage);
    return 2;
  }
  if (argv[1][0] == '-') {
    std::fprintf(stderr, "load_bench: unknown option %s\n%s", argv[1], usage);
    return 2;
  }
  int rc = 0;
  rc |= in_child(phase_events, argv[1]);
  rc |= in_child(phase_loadall, argv[1]);
  rc |= in_child(phase_podhop, argv[1]);
  rc |= in_child(phase_breakdown, argv[1]);
  return rc;
}
