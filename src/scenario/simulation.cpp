#include "podhop/simulation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "podhop/controllers/reconcile.hpp"
#include "podhop/dataplane/apps.hpp"
#include "podhop/dataplane/dns.hpp"
#include "scenario/simulation_impl.hpp"

namespace podhop {

Simulation::Simulation(SimulationOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->seed = options.seed;
  // An empty cluster still has its system objects (kubernetes, kube-dns, CoreDNS).
  impl_->state = impl_->applied;
  auto diags = controllers::reconcile(impl_->state, {.seed = impl_->seed});
  PODHOP_CHECK(!diags.has_errors(), "the empty cluster must reconcile");
  impl_->on_state_changed();
}

Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

namespace {

// Loads into a copy of what was applied, derives the cluster from it, and keeps both only
// when both succeed.
template <typename LoadFn>
manifest::LoadReport load_all_or_nothing(Simulation::Impl& impl, LoadFn&& load_fn) {
  model::ClusterState applied = impl.applied;
  manifest::LoadReport report = load_fn(applied);
  if (!report.ok()) return report;
  model::ClusterState next = applied;
  auto diags = controllers::reconcile(next, {.seed = impl.seed});
  report.diagnostics.append(diags);
  if (!report.ok()) return report;
  impl.applied = std::move(applied);
  impl.state = std::move(next);
  impl.on_state_changed();
  return report;
}

}  // namespace

manifest::LoadReport Simulation::load(const std::vector<std::string>& paths, std::istream* in) {
  return load_all_or_nothing(
      *impl_, [&](model::ClusterState& s) { return manifest::load_paths(paths, s, in); });
}

manifest::LoadReport Simulation::load_text(std::string_view text, std::string_view filename) {
  return load_all_or_nothing(
      *impl_, [&](model::ClusterState& s) { return manifest::load_text(text, filename, s); });
}

const model::ClusterState& Simulation::state() const {
  return impl_->state;
}
std::uint64_t Simulation::seed() const {
  return impl_->seed;
}
core::SimTime Simulation::now() const {
  return impl_->sim.now();
}
dataplane::Network& Simulation::network() {
  return *impl_->network;
}
dataplane::Pipeline& Simulation::pipeline() {
  return *impl_->pipeline;
}
engine::Simulator& Simulation::simulator() {
  return impl_->sim;
}

void Simulation::add_tool(std::string name, ExecTool tool) {
  impl_->tools[std::move(name)] = std::move(tool);
}

dataplane::DnsExchangeResult Simulation::dns_query(const dataplane::Client& client,
                                                   const dataplane::DnsQuery& query,
                                                   core::Ipv4 server, core::Duration timeout,
                                                   trace::HopSink* sink) {
  return impl_->pipeline->run_dns_query(client, query, server, timeout, sink);
}

// ---------------------------------------------------------------------------------------
// curl

namespace {

ExecResult run_curl(dataplane::Pipeline& pipeline, const dataplane::CurlOptions& options,
                    const dataplane::Client& client, trace::HopSink* sink) {
  ExecResult result;
  if (!options.ok()) {
    result.exit_code = options.error_code;
    if (options.error_code == 2) {
      result.stderr_text =
          fmt::format("curl: {}\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
                      options.error);
    } else {
      result.stderr_text = fmt::format("curl: ({}) {}\n", options.error_code, options.error);
    }
    return result;
  }
  std::vector<dataplane::CurlTransfer> transfers;
  for (const std::string& first_url : options.urls) {
    std::string url = first_url;
    std::string method = options.effective_method();
    for (int redirects = 0;; ++redirects) {
      dataplane::RequestSpec spec = options.request_for(url);
      spec.method = method;
      // One curl process keeps its connections open between its URLs and reuses them for the
      // same host and port ("Re-using existing connection"); they close when it exits.
      spec.keep_alive = true;
      dataplane::ParsedUrl parsed = dataplane::parse_url(url);
      trace::RequestRecord record;
      if (!parsed.ok()) {
        // curl refuses the URL before anything reaches the network.
        record.url = url;
        record.method = method;
        record.outcome = trace::Outcome::dns_failure;
        record.exit_code = parsed.error.curl_code;
        record.error = parsed.error.message;
        record.client = {std::string(dataplane::to_string(client.kind)), client.name, client.ip,
                         client.node_name};
      } else {
        record = pipeline.run(client, std::move(spec), sink);
      }
      const bool follow = options.location && record.outcome == trace::Outcome::ok &&
                          dataplane::is_followed_redirect(record);
      if (follow && redirects >= options.max_redirs) {
        record.exit_code = 47;
        record.error = fmt::format("Maximum ({}) redirects followed", options.max_redirs);
        transfers.push_back({std::move(record), false});
        break;
      }
      if (!follow) {
        transfers.push_back({std::move(record), false});
        break;
      }
      std::string next = dataplane::redirect_target(record);
      // curl turns POST into GET for 301, 302 and 303, as browsers do.
      const int status = record.status.value_or(0);
      if (status == 303 || ((status == 301 || status == 302) && method == "POST")) method = "GET";
      transfers.push_back({std::move(record), true});
      url = std::move(next);
    }
  }
  pipeline.close_connections(client.ip);
  dataplane::CurlOutput out = dataplane::render_curl(options, transfers);
  result.exit_code = out.exit_code;
  result.stdout_text = std::move(out.out);
  result.stderr_text = std::move(out.err);
  for (auto& t : transfers) {
    result.hops.insert(result.hops.end(), t.record.hops.begin(), t.record.hops.end());
    result.requests.push_back(std::move(t.record));
  }
  return result;
}

ExecResult fail(int code, std::string err) {
  ExecResult r;
  r.exit_code = code;
  r.stderr_text = std::move(err);
  return r;
}

std::string program_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string pod_hostname(const model::Pod& pod) {
  std::string h = pod.spec->hostname.empty() ? pod.meta.name : pod.spec->hostname;
  if (h.size() > 63) h.resize(63);
  return h;
}

}  // namespace

ExecResult Simulation::curl(const std::vector<std::string>& curl_args,
                            const dataplane::ClientRef& from, trace::HopSink* sink) {
  return curl(dataplane::parse_curl_args(curl_args), from, sink);
}

ExecResult Simulation::curl(const dataplane::CurlOptions& options, const dataplane::ClientRef& from,
                            trace::HopSink* sink) {
  dataplane::ClientError error;
  auto client = impl_->network->client(from, &error);
  if (!client) return fail(1, fmt::format("Error from server (NotFound): {}\n", error.message));
  return run_curl(*impl_->pipeline, options, *client, sink);
}

// ---------------------------------------------------------------------------------------
// exec

ExecResult Simulation::exec(std::string_view pod, const std::vector<std::string>& argv) {
  return exec(pod, "default", argv);
}

ExecResult Simulation::exec(std::string_view pod, std::string_view namespace_,
                            const std::vector<std::string>& argv) {
  ExecRequest request;
  request.pod = std::string(pod);
  request.namespace_ = std::string(namespace_);
  request.argv = argv;
  return exec(request);
}

ExecResult Simulation::exec(const ExecRequest& request) {
  const model::Pod* pod = impl_->state.pods.find(request.namespace_, request.pod);
  if (!pod) {
    return fail(1,
                fmt::format("Error from server (NotFound): pods \"{}\" not found\n", request.pod));
  }
  const model::Container* container = nullptr;
  if (request.container.empty()) {
    if (!pod->spec->containers.empty()) container = &pod->spec->containers.front();
  } else {
    for (const auto& c : pod->spec->containers) {
      if (c.name == request.container) container = &c;
    }
    if (!container) {
      return fail(1, fmt::format("Error from server (BadRequest): container {} is not valid for "
                                 "pod {}\n",
                                 request.container, request.pod));
    }
  }
  if (!container) return fail(1, "error: the pod has no container to run the command in\n");
  if (pod->status.phase != model::PodPhase::Running) {
    return fail(1, fmt::format("error: unable to upgrade connection: container not found "
                               "(\"{}\")\n",
                               container->name));
  }
  if (request.argv.empty())
    return fail(1, "error: you must specify at least one command for the container\n");
  dataplane::ClientError error;
  auto client =
      impl_->network->client(dataplane::ClientRef::pod(request.namespace_, request.pod), &error);
  if (!client) return fail(1, fmt::format("error: {}\n", error.message));

  const std::string program = program_name(request.argv.front());
  const std::vector<std::string> args(request.argv.begin() + 1, request.argv.end());
  auto ok = [](std::string out) {
    ExecResult r;
    r.stdout_text = std::move(out);
    return r;
  };

  if (program == "curl")
    return run_curl(*impl_->pipeline, dataplane::parse_curl_args(args), *client, request.sink);
  if (auto it = impl_->tools.find(program); it != impl_->tools.end()) {
    ToolContext ctx{*this, *pod, *container, *client, request.argv, request.sink};
    return it->second(ctx);
  }
  if (program == "hostname") return ok(pod_hostname(*pod) + "\n");
  if (program == "env" || program == "printenv") {
    model::StringMap env = dataplane::container_environment(impl_->state, *pod, *container);
    if (program == "printenv" && !args.empty()) {
      std::string out;
      int code = 0;
      for (const auto& name : args) {
        if (name == "HOSTNAME")
          out += pod_hostname(*pod) + "\n";
        else if (const std::string* v = env.get(name))
          out += *v + "\n";
        else
          code = 1;
      }
      ExecResult r = ok(std::move(out));
      r.exit_code = code;
      return r;
    }
    std::string out = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n";
    out += fmt::format("HOSTNAME={}\n", pod_hostname(*pod));
    for (const auto& [k, v] : env) out += fmt::format("{}={}\n", k, v);
    out += "HOME=/root\n";
    return ok(std::move(out));
  }
  if (program == "cat") {
    std::string out;
    std::string err;
    for (const auto& path : args) {
      if (path == "/etc/resolv.conf")
        out += client->resolv_conf->render();
      else if (path == "/etc/hosts" && client->hosts)
        out += client->hosts->render();
      else if (path == "/etc/hostname")
        out += pod_hostname(*pod) + "\n";
      else
        err += fmt::format("cat: {}: No such file or directory\n", path);
    }
    ExecResult r = ok(std::move(out));
    r.stderr_text = std::move(err);
    r.exit_code = r.stderr_text.empty() ? 0 : 1;
    return r;
  }
  if (program == "echo") {
    std::string out;
    for (std::size_t i = 0; i < args.size(); ++i) out += (i ? " " : "") + args[i];
    return ok(out + "\n");
  }
  if (program == "true") return ok({});
  if (program == "false") return fail(1, {});
  if ((program == "sh" || program == "bash" || program == "ash") && args.size() >= 2 &&
      args[0] == "-c") {
    // A shell running simple commands joined by &&, || and ;: enough for the usual
    // `sh -c "curl ... && echo"`. No pipes, redirections or variables.
    std::vector<std::string> words = split_command_line(args[1]);
    ExecResult total;
    std::string op = ";";
    std::size_t i = 0;
    while (i < words.size()) {
      std::size_t j = i;
      while (j < words.size() && words[j] != "&&" && words[j] != "||" && words[j] != ";") ++j;
      const bool run =
          op == ";" || (op == "&&" && total.exit_code == 0) || (op == "||" && total.exit_code != 0);
      if (run && j > i) {
        ExecRequest inner = request;
        inner.argv.assign(words.begin() + static_cast<std::ptrdiff_t>(i),
                          words.begin() + static_cast<std::ptrdiff_t>(j));
        ExecResult r = exec(inner);
        if (r.exit_code == 126 &&
            r.stderr_text.find("executable file not found") != std::string::npos) {
          r.stderr_text = fmt::format("{}: 1: {}: not found\n", program, inner.argv.front());
          r.exit_code = 127;
        }
        total.exit_code = r.exit_code;
        total.stdout_text += r.stdout_text;
        total.stderr_text += r.stderr_text;
        for (auto& q : r.requests) total.requests.push_back(std::move(q));
        total.hops.insert(total.hops.end(), r.hops.begin(), r.hops.end());
      }
      if (j < words.size()) op = words[j];
      i = j + 1;
    }
    return total;
  }
  return fail(126, fmt::format("OCI runtime exec failed: exec failed: unable to start container "
                               "process: exec: \"{}\": executable file not found in $PATH: "
                               "unknown\n",
                               request.argv.front()));
}

std::vector<std::string> split_command_line(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() &&
                 (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$')) {
        cur += line[++i];
      } else {
        cur += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) {
        words.push_back(std::move(cur));
        cur.clear();
        in_word = false;
      }
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

}  // namespace podhop
