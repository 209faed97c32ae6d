#include "podhop/controllers/names.hpp"

#include <fmt/format.h>

namespace podhop::controllers {

namespace {

// A canonical, unambiguous rendering of a pod template: every string is length-prefixed and
// every list counted, so two different templates never render the same. It plays the part
// of the Deployment controller's DeepHashObject (a spew dump of the template).
class Renderer {
 public:
  void str(std::string_view s) {
    num(static_cast<std::int64_t>(s.size()));
    out_.append(s);
  }
  void num(std::int64_t v) {
    out_.append(std::to_string(v));
    out_.push_back(':');
  }
  void flag(bool b) { out_.push_back(b ? 'T' : 'F'); }
  void map(const model::StringMap& m) {
    num(static_cast<std::int64_t>(m.size()));
    for (const auto& [k, v] : m) {
      str(k);
      str(v);
    }
  }
  void strings(const std::vector<std::string>& v) {
    num(static_cast<std::int64_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void int_or_string(const model::IntOrString& v) {
    num(static_cast<std::int64_t>(v.kind));
    num(v.int_value);
    str(v.str_value);
  }
  void probe(const std::optional<model::Probe>& p) {
    flag(p.has_value());
    if (!p) return;
    num(static_cast<std::int64_t>(p->handler));
    int_or_string(p->port);
    str(p->path);
    num(p->initial_delay.ns);
    num(p->period.ns);
    num(p->timeout.ns);
    num(p->success_threshold);
    num(p->failure_threshold);
  }
  void container(const model::Container& c) {
    str(c.name);
    str(c.image);
    strings(c.command);
    strings(c.args);
    num(static_cast<std::int64_t>(c.ports.size()));
    for (const auto& p : c.ports) {
      str(p.name);
      num(p.container_port);
      num(static_cast<std::int64_t>(p.protocol));
      num(p.host_port);
    }
    num(static_cast<std::int64_t>(c.env.size()));
    for (const auto& e : c.env) {
      str(e.name);
      str(e.value);
      flag(e.value_from);
    }
    probe(c.readiness_probe);
    probe(c.liveness_probe);
    probe(c.startup_probe);
    flag(c.pre_stop_sleep.has_value());
    num(c.pre_stop_sleep ? c.pre_stop_sleep->ns : 0);
    flag(c.has_pre_stop);
    str(c.restart_policy);
  }
  void spec(const model::PodSpec& s) {
    num(static_cast<std::int64_t>(s.containers.size()));
    for (const auto& c : s.containers) container(c);
    num(static_cast<std::int64_t>(s.init_containers.size()));
    for (const auto& c : s.init_containers) container(c);
    str(s.node_name);
    str(s.hostname);
    str(s.subdomain);
    num(static_cast<std::int64_t>(s.dns_policy));
    flag(s.dns_config.has_value());
    if (s.dns_config) {
      strings(s.dns_config->nameservers);
      strings(s.dns_config->searches);
      num(static_cast<std::int64_t>(s.dns_config->options.size()));
      for (const auto& o : s.dns_config->options) {
        str(o.name);
        flag(o.value.has_value());
        str(o.value.value_or(""));
      }
    }
    num(static_cast<std::int64_t>(s.host_aliases.size()));
    for (const auto& a : s.host_aliases) {
      str(a.ip);
      strings(a.hostnames);
    }
    flag(s.host_network);
    map(s.node_selector);
    num(s.termination_grace_period.ns);
    str(s.restart_policy);
  }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

}  // namespace

std::uint32_t fnv1a32(std::string_view data, std::uint32_t h) {
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

std::string safe_encode(std::string_view s) {
  std::string out(s.size(), ' ');
  for (std::size_t i = 0; i < s.size(); ++i)
    out[i] = kNameAlphabet[static_cast<unsigned char>(s[i]) % kNameAlphabet.size()];
  return out;
}

std::string pod_template_hash(const model::PodTemplate& tmpl) {
  Renderer r;
  r.map(tmpl.labels);
  r.map(tmpl.annotations);
  r.flag(tmpl.spec != nullptr);
  if (tmpl.spec) r.spec(*tmpl.spec);
  // As controller.ComputeHash: the 32-bit hash printed in decimal, then safe-encoded.
  return safe_encode(std::to_string(fnv1a32(r.text())));
}

std::string random_suffix(core::RngStream& rng, std::size_t n) {
  std::string out(n, ' ');
  for (auto& c : out) c = kNameAlphabet[rng.uniform(kNameAlphabet.size())];
  return out;
}

std::string generated_name(std::uint64_t seed, std::string_view stream, std::string_view prefix,
                           std::uint64_t k) {
  core::RngStream rng(seed, fmt::format("{}#{}", stream, k));
  const std::string_view head = prefix.substr(0, kMaxGeneratedPrefix);
  const std::string suffix = random_suffix(rng);
  // Sized once: appending to a string of the prefix's size would double its room, and the
  // name is kept (150,000 pods at the published limits).
  std::string name;
  name.reserve(head.size() + suffix.size());
  name += head;
  name += suffix;
  return name;
}

}  // namespace podhop::controllers
