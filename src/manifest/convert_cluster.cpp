// Namespace, Node, Secret, and podhop's own Cluster and App.

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "manifest/convert.hpp"

namespace podhop::manifest::detail {

namespace {

bool present(const YNode* n) {
  return n && !resolve(n)->is_null();
}

/// Go's base64.StdEncoding as encoding/json decodes []byte: padding required, CR and LF
/// ignored. On failure returns the offset Go reports ("illegal base64 data at input byte N").
std::optional<std::string> decode_base64(std::string_view in, std::size_t& bad_at) {
  auto value = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::array<int, 4> quad{};
  std::size_t have = 0;
  std::size_t quad_start = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char ch = in[i];
    if (ch == '\r' || ch == '\n') continue;
    if (have == 0) quad_start = i;
    if (ch == '=') {
      if (have < 2) {
        bad_at = i;
        return std::nullopt;
      }
      pad = 4 - have;
      // The rest must be the remaining padding and nothing else.
      std::size_t j = i;
      std::size_t seen = 0;
      while (j < in.size() && seen < pad) {
        if (in[j] == '\r' || in[j] == '\n') {
          ++j;
          continue;
        }
        if (in[j] != '=') {
          bad_at = j;
          return std::nullopt;
        }
        ++seen;
        ++j;
      }
      if (seen < pad) {
        bad_at = j;
        return std::nullopt;
      }
      for (; j < in.size(); ++j) {
        if (in[j] != '\r' && in[j] != '\n') {
          bad_at = j;
          return std::nullopt;
        }
      }
      unsigned v =
          static_cast<unsigned>(quad[0] << 18 | quad[1] << 12 | (have > 2 ? quad[2] << 6 : 0));
      out.push_back(static_cast<char>((v >> 16) & 0xff));
      if (have == 3) out.push_back(static_cast<char>((v >> 8) & 0xff));
      return out;
    }
    int d = value(ch);
    if (d < 0) {
      bad_at = i;
      return std::nullopt;
    }
    quad[have++] = d;
    if (have == 4) {
      unsigned v = static_cast<unsigned>(quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3]);
      out.push_back(static_cast<char>((v >> 16) & 0xff));
      out.push_back(static_cast<char>((v >> 8) & 0xff));
      out.push_back(static_cast<char>(v & 0xff));
      have = 0;
    }
  }
  if (have != 0) {
    bad_at = quad_start;
    return std::nullopt;
  }
  return out;
}

std::optional<core::Ipv4> read_ipv4(Ctx& c, const YNode* n, std::string_view field) {
  auto s = read_string(c, n, field);
  if (!s) return std::nullopt;
  auto ip = core::Ipv4::parse(*s);
  if (!ip) c.error_at(n, msg_invalid(q(*s), "must be a valid IPv4 address"), field);
  return ip;
}

std::optional<core::Cidr> read_cidr(Ctx& c, const YNode* n, std::string_view field) {
  auto s = read_string(c, n, field);
  if (!s) return std::nullopt;
  auto cidr = core::Cidr::parse(*s);
  if (!cidr)
    c.error_at(n, msg_invalid(q(*s), "must be a valid IPv4 CIDR value, (e.g. 10.9.8.0/24)"), field);
  return cidr;
}

/// capacity.serviceTime: a duration ("5ms", always that long) or
/// {distribution: fixed | exponential, mean: 5ms}.
void read_service_time(Ctx& c, const YNode* n, model::AppCapacity& capacity) {
  const YNode* v = resolve(n);
  if (!v->is_map()) {
    capacity.service_time = read_duration(c, n, "serviceTime").value_or(core::Duration{});
    capacity.distribution = model::ServiceTimeDistribution::fixed;
    return;
  }
  Scope ss(c, "serviceTime");
  const YNode* mean = find_key(v, "mean");
  if (!present(mean))
    c.error_at(mean ? mean : v, msg_required(), "mean");
  else
    capacity.service_time = read_duration(c, mean, "mean").value_or(core::Duration{});
  const YNode* dist = find_key(v, "distribution");
  const std::string name = read_string(c, dist, "distribution").value_or("fixed");
  if (name == "fixed")
    capacity.distribution = model::ServiceTimeDistribution::fixed;
  else if (name == "exponential")
    capacity.distribution = model::ServiceTimeDistribution::exponential;
  else
    c.error_at(dist, msg_not_supported(q(name), {"exponential", "fixed"}), "distribution");
  for_each_entry(v, [&](std::string_view k, const YNode* e) {
    if (k != "mean" && k != "distribution")
      c.error_at(e, msg_not_supported(q(k), {"distribution", "mean"}), k);
  });
}

}  // namespace

model::Namespace convert_namespace(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Namespace ns;
  ns.meta = read_metadata(c, root, {false, NameRule::dns1123_label}, api_version);
  return ns;
}

model::Node convert_node(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Node node;
  node.meta = read_metadata(c, root, {false, NameRule::dns1123_subdomain}, api_version);
  if (const auto* z = node.meta.labels.get("topology.kubernetes.io/zone"))
    node.zone = *z;
  else if (const auto* old = node.meta.labels.get("failure-domain.beta.kubernetes.io/zone"))
    node.zone = *old;
  const YNode* spec = find_key(root, "spec");
  if (expect_map(c, spec, "spec")) {
    Scope s(c, "spec");
    const YNode* cidr = find_key(spec, "podCIDR");
    if (present(cidr))
      if (auto parsed = read_cidr(c, cidr, "podCIDR")) node.pod_cidr = *parsed;
  }
  const YNode* status = find_key(root, "status");
  if (!expect_map(c, status, "status")) return node;
  Scope s(c, "status");
  const YNode* addresses = find_key(status, "addresses");
  if (expect_seq(c, addresses, "addresses")) {
    Scope as(c, "addresses");
    for (const YNode* item : Children(addresses)) {
      Scope is(c, item->index);
      const YNode* a = resolve(item);
      if (!expect_map(c, a, {})) continue;
      std::string type = read_string(c, find_key(a, "type"), "type").value_or("");
      const YNode* addr_node = find_key(a, "address");
      std::string addr = read_string(c, addr_node, "address").value_or("");
      if (type != "InternalIP" || !node.internal_ip.empty()) continue;
      if (auto ip = core::Ipv4::parse(addr))
        node.internal_ip = *ip;
      else if (!is_ip(addr))
        c.error_at(
            addr_node,
            msg_invalid(q(addr), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
            "address");
    }
  }
  const YNode* conditions = find_key(status, "conditions");
  if (expect_seq(c, conditions, "conditions")) {
    for (const YNode* item : Children(conditions)) {
      const YNode* cond = resolve(item);
      if (!cond->is_map()) continue;
      Scope cs(c, "conditions");
      Scope is(c, item->index);
      if (read_string(c, find_key(cond, "type"), "type").value_or("") != "Ready") continue;
      node.ready = read_string(c, find_key(cond, "status"), "status").value_or("True") == "True";
    }
  }
  return node;
}

model::Secret convert_secret(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Secret secret;
  secret.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  const YNode* type_node = find_key(root, "type");
  secret.type = read_string(c, type_node, "type").value_or("Opaque");
  if (secret.type.empty()) secret.type = "Opaque";
  const YNode* data = find_key(root, "data");
  std::vector<std::string> keys;  // every key given, decodable or not
  if (expect_map(c, data, "data")) {
    Scope ds(c, "data");
    for_each_entry(data, [&](std::string_view k, const YNode* v) {
      KeyScope ks(c, k);
      keys.emplace_back(k);
      add_invalid(c, v, {}, q(k), is_config_map_key(k));
      auto text = read_string(c, v, {});
      if (!text) return;
      std::size_t bad = 0;
      if (auto bytes = decode_base64(*text, bad))
        secret.data.set(std::string(k), std::move(*bytes));
      else
        c.error_at(v, fmt::format("illegal base64 data at input byte {}", bad));
    });
  }
  const YNode* string_data = find_key(root, "stringData");
  if (expect_map(c, string_data, "stringData")) {
    Scope ss(c, "stringData");
    for_each_entry(string_data, [&](std::string_view k, const YNode* v) {
      KeyScope ks(c, k);
      keys.emplace_back(k);
      add_invalid(c, v, {}, q(k), is_config_map_key(k));
      // stringData is write-only: the API server merges it over data.
      if (auto text = read_string(c, v, {})) secret.data.set(std::string(k), *text);
    });
  }
  if (secret.type == "kubernetes.io/tls") {
    for (std::string_view key : {"tls.crt", "tls.key"})
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        c.error_at(data ? data : root, msg_required(), fmt::format("data[{}]", key));
  }
  return secret;
}

model::ClusterConfig convert_cluster(Ctx& c, const YNode* root, std::string_view api_version) {
  model::ClusterConfig cfg;
  model::ObjectMeta meta =
      read_metadata(c, root, {false, NameRule::dns1123_subdomain}, api_version);
  cfg.name = meta.name;
  cfg.declared = true;
  const YNode* spec = find_key(root, "spec");
  if (!expect_map(c, spec, "spec")) return cfg;
  Scope s(c, "spec");
  for_each_entry(spec, [&](std::string_view k, const YNode* v) {
    if (k == "nodes") {
      if (!expect_seq(c, v, k)) return;
      Scope ns(c, "nodes");
      std::vector<std::string> names;
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* n = resolve(item);
        if (!expect_map(c, n, {})) continue;
        model::ClusterNodeConfig node;
        const YNode* name_node = find_key(n, "name");
        for_each_entry(n, [&](std::string_view nk, const YNode* nv) {
          if (nk == "name") node.name = read_string(c, nv, nk).value_or("");
          if (nk == "ip") node.ip = read_ipv4(c, nv, nk);
          if (nk == "zone") node.zone = read_string(c, nv, nk).value_or("");
          if (nk == "labels") {
            node.labels = read_string_map(c, nv, nk);
            validate_labels(c, nv, nk);
          }
        });
        if (node.name.empty()) {
          c.error_at(name_node ? name_node : n, msg_required(), "name");
        } else {
          add_invalid(c, name_node, "name", q(node.name), is_dns1123_subdomain(node.name));
          if (std::find(names.begin(), names.end(), node.name) != names.end())
            c.error_at(name_node, msg_duplicate(q(node.name)), "name");
          names.push_back(node.name);
        }
        cfg.nodes.push_back(std::move(node));
      }
    } else if (k == "podCIDR") {
      if (auto cidr = read_cidr(c, v, k)) cfg.pod_cidr = *cidr;
    } else if (k == "serviceCIDR") {
      if (auto cidr = read_cidr(c, v, k)) cfg.service_cidr = *cidr;
    } else if (k == "clusterDomain") {
      if (auto d = read_string(c, v, k)) {
        add_invalid(c, v, k, q(*d), is_dns1123_subdomain(*d));
        cfg.cluster_domain = *d;
      }
    } else if (k == "proxyMode") {
      auto mode = read_string(c, v, k).value_or("iptables");
      if (mode == "iptables")
        cfg.proxy_mode = model::ProxyMode::iptables;
      else if (mode == "ipvs")
        cfg.proxy_mode = model::ProxyMode::ipvs;
      else
        c.error_at(v, msg_not_supported(q(mode), {"iptables", "ipvs"}), k);
    } else if (k == "addons") {
      cfg.addons = read_string_list(c, v, k);
      Scope as(c, "addons");
      std::uint32_t i = 0;
      for (const YNode* item : Children(resolve(v))) {
        if (i < cfg.addons.size() && cfg.addons[i] != "ingress" && cfg.addons[i] != "ingress-dns") {
          Scope is(c, i);
          c.error_at(item, msg_not_supported(q(cfg.addons[i]), {"ingress", "ingress-dns"}));
        }
        ++i;
      }
    } else if (k == "loadBalancer") {
      auto text = read_string(c, v, k).value_or("pending");
      if (text == "pending") {
        cfg.load_balancer_pending = true;
        return;
      }
      auto dash = text.find('-');
      std::optional<core::Ipv4> first;
      std::optional<core::Ipv4> last;
      if (dash != std::string::npos) {
        first = core::Ipv4::parse(text.substr(0, dash));
        last = core::Ipv4::parse(text.substr(dash + 1));
      } else if (auto cidr = core::Cidr::parse(text)) {
        first = cidr->at(0);
        last = cidr->at(cidr->size() - 1);
      }
      if (!first || !last || last->value < first->value) {
        c.error_at(v,
                   msg_invalid(q(text),
                               "must be \"pending\" or an address range such as "
                               "\"192.168.49.200-192.168.49.250\" (or a CIDR)"),
                   k);
        return;
      }
      cfg.load_balancer_pending = false;
      cfg.lb_pool_first = *first;
      cfg.lb_pool_last = *last;
    } else if (k == "externalHosts") {
      if (!expect_seq(c, v, k)) return;
      Scope es(c, "externalHosts");
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* h = resolve(item);
        if (!expect_map(c, h, {})) continue;
        model::ExternalHost host;
        const YNode* name_node = find_key(h, "name");
        host.name = read_string(c, name_node, "name").value_or("");
        if (host.name.empty())
          c.error_at(name_node ? name_node : h, msg_required(), "name");
        else
          add_invalid(c, name_node, "name", q(host.name), is_dns1123_subdomain(host.name));
        const YNode* ip_node = find_key(h, "ip");
        auto ip = read_ipv4(c, ip_node, "ip");
        if (!ip && !present(ip_node)) c.error_at(h, msg_required(), "ip");
        if (ip) host.ip = *ip;
        cfg.external_hosts.push_back(std::move(host));
      }
    } else if (k == "latency") {
      if (!expect_map(c, v, k)) return;
      Scope ls(c, "latency");
      for_each_entry(v, [&](std::string_view lk, const YNode* lv) {
        if (lk == "sameNode")
          cfg.latency.same_node = read_duration(c, lv, lk).value_or(cfg.latency.same_node);
        if (lk == "crossNode")
          cfg.latency.cross_node = read_duration(c, lv, lk).value_or(cfg.latency.cross_node);
        if (lk == "external")
          cfg.latency.external = read_duration(c, lv, lk).value_or(cfg.latency.external);
      });
    } else if (k == "timing") {
      if (!expect_map(c, v, k)) return;
      Scope ts(c, "timing");
      auto& t = cfg.timing;
      for_each_entry(v, [&](std::string_view tk, const YNode* tv) {
        core::Duration* field = nullptr;
        if (tk == "containerStart") field = &t.container_start;
        if (tk == "controllerDelay") field = &t.controller_delay;
        if (tk == "endpointPropagation") field = &t.endpoint_propagation;
        if (tk == "propagationJitter") field = &t.propagation_jitter;
        if (tk == "ingressPropagation") field = &t.ingress_propagation;
        if (tk == "dnsCache") field = &t.dns_cache;
        if (field == nullptr) {
          c.error_at(tv,
                     msg_not_supported(
                         q(tk), {"containerStart", "controllerDelay", "dnsCache",
                                 "endpointPropagation", "ingressPropagation", "propagationJitter"}),
                     tk);
          return;
        }
        if (auto d = read_duration(c, tv, tk)) *field = *d;
      });
    } else if (k == "serviceNodePortRange") {
      auto text = read_string(c, v, k);
      if (!text) return;
      auto dash = text->find('-');
      std::optional<std::int64_t> lo;
      std::optional<std::int64_t> hi;
      if (dash != std::string::npos) {
        lo = scalar_int(text->substr(0, dash));
        hi = scalar_int(text->substr(dash + 1));
      }
      if (!lo || !hi || *lo < 1 || *hi > 65535 || *lo > *hi) {
        c.error_at(v, msg_invalid(q(*text), "must be a port range such as \"30000-32767\""), k);
        return;
      }
      cfg.node_port_min = static_cast<std::int32_t>(*lo);
      cfg.node_port_max = static_cast<std::int32_t>(*hi);
    } else if (k == "nodeSearchDomains") {
      cfg.node_search_domains = read_string_list(c, v, k);
    } else if (k == "nodeNameserver") {
      if (auto ip = read_ipv4(c, v, k)) cfg.node_nameserver = *ip;
    }
  });
  return cfg;
}

model::App convert_app(Ctx& c, const YNode* root, std::string_view api_version) {
  model::App app;
  app.meta = read_metadata(c, root, {false, NameRule::dns1123_subdomain}, api_version);
  const YNode* spec = find_key(root, "spec");
  if (!expect_map(c, spec, "spec")) {
    c.error_at(spec ? spec : root, msg_required(), "spec.image");
    return app;
  }
  Scope s(c, "spec");
  const YNode* image = find_key(spec, "image");
  const YNode* forward_node = nullptr;
  for_each_entry(spec, [&](std::string_view k, const YNode* v) {
    if (k == "image") {
      app.spec.image = read_string(c, v, k).value_or("");
    } else if (k == "respond") {
      if (!expect_map(c, v, k)) return;
      Scope rs(c, "respond");
      model::AppRespond r;
      for_each_entry(v, [&](std::string_view rk, const YNode* rv) {
        if (rk == "status") {
          r.status = read_int32(c, rv, rk).value_or(200);
          if (r.status < 100 || r.status > 599)
            c.error_at(rv, msg_invalid(std::to_string(r.status), inclusive_range_error(100, 599)),
                       rk);
        } else if (rk == "body") {
          r.body = read_string(c, rv, rk).value_or("");
        } else if (rk == "headers") {
          r.headers = read_string_map(c, rv, rk);
        } else if (rk == "latency") {
          r.latency = read_duration(c, rv, rk).value_or(core::Duration{});
        }
      });
      app.spec.respond = std::move(r);
    } else if (k == "forward") {
      if (!expect_map(c, v, k)) return;
      forward_node = v;
      Scope fs(c, "forward");
      model::AppForward f;
      const YNode* url = find_key(v, "url");
      f.url = read_string(c, url, "url").value_or("");
      if (f.url.empty()) c.error_at(url ? url : v, msg_required(), "url");
      f.method = read_string(c, find_key(v, "method"), "method").value_or("GET");
      f.headers = read_string_map(c, find_key(v, "headers"), "headers");
      app.spec.forward = std::move(f);
    } else if (k == "ports") {
      if (!expect_seq(c, v, k)) return;
      Scope ps(c, "ports");
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        auto port = read_int32(c, item, {});
        if (!port) continue;
        add_invalid(c, item, {}, std::to_string(*port), is_valid_port_num(*port));
        app.spec.ports.push_back(*port);
      }
    } else if (k == "capacity") {
      if (!expect_map(c, v, k)) return;
      Scope cs(c, "capacity");
      for_each_entry(v, [&](std::string_view ck, const YNode* cv) {
        if (ck == "serviceTime") {
          read_service_time(c, cv, app.spec.capacity);
        } else if (ck == "workers") {
          app.spec.capacity.workers = read_int32(c, cv, ck).value_or(0);
          if (app.spec.capacity.workers < 0)
            c.error_at(cv,
                       msg_invalid(std::to_string(app.spec.capacity.workers),
                                   "must be greater than or equal to 0"),
                       ck);
        } else if (ck == "queue") {
          app.spec.capacity.queue = read_int32(c, cv, ck).value_or(-1);
          if (app.spec.capacity.queue < -1)
            c.error_at(cv,
                       msg_invalid(std::to_string(app.spec.capacity.queue),
                                   "must be -1 (unbounded) or greater than or equal to 0"),
                       ck);
        }
      });
    }
  });
  if (app.spec.image.empty()) c.error_at(image ? image : spec, msg_required(), "image");
  if (app.spec.respond && app.spec.forward)
    c.error_at(forward_node, msg_forbidden("may not be set together with `respond`"), "forward");
  return app;
}

}  // namespace podhop::manifest::detail
