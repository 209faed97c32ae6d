#include "cli/curl_output.hpp"

#include <ostream>

#include <fmt/format.h>
#include <spdlog/logger.h>

#include "cli/dns_tools.hpp"
#include "podhop/controllers/dns_zone.hpp"
#include "podhop/core/rng.hpp"
#include "podhop/dataplane/network.hpp"
#include "podhop/dataplane/pipeline.hpp"
#include "podhop/repeat.hpp"
#include "podhop/trace/result.hpp"

namespace podhop::cli {

TraceOutput::TraceOutput(Context& ctx) : ctx_(&ctx) {
  if (!ctx.global.trace_file.empty()) {
    file_ = std::make_unique<std::ofstream>(ctx.global.trace_file);
    if (!*file_) {
      *ctx.err << fmt::format("error: cannot write --trace-file {}\n", ctx.global.trace_file);
      ok_ = false;
    }
  }
}

void TraceOutput::on_hop(const trace::Hop& hop) {
  ctx_->log().info(trace::format_hop_line(hop));
  if (file_) *file_ << trace::hop_json_line(hop) << '\n';
}

int print_result(Context& ctx, const ExecResult& result, bool json) {
  if (json) {
    nlohmann::ordered_json doc;
    if (result.requests.size() == 1) {
      doc = trace::to_json(result.requests.front());
    } else {
      doc["exit_code"] = result.exit_code;
      doc["stdout"] = result.stdout_text;
      doc["stderr"] = result.stderr_text;
      auto& reqs = doc["requests"] = nlohmann::ordered_json::array();
      for (const auto& r : result.requests) reqs.push_back(trace::to_json(r));
    }
    *ctx.out << doc.dump(2) << '\n';
    return result.exit_code;
  }
  *ctx.out << result.stdout_text;
  *ctx.err << result.stderr_text;
  ctx.out->flush();
  return result.exit_code;
}

int print_repeat(Context& ctx, Simulation& sim, const dataplane::CurlOptions& options,
                 const dataplane::ClientRef& from, bool json) {
  RepeatSummary summary;
  std::string error;
  if (!run_repeat(sim, options, from, summary, error)) {
    *ctx.err << error << "\n";
    return 1;
  }
  if (json)
    *ctx.out << repeat_json(summary).dump(2) << '\n';
  else
    *ctx.out << render_repeat_text(summary);
  ctx.out->flush();
  return 0;
}

namespace {

trace::DnsLookup lookup_of(const dataplane::DnsQuery& q, const dataplane::DnsExchangeResult& ex,
                           core::SimTime t) {
  trace::DnsLookup l;
  l.t = t;
  l.name = q.name;
  l.type = std::string(dataplane::to_string(q.type));
  l.rcode = ex.answered ? std::string(dataplane::to_string(ex.answer.rcode)) : std::string();
  if (ex.answered) l.answers = ex.answer.answer_data();
  l.server = ex.server;
  return l;
}

trace::RequestRecord tool_record(const ToolContext& ctx, std::string what) {
  trace::RequestRecord rec;
  rec.url = std::move(what);
  rec.method = "DNS";
  rec.client = {std::string(dataplane::to_string(ctx.client.kind)), ctx.client.name, ctx.client.ip,
                ctx.client.node_name};
  return rec;
}

// nslookup and dig wait 5 s for an answer before they give up on a server.
constexpr core::Duration kToolTimeout = core::Duration::seconds(5);

ExecResult run_nslookup(ToolContext& ctx) {
  ExecResult res;
  std::vector<std::string> args(ctx.argv.begin() + 1, ctx.argv.end());
  NslookupOptions opts = parse_nslookup_args(args);
  if (!opts.error.empty()) {
    res.exit_code = 1;
    res.stderr_text = opts.error + "\n";
    return res;
  }
  const core::SimTime start = ctx.sim.now();
  NslookupRun run(opts, *ctx.client.resolv_conf, nslookup_flavor_for_image(ctx.container.image));
  trace::RequestRecord rec = tool_record(ctx, "nslookup " + opts.name);
  while (auto q = run.next_query()) {
    const core::SimTime sent = ctx.sim.now();
    auto ex = ctx.sim.dns_query(ctx.client, *q, run.server(), kToolTimeout, ctx.sink);
    rec.hops.insert(rec.hops.end(), ex.hops.begin(), ex.hops.end());
    rec.dns.push_back(lookup_of(*q, ex, sent));
    if (!ex.answered) {
      res.stdout_text = ";; connection timed out; no servers could be reached\n\n";
      res.exit_code = 1;
      rec.outcome = trace::Outcome::timeout;
      rec.exit_code = 1;
      rec.error = "no servers could be reached";
      rec.elapsed = ctx.sim.now() - start;
      res.hops = rec.hops;
      res.requests.push_back(std::move(rec));
      return res;
    }
    run.on_answer(ex.answer, ex.rtt);
  }
  ToolOutput o = run.output();
  res.stdout_text = std::move(o.out);
  res.stderr_text = std::move(o.err);
  res.exit_code = o.exit_code;
  rec.exit_code = o.exit_code;
  rec.outcome = o.exit_code == 0 ? trace::Outcome::ok : trace::Outcome::dns_failure;
  rec.elapsed = ctx.sim.now() - start;
  res.hops = rec.hops;
  res.requests.push_back(std::move(rec));
  return res;
}

ExecResult run_dig(ToolContext& ctx) {
  ExecResult res;
  std::vector<std::string> args(ctx.argv.begin() + 1, ctx.argv.end());
  DigOptions opts = parse_dig_args(args);
  if (!opts.error.empty()) {
    res.exit_code = 1;
    res.stderr_text = opts.error + "\n";
    return res;
  }
  const core::SimTime start = ctx.sim.now();
  // dig's query ID and cookie are random; podhop draws them from the pod's own stream.
  core::RngStream rng(ctx.sim.seed(), "dig/" + ctx.client.name);
  DigWire wire;
  wire.id = static_cast<std::uint16_t>(rng.uniform(65536));
  wire.cookie = rng.next_u64();
  wire.when_unix = controllers::kSimulatedEpochUnix + start.ns / 1'000'000'000;
  DigRun run(opts, *ctx.client.resolv_conf, wire);
  trace::RequestRecord rec = tool_record(ctx, "dig " + opts.name);
  while (auto q = run.next_query()) {
    const core::SimTime sent = ctx.sim.now();
    auto ex = ctx.sim.dns_query(ctx.client, *q, run.server(), kToolTimeout, ctx.sink);
    rec.hops.insert(rec.hops.end(), ex.hops.begin(), ex.hops.end());
    rec.dns.push_back(lookup_of(*q, ex, sent));
    if (!ex.answered) {
      res.stdout_text =
          fmt::format(";; communications error to {}#53: {}\n;; no servers could be reached\n",
                      run.server().str(), ex.error);
      res.exit_code = 9;
      rec.outcome = trace::Outcome::timeout;
      rec.exit_code = 9;
      rec.error = "no servers could be reached";
      rec.elapsed = ctx.sim.now() - start;
      res.hops = rec.hops;
      res.requests.push_back(std::move(rec));
      return res;
    }
    run.on_answer(ex.answer, ex.rtt);
  }
  ToolOutput o = run.output();
  res.stdout_text = std::move(o.out);
  res.stderr_text = std::move(o.err);
  res.exit_code = o.exit_code;
  rec.exit_code = o.exit_code;
  rec.elapsed = ctx.sim.now() - start;
  res.hops = rec.hops;
  res.requests.push_back(std::move(rec));
  return res;
}

}  // namespace

void install_dns_tools(Simulation& sim) {
  sim.add_tool("nslookup", run_nslookup);
  sim.add_tool("dig", run_dig);
}

}  // namespace podhop::cli
