// Applications: choosing what a container does, where it listens, and what it answers.
// The contract is SPEC section 3; docs/apps.md lists the profiles and their outputs.

#include "podhop/dataplane/apps.hpp"
#include "podhop/core/strings.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "podhop/core/check.hpp"

namespace podhop::dataplane {

namespace {

using model::Protocol;

// ---------------------------------------------------------------------------------------
// Small text helpers

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

using core::ascii_lower;

char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

using core::iequals;
using core::lower;

std::optional<std::int32_t> parse_int(std::string_view s) {
  std::int32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// "app1:svc" -> the value of a Go-style flag: `-name=value`, `--name=value`, `-name value`.
/// Returns nullopt when the flag is absent. The last occurrence wins, as with Go's flag
/// package.
std::optional<std::string> go_flag(const std::vector<std::string>& argv, std::string_view name) {
  std::optional<std::string> found;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (starts_with(a, "--"))
      a.remove_prefix(2);
    else if (starts_with(a, "-"))
      a.remove_prefix(1);
    else
      continue;
    if (a == name) {
      if (i + 1 < argv.size()) found = argv[i + 1];
      ++i;
    } else if (a.size() > name.size() && starts_with(a, name) && a[name.size()] == '=') {
      found = std::string(a.substr(name.size() + 1));
    }
  }
  return found;
}

/// The port of a listen address: ":5678", "0.0.0.0:8080", "8080".
std::optional<std::int32_t> listen_port(std::string_view addr) {
  auto colon = addr.rfind(':');
  if (colon != std::string_view::npos) addr = addr.substr(colon + 1);
  auto p = parse_int(addr);
  if (!p || *p <= 0 || *p > 65535) return std::nullopt;
  return p;
}

// ---------------------------------------------------------------------------------------
// Image references

/// An image reference split the way Docker resolves it: "nginx" is
/// "docker.io/library/nginx:latest"; we keep the repository without the Docker Hub prefix.
struct ImageRef {
  std::string repo;    // "nginx", "hashicorp/http-echo", "registry.k8s.io/echoserver"
  std::string tag;     // "" when none was written
  std::string digest;  // "sha256:..." or ""
  std::string_view name() const { return basename(repo); }
  /// "repo:tag" with the implied :latest, digest kept: the form exact matches compare.
  std::string canonical() const {
    std::string out = repo;
    if (!tag.empty())
      out += ":" + tag;
    else if (digest.empty())
      out += ":latest";
    if (!digest.empty()) out += "@" + digest;
    return out;
  }
};

ImageRef parse_image(std::string_view image) {
  ImageRef ref;
  auto at = image.find('@');
  if (at != std::string_view::npos) {
    ref.digest = std::string(image.substr(at + 1));
    image = image.substr(0, at);
  }
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(image.substr(colon + 1));
    image = image.substr(0, colon);
  }
  for (std::string_view hub : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
    if (starts_with(image, hub)) {
      image.remove_prefix(hub.size());
      break;
    }
  }
  if (starts_with(image, "library/")) image.remove_prefix(8);
  ref.repo = std::string(image);
  return ref;
}

/// The leading "1.25.3" of a tag such as "1.25.3-alpine" or "v2.0"; empty when the tag does
/// not start with a version.
std::string version_of_tag(std::string_view tag) {
  if (starts_with(tag, "v")) tag.remove_prefix(1);
  std::size_t n = 0;
  while (n < tag.size() && ((tag[n] >= '0' && tag[n] <= '9') || tag[n] == '.')) ++n;
  std::string v(tag.substr(0, n));
  while (!v.empty() && v.back() == '.') v.pop_back();
  if (v.empty() || v.front() == '.') return {};
  return v;
}

/// "2.0" -> "2.0.0": hello-app reports three components.
std::string three_part_version(std::string v) {
  auto dots = std::count(v.begin(), v.end(), '.');
  for (auto i = dots; i < 2; ++i) v += ".0";
  return v;
}

// ---------------------------------------------------------------------------------------
// Built-in profiles

/// nginx reports its own version in the Server header; without a version tag we say the
/// version the official image's "latest" had when this table was written.
constexpr std::string_view kNginxDefaultVersion = "1.27.4";

constexpr std::string_view kToolImages[] = {
    "curl",     "busybox", "alpine",   "ubuntu",        "debian",
    "centos",   "fedora",  "netshoot", "dnsutils",      "jessie-dnsutils",
    "dnstools", "pause",   "toolbox",  "loadgenerator", "examplevotingapp_worker",
    "kubectl",
};

struct TcpServerProfile {
  std::string_view profile;
  std::vector<std::string_view> names;  // image names (last path component)
  std::vector<std::int32_t> ports;
};

const std::vector<TcpServerProfile>& tcp_server_profiles() {
  // Function-local const table: immutable, so not the static mutable state STYLE forbids.
  static const std::vector<TcpServerProfile> table = {
      {"redis",
       {"redis", "redis-stack-server", "valkey", "gb-redisslave", "redis-slave", "redis-master"},
       {6379}},
      {"postgres", {"postgres", "postgresql", "postgis"}, {5432}},
      {"mysql", {"mysql", "mariadb"}, {3306}},
      {"mongo", {"mongo", "mongodb"}, {27017}},
      {"memcached", {"memcached"}, {11211}},
      {"cassandra", {"cassandra"}, {7000, 7001, 7199, 9042}},
  };
  return table;
}

/// What a profile decided for a container, before ports are settled.
struct ProfileChoice {
  AppKind kind = AppKind::echo;
  std::string profile;
  std::vector<ListenPort> ports;
  std::string text;
  std::int32_t status = 200;
  std::string version;
  bool show_pod_info = false;
  std::string note;  // extra words for `explain`
};

std::vector<ListenPort> tcp_ports(std::initializer_list<std::int32_t> ports) {
  std::vector<ListenPort> out;
  for (auto p : ports) out.push_back({p, Protocol::TCP});
  return out;
}

/// The env value of `name` when literally set (not valueFrom).
const model::EnvVar* find_env(const model::Container& c, std::string_view name) {
  const model::EnvVar* found = nullptr;
  for (const auto& e : c.env)
    if (e.name == name) found = &e;  // the last definition wins, as in kubelet
  return found;
}

std::vector<std::string> argv_of(const model::Container& c) {
  std::vector<std::string> argv = c.command;
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  return argv;
}

/// True when the container's command only waits: `sleep ...`, `sh -c "sleep ..."`,
/// `tail -f /dev/null`. Such a container listens nowhere whatever its image.
bool only_sleeps(const model::Container& c) {
  auto argv = argv_of(c);
  if (argv.empty()) return false;
  auto first = basename(argv[0]);
  if (first == "sleep") return true;
  if (first == "tail" && argv.size() >= 3 && argv[1] == "-f" && argv[2] == "/dev/null") return true;
  if (first == "sh" || first == "bash" || first == "ash") {
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
      if (argv[i] != "-c") continue;
      std::string_view script = argv[i + 1];
      while (!script.empty() && (script.front() == ' ' || script.front() == '\n'))
        script.remove_prefix(1);
      return starts_with(script, "sleep ") || starts_with(script, "exec sleep ") ||
             script == "tail -f /dev/null" || starts_with(script, "while true; do sleep");
    }
  }
  return false;
}

std::optional<ProfileChoice> nginx_profile(const ImageRef& ref) {
  auto name = ref.name();
  std::vector<ListenPort> ports;
  if (name == "nginx" && ref.repo.find("ingress-nginx") == std::string::npos) {
    // bitnami's image runs unprivileged on 8080; the official one and its mirrors on 80.
    ports = starts_with(ref.repo, "bitnami/") ? tcp_ports({8080}) : tcp_ports({80});
  } else if (name == "nginx-unprivileged") {
    ports = tcp_ports({8080});
  } else if (name == "nginxhttps") {
    ports = tcp_ports({80, 443});
  } else {
    return std::nullopt;
  }
  ProfileChoice p;
  p.kind = AppKind::nginx;
  p.profile = "nginx";
  p.ports = std::move(ports);
  // "1.25.3" is exact; "1.25" names a line whose patch we cannot know: say .0.
  std::string v = version_of_tag(ref.tag);
  auto dots = std::count(v.begin(), v.end(), '.');
  p.version = dots == 2 ? v : dots == 1 ? v + ".0" : std::string(kNginxDefaultVersion);
  return p;
}

std::optional<ProfileChoice> http_echo_profile(const ImageRef& ref, const model::Container& c) {
  if (ref.repo != "hashicorp/http-echo") return std::nullopt;
  ProfileChoice p;
  p.kind = AppKind::http_echo;
  p.profile = "http-echo";
  auto argv = c.args;  // the image's entrypoint is http-echo itself; flags come in args
  if (!c.command.empty()) argv = argv_of(c);
  std::int32_t port = 5678;
  if (auto listen = go_flag(argv, "listen")) {
    if (auto lp = listen_port(*listen)) port = *lp;
  }
  p.ports = tcp_ports({port});
  if (auto code = go_flag(argv, "status-code")) {
    if (auto sc = parse_int(*code)) p.status = *sc;
  }
  auto text = go_flag(argv, "text");
  if (!text) {
    if (const auto* env = find_env(c, "ECHO_TEXT"); env && !env->value_from) text = env->value;
  }
  std::string v = version_of_tag(ref.tag);
  p.version = v.empty() ? "1.0.0" : v;
  if (!text || text->empty()) {
    // http-echo exits with "Missing -text option!": the container crash-loops and nothing
    // listens, whatever containerPorts say.
    p.kind = AppKind::none;
    p.ports.clear();
    p.note = "exits: missing -text option";
    return p;
  }
  p.text = *text;
  return p;
}

std::optional<ProfileChoice> echoserver_profile(const ImageRef& ref, const model::Container& c) {
  auto name = ref.name();
  if (name != "echoserver" && name != "e2e-test-echo") return std::nullopt;
  ProfileChoice p;
  p.kind = AppKind::echoserver;
  p.profile = "echoserver";
  p.ports = tcp_ports({8080});
  // Before 1.10 the image printed "CLIENT VALUES:"; 1.10 and the e2e-test-images 2.x
  // rebuilds print "Request Information:".
  std::string v = version_of_tag(ref.tag);
  p.version = v.empty() ? "1.10" : v;
  if (name == "e2e-test-echo") p.version = "2.3";
  p.show_pod_info = find_env(c, "POD_NAME") != nullptr;
  return p;
}

bool old_echoserver(std::string_view version) {
  auto dot = version.find('.');
  auto major = parse_int(version.substr(0, dot)).value_or(1);
  auto minor =
      dot == std::string_view::npos
          ? 0
          : parse_int(version.substr(dot + 1, version.find('.', dot + 1) - dot - 1)).value_or(0);
  return major == 1 && minor < 10;
}

std::optional<ProfileChoice> hello_app_profile(const ImageRef& ref, const model::Container& c) {
  if (ref.name() != "hello-app") return std::nullopt;
  ProfileChoice p;
  p.kind = AppKind::hello_app;
  p.profile = "hello-app";
  std::int32_t port = 8080;
  if (const auto* env = find_env(c, "PORT"); env && !env->value_from) {
    if (auto lp = listen_port(env->value)) port = *lp;
  }
  p.ports = tcp_ports({port});
  std::string v = version_of_tag(ref.tag);
  p.version = three_part_version(v.empty() ? "1.0" : v);
  return p;
}

std::optional<ProfileChoice> httpbin_profile(const ImageRef& ref) {
  auto name = ref.name();
  if (name != "httpbin" && name != "go-httpbin") return std::nullopt;
  ProfileChoice p;
  p.kind = AppKind::httpbin;
  p.profile = "httpbin";
  p.ports = name == "go-httpbin" ? tcp_ports({8080}) : tcp_ports({80});
  return p;
}

std::optional<ProfileChoice> agnhost_profile(const ImageRef& ref, const model::Container& c) {
  auto name = ref.name();
  if (name == "serve_hostname" || name == "serve-hostname") {
    ProfileChoice p;
    p.kind = AppKind::serve_hostname;
    p.profile = "serve-hostname";
    p.ports = tcp_ports({9376});
    return p;
  }
  if (name != "agnhost") return std::nullopt;
  ProfileChoice p;
  p.profile = "agnhost";
  // agnhost's entrypoint is /agnhost; the subcommand is the first word after it.
  auto argv = argv_of(c);
  std::size_t i = 0;
  if (i < argv.size() && basename(argv[i]) == "agnhost") ++i;
  std::string sub = i < argv.size() ? argv[i] : std::string();
  std::vector<std::string> flags(
      argv.begin() + static_cast<std::ptrdiff_t>(std::min(i + 1, argv.size())), argv.end());
  if (sub == "netexec") {
    p.kind = AppKind::agnhost_netexec;
    p.profile = "agnhost netexec";
    std::int32_t http = 8080;
    std::int32_t udp = 8081;
    if (auto f = go_flag(flags, "http-port"); f && parse_int(*f)) http = *parse_int(*f);
    if (auto f = go_flag(flags, "udp-port"); f && parse_int(*f)) udp = *parse_int(*f);
    p.ports = tcp_ports({http});
    if (udp > 0) p.ports.push_back({udp, Protocol::UDP});
    return p;
  }
  if (sub == "serve-hostname") {
    p.kind = AppKind::serve_hostname;
    p.profile = "agnhost serve-hostname";
    std::int32_t port = 9376;
    if (auto f = go_flag(flags, "port"); f && parse_int(*f)) port = *parse_int(*f);
    p.ports = tcp_ports({port});
    return p;
  }
  // Without a subcommand agnhost prints its help and exits; `pause` and the rest serve
  // nothing we simulate.
  p.kind = AppKind::none;
  p.note = sub.empty() ? "no subcommand" : "subcommand " + sub;
  return p;
}

std::optional<ProfileChoice> helloworld_profile(const ImageRef& ref, const model::Container& c) {
  auto name = ref.name();
  if (!starts_with(name, "examples-helloworld-")) return std::nullopt;
  ProfileChoice p;
  p.kind = AppKind::helloworld;
  p.profile = "istio helloworld";
  p.ports = tcp_ports({5000});
  p.version = std::string(name.substr(std::string_view("examples-helloworld-").size()));
  if (const auto* env = find_env(c, "SERVICE_VERSION"); env && !env->value_from)
    p.version = env->value;
  return p;
}

std::optional<ProfileChoice> tcp_server_profile(const ImageRef& ref) {
  auto name = ref.name();
  for (const auto& t : tcp_server_profiles()) {
    if (std::find(t.names.begin(), t.names.end(), name) == t.names.end()) continue;
    ProfileChoice p;
    p.kind = AppKind::tcp_server;
    p.profile = std::string(t.profile);
    for (auto port : t.ports) p.ports.push_back({port, Protocol::TCP});
    return p;
  }
  return std::nullopt;
}

std::optional<ProfileChoice> tools_profile(const ImageRef& ref) {
  auto name = ref.name();
  if (std::find(std::begin(kToolImages), std::end(kToolImages), name) == std::end(kToolImages))
    return std::nullopt;
  ProfileChoice p;
  p.kind = AppKind::none;
  p.profile = "tools";
  return p;
}

std::optional<ProfileChoice> find_profile(const ImageRef& ref, const model::Container& c) {
  if (auto p = nginx_profile(ref)) return p;
  if (auto p = http_echo_profile(ref, c)) return p;
  if (auto p = echoserver_profile(ref, c)) return p;
  if (auto p = hello_app_profile(ref, c)) return p;
  if (auto p = httpbin_profile(ref)) return p;
  if (auto p = agnhost_profile(ref, c)) return p;
  if (auto p = helloworld_profile(ref, c)) return p;
  if (auto p = tcp_server_profile(ref)) return p;
  if (auto p = tools_profile(ref)) return p;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Choosing an App

/// The Apps of a cluster in (namespace, name) order, ready for matching.
class AppIndex {
 public:
  explicit AppIndex(const model::ClusterState& state) {
    sorted_ = state.apps.sorted();
    for (const auto* app : sorted_) {
      Entry e{app, parse_image(app->spec.image).canonical(), false};
      std::string_view img = app->spec.image;
      if (!img.empty() && img.back() == '*') {
        e.pattern = true;
        patterns_.push_back(e);
      } else {
        exact_.push_back(e);
      }
    }
    // Longest pattern first; stable, so equal lengths keep (namespace, name) order.
    std::stable_sort(patterns_.begin(), patterns_.end(), [](const Entry& a, const Entry& b) {
      return a.app->spec.image.size() > b.app->spec.image.size();
    });
  }

  /// The App named by an annotation value: "name" (own namespace first, then any) or
  /// "namespace/name".
  const model::App* by_name(const model::ClusterState& state, std::string_view ns,
                            std::string_view value) const {
    auto slash = value.find('/');
    if (slash != std::string_view::npos)
      return state.apps.find(value.substr(0, slash), value.substr(slash + 1));
    if (const auto* own = state.apps.find(ns, value)) return own;
    for (const auto* app : sorted_)
      if (app->meta.name == value) return app;
    return nullptr;
  }

  /// The App whose image matches exactly (raw or canonical), own namespace first.
  const model::App* exact(std::string_view ns, std::string_view image,
                          const std::string& canon) const {
    const model::App* any = nullptr;
    for (const auto& e : exact_) {
      if (e.app->spec.image != image && e.canonical != canon) continue;
      if (e.app->meta.namespace_ == ns) return e.app;
      if (!any) any = e.app;
    }
    return any;
  }

  /// The App with the longest pattern that prefixes the image (raw or canonical); among
  /// equally long ones, own namespace first.
  const model::App* pattern(std::string_view ns, std::string_view image,
                            const std::string& canon) const {
    const model::App* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& e : patterns_) {
      std::string_view prefix = e.app->spec.image;
      prefix.remove_suffix(1);
      if (best && prefix.size() + 1 < best_len) break;  // sorted: nothing longer follows
      if (!starts_with(image, prefix) && !starts_with(canon, prefix)) continue;
      if (!best) {
        best = e.app;
        best_len = e.app->spec.image.size();
      }
      if (e.app->meta.namespace_ == ns) return e.app;
    }
    return best;
  }

 private:
  struct Entry {
    const model::App* app;
    std::string canonical;
    bool pattern;
  };
  std::vector<const model::App*> sorted_;  // every App, (namespace, name) order
  std::vector<Entry> exact_;
  std::vector<Entry> patterns_;
};

std::string app_ref(const model::App& app) {
  return fmt::format("{}/{}", app.meta.namespace_, app.meta.name);
}

std::vector<ListenPort> declared_ports(const model::Container& c) {
  std::vector<ListenPort> out;
  for (const auto& p : c.ports)
    if (p.container_port > 0) out.push_back({p.container_port, p.protocol});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string ports_list(const std::vector<ListenPort>& ports) {
  if (ports.empty()) return "no ports";
  std::string out;
  for (const auto& p : ports) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{}/{}", p.port, model::to_string(p.protocol));
  }
  return out;
}

/// The annotation that applies to a container: `podhop.dev/app.<container>` beats
/// `podhop.dev/app`.
const std::string* app_annotation(const model::Pod& pod, const model::Container& c) {
  std::string specific = fmt::format("{}.{}", kAppAnnotation, c.name);
  if (const auto* v = pod.meta.annotations.get(specific)) return v;
  return pod.meta.annotations.get(kAppAnnotation);
}

void apply_app(AppBehavior& b, const model::App& app, const model::ClusterState& state,
               const model::Pod& pod, const model::Container& c) {
  b.app = app_ref(app);
  b.capacity = app.spec.capacity;
  if (app.spec.respond) {
    b.kind = AppKind::respond;
    b.respond = *app.spec.respond;
  } else if (app.spec.forward) {
    b.kind = AppKind::forward;
    b.forward = *app.spec.forward;
    b.forward.url = expand_env_refs(app.spec.forward->url, container_environment(state, pod, c));
  } else {
    // An App that says neither respond nor forward only names ports: it echoes.
    b.kind = AppKind::echo;
  }
  if (b.ports.empty()) {
    for (auto p : app.spec.ports) b.ports.push_back({p, Protocol::TCP});
    std::sort(b.ports.begin(), b.ports.end());
    b.ports.erase(std::unique(b.ports.begin(), b.ports.end()), b.ports.end());
  }
  if (b.ports.empty()) b.ports = tcp_ports({8080});
}

AppBehavior resolve_with(const AppIndex& index, const model::ClusterState& state,
                         const model::Pod& pod, const model::Container& c,
                         core::Diagnostics* warnings) {
  AppBehavior b;
  b.container = c.name;
  b.image = c.image;
  b.ports = declared_ports(c);
  b.ports_declared = !b.ports.empty();
  const auto& ns = pod.meta.namespace_;
  ImageRef ref = parse_image(c.image);
  std::string canon = ref.canonical();

  // 1. The annotation.
  if (const auto* name = app_annotation(pod, c)) {
    if (const auto* app = index.by_name(state, ns, *name)) {
      b.source = AppSource::annotation;
      apply_app(b, *app, state, pod, c);
      b.explain = fmt::format("App {} (annotation {}={})", b.app, kAppAnnotation, *name);
      return b;
    }
    if (warnings) {
      warnings->warning(pod.meta.source, model::describe_object("Pod", pod.meta.name),
                        fmt::format("metadata.annotations[{}]", kAppAnnotation),
                        fmt::format("App \"{}\" not found; container \"{}\" uses the next rule "
                                    "(image match, profile, echo server)",
                                    *name, c.name));
    }
  }
  // 2 and 3. An App for the image.
  if (const auto* app = index.exact(ns, c.image, canon)) {
    b.source = AppSource::app_exact;
    apply_app(b, *app, state, pod, c);
    b.explain = fmt::format("App {} (image {})", b.app, c.image);
    return b;
  }
  if (const auto* app = index.pattern(ns, c.image, canon)) {
    b.source = AppSource::app_pattern;
    apply_app(b, *app, state, pod, c);
    b.explain = fmt::format("App {} (image {} matches {})", b.app, c.image, app->spec.image);
    return b;
  }
  // 4. A profile, unless the command only sleeps.
  std::optional<ProfileChoice> profile;
  if (only_sleeps(c)) {
    profile = ProfileChoice{};
    profile->kind = AppKind::none;
    profile->profile = "sleep";
    profile->note = "the command only sleeps";
  } else {
    profile = find_profile(ref, c);
  }
  if (profile) {
    b.source = AppSource::profile;
    b.kind = profile->kind;
    b.profile = profile->profile;
    b.text = profile->text;
    b.status = profile->status;
    b.version = profile->version;
    b.show_pod_info = profile->show_pod_info;
    std::string note = profile->note.empty() ? "" : ", " + profile->note;
    if (b.kind == AppKind::none && profile->note.starts_with("exits")) {
      // A crash-looping container listens nowhere, whatever it declares.
      b.ports.clear();
      b.ports_declared = false;
    } else if (b.kind == AppKind::none && b.ports_declared) {
      // It declares ports, so something we cannot see serves them (a busybox httpd, nc):
      // the echo server stands in for it.
      b.kind = AppKind::echo;
      note += ", declared ports answered by the echo server";
    } else if (!b.ports_declared) {
      b.ports = profile->ports;
    }
    b.explain = fmt::format("profile {} (image {}{})", b.profile, c.image, note);
    return b;
  }
  // 5. The default echo server.
  b.source = AppSource::default_echo;
  b.kind = AppKind::echo;
  if (b.ports.empty()) b.ports = tcp_ports({8080});
  b.explain = fmt::format("default echo server (no App or profile for image {})", c.image);
  return b;
}

PodApps resolve_pod(const AppIndex& index, const model::ClusterState& state, const model::Pod& pod,
                    core::Diagnostics* warnings) {
  PodApps out;
  if (!pod.spec) return out;
  for (const auto& c : pod.spec->containers)
    out.containers.push_back(resolve_with(index, state, pod, c, warnings));
  for (const auto& c : pod.spec->init_containers)
    if (c.restart_policy == "Always")
      out.containers.push_back(resolve_with(index, state, pod, c, warnings));
  for (const auto& b : out.containers) {
    out.listening.insert(out.listening.end(), b.ports.begin(), b.ports.end());
    if (b.capacity.limited()) out.any_limited = true;
  }
  std::sort(out.listening.begin(), out.listening.end());
  out.listening.erase(std::unique(out.listening.begin(), out.listening.end()), out.listening.end());
  return out;
}

// ---------------------------------------------------------------------------------------
// Service environment variables (kubelet's envvars.FromServices)

std::string env_name(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back(c == '-' ? '_' : ascii_upper(c));
  return out;
}

void add_service_env(model::StringMap& env, const model::Service& svc) {
  const auto& spec = svc.spec;
  if (spec.headless || spec.cluster_ip.empty() || spec.ports.empty()) return;
  std::string prefix = env_name(svc.meta.name);
  std::string ip = spec.cluster_ip.str();
  env.set(prefix + "_SERVICE_HOST", ip);
  env.set(prefix + "_SERVICE_PORT", std::to_string(spec.ports[0].port));
  for (const auto& sp : spec.ports)
    if (!sp.name.empty())
      env.set(prefix + "_SERVICE_PORT_" + env_name(sp.name), std::to_string(sp.port));
  for (std::size_t i = 0; i < spec.ports.size(); ++i) {
    const auto& sp = spec.ports[i];
    std::string proto_upper(model::to_string(sp.protocol));
    std::string proto = lower(proto_upper);
    std::string url = fmt::format("{}://{}:{}", proto, ip, sp.port);
    if (i == 0) env.set(prefix + "_PORT", url);
    std::string port_prefix = fmt::format("{}_PORT_{}_{}", prefix, sp.port, proto_upper);
    env.set(port_prefix, url);
    env.set(port_prefix + "_PROTO", proto);
    env.set(port_prefix + "_PORT", std::to_string(sp.port));
    env.set(port_prefix + "_ADDR", ip);
  }
}

// ---------------------------------------------------------------------------------------
// Responses

void set_header(std::vector<HttpHeader>& headers, std::string name, std::string value) {
  for (auto& h : headers) {
    if (iequals(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::move(name), std::move(value)});
}

bool has_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HttpHeader& h) { return iequals(h.name, name); });
}

/// A response with Content-Type and Content-Length; HEAD gets the headers without the body.
AppAction respond(const AppRequest& req, std::int32_t status, std::string content_type,
                  std::string body, std::vector<HttpHeader> headers, std::string detail) {
  AppAction a;
  a.kind = AppAction::Kind::respond;
  a.response.status = status;
  a.response.headers = std::move(headers);
  if (!has_header(a.response.headers, "Content-Type") && !content_type.empty())
    a.response.headers.push_back({"Content-Type", std::move(content_type)});
  set_header(a.response.headers, "Content-Length", std::to_string(body.size()));
  if (req.method != "HEAD") a.response.body = std::move(body);
  a.detail = std::move(detail);
  return a;
}

std::string_view path_only(std::string_view path) {
  auto q = path.find('?');
  return q == std::string_view::npos ? path : path.substr(0, q);
}

std::string_view query_of(std::string_view path) {
  auto q = path.find('?');
  return q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
}

/// "host:port" without the port, lower-cased, as nginx's $host.
std::string host_without_port(std::string_view host) {
  auto colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  return lower(host);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
      } else {
        out.push_back('%');
      }
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

/// The query parameters in order, decoded.
std::vector<std::pair<std::string, std::string>> query_params(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    out.emplace_back(percent_decode(item.substr(0, eq)), eq == std::string_view::npos
                                                             ? std::string()
                                                             : percent_decode(item.substr(eq + 1)));
  }
  return out;
}

/// Appends `v` in decimal.
void append_decimal(std::string& out, std::int64_t v) {
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

std::string client_text(const AppRequest& req) {
  return fmt::format("{}:{}", req.client_ip.str(), req.client_port);
}

std::string host_or_pod(const AppRequest& req) {
  if (!req.host.empty()) return std::string(req.host);
  return fmt::format("{}:{}", req.pod_ip.str(), req.port);
}

// Writes text into a buffer sized beforehand: one bounds computation, then plain copies
// (each std::string::append checks its capacity and is an out-of-line call).
class TextWriter {
 public:
  explicit TextWriter(char* p) : p_(p) {}
  TextWriter& put(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
    return *this;
  }
  TextWriter& put(char c) {
    *p_++ = c;
    return *this;
  }
  /// At most 20 characters.
  TextWriter& decimal(std::int64_t v) {
    p_ = std::to_chars(p_, p_ + 20, v).ptr;
    return *this;
  }
  /// At most 15 characters: "255.255.255.255". The octets by hand, as to_chars writes
  /// them (no leading zeros): a call per octet costs more than the digits.
  TextWriter& ip(core::Ipv4 v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      unsigned octet = (v.value >> shift) & 255u;
      if (octet >= 100) {
        *p_++ = static_cast<char>('0' + octet / 100);
        octet %= 100;
        *p_++ = static_cast<char>('0' + octet / 10);
      } else if (octet >= 10) {
        *p_++ = static_cast<char>('0' + octet / 10);
      }
      *p_++ = static_cast<char>('0' + octet % 10);
      if (shift > 0) *p_++ = '.';
    }
    return *this;
  }
  char* end() const { return p_; }

 private:
  char* p_;
};

// The default echo server's answer, written into `a` (every field of it), so that a reused
// action keeps the memory of its body and header strings.
void handle_echo_into(const AppRequest& req, AppAction& a) {
  // Built by plain copies into the body's own memory, not fmt: the default echo server
  // answers most bulk traffic.
  using namespace std::string_view_literals;
  a.kind = AppAction::Kind::respond;
  a.response.status = 200;
  a.response.latency = {};
  a.forward.url.clear();
  assign_if_differs(a.forward.method, "GET"sv);
  a.forward.headers.clear();
  a.forward.body.clear();
  a.raw.clear();
  // What a proxy in front said about the client (ingress-nginx sets both): behind a proxy
  // `client` is the proxy, these are who it proxied for.
  const HttpHeader* proxied[2] = {nullptr, nullptr};
  constexpr std::string_view kProxyHeaders[2] = {"X-Forwarded-For"sv, "X-Real-IP"sv};
  // The fixed words, two addresses and two numbers take at most 131 characters.
  std::size_t bound = 192 + req.pod_namespace.size() + req.pod_name.size() + req.node.size() +
                      req.method.size() + req.host.size() + req.path.size();
  for (int i = 0; i < 2; ++i) {
    for (const auto& h : req.headers)
      if (iequals(h.name, kProxyHeaders[i])) {
        proxied[i] = &h;
        bound += kProxyHeaders[i].size() + 3 + h.value.size();
        break;
      }
  }
  std::string& body = a.response.body;
  // Written on the stack and copied once: the body's buffer is cold (it last held the
  // answer of a request that completed long ago), and resize() would first zero all of
  // `bound` in it, more cache lines than the text needs.
  constexpr std::size_t kStackBody = 1024;
  char stack_body[kStackBody];
  const bool on_stack = bound <= kStackBody;
  if (!on_stack) body.resize(bound);  // within the capacity kept from the last answer
  char* const first = on_stack ? stack_body : body.data();
  TextWriter w(first);
  w.put("pod: "sv).put(req.pod_namespace).put('/').put(req.pod_name);
  w.put("\npod_ip: "sv).ip(req.pod_ip);
  w.put("\nnode: "sv).put(req.node).put("\nclient: "sv).ip(req.client_ip);
  w.put(':').decimal(req.client_port);
  w.put("\nrequest: "sv).put(req.method).put(' ');
  if (!req.host.empty())
    w.put(req.host);
  else
    w.ip(req.pod_ip).put(':').decimal(req.port);
  w.put(req.path.empty() ? "/"sv : req.path).put('\n');
  for (int i = 0; i < 2; ++i)
    if (proxied[i]) w.put(kProxyHeaders[i]).put(": "sv).put(proxied[i]->value).put('\n');
  if (on_stack)
    body.assign(first, static_cast<std::size_t>(w.end() - first));
  else
    body.resize(static_cast<std::size_t>(w.end() - first));
  // What respond() builds, without its header lookups.
  a.response.headers.resize(2);
  assign_if_differs(a.response.headers[0].name, "Content-Type"sv);
  assign_if_differs(a.response.headers[0].value, "text/plain; charset=utf-8"sv);
  assign_if_differs(a.response.headers[1].name, "Content-Length"sv);
  a.response.headers[1].value.clear();
  append_decimal(a.response.headers[1].value, static_cast<std::int64_t>(body.size()));
  if (req.method == "HEAD") body.clear();
  if (req.explain)
    a.detail = fmt::format("echo server answered {} {}", req.method, req.path);
  else
    a.detail.clear();
}

std::string nginx_welcome() {
  return "<!DOCTYPE html>\n"
         "<html>\n"
         "<head>\n"
         "<title>Welcome to nginx!</title>\n"
         "<style>\n"
         "html { color-scheme: light dark; }\n"
         "body { width: 35em; margin: 0 auto;\n"
         "font-family: Tahoma, Verdana, Arial, sans-serif; }\n"
         "</style>\n"
         "</head>\n"
         "<body>\n"
         "<h1>Welcome to nginx!</h1>\n"
         "<p>If you see this page, the nginx web server is successfully installed and\n"
         "working. Further configuration is required.</p>\n"
         "\n"
         "<p>For online documentation and support please refer to\n"
         "<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\n"
         "Commercial support is available at\n"
         "<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n"
         "\n"
         "<p><em>Thank you for using nginx.</em></p>\n"
         "</body>\n"
         "</html>\n";
}

/// nginx's built-in error page: "404 Not Found", "405 Not Allowed". Lines end with CRLF, as
/// in nginx's ngx_http_special_response.c.
std::string nginx_error_page(std::string_view status_line, std::string_view server) {
  return fmt::format(
      "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
      "<hr><center>{1}</center>\r\n</body>\r\n</html>\r\n",
      status_line, server);
}

AppAction handle_nginx(const AppBehavior& app, const AppRequest& req) {
  std::string server = "nginx/" + app.version;
  std::vector<HttpHeader> headers{{"Server", server}};
  auto path = path_only(req.path);
  bool is_file = path == "/" || path == "/index.html" || path == "/50x.html";
  auto error = [&](std::int32_t status, std::string_view line) {
    return respond(req, status, "text/html", nginx_error_page(line, server), headers,
                   fmt::format("nginx: {} for {} {}", line, req.method, path));
  };
  // nginx's static handler: only GET, HEAD and POST reach the file lookup, and POST to a
  // file that exists is refused.
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST")
    return error(405, "405 Not Allowed");
  if (!is_file) return error(404, "404 Not Found");
  if (req.method == "POST") return error(405, "405 Not Allowed");
  headers.push_back({"Accept-Ranges", "bytes"});
  if (path == "/50x.html") {
    std::string page =
        "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n"
        "<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently "
        "unavailable.<br/>\nPlease try again later.</p>\n</body>\n</html>\n";
    return respond(req, 200, "text/html", std::move(page), headers, "nginx served /50x.html");
  }
  return respond(req, 200, "text/html", nginx_welcome(), headers,
                 fmt::format("nginx served the welcome page for {}", path));
}

AppAction handle_http_echo(const AppBehavior& app, const AppRequest& req) {
  std::vector<HttpHeader> headers;
  // http-echo 1.0 names itself in two headers; older releases did not.
  if (!app.version.empty() && app.version.front() >= '1') {
    headers.push_back({"X-App-Name", "http-echo"});
    headers.push_back({"X-App-Version", app.version});
  }
  if (path_only(req.path) == "/health" && !headers.empty())
    return respond(req, 200, "application/json", "{\"status\":\"ok\"}", headers,
                   "http-echo health check");
  return respond(req, app.status, "text/plain; charset=utf-8", app.text + "\n", headers,
                 fmt::format("http-echo answered its -text with status {}", app.status));
}

/// The request headers as echoserver prints them: names lower-cased, sorted, Host
/// included.
std::vector<std::pair<std::string, std::string>> echoserver_headers(const AppRequest& req) {
  std::vector<std::pair<std::string, std::string>> out;
  bool host = false;
  for (const auto& h : req.headers) {
    out.emplace_back(lower(h.name), h.value);
    host = host || iequals(h.name, "host");
  }
  if (!host && !req.host.empty()) out.emplace_back("host", std::string(req.host));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

AppAction handle_echoserver(const AppBehavior& app, const AppRequest& req) {
  std::string host = req.host.empty() ? req.pod_ip.str() : host_without_port(req.host);
  std::string path = req.path.empty() ? std::string("/") : std::string(req.path);
  std::string request_uri = fmt::format("{}://{}:{}{}", req.scheme, host, req.port, path);
  auto query = query_of(path);
  auto headers = echoserver_headers(req);
  std::string body;
  auto out = std::back_inserter(body);
  if (old_echoserver(app.version)) {
    fmt::format_to(out,
                   "CLIENT VALUES:\nclient_address={}\ncommand={}\nreal path={}\nquery={}\n"
                   "request_version=1.1\nrequest_uri={}\n\n",
                   req.client_ip.str(), req.method, path, query.empty() ? "nil" : query,
                   request_uri);
    fmt::format_to(out, "SERVER VALUES:\nserver_version=nginx: 1.10.0 - lua: 10001\n\n");
    fmt::format_to(out, "HEADERS RECEIVED:\n");
    for (const auto& [k, v] : headers) fmt::format_to(out, "{}={}\n", k, v);
    fmt::format_to(out, "BODY:\n{}", req.body.empty() ? "-no body in request-" : req.body);
    return respond(req, 200, "text/plain", std::move(body), {{"Server", "nginx/1.10.0"}},
                   "echoserver printed the request");
  }
  fmt::format_to(out, "\n\nHostname: {}\n\nPod Information:\n", req.pod_name);
  if (app.show_pod_info) {
    fmt::format_to(out, "\tnode name:\t{}\n\tpod name:\t{}\n\tpod namespace:\t{}\n\tpod IP:\t{}\n",
                   req.node, req.pod_name, req.pod_namespace, req.pod_ip.str());
  } else {
    fmt::format_to(out, "\t-no pod information available-\n");
  }
  fmt::format_to(out, "\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n");
  fmt::format_to(out,
                 "\nRequest Information:\n\tclient_address={}\n\tmethod={}\n\treal path={}\n"
                 "\tquery={}\n\trequest_version=1.1\n\trequest_scheme={}\n\trequest_uri={}\n",
                 req.client_ip.str(), req.method, path, query, req.scheme, request_uri);
  fmt::format_to(out, "\nRequest Headers:\n");
  for (const auto& [k, v] : headers) fmt::format_to(out, "\t{}={}\n", k, v);
  fmt::format_to(out, "\nRequest Body:\n");
  if (req.body.empty())
    fmt::format_to(out, "\t-no body in request-\n\n\n");
  else
    fmt::format_to(out, "{}\n\n", req.body);
  return respond(req, 200, "text/plain", std::move(body), {{"Server", "nginx/1.13.3"}},
                 "echoserver printed the request");
}

AppAction handle_hello_app(const AppBehavior& app, const AppRequest& req) {
  return respond(
      req, 200, "text/plain; charset=utf-8",
      fmt::format("Hello, world!\nVersion: {}\nHostname: {}\n", app.version, req.pod_name), {},
      fmt::format("hello-app {} answered", app.version));
}

// A JSON writer just big enough for httpbin's documents: sorted keys, two-space indent.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out.push_back(c);
    }
  }
  out += "\"";
  return out;
}

/// A JSON object of string values (or nested objects, already rendered), sorted by key.
std::string json_object(std::vector<std::pair<std::string, std::string>> members, int indent) {
  if (members.empty()) return "{}";
  std::stable_sort(members.begin(), members.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  std::string out = "{\n";
  for (std::size_t i = 0; i < members.size(); ++i) {
    out += pad + json_string(members[i].first) + ": " + members[i].second;
    out += i + 1 < members.size() ? ",\n" : "\n";
  }
  out += std::string(static_cast<std::size_t>(indent), ' ') + "}";
  return out;
}

/// "user-agent" -> "User-Agent", as httpbin (and Go's http package) prints header names.
std::string canonical_header(std::string_view name) {
  std::string out(name);
  bool up = true;
  for (auto& c : out) {
    c = up ? ascii_upper(c) : ascii_lower(c);
    up = c == '-';
  }
  return out;
}

AppAction handle_httpbin(const AppRequest& req) {
  auto path = path_only(req.path);
  std::string url = fmt::format("{}://{}{}", req.scheme, host_or_pod(req), req.path);
  std::vector<std::pair<std::string, std::string>> header_members;
  bool host = false;
  for (const auto& h : req.headers) {
    header_members.emplace_back(canonical_header(h.name), json_string(h.value));
    host = host || iequals(h.name, "host");
  }
  if (!host) header_members.emplace_back("Host", json_string(host_or_pod(req)));
  std::vector<std::pair<std::string, std::string>> args;
  for (auto& [k, v] : query_params(query_of(req.path))) args.emplace_back(k, json_string(v));
  std::string origin = json_string(req.client_ip.str());
  auto json = [&](std::vector<std::pair<std::string, std::string>> members, std::string detail) {
    return respond(req, 200, "application/json", json_object(std::move(members), 0) + "\n", {},
                   std::move(detail));
  };
  auto method_is = [&](std::string_view m) { return req.method == m; };
  auto not_allowed = [&]() {
    return respond(
        req, 405, "text/html",
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>405 Method Not "
        "Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for "
        "the requested URL.</p>\n",
        {}, fmt::format("httpbin: {} not allowed on {}", req.method, path));
  };
  if (path == "/ip") return json({{"origin", origin}}, "httpbin /ip");
  if (path == "/headers")
    return json({{"headers", json_object(header_members, 2)}}, "httpbin /headers");
  if (path == "/user-agent") {
    std::string ua;
    for (const auto& h : req.headers)
      if (iequals(h.name, "user-agent")) ua = h.value;
    return json({{"user-agent", json_string(ua)}}, "httpbin /user-agent");
  }
  if (path == "/get") {
    if (!method_is("GET") && !method_is("HEAD")) return not_allowed();
    return json({{"args", json_object(args, 2)},
                 {"headers", json_object(header_members, 2)},
                 {"origin", origin},
                 {"url", json_string(url)}},
                "httpbin /get");
  }
  bool anything = path == "/anything" || starts_with(path, "/anything/");
  bool body_method = path == "/post" || path == "/put" || path == "/patch" || path == "/delete";
  if (anything || body_method) {
    if (body_method && lower(req.method) != path.substr(1)) return not_allowed();
    std::vector<std::pair<std::string, std::string>> m{{"args", json_object(args, 2)},
                                                       {"data", json_string(req.body)},
                                                       {"headers", json_object(header_members, 2)},
                                                       {"origin", origin},
                                                       {"url", json_string(url)}};
    if (anything) m.emplace_back("method", json_string(req.method));
    return json(std::move(m), fmt::format("httpbin {}", path));
  }
  if (starts_with(path, "/status/")) {
    // /status/418 answers 418; a list "200,500" picks the first (httpbin picks at random,
    // and apps here are deterministic).
    auto codes = path.substr(8);
    auto code = parse_int(codes.substr(0, codes.find(',')));
    if (!code || *code < 100 || *code > 599)
      return respond(req, 400, "text/plain; charset=utf-8", "Invalid status code", {},
                     "httpbin: bad /status");
    return respond(req, *code, "text/html; charset=utf-8", "", {},
                   fmt::format("httpbin /status/{}", *code));
  }
  if (starts_with(path, "/delay/")) {
    auto secs = parse_int(path.substr(7)).value_or(0);
    secs = std::clamp(secs, 0, 10);  // httpbin caps the delay at 10 s
    auto a = json({{"args", json_object(args, 2)},
                   {"headers", json_object(header_members, 2)},
                   {"origin", origin},
                   {"url", json_string(url)}},
                  fmt::format("httpbin /delay/{}", secs));
    a.response.latency = core::Duration::seconds(secs);
    return a;
  }
  if (path == "/" || path == "/index.html") {
    return respond(req, 200, "text/html; charset=utf-8",
                   "<!DOCTYPE html>\n<html>\n<head><title>httpbin.org</title></head>\n<body>\n"
                   "<h1>httpbin.org</h1>\n<p>A simple HTTP Request &amp; Response Service.</p>\n"
                   "</body>\n</html>\n",
                   {}, "httpbin index");
  }
  return respond(req, 404, "text/html",
                 "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>404 Not "
                 "Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the "
                 "server.  If you entered the URL manually please check your spelling and try "
                 "again.</p>\n",
                 {}, fmt::format("httpbin: no route {}", path));
}

AppAction go_not_found(const AppRequest& req, std::string detail) {
  return respond(req, 404, "text/plain; charset=utf-8", "404 page not found\n",
                 {{"X-Content-Type-Options", "nosniff"}}, std::move(detail));
}

AppAction handle_netexec(const AppRequest& req) {
  auto path = path_only(req.path);
  auto params = query_params(query_of(req.path));
  auto param = [&](std::string_view key) {
    std::string v;
    for (const auto& [k, val] : params)
      if (k == key) {
        v = val;
        break;
      }
    return v;
  };
  const std::string text = "text/plain; charset=utf-8";
  if (path == "/")
    return respond(req, 200, text, fmt::format("NOW: {}", core::format_time(req.now)), {},
                   "netexec /");
  if (path == "/hostname")
    return respond(req, 200, text, std::string(req.pod_name), {}, "netexec /hostname");
  if (path == "/clientip")
    return respond(req, 200, text, client_text(req), {}, "netexec /clientip");
  if (path == "/echo") return respond(req, 200, text, param("msg"), {}, "netexec /echo");
  if (path == "/healthz") return respond(req, 200, text, "", {}, "netexec /healthz");
  if (path == "/header") {
    std::string key = param("key");
    std::string value;
    for (const auto& h : req.headers)
      if (iequals(h.name, key)) value = h.value;
    return respond(req, 200, text, value, {}, "netexec /header");
  }
  return go_not_found(req, fmt::format("netexec: no route {}", path));
}

AppAction handle_helloworld(const AppBehavior& app, const AppRequest& req) {
  auto path = path_only(req.path);
  if (path == "/hello")
    return respond(req, 200, "text/html; charset=utf-8",
                   fmt::format("Hello version: {}, instance: {}\n", app.version, req.pod_name), {},
                   fmt::format("helloworld {} answered /hello", app.version));
  if (path == "/health")
    return respond(req, 200, "text/html; charset=utf-8", "Helloworld is healthy", {},
                   "helloworld /health");
  return respond(
      req, 404, "text/html; charset=utf-8",
      "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
      "<p>The requested URL was not found on the server. If you entered the URL manually "
      "please check your spelling and try again.</p>\n",
      {}, fmt::format("helloworld: no route {}", path));
}

AppAction close_with(std::string raw, std::string detail) {
  AppAction a;
  a.kind = AppAction::Kind::close;
  a.raw = std::move(raw);
  a.detail = std::move(detail);
  return a;
}

AppAction handle_tcp_server(const AppBehavior& app, const AppRequest& req) {
  const auto& p = app.profile;
  if (p == "redis") {
    // Redis reads the request line as an inline command; "POST" and "Host:" are treated
    // as a cross-protocol attack and the connection is closed.
    if (req.method == "POST")
      return close_with("", "redis closed the connection (POST looks like an attack)");
    if (req.method == "GET")
      return close_with("-ERR wrong number of arguments for 'get' command\r\n",
                        "redis: not HTTP; answered an error and closed at the Host: line");
    return close_with(
        fmt::format("-ERR unknown command '{}', with args beginning with: '{}' 'HTTP/1.1' \r\n",
                    req.method, req.path),
        "redis: not HTTP; answered an error and closed at the Host: line");
  }
  if (p == "memcached") return close_with("ERROR\r\n", "memcached: not a memcached command");
  if (p == "mysql")
    return close_with(std::string("J\0\0\0\n8.4.0\0", 11), "mysql sent its handshake, not HTTP");
  if (p == "mongo") {
    std::string body =
        "It looks like you are trying to access MongoDB over HTTP on the native driver port.\n";
    auto a = respond(req, 200, "text/plain", std::move(body), {{"Connection", "close"}},
                     "mongod answered HTTP on its driver port");
    return a;
  }
  return close_with("", fmt::format("{} closed the connection: not its protocol", p));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Public API

std::string_view to_string(AppSource s) {
  switch (s) {
    case AppSource::annotation:
      return "annotation";
    case AppSource::app_exact:
      return "app-image";
    case AppSource::app_pattern:
      return "app-image-pattern";
    case AppSource::profile:
      return "profile";
    case AppSource::default_echo:
      return "default-echo";
  }
  return "?";
}

std::string_view to_string(AppKind k) {
  switch (k) {
    case AppKind::respond:
      return "respond";
    case AppKind::forward:
      return "forward";
    case AppKind::echo:
      return "echo";
    case AppKind::nginx:
      return "nginx";
    case AppKind::http_echo:
      return "http-echo";
    case AppKind::echoserver:
      return "echoserver";
    case AppKind::hello_app:
      return "hello-app";
    case AppKind::httpbin:
      return "httpbin";
    case AppKind::agnhost_netexec:
      return "agnhost-netexec";
    case AppKind::serve_hostname:
      return "serve-hostname";
    case AppKind::helloworld:
      return "helloworld";
    case AppKind::tcp_server:
      return "tcp-server";
    case AppKind::none:
      return "none";
  }
  return "?";
}

bool AppBehavior::listens(std::int32_t port, model::Protocol protocol) const {
  return std::find(ports.begin(), ports.end(), ListenPort{port, protocol}) != ports.end();
}

bool PodApps::listens(std::int32_t port, model::Protocol protocol) const {
  return std::binary_search(listening.begin(), listening.end(), ListenPort{port, protocol});
}

const AppBehavior* PodApps::serving(std::int32_t port, model::Protocol protocol) const {
  for (const auto& c : containers)
    if (c.listens(port, protocol)) return &c;
  return nullptr;
}

std::string PodApps::ports_text() const {
  return ports_list(listening);
}

namespace {
constexpr std::uint32_t kNoApps = 0xFFFFFFFFu;
}  // namespace

AppCatalog::AppCatalog(const model::ClusterState& state) {
  AppIndex index(state);
  const auto& pods = state.pods.items();
  pod_index_.reserve(pods.size());
  // Replicas of one workload share their spec (one shared_ptr) and usually their
  // annotations, so they resolve to the same PodApps. The map is for lookups only.
  std::unordered_map<std::string, std::uint32_t> seen;
  std::uint32_t gone = kNoApps;
  for (const auto& pod : pods) {
    if (pod.removed) {
      // A pod gone from the API runs nothing: connections to its slot find no listener.
      if (gone == kNoApps) {
        gone = static_cast<std::uint32_t>(distinct_.size());
        distinct_.emplace_back();
      }
      pod_index_.push_back(gone);
      continue;
    }
    std::string key = pod.meta.namespace_;
    key += '\0';
    key += fmt::format("{}", static_cast<const void*>(pod.spec.get()));
    for (const auto& [k, v] : pod.meta.annotations) {
      if (!starts_with(k, kAppAnnotation)) continue;
      key += '\0';
      key += k;
      key += '=';
      key += v;
    }
    auto it = seen.find(key);
    if (it != seen.end() && !distinct_[it->second].containers.empty()) {
      const auto& shared = distinct_[it->second];
      bool per_pod = std::any_of(shared.containers.begin(), shared.containers.end(),
                                 [](const AppBehavior& b) { return b.kind == AppKind::forward; });
      if (!per_pod) {
        pod_index_.push_back(it->second);
        continue;
      }
      // A forward URL expands service env vars, which depend on when the pod started:
      // resolve this pod on its own.
      pod_index_.push_back(static_cast<std::uint32_t>(distinct_.size()));
      distinct_.push_back(resolve_pod(index, state, pod, nullptr));
      continue;
    }
    auto slot = static_cast<std::uint32_t>(distinct_.size());
    distinct_.push_back(resolve_pod(index, state, pod, &warnings_));
    seen.emplace(std::move(key), slot);
    pod_index_.push_back(slot);
  }
}

const PodApps* AppCatalog::pod(std::uint32_t slot) const {
  if (slot >= pod_index_.size()) return nullptr;
  return &distinct_[pod_index_[slot]];
}

AppBehavior resolve_container(const model::ClusterState& state, const model::Pod& pod,
                              const model::Container& container, core::Diagnostics* warnings) {
  AppIndex index(state);
  return resolve_with(index, state, pod, container, warnings);
}

model::StringMap container_environment(const model::ClusterState& state, const model::Pod& pod,
                                       const model::Container& container) {
  model::StringMap env;
  // kubelet: the `kubernetes` Service of the default namespace, then the Services of the
  // pod's namespace (which win on a name clash); only those that existed when the pod
  // started.
  if (pod.meta.namespace_ != "default") {
    if (const auto* k8s = state.services.find("default", "kubernetes")) add_service_env(env, *k8s);
  }
  for (const auto& svc : state.services.items()) {
    if (svc.meta.namespace_ != pod.meta.namespace_) continue;
    bool system = svc.meta.namespace_ == "default" && svc.meta.name == "kubernetes";
    if (!system && svc.meta.creation_index >= pod.meta.creation_index) continue;
    add_service_env(env, svc);
  }
  for (const auto& e : container.env) {
    if (e.value_from) continue;  // unresolvable here; $(NAME) references to it stay as written
    env.set(e.name, expand_env_refs(e.value, env));
  }
  return env;
}

std::string expand_env_refs(std::string_view text, const model::StringMap& env) {
  // The same walk as k8s.io/kubernetes third_party/forked/golang/expansion.
  std::string out;
  out.reserve(text.size());
  std::size_t checkpoint = 0;
  for (std::size_t cursor = 0; cursor < text.size(); ++cursor) {
    if (text[cursor] != '$' || cursor + 1 >= text.size()) continue;
    out.append(text.substr(checkpoint, cursor - checkpoint));
    std::string_view rest = text.substr(cursor + 1);
    std::size_t advance = 1;
    if (rest[0] == '$') {
      out.push_back('$');
    } else if (rest[0] == '(') {
      auto close = rest.find(')', 1);
      if (close == std::string_view::npos) {
        out.append("$(");
      } else {
        std::string_view name = rest.substr(1, close - 1);
        if (const auto* v = env.get(name))
          out.append(*v);
        else
          out.append("$(").append(name).append(")");
        advance = close + 1;
      }
    } else {
      out.push_back('$');
      out.push_back(rest[0]);
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  if (checkpoint < text.size()) out.append(text.substr(checkpoint));
  return out;
}

AppAction handle(const AppBehavior& app, const AppRequest& request) {
  switch (app.kind) {
    case AppKind::respond: {
      std::vector<HttpHeader> headers;
      for (const auto& [k, v] : app.respond.headers) headers.push_back({k, v});
      auto a = respond(request, app.respond.status, "text/plain; charset=utf-8", app.respond.body,
                       std::move(headers),
                       fmt::format("App {} responded {}", app.app, app.respond.status));
      a.response.latency = app.respond.latency;
      return a;
    }
    case AppKind::forward: {
      AppAction a;
      a.kind = AppAction::Kind::forward;
      a.forward.url = app.forward.url;
      a.forward.method = app.forward.method.empty() ? "GET" : app.forward.method;
      for (const auto& [k, v] : app.forward.headers) a.forward.headers.push_back({k, v});
      a.detail = fmt::format("App {} forwards to {} {}", app.app, a.forward.method, a.forward.url);
      return a;
    }
    case AppKind::echo: {
      AppAction a;
      handle_echo_into(request, a);
      return a;
    }
    case AppKind::nginx:
      return handle_nginx(app, request);
    case AppKind::http_echo:
      return handle_http_echo(app, request);
    case AppKind::echoserver:
      return handle_echoserver(app, request);
    case AppKind::hello_app:
      return handle_hello_app(app, request);
    case AppKind::httpbin:
      return handle_httpbin(request);
    case AppKind::agnhost_netexec:
      return handle_netexec(request);
    case AppKind::serve_hostname:
      return respond(request, 200, "text/plain; charset=utf-8", std::string(request.pod_name), {},
                     "serve-hostname answered the pod name");
    case AppKind::helloworld:
      return handle_helloworld(app, request);
    case AppKind::tcp_server:
      return handle_tcp_server(app, request);
    case AppKind::none:
      return close_with("", "nothing listens in this container");
  }
  PODHOP_CHECK(false, "unknown AppKind");
  return {};
}

void handle(const AppBehavior& app, const AppRequest& request, AppAction& out) {
  if (app.kind == AppKind::echo) {
    handle_echo_into(request, out);
    return;
  }
  out = handle(app, request);
}

}  // namespace podhop::dataplane
