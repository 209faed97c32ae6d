// Metadata, label selectors, pod specs and pod templates.

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "manifest/convert.hpp"

namespace podhop::manifest::detail {

namespace {

constexpr std::int64_t kMaxAnnotationsBytes = 256 * 1024;

bool is_null_node(const YNode* n) {
  return !n || resolve(n)->is_null();
}

}  // namespace

void validate_labels(Ctx& c, const YNode* node, std::string_view field) {
  node = resolve(node);
  if (!node || !node->is_map()) return;
  std::string path = c.path().child(field);
  // Entries merged in with `<<` are checked too; the merge key itself is not a label.
  for_each_entry(node, [&](std::string_view k, const YNode* val) {
    const YNode* at = val->key ? val->key : val;
    for (const auto& m : is_qualified_name(k)) c.error_at_path(at, path, msg_invalid(q(k), m));
    if (val->is_scalar())
      for (const auto& m : is_valid_label_value(val->value))
        c.error_at_path(val, path, msg_invalid(q(val->value), m));
  });
}

namespace {

void validate_annotations(Ctx& c, const YNode* node, std::string_view field) {
  node = resolve(node);
  if (!node || !node->is_map()) return;
  std::string path = c.path().child(field);
  std::int64_t total = 0;
  for_each_entry(node, [&](std::string_view k, const YNode* val) {
    const YNode* at = val->key ? val->key : val;
    std::string lower(k);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    for (const auto& m : is_qualified_name(lower)) c.error_at_path(at, path, msg_invalid(q(k), m));
    total += static_cast<std::int64_t>(k.size() + val->value.size());
  });
  if (total > kMaxAnnotationsBytes)
    c.error_at_path(node, path,
                    fmt::format("Too long: must have at most {} bytes", kMaxAnnotationsBytes));
}

}  // namespace

model::ObjectMeta read_metadata(Ctx& c, const YNode* root, const MetaRules& rules,
                                std::string_view api_version) {
  model::ObjectMeta meta;
  meta.api_version = std::string(api_version);
  const YNode* md = find_key(root, "metadata");
  const YNode* name_node = nullptr;
  const YNode* ns_node = nullptr;
  const YNode* gen_node = nullptr;
  Scope s(c, "metadata");
  if (expect_map(c, md, {})) {
    for_each_entry(md, [&](std::string_view k, const YNode* v) {
      if (k == "name") {
        name_node = v;
        meta.name = read_string(c, v, k).value_or("");
      } else if (k == "namespace") {
        ns_node = v;
        meta.namespace_ = read_string(c, v, k).value_or("");
      } else if (k == "generateName") {
        gen_node = v;
        meta.generate_name = read_string(c, v, k).value_or("");
      } else if (k == "labels") {
        meta.labels = read_string_map(c, v, k);
        validate_labels(c, v, k);
      } else if (k == "annotations") {
        meta.annotations = read_string_map(c, v, k);
        validate_annotations(c, v, k);
      } else if (k == "ownerReferences") {
        if (!expect_seq(c, v, k)) return;
        Scope os(c, "ownerReferences");
        for (const YNode* item : Children(v)) {
          Scope is(c, item->index);
          const YNode* ref = resolve(item);
          if (!expect_map(c, ref, {})) continue;
          auto controller = read_bool(c, find_key(ref, "controller"), "controller");
          if (controller.value_or(false)) {
            meta.owner.kind = read_string(c, find_key(ref, "kind"), "kind").value_or("");
            meta.owner.name = read_string(c, find_key(ref, "name"), "name").value_or("");
          }
        }
      }
    });
  }

  if (meta.name.empty() && meta.generate_name.empty()) {
    c.error_at(name_node ? name_node : (md ? md : root),
               msg_required("name or generateName is required"), "name");
  } else if (!meta.name.empty()) {
    add_invalid(c, name_node, "name", q(meta.name), validate_name(rules.name_rule, meta.name));
  }
  if (!meta.generate_name.empty()) {
    // A prefix may end in '-': the generated suffix follows it.
    std::string masked = meta.generate_name;
    if (masked.back() == '-') masked.back() = 'a';
    add_invalid(c, gen_node, "generateName", q(meta.generate_name),
                validate_name(rules.name_rule, masked));
  }
  if (rules.namespaced) {
    if (meta.namespace_.empty()) {
      meta.namespace_ = "default";
    } else {
      add_invalid(c, ns_node, "namespace", q(meta.namespace_), is_dns1123_label(meta.namespace_));
    }
  } else {
    // Cluster-scoped kinds have no namespace; kubectl drops one written by mistake.
    meta.namespace_.clear();
  }
  return meta;
}

model::LabelSelector read_label_selector(Ctx& c, const YNode* n, std::string_view field) {
  model::LabelSelector sel;
  if (!expect_map(c, n, field)) return sel;
  Scope s(c, field);
  for_each_entry(n, [&](std::string_view k, const YNode* v) {
    if (k == "matchLabels") {
      sel.match_labels = read_string_map(c, v, k);
      validate_labels(c, v, k);
    } else if (k == "matchExpressions") {
      if (!expect_seq(c, v, k)) return;
      Scope es(c, "matchExpressions");
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* e = resolve(item);
        if (!expect_map(c, e, {})) continue;
        model::SelectorRequirement req;
        const YNode* op_node = find_key(e, "operator");
        std::string op;
        const YNode* values_node = nullptr;
        for_each_entry(e, [&](std::string_view ek, const YNode* ev) {
          if (ek == "key") req.key = read_string(c, ev, ek).value_or("");
          if (ek == "operator") op = read_string(c, ev, ek).value_or("");
          if (ek == "values") {
            values_node = ev;
            req.values = read_string_list(c, ev, ek);
          }
        });
        for (const auto& m : is_qualified_name(req.key))
          c.error_at(find_key(e, "key") ? find_key(e, "key") : e, msg_invalid(q(req.key), m),
                     "key");
        if (op == "In" || op == "NotIn") {
          req.op = op == "In" ? model::SelectorOp::In : model::SelectorOp::NotIn;
          if (req.values.empty())
            c.error_at(values_node ? values_node : e,
                       msg_required("must be specified when `operator` is 'In' or 'NotIn'"),
                       "values");
        } else if (op == "Exists" || op == "DoesNotExist") {
          req.op = op == "Exists" ? model::SelectorOp::Exists : model::SelectorOp::DoesNotExist;
          if (!req.values.empty())
            c.error_at(
                values_node,
                msg_forbidden("may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
                "values");
        } else {
          c.error_at(op_node ? op_node : e, msg_invalid(q(op), "not a valid selector operator"),
                     "operator");
        }
        sel.match_expressions.push_back(std::move(req));
      }
    }
  });
  return sel;
}

// ---------------------------------------------------------------------------------------
// Containers

namespace {

/// `must be greater than or equal to 0`, as ValidateNonnegativeField words it.
void check_nonnegative(Ctx& c, const YNode* n, std::string_view field,
                       std::optional<std::int64_t> v) {
  if (v && *v < 0)
    c.error_at(n, msg_invalid(std::to_string(*v), "must be greater than or equal to 0"), field);
}

/// ValidatePortNumOrName.
void check_port_num_or_name(Ctx& c, const YNode* n, std::string_view field,
                            const model::IntOrString& port) {
  if (port.is_int()) {
    add_invalid(c, n, field, std::to_string(port.int_value), is_valid_port_num(port.int_value));
  } else if (port.is_string()) {
    add_invalid(c, n, field, q(port.str_value), is_valid_port_name(port.str_value));
  }
}

std::string basename(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

/// The seconds of `sleep N` (N may carry a unit suffix as GNU sleep allows), if the text
/// is exactly that.
std::optional<core::Duration> parse_sleep_words(std::string_view script) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())))) s.remove_prefix(1);
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ';'))
      s.remove_suffix(1);
    return s;
  };
  script = trim(script);
  std::string_view cmd = script.substr(0, script.find(' '));
  if (basename(cmd) != "sleep" || cmd.size() == script.size()) return std::nullopt;
  std::string arg(trim(script.substr(cmd.size())));
  if (arg.empty() || arg.find(' ') != std::string::npos) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(arg.back()))) arg += 's';
  auto d = core::parse_duration(arg);
  if (!d) return std::nullopt;
  return d;
}

/// lifecycle.preStop exec commands that are a plain sleep: `sleep N`, `/bin/sleep N`,
/// `/bin/sh -c "sleep N"`.
std::optional<core::Duration> sleep_of_command(const std::vector<std::string>& cmd) {
  if (cmd.size() == 2 && basename(cmd[0]) == "sleep") return parse_sleep_words("sleep " + cmd[1]);
  if (cmd.size() == 1) return parse_sleep_words(cmd[0]);
  if (cmd.size() == 3 && cmd[1] == "-c") {
    std::string shell = basename(cmd[0]);
    if (shell == "sh" || shell == "bash" || shell == "ash" || shell == "dash")
      return parse_sleep_words(cmd[2]);
  }
  return std::nullopt;
}

/// Reads a probe (readinessProbe, livenessProbe, startupProbe) at field.
std::optional<model::Probe> read_probe(Ctx& c, const YNode* n, std::string_view field) {
  if (!expect_map(c, n, field)) return std::nullopt;
  Scope s(c, field);
  model::Probe p;
  int handlers = 0;
  const YNode* second_handler = nullptr;
  std::string second_name;
  auto handler = [&](const YNode* v, std::string_view name) {
    if (++handlers == 2) {
      second_handler = v;
      second_name = std::string(name);
    }
  };
  std::optional<std::int64_t> success;
  const YNode* success_node = nullptr;
  for_each_entry(n, [&](std::string_view k, const YNode* v) {
    if (k == "httpGet" && !is_null_node(v)) {
      handler(v, k);
      p.handler = model::Probe::Handler::http_get;
      if (!expect_map(c, v, k)) return;
      Scope hs(c, "httpGet");
      const YNode* port_node = find_key(v, "port");
      p.port = read_int_or_string(c, port_node, "port");
      p.path = read_string(c, find_key(v, "path"), "path").value_or("");
      if (!p.port.is_set()) c.error_at(port_node ? port_node : v, msg_required(), "port");
      check_port_num_or_name(c, port_node, "port", p.port);
    } else if (k == "tcpSocket" && !is_null_node(v)) {
      handler(v, k);
      p.handler = model::Probe::Handler::tcp_socket;
      if (!expect_map(c, v, k)) return;
      Scope hs(c, "tcpSocket");
      const YNode* port_node = find_key(v, "port");
      p.port = read_int_or_string(c, port_node, "port");
      if (!p.port.is_set()) c.error_at(port_node ? port_node : v, msg_required(), "port");
      check_port_num_or_name(c, port_node, "port", p.port);
    } else if (k == "grpc" && !is_null_node(v)) {
      handler(v, k);
      p.handler = model::Probe::Handler::grpc;
      if (!expect_map(c, v, k)) return;
      Scope hs(c, "grpc");
      const YNode* port_node = find_key(v, "port");
      auto port = read_int32(c, port_node, "port");
      if (port) {
        p.port = model::IntOrString::of(*port);
        add_invalid(c, port_node, "port", std::to_string(*port), is_valid_port_num(*port));
      }
    } else if (k == "exec" && !is_null_node(v)) {
      handler(v, k);
      p.handler = model::Probe::Handler::exec;
      if (!expect_map(c, v, k)) return;
      Scope hs(c, "exec");
      const YNode* cmd_node = find_key(v, "command");
      auto cmd = read_string_list(c, cmd_node, "command");
      if (!cmd_node || cmd_node->is_null() || (cmd_node->is_seq() && cmd_node->size == 0))
        c.error_at(cmd_node ? cmd_node : v, msg_required(), "command");
    } else if (k == "initialDelaySeconds") {
      auto x = read_int32(c, v, k);
      check_nonnegative(c, v, k, x);
      if (x) p.initial_delay = core::Duration::seconds(*x);
    } else if (k == "periodSeconds") {
      auto x = read_int32(c, v, k);
      check_nonnegative(c, v, k, x);
      if (x && *x > 0) p.period = core::Duration::seconds(*x);
    } else if (k == "timeoutSeconds") {
      auto x = read_int32(c, v, k);
      check_nonnegative(c, v, k, x);
      if (x && *x > 0) p.timeout = core::Duration::seconds(*x);
    } else if (k == "successThreshold") {
      success = read_int32(c, v, k);
      success_node = v;
      check_nonnegative(c, v, k, success);
      if (success && *success > 0) p.success_threshold = static_cast<std::int32_t>(*success);
    } else if (k == "failureThreshold") {
      auto x = read_int32(c, v, k);
      check_nonnegative(c, v, k, x);
      if (x && *x > 0) p.failure_threshold = *x;
    }
  });
  if (handlers == 0) c.error_at(n, msg_required("must specify a handler type"));
  if (handlers > 1)
    c.error_at(second_handler, msg_forbidden("may not specify more than 1 handler type"),
               second_name);
  // Liveness and startup probes must succeed once (ValidateContainers).
  if ((field == "livenessProbe" || field == "startupProbe") && success && *success != 1)
    c.error_at(success_node, msg_invalid(std::to_string(*success), "must be 1"),
               "successThreshold");
  return p;
}

void read_lifecycle(Ctx& c, const YNode* n, model::Container& ctr) {
  if (!expect_map(c, n, "lifecycle")) return;
  Scope s(c, "lifecycle");
  const YNode* pre = find_key(n, "preStop");
  if (!expect_map(c, pre, "preStop")) return;
  ctr.has_pre_stop = true;
  Scope ps(c, "preStop");
  int handlers = 0;
  for_each_entry(pre, [&](std::string_view k, const YNode* v) {
    if (is_null_node(v)) return;
    if (k == "exec") {
      ++handlers;
      if (!expect_map(c, v, k)) return;
      Scope es(c, "exec");
      const YNode* cmd_node = find_key(v, "command");
      auto cmd = read_string_list(c, cmd_node, "command");
      if (!cmd_node || cmd_node->is_null() || (cmd_node->is_seq() && cmd_node->size == 0))
        c.error_at(cmd_node ? cmd_node : v, msg_required(), "command");
      ctr.pre_stop_sleep = sleep_of_command(cmd);
    } else if (k == "sleep") {
      ++handlers;
      if (!expect_map(c, v, k)) return;
      Scope ss(c, "sleep");
      const YNode* secs = find_key(v, "seconds");
      auto x = read_int(c, secs, "seconds", "int64");
      if (!x) {
        c.error_at(secs ? secs : v, msg_required(), "seconds");
      } else if (*x < 0) {
        c.error_at(secs, msg_invalid(std::to_string(*x), "must be non-negative"), "seconds");
      } else {
        ctr.pre_stop_sleep = core::Duration::seconds(*x);
      }
    } else if (k == "httpGet" || k == "tcpSocket") {
      ++handlers;
    }
  });
  if (handlers == 0) c.error_at(pre, msg_required("must specify a handler type"));
}

model::Container read_container(Ctx& c, const YNode* n, bool init) {
  model::Container ctr;
  const YNode* name_node = nullptr;
  const YNode* image_node = nullptr;
  const YNode* restart_node = nullptr;
  for_each_entry(n, [&](std::string_view k, const YNode* v) {
    if (k == "name") {
      name_node = v;
      ctr.name = read_string(c, v, k).value_or("");
    } else if (k == "image") {
      image_node = v;
      ctr.image = read_string(c, v, k).value_or("");
    } else if (k == "command") {
      ctr.command = read_string_list(c, v, k);
    } else if (k == "args") {
      ctr.args = read_string_list(c, v, k);
    } else if (k == "restartPolicy") {
      restart_node = v;
      ctr.restart_policy = read_string(c, v, k).value_or("");
    } else if (k == "ports") {
      if (!expect_seq(c, v, k)) return;
      Scope ps(c, "ports");
      std::vector<std::string> names;
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* p = resolve(item);
        if (!expect_map(c, p, {})) continue;
        model::ContainerPort port;
        const YNode* cp_node = nullptr;
        const YNode* name_n = nullptr;
        const YNode* proto_node = nullptr;
        const YNode* host_node = nullptr;
        std::string proto = "TCP";
        for_each_entry(p, [&](std::string_view pk, const YNode* pv) {
          if (pk == "name") {
            name_n = pv;
            port.name = read_string(c, pv, pk).value_or("");
          } else if (pk == "containerPort") {
            cp_node = pv;
            port.container_port = read_int32(c, pv, pk).value_or(0);
          } else if (pk == "hostPort") {
            host_node = pv;
            port.host_port = read_int32(c, pv, pk).value_or(0);
          } else if (pk == "protocol") {
            proto_node = pv;
            proto = read_string(c, pv, pk).value_or("TCP");
          }
        });
        if (!port.name.empty()) {
          auto msgs = is_valid_port_name(port.name);
          if (!msgs.empty()) {
            add_invalid(c, name_n, "name", q(port.name), msgs);
          } else if (std::find(names.begin(), names.end(), port.name) != names.end()) {
            c.error_at(name_n, msg_duplicate(q(port.name)), "name");
          } else {
            names.push_back(port.name);
          }
        }
        if (port.container_port == 0)
          c.error_at(cp_node ? cp_node : p, msg_required(), "containerPort");
        else
          add_invalid(c, cp_node, "containerPort", std::to_string(port.container_port),
                      is_valid_port_num(port.container_port));
        if (port.host_port != 0)
          add_invalid(c, host_node, "hostPort", std::to_string(port.host_port),
                      is_valid_port_num(port.host_port));
        if (auto pr = model::parse_protocol(proto))
          port.protocol = *pr;
        else
          c.error_at(proto_node, msg_not_supported(q(proto), {"SCTP", "TCP", "UDP"}), "protocol");
        ctr.ports.push_back(std::move(port));
      }
    } else if (k == "env") {
      if (!expect_seq(c, v, k)) return;
      Scope es(c, "env");
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* e = resolve(item);
        if (!expect_map(c, e, {})) continue;
        model::EnvVar var;
        const YNode* from = nullptr;
        for_each_entry(e, [&](std::string_view ek, const YNode* ev) {
          if (ek == "name") var.name = read_string(c, ev, ek).value_or("");
          if (ek == "value") var.value = read_string(c, ev, ek).value_or("");
          if (ek == "valueFrom" && !is_null_node(ev)) {
            from = ev;
            var.value_from = expect_map(c, ev, ek);
          }
        });
        if (var.name.empty())
          c.error_at(find_key(e, "name") ? find_key(e, "name") : e, msg_required(), "name");
        if (from && !var.value.empty())
          c.error_at(from, msg_invalid("\"\"", "may not be specified when `value` is not empty"),
                     "valueFrom");
        ctr.env.push_back(std::move(var));
      }
    } else if (k == "readinessProbe") {
      ctr.readiness_probe = read_probe(c, v, k);
    } else if (k == "livenessProbe") {
      ctr.liveness_probe = read_probe(c, v, k);
    } else if (k == "startupProbe") {
      ctr.startup_probe = read_probe(c, v, k);
    } else if (k == "lifecycle") {
      read_lifecycle(c, v, ctr);
    }
  });
  if (ctr.name.empty())
    c.error_at(name_node ? name_node : n, msg_required(), "name");
  else
    add_invalid(c, name_node, "name", q(ctr.name), is_dns1123_label(ctr.name));
  if (ctr.image.empty()) c.error_at(image_node ? image_node : n, msg_required(), "image");
  if (!ctr.restart_policy.empty()) {
    if (!init)
      c.error_at(restart_node, msg_forbidden("may not be set for non-init containers"),
                 "restartPolicy");
    else if (ctr.restart_policy != "Always")
      c.error_at(restart_node, msg_not_supported(q(ctr.restart_policy), {"Always"}),
                 "restartPolicy");
  }
  return ctr;
}

void read_containers(Ctx& c, const YNode* v, std::string_view field, bool init,
                     std::vector<model::Container>& out, std::vector<std::string>& names) {
  if (!expect_seq(c, v, field)) return;
  Scope s(c, field);
  out.reserve(resolve(v)->size);
  for (const YNode* item : Children(v)) {
    Scope is(c, item->index);
    const YNode* n = resolve(item);
    if (!expect_map(c, n, {})) continue;
    out.push_back(read_container(c, n, init));
    const auto& name = out.back().name;
    if (name.empty()) continue;
    if (std::find(names.begin(), names.end(), name) != names.end())
      c.error_at(find_key(n, "name"), msg_duplicate(q(name)), "name");
    else
      names.push_back(name);
  }
}

void read_dns_config(Ctx& c, const YNode* n, model::PodDnsConfig& cfg) {
  Scope s(c, "dnsConfig");
  for_each_entry(n, [&](std::string_view k, const YNode* v) {
    if (k == "nameservers") {
      cfg.nameservers = read_string_list(c, v, k);
      if (cfg.nameservers.size() > 3)
        c.error_at(
            v,
            msg_invalid(go_string_slice(cfg.nameservers), "must not have more than 3 nameservers"),
            k);
      Scope ns(c, "nameservers");
      std::uint32_t i = 0;
      for (const YNode* item : Children(resolve(v))) {
        if (i < cfg.nameservers.size() && !is_ip(cfg.nameservers[i])) {
          Scope is(c, i);
          c.error_at(item,
                     msg_invalid(q(cfg.nameservers[i]),
                                 "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
        ++i;
      }
    } else if (k == "searches") {
      cfg.searches = read_string_list(c, v, k);
      if (cfg.searches.size() > 32)
        c.error_at(
            v,
            msg_invalid(go_string_slice(cfg.searches), "must not have more than 32 search paths"),
            k);
      Scope ss(c, "searches");
      std::uint32_t i = 0;
      for (const YNode* item : Children(resolve(v))) {
        if (i < cfg.searches.size()) {
          std::string search = cfg.searches[i];
          if (!search.empty() && search.back() == '.') search.pop_back();
          Scope is(c, i);
          add_invalid(c, item, {}, q(search), is_dns1123_subdomain(search));
        }
        ++i;
      }
    } else if (k == "options") {
      if (!expect_seq(c, v, k)) return;
      Scope os(c, "options");
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* o = resolve(item);
        if (!expect_map(c, o, {})) continue;
        model::PodDnsOption opt;
        opt.name = read_string(c, find_key(o, "name"), "name").value_or("");
        opt.value = read_string(c, find_key(o, "value"), "value");
        if (opt.name.empty()) c.error_at(o, msg_required("Option.Name must not be empty"));
        cfg.options.push_back(std::move(opt));
      }
    }
  });
}

}  // namespace

model::PodSpec read_pod_spec(Ctx& c, const YNode* spec, bool in_template) {
  model::PodSpec ps;
  std::vector<std::string> names;
  const YNode* containers = nullptr;
  const YNode* dns_policy_node = nullptr;
  const YNode* dns_config_node = nullptr;
  const YNode* restart_node = nullptr;
  std::string dns_policy = "ClusterFirst";
  std::string restart = "Always";
  if (!expect_map(c, spec, {})) {
    // No spec at all: the API server reports the first thing a spec needs.
    if (!spec || resolve(spec)->is_null())
      c.error_at(spec ? spec : c.root(), msg_required(), "containers");
    return ps;
  }
  // Init containers first so that duplicate names are reported on the later one, as the
  // API server visits them.
  read_containers(c, find_key(spec, "initContainers"), "initContainers", true, ps.init_containers,
                  names);
  for_each_entry(spec, [&](std::string_view k, const YNode* v) {
    if (k == "containers") {
      containers = v;
      read_containers(c, v, k, false, ps.containers, names);
    } else if (k == "nodeName") {
      ps.node_name = read_string(c, v, k).value_or("");
      add_invalid(c, v, k, q(ps.node_name),
                  ps.node_name.empty() ? Messages{} : is_dns1123_subdomain(ps.node_name));
    } else if (k == "hostname") {
      ps.hostname = read_string(c, v, k).value_or("");
      if (!ps.hostname.empty()) add_invalid(c, v, k, q(ps.hostname), is_dns1123_label(ps.hostname));
    } else if (k == "subdomain") {
      ps.subdomain = read_string(c, v, k).value_or("");
      if (!ps.subdomain.empty())
        add_invalid(c, v, k, q(ps.subdomain), is_dns1123_label(ps.subdomain));
    } else if (k == "dnsPolicy") {
      dns_policy_node = v;
      dns_policy = read_string(c, v, k).value_or("ClusterFirst");
    } else if (k == "dnsConfig") {
      if (!expect_map(c, v, k)) return;
      dns_config_node = v;
      ps.dns_config.emplace();
      read_dns_config(c, v, *ps.dns_config);
    } else if (k == "hostAliases") {
      if (!expect_seq(c, v, k)) return;
      Scope hs(c, "hostAliases");
      for (const YNode* item : Children(v)) {
        Scope is(c, item->index);
        const YNode* a = resolve(item);
        if (!expect_map(c, a, {})) continue;
        model::HostAlias alias;
        const YNode* ip_node = find_key(a, "ip");
        alias.ip = read_string(c, ip_node, "ip").value_or("");
        if (!is_ip(alias.ip))
          c.error_at(ip_node ? ip_node : a,
                     msg_invalid(q(alias.ip),
                                 "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                     "ip");
        const YNode* hn = find_key(a, "hostnames");
        alias.hostnames = read_string_list(c, hn, "hostnames");
        Scope hns(c, "hostnames");
        std::uint32_t i = 0;
        for (const YNode* h : Children(resolve(hn))) {
          if (i < alias.hostnames.size()) {
            Scope his(c, i);
            add_invalid(c, h, {}, q(alias.hostnames[i]), is_dns1123_subdomain(alias.hostnames[i]));
          }
          ++i;
        }
        ps.host_aliases.push_back(std::move(alias));
      }
    } else if (k == "hostNetwork") {
      ps.host_network = read_bool(c, v, k).value_or(false);
    } else if (k == "nodeSelector") {
      ps.node_selector = read_string_map(c, v, k);
      validate_labels(c, v, k);
    } else if (k == "terminationGracePeriodSeconds") {
      auto x = read_int(c, v, k, "int64");
      check_nonnegative(c, v, k, x);
      if (x && *x >= 0) ps.termination_grace_period = core::Duration::seconds(*x);
    } else if (k == "restartPolicy") {
      restart_node = v;
      restart = read_string(c, v, k).value_or("Always");
    }
  });
  if (ps.containers.empty() && !(containers && resolve(containers)->size > 0))
    c.error_at(containers ? containers : spec, msg_required(), "containers");

  if (dns_policy == "ClusterFirst") {
    ps.dns_policy = model::DnsPolicy::ClusterFirst;
  } else if (dns_policy == "ClusterFirstWithHostNet") {
    ps.dns_policy = model::DnsPolicy::ClusterFirstWithHostNet;
  } else if (dns_policy == "Default") {
    ps.dns_policy = model::DnsPolicy::Default;
  } else if (dns_policy == "None") {
    ps.dns_policy = model::DnsPolicy::None;
    if (!ps.dns_config)
      c.error_at(dns_policy_node, msg_required("must provide `dnsConfig` when `dnsPolicy` is None"),
                 "dnsConfig");
    else if (ps.dns_config->nameservers.empty())
      c.error_at(dns_config_node,
                 msg_required("must provide at least one DNS nameserver when `dnsPolicy` is None"),
                 "dnsConfig.nameservers");
  } else {
    c.error_at(dns_policy_node,
               msg_not_supported(q(dns_policy),
                                 {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}),
               "dnsPolicy");
  }

  if (restart != "Always" && restart != "OnFailure" && restart != "Never") {
    c.error_at(restart_node, msg_not_supported(q(restart), {"Always", "Never", "OnFailure"}),
               "restartPolicy");
  } else if (in_template && restart != "Always") {
    c.error_at(restart_node, msg_not_supported(q(restart), {"Always"}), "restartPolicy");
  }
  ps.restart_policy = restart;
  return ps;
}

model::PodTemplate read_pod_template(Ctx& c, const YNode* tmpl) {
  model::PodTemplate pt;
  if (!expect_map(c, tmpl, "template")) {
    c.error_at(tmpl ? tmpl : c.root(), msg_required(), "template");
    pt.spec = std::make_shared<const model::PodSpec>();
    return pt;
  }
  Scope s(c, "template");
  const YNode* md = find_key(tmpl, "metadata");
  if (expect_map(c, md, "metadata")) {
    Scope ms(c, "metadata");
    for_each_entry(md, [&](std::string_view k, const YNode* v) {
      if (k == "labels") {
        pt.labels = read_string_map(c, v, k);
        validate_labels(c, v, k);
      } else if (k == "annotations") {
        pt.annotations = read_string_map(c, v, k);
        validate_annotations(c, v, k);
      }
    });
  }
  const YNode* spec = find_key(tmpl, "spec");
  Scope ss(c, "spec");
  pt.spec = std::make_shared<const model::PodSpec>(read_pod_spec(c, spec, true));
  return pt;
}

model::Pod convert_pod(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Pod pod;
  pod.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  const YNode* spec = find_key(root, "spec");
  Scope s(c, "spec");
  pod.spec = std::make_shared<const model::PodSpec>(read_pod_spec(c, spec, false));
  // The binding lives outside the (shareable) spec; a written nodeName binds at once.
  pod.node_name = pod.spec->node_name;
  return pod;
}

}  // namespace podhop::manifest::detail
