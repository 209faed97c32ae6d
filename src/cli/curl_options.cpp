#include "cli/curl_options.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace podhop::cli {

bool parse_from(const std::string& text, const std::string& ns, dataplane::ClientRef& out,
                std::string& error) {
  if (text == "external") {
    out = dataplane::ClientRef::external();
    return true;
  }
  auto slash = text.find('/');
  std::string kind = slash == std::string::npos ? text : text.substr(0, slash);
  std::string rest = slash == std::string::npos ? std::string() : text.substr(slash + 1);
  if ((kind == "node" || kind == "no" || kind == "nodes") && !rest.empty() &&
      rest.find('/') == std::string::npos) {
    out = dataplane::ClientRef::node(rest);
    return true;
  }
  if ((kind == "pod" || kind == "po" || kind == "pods") && !rest.empty()) {
    auto second = rest.find('/');
    if (second == std::string::npos) {
      out = dataplane::ClientRef::pod(ns, rest);
    } else {
      out = dataplane::ClientRef::pod(rest.substr(0, second), rest.substr(second + 1));
    }
    if (!out.name.empty() && !out.namespace_.empty()) return true;
  }
  error = fmt::format(
      "invalid --from \"{}\": use external, node/NAME or pod/NAME (pod/NAMESPACE/NAME)", text);
  return false;
}

PodhopCurlArgs split_podhop_curl_args(const std::vector<std::string>& args, GlobalOptions& global) {
  PodhopCurlArgs out;
  std::string ns = "default";
  std::string from = "external";
  auto value_of = [&](std::size_t& i, const std::string& name) -> std::optional<std::string> {
    const std::string& a = args[i];
    if (a.size() > name.size() && a.compare(0, name.size() + 1, name + "=") == 0)
      return a.substr(name.size() + 1);
    if (a != name) return std::nullopt;
    if (i + 1 >= args.size()) {
      out.error = fmt::format("flag needs an argument: {}", name);
      return std::string();
    }
    return args[++i];
  };
  for (std::size_t i = 0; i < args.size() && out.error.empty(); ++i) {
    const std::string& a = args[i];
    if (auto v = value_of(i, "--from")) {
      from = *v;
    } else if (auto v2 = value_of(i, "--namespace")) {
      ns = *v2;
    } else if (a == "-n" && i + 1 < args.size()) {
      ns = args[++i];
    } else if ((a == "-o" || a == "--output") && i + 1 < args.size()) {
      const std::string& v3 = args[++i];
      if (v3 == "json")
        out.json = true;
      else {
        out.curl_args.push_back("-o");
        out.curl_args.push_back(v3);
      }
    } else if (auto f = value_of(i, "--filename")) {
      global.files.push_back(*f);
    } else if (a == "-f" && i + 1 < args.size()) {
      global.files.push_back(args[++i]);
    } else if (auto s = value_of(i, "--seed")) {
      global.seed = std::strtoull(s->c_str(), nullptr, 10);
    } else if (auto l = value_of(i, "--log-level")) {
      global.log_level = *l;
    } else if (auto t = value_of(i, "--trace-file")) {
      global.trace_file = *t;
    } else if (a == "--quiet") {
      global.quiet = true;
    } else {
      out.curl_args.push_back(a);
    }
  }
  if (out.error.empty() && parse_from(from, ns, out.from, out.error)) out.from_text = from;
  return out;
}

}  // namespace podhop::cli
