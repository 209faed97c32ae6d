// Ingress and IngressClass (networking.k8s.io/v1), validated as
// pkg/apis/networking/validation does.

#include <cctype>

#include <fmt/format.h>

#include "manifest/convert.hpp"

namespace podhop::manifest::detail {

namespace {

bool present(const YNode* n) {
  return n && !resolve(n)->is_null();
}

/// Reads and validates a backend at `field` (relative to the current path).
model::IngressBackend read_backend(Ctx& c, const YNode* n, std::string_view field) {
  model::IngressBackend b;
  if (!expect_map(c, n, field)) {
    c.error_at(n ? n : c.root(), msg_invalid("\"\"", "resource or service backend is required"),
               field);
    return b;
  }
  Scope s(c, field);
  for (std::string_view old : {"serviceName", "servicePort"}) {
    if (const YNode* o = find_key(n, old)) {
      // The v1beta1 backend shape; v1 strict decoding refuses these fields.
      const YNode* key = nullptr;
      for (const YNode* v : Children(n))
        if (v->key && v->key->value == old) key = v->key;
      c.error_at(
          key ? key : o,
          fmt::format("strict decoding error: unknown field \"{}\" (networking.k8s.io/v1 writes "
                      "backend.service.name and backend.service.port.number or .name)",
                      c.path().child(old)),
          old);
    }
  }
  const YNode* svc = find_key(n, "service");
  const YNode* res = find_key(n, "resource");
  if (present(svc) && present(res)) {
    c.error_at(n, msg_invalid("\"\"", "cannot set both resource and service backends"));
    return b;
  }
  if (present(res)) {
    if (!expect_map(c, res, "resource")) return b;
    Scope rs(c, "resource");
    model::TypedLocalObjectReference ref;
    const YNode* group = find_key(res, "apiGroup");
    const YNode* kind = find_key(res, "kind");
    const YNode* name = find_key(res, "name");
    auto g = read_string(c, group, "apiGroup");
    ref.api_group = g.value_or("");
    ref.kind = read_string(c, kind, "kind").value_or("");
    ref.name = read_string(c, name, "name").value_or("");
    if (g) add_invalid(c, group, "apiGroup", q(*g), is_dns1123_subdomain(*g));
    if (ref.kind.empty())
      c.error_at(kind ? kind : res, msg_required(), "kind");
    else
      add_invalid(c, kind, "kind", q(ref.kind), is_path_segment_name(ref.kind));
    if (ref.name.empty())
      c.error_at(name ? name : res, msg_required(), "name");
    else
      add_invalid(c, name, "name", q(ref.name), is_path_segment_name(ref.name));
    b.resource = std::move(ref);
    return b;
  }
  if (!present(svc)) {
    c.error_at(n, msg_invalid("\"\"", "resource or service backend is required"));
    return b;
  }
  if (!expect_map(c, svc, "service")) return b;
  model::IngressServiceBackend sb;
  const YNode* name = find_key(svc, "name");
  const YNode* port = find_key(svc, "port");
  const YNode* port_name = nullptr;
  const YNode* port_number = nullptr;
  {
    Scope ss(c, "service");
    sb.name = read_string(c, name, "name").value_or("");
    if (expect_map(c, port, "port")) {
      Scope ps(c, "port");
      port_name = find_key(port, "name");
      port_number = find_key(port, "number");
      sb.port_name = read_string(c, port_name, "name").value_or("");
      sb.port_number = read_int32(c, port_number, "number").value_or(0);
    }
  }
  if (sb.name.empty())
    c.error_at(name ? name : svc, msg_required(), "service.name");
  else
    add_invalid(c, name, "service.name", q(sb.name), is_dns1035_label(sb.name));
  bool has_name = !sb.port_name.empty();
  bool has_number = sb.port_number != 0;
  if (has_name && has_number) {
    c.error_at(port, msg_invalid("\"\"", "cannot set both port name & port number"));
  } else if (has_name) {
    add_invalid(c, port_name, "service.port.name", q(sb.port_name),
                is_valid_port_name(sb.port_name));
  } else if (has_number) {
    add_invalid(c, port_number, "service.port.number", std::to_string(sb.port_number),
                is_valid_port_num(sb.port_number));
  } else {
    c.error_at(port ? port : svc, msg_required("port name or number is required"));
  }
  b.service = std::move(sb);
  return b;
}

/// A rule or TLS host: a DNS-1123 subdomain, or `*.` and one.
void validate_host(Ctx& c, const YNode* n, std::string_view field, const std::string& host,
                   bool reject_ip) {
  if (reject_ip && is_ip(host))
    c.error_at(n, msg_invalid(q(host), "must be a DNS name, not an IP address"), field);
  if (host.find('*') != std::string::npos)
    add_invalid(c, n, field, q(host), is_wildcard_dns1123_subdomain(host));
  else
    add_invalid(c, n, field, q(host), is_dns1123_subdomain(host));
}

void validate_path(Ctx& c, const YNode* n, const std::string& path, model::PathType type) {
  if (type == model::PathType::ImplementationSpecific) {
    if (!path.empty() && path.front() != '/')
      c.error_at(n, msg_invalid(q(path), "must be an absolute path"), "path");
    return;
  }
  if (path.empty() || path.front() != '/')
    c.error_at(n, msg_invalid(q(path), "must be an absolute path"), "path");
  if (path.empty()) return;
  for (std::string_view seq : {"//", "/./", "/../", "%2f", "%2F"})
    if (path.find(seq) != std::string::npos)
      c.error_at(n, msg_invalid(q(path), fmt::format("must not contain '{}'", seq)), "path");
  for (std::string_view suffix : {"/..", "/."})
    if (path.size() >= suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
      c.error_at(n, msg_invalid(q(path), fmt::format("cannot end with '{}'", suffix)), "path");
}

}  // namespace

model::Ingress convert_ingress(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Ingress ing;
  ing.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  const YNode* spec = find_key(root, "spec");
  Scope s(c, "spec");
  const YNode* rules = nullptr;
  const YNode* default_backend = nullptr;
  const YNode* class_node = nullptr;
  if (expect_map(c, spec, {})) {
    for_each_entry(spec, [&](std::string_view k, const YNode* v) {
      if (k == "ingressClassName") {
        class_node = v;
        ing.spec.ingress_class_name = read_string(c, v, k);
      } else if (k == "defaultBackend") {
        if (!present(v)) return;
        default_backend = v;
        ing.spec.default_backend = read_backend(c, v, k);
      } else if (k == "backend") {
        // The v1beta1 field; v1 has no such field and strict decoding refuses it.
        c.error_at(
            v->key ? v->key : v,
            "strict decoding error: unknown field \"spec.backend\" (networking.k8s.io/v1 calls it "
            "spec.defaultBackend)",
            k);
      } else if (k == "rules") {
        rules = v;
        if (!expect_seq(c, v, k)) return;
        Scope rs(c, "rules");
        for (const YNode* item : Children(v)) {
          Scope is(c, item->index);
          const YNode* r = resolve(item);
          if (!expect_map(c, r, {})) continue;
          model::IngressRule rule;
          const YNode* host_node = find_key(r, "host");
          rule.host = read_string(c, host_node, "host").value_or("");
          if (!rule.host.empty()) validate_host(c, host_node, "host", rule.host, true);
          const YNode* http = find_key(r, "http");
          if (present(http) && expect_map(c, http, "http")) {
            rule.has_http = true;
            Scope hs(c, "http");
            const YNode* paths = find_key(http, "paths");
            if (!present(paths) || resolve(paths)->size == 0)
              c.error_at(paths ? paths : http, msg_required(), "paths");
            if (expect_seq(c, paths, "paths")) {
              Scope ps(c, "paths");
              for (const YNode* pitem : Children(paths)) {
                Scope pis(c, pitem->index);
                const YNode* p = resolve(pitem);
                if (!expect_map(c, p, {})) continue;
                model::HttpIngressPath hp;
                const YNode* path_node = find_key(p, "path");
                const YNode* type_node = find_key(p, "pathType");
                hp.path = read_string(c, path_node, "path").value_or("");
                auto type = read_string(c, type_node, "pathType");
                const YNode* at = path_node ? path_node : p;
                bool type_ok = true;
                if (!type) {
                  // validateHTTPIngressPath stops here: nothing else of the path is checked.
                  c.error_at(type_node ? type_node : p, msg_required("pathType must be specified"),
                             "pathType");
                  rule.paths.push_back(std::move(hp));
                  continue;
                }
                if (*type == "Exact") {
                  hp.path_type = model::PathType::Exact;
                } else if (*type == "Prefix") {
                  hp.path_type = model::PathType::Prefix;
                } else if (*type == "ImplementationSpecific") {
                  hp.path_type = model::PathType::ImplementationSpecific;
                } else {
                  type_ok = false;
                  c.error_at(
                      type_node,
                      msg_not_supported(q(*type), {"Exact", "ImplementationSpecific", "Prefix"}),
                      "pathType");
                }
                if (type_ok) validate_path(c, at, hp.path, hp.path_type);
                hp.backend = read_backend(c, find_key(p, "backend"), "backend");
                rule.paths.push_back(std::move(hp));
              }
            }
          }
          ing.spec.rules.push_back(std::move(rule));
        }
      } else if (k == "tls") {
        if (!expect_seq(c, v, k)) return;
        Scope ts(c, "tls");
        for (const YNode* item : Children(v)) {
          Scope is(c, item->index);
          const YNode* t = resolve(item);
          if (!expect_map(c, t, {})) continue;
          model::IngressTls tls;
          const YNode* hosts = find_key(t, "hosts");
          tls.hosts = read_string_list(c, hosts, "hosts");
          {
            Scope hs(c, "hosts");
            std::uint32_t i = 0;
            for (const YNode* h : Children(resolve(hosts))) {
              if (i < tls.hosts.size()) {
                Scope his(c, i);
                validate_host(c, h, {}, tls.hosts[i], false);
              }
              ++i;
            }
          }
          const YNode* secret = find_key(t, "secretName");
          tls.secret_name = read_string(c, secret, "secretName").value_or("");
          if (!tls.secret_name.empty())
            add_invalid(c, secret, "secretName", q(tls.secret_name),
                        is_dns1123_subdomain(tls.secret_name));
          ing.spec.tls.push_back(std::move(tls));
        }
      }
    });
  }
  if (ing.spec.rules.empty() && !default_backend) {
    bool empty_list = rules && resolve(rules)->is_seq();
    c.error_at(
        rules ? rules : (spec ? spec : root),
        msg_invalid(empty_list ? "[]networking.IngressRule{}" : "[]networking.IngressRule(nil)",
                    "either `defaultBackend` or `rules` must be specified"));
  }
  if (ing.spec.ingress_class_name)
    add_invalid(c, class_node, "ingressClassName", q(*ing.spec.ingress_class_name),
                is_dns1123_subdomain(*ing.spec.ingress_class_name));
  if (const auto* ann = ing.meta.annotations.get("kubernetes.io/ingress.class")) {
    if (ing.spec.ingress_class_name && *ann != *ing.spec.ingress_class_name) {
      const YNode* annotations = find_key(find_key(root, "metadata"), "annotations");
      c.error_at_path(
          find_key(annotations, "kubernetes.io/ingress.class"),
          "annotations.kubernetes.io/ingress.class",
          msg_invalid(q(*ann), "must match `ingressClassName` when both are specified"));
    }
  }
  return ing;
}

namespace {

/// IsDomainPrefixedPath: "acme.io/foo".
void validate_controller(Ctx& c, const YNode* n, const std::string& controller) {
  if (controller.empty()) {
    c.error_at(n ? n : c.root(), msg_required(), "controller");
    return;
  }
  if (controller.size() > 250) c.error_at(n, "Too long: must have at most 250 bytes", "controller");
  auto slash = controller.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == controller.size()) {
    c.error_at(
        n, msg_invalid(q(controller), "must be a domain-prefixed path (such as \"acme.io/foo\")"),
        "controller");
    return;
  }
  std::string host = controller.substr(0, slash);
  add_invalid(c, n, "controller", q(host), is_dns1123_subdomain(host));
  std::string path = controller.substr(slash + 1);
  bool ok = true;
  for (char ch : path) {
    bool allowed = std::isalnum(static_cast<unsigned char>(ch)) ||
                   std::string_view("/-._~%!$&'()*+,;=:").find(ch) != std::string_view::npos;
    ok = ok && allowed;
  }
  if (!ok)
    c.error_at(
        n,
        msg_invalid(
            q(path),
            "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"),
        "controller");
}

}  // namespace

model::IngressClass convert_ingress_class(Ctx& c, const YNode* root, std::string_view api_version) {
  model::IngressClass ic;
  ic.meta = read_metadata(c, root, {false, NameRule::dns1123_subdomain}, api_version);
  if (const auto* d = ic.meta.annotations.get("ingressclass.kubernetes.io/is-default-class"))
    ic.is_default = *d == "true";
  const YNode* spec = find_key(root, "spec");
  Scope s(c, "spec");
  const YNode* controller = nullptr;
  if (expect_map(c, spec, {})) {
    controller = find_key(spec, "controller");
    ic.controller = read_string(c, controller, "controller").value_or("");
    const YNode* params = find_key(spec, "parameters");
    if (expect_map(c, params, "parameters")) {
      Scope ps(c, "parameters");
      const YNode* group = find_key(params, "apiGroup");
      const YNode* kind = find_key(params, "kind");
      const YNode* name = find_key(params, "name");
      const YNode* scope = find_key(params, "scope");
      const YNode* ns = find_key(params, "namespace");
      auto g = read_string(c, group, "apiGroup");
      if (g) add_invalid(c, group, "apiGroup", q(*g), is_dns1123_subdomain(*g));
      std::string k = read_string(c, kind, "kind").value_or("");
      if (k.empty())
        c.error_at(kind ? kind : params, msg_required(), "kind");
      else
        add_invalid(c, kind, "kind", q(k), is_path_segment_name(k));
      std::string nm = read_string(c, name, "name").value_or("");
      if (nm.empty())
        c.error_at(name ? name : params, msg_required(), "name");
      else
        add_invalid(c, name, "name", q(nm), is_path_segment_name(nm));
      // v1 defaulting sets scope to Cluster when it is not given.
      std::string sc = read_string(c, scope, "scope").value_or("Cluster");
      auto namespace_ = read_string(c, ns, "namespace");
      if (sc != "Cluster" && sc != "Namespace") {
        c.error_at(scope, msg_not_supported(q(sc), {"Cluster", "Namespace"}), "scope");
      } else if (sc == "Namespace") {
        if (!namespace_)
          c.error_at(params, msg_required("`parameters.scope` is set to 'Namespace'"), "namespace");
        else
          add_invalid(c, ns, "namespace", q(*namespace_), is_dns1123_label(*namespace_));
      } else if (namespace_) {
        c.error_at(ns, msg_forbidden("`parameters.scope` is set to 'Cluster'"), "namespace");
      }
    }
  }
  validate_controller(c, controller ? controller : spec, ic.controller);
  return ic;
}

}  // namespace podhop::manifest::detail
