#include "podhop/trace/hop.hpp"

#include <charconv>
#include <ostream>

#include <fmt/format.h>

#include "podhop/trace/result.hpp"

namespace podhop::trace {

std::string Address::str() const {
  if (ip.empty() && port == 0) return "-";
  if (port == 0) return ip.str();
  std::string out = ip.str();
  char buf[8];
  buf[0] = ':';
  char* end = std::to_chars(buf + 1, buf + sizeof buf, port).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
  return out;
}

std::string format_hop_line(const Hop& hop) {
  // Two spaces per nesting level keep a forwarded request's hops visibly under the hop
  // that caused them, while the time stays in the first column for sorting and grepping.
  const std::string indent(static_cast<std::size_t>(hop.depth) * 2, ' ');
  return fmt::format("{} {}{:<10} {}  {} -> {}  {}", core::format_time(hop.t), indent, hop.stage,
                     hop.node, hop.from.str(), hop.to.str(), hop.detail);
}

std::string hop_json_line(const Hop& hop) {
  return to_json(hop).dump();
}

void JsonLinesSink::on_hop(const Hop& hop) {
  *out_ << hop_json_line(hop) << '\n';
}

void replay(const std::vector<Hop>& hops, HopSink& sink) {
  for (const Hop& h : hops) sink.on_hop(h);
}

}  // namespace podhop::trace
