#include "podhop/dataplane/ingress.hpp"
#include "podhop/core/strings.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "podhop/controllers/system_objects.hpp"
#include "podhop/dataplane/request.hpp"

namespace podhop::dataplane {

namespace {

using core::lower;

bool annotation_true(const model::StringMap& a, std::string_view key, bool fallback) {
  const std::string* v = a.get(key);
  if (!v) return fallback;
  return lower(*v) == "true";
}

std::string annotation(const model::StringMap& a, std::string_view key) {
  const std::string* v = a.get(key);
  return v ? *v : std::string();
}

// The Host header without its port, lowercased (nginx compares server names that way).
std::string host_only(std::string_view host) {
  auto colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return lower(host);
}

std::string_view query_of(std::string_view path) {
  auto q = path.find('?');
  return q == std::string_view::npos ? std::string_view() : path.substr(q);
}

std::string regex_source(const IngressLocation& loc) {
  return "^" + loc.path;
}

// ingress-nginx's `location.Rewrite.Target != location.Path`.
bool needs_rewrite(const IngressLocation& loc) {
  return !loc.rewrite_target.empty() && loc.rewrite_target != loc.ingress_path;
}

std::string path_type_text(const IngressLocation& loc) {
  if (loc.ingress.empty()) return "default location";
  return fmt::format("{} {}", model::to_string(loc.path_type), loc.ingress_path);
}

}  // namespace

std::string_view to_string(LocationMatch m) {
  switch (m) {
    case LocationMatch::exact:
      return "exact";
    case LocationMatch::prefix:
      return "prefix";
    case LocationMatch::regex:
      return "regex";
  }
  return "?";
}

std::string IngressBackendRef::str() const {
  if (is_default()) return "the default backend";
  if (!port_name.empty()) return fmt::format("{}/{}:{}", namespace_, service, port_name);
  return fmt::format("{}/{}:{}", namespace_, service, port_number);
}

std::string IngressLocation::nginx_text() const {
  switch (match) {
    case LocationMatch::exact:
      return fmt::format("location = {}", path);
    case LocationMatch::prefix:
      return fmt::format("location {}", path);
    case LocationMatch::regex:
      return fmt::format("location ~* \"^{}\"", path);
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// Pieces

bool prefix_path_matches(std::string_view rule, std::string_view path) {
  auto q = path.find('?');
  if (q != std::string_view::npos) path = path.substr(0, q);
  while (rule.size() > 1 && rule.back() == '/') rule.remove_suffix(1);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (rule == "/" || rule.empty()) return true;
  if (path.size() < rule.size() || path.compare(0, rule.size(), rule) != 0) return false;
  return path.size() == rule.size() || path[rule.size()] == '/';
}

std::string normalize_uri(std::string_view path) {
  auto q = path.find('?');
  if (q != std::string_view::npos) path = path.substr(0, q);
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;  // merge_slashes on
    out += c;
  }
  if (out.empty()) out = "/";
  return out;
}

bool wildcard_host_matches(std::string_view pattern, std::string_view host) {
  if (pattern.size() < 3 || pattern.substr(0, 2) != "*.") return false;
  std::string_view suffix = pattern.substr(1);  // ".example.com"
  return host.size() > suffix.size() &&
         host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<std::string> apply_rewrite(std::string_view regex, std::string_view target,
                                         std::string_view path) {
  std::string uri(path);
  std::string query(query_of(path));
  if (!query.empty()) uri.resize(uri.size() - query.size());
  std::smatch m;
  try {
    std::regex re(std::string(regex), std::regex::ECMAScript | std::regex::icase);
    if (!std::regex_search(uri, m, re)) return std::nullopt;
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
  std::string out;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '$' && i + 1 < target.size() &&
        std::isdigit(static_cast<unsigned char>(target[i + 1]))) {
      const auto n = static_cast<std::size_t>(target[i + 1] - '0');
      if (n < m.size()) out += m[n].str();
      ++i;
      continue;
    }
    out += target[i];
  }
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  // nginx appends the original arguments unless the replacement has its own.
  if (!query.empty()) out += out.find('?') == std::string::npos ? query : "&" + query.substr(1);
  return out;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string nginx_status_page(int status) {
  std::string line = fmt::format("{} {}", status, http_reason_phrase(status));
  if (status == 503) line = "503 Service Temporarily Unavailable";
  if (status == 504) line = "504 Gateway Time-out";
  return fmt::format(
      "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
      "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
      line);
}

// ---------------------------------------------------------------------------------------
// Building nginx's servers (controller.go createServers / getBackendServers,
// location.go updateServerLocations)

IngressRouter::IngressRouter(const model::ClusterState& state,
                             const controllers::ServiceTables& tables, std::uint64_t seed)
    : state_(&state), tables_(&tables), seed_(seed) {
  has_controller_ = state.config.has_addon(controllers::kIngressAddon);

  // The controller pods: ingress-nginx's Deployment's pods, their http and https ports.
  for (std::uint32_t slot = 0; slot < state.pods.size(); ++slot) {
    const model::Pod& pod = state.pods[slot];
    if (!has_controller_ || pod.meta.namespace_ != controllers::kIngressNginxNamespace) continue;
    if (!pod.spec) continue;
    std::int32_t http = 0, https = 0;
    for (const auto& c : pod.spec->containers) {
      if (c.image.find("ingress-nginx/controller") == std::string::npos) continue;
      for (const auto& p : c.ports) {
        if (p.name == "http") http = p.container_port;
        if (p.name == "https") https = p.container_port;
      }
    }
    if (http || https) controllers_.emplace(slot, std::make_pair(http, https));
  }

  // Ingresses in creation order: the oldest wins every conflict.
  std::vector<const model::Ingress*> ingresses;
  for (const auto* ing : state.ingresses.sorted()) {
    if (!controllers::served_by_ingress_nginx(state, *ing)) {
      IgnoredIngress ig;
      ig.name = fmt::format("{}/{}", ing->meta.namespace_, ing->meta.name);
      for (const auto& r : ing->spec.rules) ig.hosts.push_back(r.host);
      if (!has_controller_) {
        ig.why =
            "no ingress controller runs in the cluster (the `ingress` addon is off), so it "
            "has no ADDRESS";
      } else {
        std::string cls = controllers::effective_ingress_class(state, *ing);
        ig.why = fmt::format(
            "its class \"{}\" is not served by ingress-nginx (controller {}), so "
            "it has no ADDRESS",
            cls, controllers::kIngressNginxControllerName);
      }
      ignored_.push_back(std::move(ig));
      continue;
    }
    ingresses.push_back(ing);
  }
  if (!has_controller_) return;
  std::stable_sort(ingresses.begin(), ingresses.end(), [](const auto* a, const auto* b) {
    return a->meta.creation_index < b->meta.creation_index;
  });

  std::vector<IngressServer> servers;
  // host -> index in servers (lookups only): 1,000 Ingresses made this a quadratic scan.
  std::unordered_map<std::string, std::size_t> server_by_host;
  auto server_index = [&](const std::string& host) -> std::size_t {
    auto it = server_by_host.find(host);
    return it == server_by_host.end() ? servers.size() : it->second;
  };
  auto backend_of = [](const model::Ingress& ing, const model::IngressBackend& b) {
    IngressBackendRef ref;
    if (b.service) {
      ref.namespace_ = ing.meta.namespace_;
      ref.service = b.service->name;
      ref.port_number = b.service->port_number;
      ref.port_name = b.service->port_name;
    }
    return ref;
  };
  auto root_location = [](const model::Ingress* ing, IngressBackendRef backend) {
    IngressLocation loc;
    loc.path = "/";
    loc.ingress_path = "/";
    loc.match = LocationMatch::prefix;
    loc.backend = std::move(backend);
    loc.server_default = true;
    if (ing && !loc.backend.is_default())
      loc.ingress = fmt::format("{}/{}", ing->meta.namespace_, ing->meta.name);
    return loc;
  };

  // The catch-all server: its root location is the default backend, or the defaultBackend
  // of the oldest Ingress that has one and no rules.
  servers.push_back(IngressServer{std::string(kCatchAllServer), {}, false, false});
  server_by_host.emplace(servers.back().host, 0);
  IngressLocation catch_all = root_location(nullptr, {});
  for (const auto* ing : ingresses) {
    if (ing->spec.default_backend && ing->spec.rules.empty()) {
      catch_all = root_location(ing, backend_of(*ing, *ing->spec.default_backend));
      break;
    }
  }
  servers.front().locations.push_back(catch_all);

  for (const auto* ing : ingresses) {
    const std::string ing_name = fmt::format("{}/{}", ing->meta.namespace_, ing->meta.name);
    const auto& a = ing->meta.annotations;
    IngressLocation base;
    base.ingress = ing_name;
    base.rewrite_target = annotation(a, ingress_annotation::rewrite_target);
    base.use_regex = annotation_true(a, ingress_annotation::use_regex, false);
    base.ssl_redirect = annotation_true(a, ingress_annotation::ssl_redirect, true);
    base.force_ssl_redirect = annotation_true(a, ingress_annotation::force_ssl_redirect, false);
    if (lower(annotation(a, ingress_annotation::affinity)) == "cookie") {
      base.affinity_cookie = annotation(a, ingress_annotation::session_cookie_name);
      if (base.affinity_cookie.empty()) base.affinity_cookie = std::string(kDefaultSessionCookie);
      base.cookie_path = annotation(a, ingress_annotation::session_cookie_path);
    }
    IngressBackendRef default_backend;
    if (ing->spec.default_backend) default_backend = backend_of(*ing, *ing->spec.default_backend);

    for (const auto& rule : ing->spec.rules) {
      std::string host = rule.host.empty() ? std::string(kCatchAllServer) : lower(rule.host);
      std::size_t si = server_index(host);
      if (si == servers.size()) {
        IngressServer s;
        s.host = host;
        IngressLocation root = root_location(ing, default_backend);
        root.ssl_redirect = base.ssl_redirect;
        root.force_ssl_redirect = base.force_ssl_redirect;
        s.locations.push_back(std::move(root));
        server_by_host.emplace(s.host, servers.size());
        servers.push_back(std::move(s));
      }
      IngressServer& server = servers[si];
      for (const auto& p : rule.paths) {
        IngressLocation loc = base;
        loc.path = p.path.empty() ? std::string("/") : p.path;
        loc.ingress_path = loc.path;
        loc.path_type = p.path_type;
        loc.match =
            p.path_type == model::PathType::Exact ? LocationMatch::exact : LocationMatch::prefix;
        loc.backend = backend_of(*ing, p.backend);
        if (loc.cookie_path.empty()) loc.cookie_path = loc.path;
        // The same path twice on a host: the oldest Ingress keeps it; a rule's `/`
        // replaces the default root location.
        bool taken = false;
        for (auto& existing : server.locations) {
          if (existing.server_default && loc.ingress_path == "/") {
            existing = loc;  // a rule's `/` replaces the server's default root location
            taken = true;
            break;
          }
          if (existing.ingress_path == loc.ingress_path && existing.path_type == loc.path_type) {
            taken = true;  // the oldest Ingress keeps the path
            break;
          }
        }
        if (!taken) server.locations.push_back(std::move(loc));
      }
    }
  }

  // TLS: ingress-nginx's certificate table over the Ingresses it serves, oldest first.
  std::vector<TlsIngress> tls_ingresses;
  for (const auto* ing : ingresses) {
    TlsIngress ti;
    ti.name = fmt::format("{}/{}", ing->meta.namespace_, ing->meta.name);
    for (const auto& r : ing->spec.rules) ti.rule_hosts.push_back(r.host);
    for (const auto& t : ing->spec.tls) {
      TlsEntryCandidate c;
      c.hosts = t.hosts;
      if (!t.secret_name.empty()) {
        c.secret = fmt::format("{}/{}", ing->meta.namespace_, t.secret_name);
        const model::Secret* sec = state.secrets.find(ing->meta.namespace_, t.secret_name);
        std::string problem;
        if (!sec) {
          problem = "does not exist";
        } else if (sec->type != "kubernetes.io/tls") {
          problem = fmt::format("has type {}, not kubernetes.io/tls", sec->type);
        } else {
          const std::string* crt = sec->data.get("tls.crt");
          const std::string* key = sec->data.get("tls.key");
          std::string error;
          auto pair = load_tls_pair(crt ? *crt : std::string(), key ? *key : std::string(), &error);
          if (pair) {
            pairs_.push_back(std::make_unique<TlsCertificate>(std::move(*pair)));
            c.cert = pairs_.back().get();
          } else {
            problem = error;
          }
        }
        if (!problem.empty())
          secret_problems_.push_back(fmt::format("Secret {}: {}", c.secret, problem));
      }
      ti.tls.push_back(std::move(c));
    }
    tls_ingresses.push_back(std::move(ti));
  }
  certs_ = CertificateTable::build(tls_ingresses);
  for (auto& server : servers)
    server.tls = server.host != kCatchAllServer && certs_.lookup(server.host) != nullptr;

  // updateServerLocations: a Prefix path becomes `location /p/` plus an exact twin
  // `location = /p`, unless rewrite or regex is on it or an Exact /p exists. Then, with
  // use-regex or rewrite-target anywhere on the host, every location is `~* "^path"`.
  for (auto& server : servers) {
    std::vector<IngressLocation> out;
    for (auto& loc : server.locations) {
      if (loc.path == "/" || loc.path_type != model::PathType::Prefix || needs_rewrite(loc) ||
          loc.use_regex) {
        out.push_back(loc);
        continue;
      }
      bool exact_exists = false;
      for (const auto& other : server.locations)
        exact_exists =
            exact_exists || (other.path_type == model::PathType::Exact && other.path == loc.path);
      IngressLocation twin = loc;
      if (loc.path.back() != '/') loc.path += '/';
      out.push_back(loc);
      if (!exact_exists) {
        twin.match = LocationMatch::exact;
        twin.twin = true;
        out.push_back(std::move(twin));
      }
    }
    server.locations = std::move(out);
    for (const auto& loc : server.locations)
      server.regex = server.regex || needs_rewrite(loc) || loc.use_regex;
    // Longest path first; equal lengths in reverse string order (the two stable sorts in
    // controller.go).
    std::stable_sort(server.locations.begin(), server.locations.end(),
                     [](const auto& x, const auto& y) { return x.path > y.path; });
    std::stable_sort(server.locations.begin(), server.locations.end(),
                     [](const auto& x, const auto& y) { return x.path.size() > y.path.size(); });
    if (server.regex) {
      for (auto& loc : server.locations) {
        loc.match = LocationMatch::regex;
        try {
          loc.pattern = std::make_shared<const std::regex>(
              regex_source(loc), std::regex::ECMAScript | std::regex::icase);
        } catch (const std::regex_error&) {
          loc.pattern = nullptr;  // nginx would refuse the config; the location never matches
        }
      }
    }
  }
  std::sort(servers.begin(), servers.end(), [](const auto& x, const auto& y) {
    if ((x.host == kCatchAllServer) != (y.host == kCatchAllServer))
      return x.host == kCatchAllServer;
    return x.host < y.host;
  });
  servers_ = std::move(servers);
  for (std::uint32_t i = 0; i < servers_.size(); ++i) {
    const std::string& h = servers_[i].host;
    if (h.size() > 2 && h.compare(0, 2, "*.") == 0)
      wildcards_.emplace_back(h, i);
    else
      exact_hosts_.emplace(h, i);
  }
  std::stable_sort(wildcards_.begin(), wildcards_.end(),
                   [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });
}

ControllerPort IngressRouter::controller_port(std::uint32_t pod_slot, std::int32_t port) const {
  // Asked for every request that reaches a pod; most clusters run no controller, and a
  // find() in an empty map still hashes and divides.
  if (controllers_.empty()) return ControllerPort::none;
  auto it = controllers_.find(pod_slot);
  if (it == controllers_.end()) return ControllerPort::none;
  if (port == it->second.first) return ControllerPort::http;
  if (port == it->second.second) return ControllerPort::https;
  return ControllerPort::none;
}

const IngressServer& IngressRouter::server_for(std::string_view host_header) const {
  static const IngressServer kEmpty{std::string(kCatchAllServer), {}, false, false};
  if (servers_.empty()) return kEmpty;
  const std::string host = host_only(host_header);
  if (auto it = exact_hosts_.find(host); it != exact_hosts_.end()) return servers_[it->second];
  for (const auto& [pattern, index] : wildcards_)
    if (wildcard_host_matches(pattern, host)) return servers_[index];
  return servers_.front();  // "_" sorts first
}

std::string IngressRouter::ignored_note(std::string_view host_header) const {
  const std::string host = host_only(host_header);
  std::vector<std::string> notes;
  for (const auto& ig : ignored_) {
    bool hit = ig.hosts.empty();
    for (const auto& h : ig.hosts)
      hit = hit || h.empty() || lower(h) == host || wildcard_host_matches(lower(h), host);
    if (hit) notes.push_back(fmt::format("Ingress {} is ignored: {}", ig.name, ig.why));
  }
  return fmt::format("{}", fmt::join(notes, "; "));
}

IngressRouter::Upstream& IngressRouter::upstream_for(const IngressBackendRef& ref) {
  const std::string key = ref.str();
  if (auto it = upstreams_.find(key); it != upstreams_.end()) return it->second;
  Upstream u;
  const model::Service* svc = state_->services.find(ref.namespace_, ref.service);
  std::string port_text = ref.port_name.empty() ? std::to_string(ref.port_number) : ref.port_name;
  u.name = fmt::format("{}-{}-{}", ref.namespace_, ref.service, port_text);
  if (!svc) {
    u.missing = fmt::format("Service {}/{} does not exist", ref.namespace_, ref.service);
  } else if (svc->spec.type == model::ServiceType::ExternalName) {
    u.missing = fmt::format("Service {}/{} is an ExternalName (not simulated behind the ingress)",
                            ref.namespace_, ref.service);
  } else {
    const model::ServicePort* sp = nullptr;
    for (const auto& p : svc->spec.ports) {
      if ((ref.port_name.empty() && p.port == ref.port_number) ||
          (!ref.port_name.empty() && p.name == ref.port_name))
        sp = &p;
    }
    if (!sp) {
      u.missing =
          fmt::format("Service {}/{} has no port {}", ref.namespace_, ref.service, port_text);
    } else {
      for (auto id : tables_->ports_of_service(ref.namespace_, ref.service)) {
        const auto& pp = tables_->port(id);
        if (pp.port != sp->port || pp.name.protocol != model::Protocol::TCP) continue;
        for (const auto& ep : pp.endpoints) {
          if (!ep.ready) continue;  // ingress-nginx lists ready endpoints only
          u.endpoints.push_back({ep.ip, ep.port, ep.pod_slot, ep.node_index});
        }
      }
    }
  }
  // Each upstream's round robin starts somewhere of its own, as nginx workers do.
  if (!u.endpoints.empty()) {
    core::RngStream rng(seed_, "ingress-nginx/" + u.name);
    u.next = rng.uniform(u.endpoints.size());
  }
  return upstreams_.emplace(key, std::move(u)).first->second;
}

IngressDecision IngressRouter::route(const IngressRequest& req) {
  IngressDecision d;
  const IngressServer& server = server_for(req.host);
  d.server = &server;
  const std::string host = host_only(req.host);
  const std::string uri = normalize_uri(req.path);

  // nginx's location choice: in a regex server the first ~* match in order; otherwise an
  // exact match, else the longest prefix.
  const IngressLocation* loc = nullptr;
  // The texts of `why` are built only when asked for: bulk traffic reads none of them.
  const bool explain = req.explain;
  std::string how;
  if (server.regex) {
    for (const auto& l : server.locations) {
      if (l.pattern && std::regex_search(uri, *l.pattern, std::regex_constants::match_continuous)) {
        loc = &l;
        if (explain)
          how =
              "the first regex match, longest path first (use-regex or rewrite-target is on "
              "this host: every path is a case-insensitive regex)";
        break;
      }
    }
  } else {
    for (const auto& l : server.locations) {
      if (l.match == LocationMatch::exact && l.path == uri) {
        loc = &l;
        if (explain)
          how = l.twin ? "exact match (the exact location ingress-nginx adds for a Prefix path)"
                       : "exact match";
        break;
      }
    }
    if (!loc) {
      for (const auto& l : server.locations) {
        if (l.match != LocationMatch::prefix) continue;
        if (uri.compare(0, l.path.size(), l.path) != 0) continue;
        if (!loc || l.path.size() > loc->path.size()) loc = &l;
      }
      if (loc && explain) how = "longest prefix match";
    }
  }
  const std::string server_text = !explain ? std::string()
                                  : server.host == kCatchAllServer
                                      ? fmt::format("no server for host {}: the catch-all server _",
                                                    host.empty() ? "\"\"" : host)
                                      : fmt::format("server {}", server.host);

  if (!loc) {
    d.verdict = IngressVerdict::not_found;
    d.status = 404;
    if (explain)
      d.why = fmt::format("{}: no location matches {}: the default backend answers 404",
                          server_text, uri);
    return d;
  }
  d.location = loc;
  const std::string where =
      !explain ? std::string()
      : loc->ingress.empty()
          ? fmt::format("{}, {} (the default backend)", server_text, loc->nginx_text())
          : fmt::format("{}, {} from Ingress {} ({}, {})", server_text, loc->nginx_text(),
                        loc->ingress, path_type_text(*loc), how);

  if (req.scheme == "http" && (loc->force_ssl_redirect || (server.tls && loc->ssl_redirect &&
                                                           server.host != kCatchAllServer))) {
    d.verdict = IngressVerdict::redirect;
    d.status = 308;
    d.redirect_to = fmt::format("https://{}{}", host, req.path);
    if (explain)
      d.why = fmt::format("{}: {} is listed under tls, so plain HTTP gets 308 to {}{}", where,
                          server.host, d.redirect_to,
                          loc->force_ssl_redirect ? " (force-ssl-redirect)" : " (ssl-redirect)");
    return d;
  }
  if (loc->backend.is_default()) {
    d.verdict = IngressVerdict::not_found;
    d.status = 404;
    if (explain) d.why = fmt::format("{}: the default backend answers 404", where);
    return d;
  }
  Upstream& up = upstream_for(loc->backend);
  d.upstream = up.name;
  d.ready_endpoints = up.endpoints.size();
  if (up.endpoints.empty()) {
    d.verdict = IngressVerdict::unavailable;
    d.status = 503;
    if (explain)
      d.why = fmt::format("{}: backend {}: {}: 503", where, loc->backend.str(),
                          up.missing.empty() ? std::string("no ready endpoints") : up.missing);
    return d;
  }
  d.verdict = IngressVerdict::proxy;
  std::string pick;
  std::optional<std::string> cookie;
  if (!loc->affinity_cookie.empty()) cookie = cookie_value(req.cookie, loc->affinity_cookie);
  if (!loc->affinity_cookie.empty()) {
    // sticky: the cookie's value names the endpoint (hashed over the endpoint list); a new
    // session gets a fresh value from the round robin's position.
    std::string value;
    if (cookie && !cookie->empty()) {
      value = *cookie;
      if (explain) pick = fmt::format("cookie {}={} (affinity)", loc->affinity_cookie, value);
    } else {
      value = fmt::format("{:016x}", core::fnv1a(fmt::format("{}#{}", up.name, up.next++)));
      d.set_cookie = fmt::format("{}={}; Path={}; HttpOnly", loc->affinity_cookie, value,
                                 loc->cookie_path.empty() ? "/" : loc->cookie_path);
      if (explain)
        pick = fmt::format("new session: Set-Cookie {}={} (affinity)", loc->affinity_cookie, value);
    }
    d.endpoint = up.endpoints[core::fnv1a(value) % up.endpoints.size()];
  } else {
    const std::uint64_t i = up.next % up.endpoints.size();
    up.next = i + 1;
    d.endpoint = up.endpoints[i];
    if (explain)
      pick = fmt::format("round robin, {} of {} ready endpoints", i + 1, up.endpoints.size());
  }
  d.upstream_path = std::string(req.path);
  std::string rewrite;
  if (needs_rewrite(*loc)) {
    if (auto r = apply_rewrite(loc->path, loc->rewrite_target, req.path)) {
      d.upstream_path = *r;
      if (explain)
        rewrite = fmt::format(", rewrite-target {} -> {}", loc->rewrite_target, d.upstream_path);
    }
  }
  if (explain)
    d.why = fmt::format("{}: upstream {} -> {}:{} ({}){}", where, up.name, d.endpoint.ip.str(),
                        d.endpoint.port, pick, rewrite);
  return d;
}

}  // namespace podhop::dataplane
