// Deployments, ReplicaSets, ReplicationControllers, StatefulSets and DaemonSets.

#include <cctype>

#include <fmt/format.h>

#include "manifest/convert.hpp"

namespace podhop::manifest::detail {

namespace {

/// metav1.LabelSelector's generated String(), which the API server prints for selectors.
std::string selector_string(const model::LabelSelector& sel) {
  std::string exprs = "[]LabelSelectorRequirement{";
  for (const auto& r : sel.match_expressions) {
    std::string op;
    switch (r.op) {
      case model::SelectorOp::In:
        op = "In";
        break;
      case model::SelectorOp::NotIn:
        op = "NotIn";
        break;
      case model::SelectorOp::Exists:
        op = "Exists";
        break;
      case model::SelectorOp::DoesNotExist:
        op = "DoesNotExist";
        break;
    }
    exprs += fmt::format("LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},", r.key, op,
                         fmt::join(r.values, " "));
  }
  exprs += "}";
  std::string labels = "map[string]string{";
  for (const auto& [k, v] : sel.match_labels) labels += fmt::format("{}: {},", k, v);
  labels += "}";
  return fmt::format("&LabelSelector{{MatchLabels:{},MatchExpressions:{},}}", labels, exprs);
}

std::string labels_go(const model::StringMap& labels, bool present) {
  std::vector<std::pair<std::string, std::string>> entries(labels.begin(), labels.end());
  return go_map(entries, !present);
}

/// What every replicated workload shares.
struct WorkloadSpec {
  std::optional<std::int32_t> replicas;
  const YNode* replicas_node = nullptr;
  bool has_selector = false;
  bool selector_invalid = false;  // matchExpressions the API could not turn into a selector
  const YNode* selector_node = nullptr;
  model::LabelSelector selector;
  model::StringMap rc_selector;  // ReplicationController: a plain map
  model::PodTemplate pod_template;
  bool template_has_labels = false;
  std::optional<std::int32_t> min_ready_seconds;
  const YNode* min_ready_node = nullptr;
};

/// Reads replicas, selector, template and minReadySeconds, then calls extra(k, v) for the
/// kind's own spec fields.
template <typename Extra>
WorkloadSpec read_workload_spec(Ctx& c, const YNode* root, bool plain_selector, Extra&& extra) {
  WorkloadSpec w;
  const YNode* spec = find_key(root, "spec");
  Scope s(c, "spec");
  const YNode* tmpl = nullptr;
  if (expect_map(c, spec, {})) {
    for_each_entry(spec, [&](std::string_view k, const YNode* v) {
      if (k == "replicas") {
        w.replicas_node = v;
        w.replicas = read_int32(c, v, k);
      } else if (k == "selector") {
        if (resolve(v)->is_null()) return;
        w.selector_node = v;
        w.has_selector = true;
        if (plain_selector) {
          w.rc_selector = read_string_map(c, v, k);
          validate_labels(c, v, k);
        } else {
          std::size_t before = c.errors().size();
          w.selector = read_label_selector(c, v, k);
          w.selector_invalid = c.errors().size() != before;
        }
      } else if (k == "template") {
        tmpl = v;
      } else if (k == "minReadySeconds") {
        w.min_ready_node = v;
        w.min_ready_seconds = read_int32(c, v, k);
      } else {
        extra(k, v);
      }
    });
  }
  w.template_has_labels = find_key(find_key(tmpl, "metadata"), "labels") != nullptr &&
                          !resolve(find_key(find_key(tmpl, "metadata"), "labels"))->is_null();
  if (tmpl) {
    w.pod_template = read_pod_template(c, tmpl);
  } else {
    c.error_at(spec ? spec : root, msg_required(), "template");
    w.pod_template.spec = std::make_shared<const model::PodSpec>();
  }
  if (w.replicas && *w.replicas < 0)
    c.error_at(w.replicas_node,
               msg_invalid(std::to_string(*w.replicas), "must be greater than or equal to 0"),
               "replicas");
  if (w.min_ready_seconds && *w.min_ready_seconds < 0)
    c.error_at(
        w.min_ready_node,
        msg_invalid(std::to_string(*w.min_ready_seconds), "must be greater than or equal to 0"),
        "minReadySeconds");
  return w;
}

/// The selector rules of apps/v1 workloads. `kind_word` names the kind in the empty
/// selector message ("deployment" for both Deployments and ReplicaSets, as Kubernetes
/// words it); `require` is false for DaemonSets, whose validation does not demand one.
void validate_apps_selector(Ctx& c, const YNode* root, const WorkloadSpec& w,
                            std::string_view kind_word, bool require) {
  const YNode* spec = find_key(root, "spec");
  Scope s(c, "spec");
  if (!w.has_selector) {
    if (require) c.error_at(spec ? spec : root, msg_required(), "selector");
  } else if (w.selector.empty()) {
    c.error_at(w.selector_node,
               msg_invalid(selector_string(w.selector),
                           fmt::format("empty selector is invalid for {}", kind_word)),
               "selector");
  }
  // A missing selector selects nothing, so it cannot match the template either; a
  // selector the API cannot parse stops the check.
  bool matches =
      w.has_selector ? (w.selector.empty() || w.selector.matches(w.pod_template.labels)) : false;
  if (!matches && !w.selector_invalid)
    c.error("spec.template.metadata.labels",
            msg_invalid(labels_go(w.pod_template.labels, w.template_has_labels),
                        "`selector` does not match template `labels`"));
}

model::IntOrString read_percent_or_int(Ctx& c, const YNode* v, std::string_view field) {
  auto x = read_int_or_string(c, v, field);
  if (x.is_string()) {
    add_invalid(c, v, field, x.str_value, is_valid_percent(x.str_value));
  } else if (x.is_int() && x.int_value < 0) {
    c.error_at(v, msg_invalid(std::to_string(x.int_value), "must be greater than or equal to 0"),
               field);
  }
  return x;
}

/// The value of an int-or-percent, as getIntOrPercentValue reads it (percent: the number).
std::int64_t int_or_percent_value(const model::IntOrString& x, bool& is_percent) {
  is_percent = false;
  if (x.is_int()) return x.int_value;
  if (!x.is_string() || x.str_value.size() < 2 || x.str_value.back() != '%') return -1;
  is_percent = true;
  std::int64_t v = 0;
  for (std::size_t i = 0; i + 1 < x.str_value.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(x.str_value[i]))) return -1;
    v = v * 10 + (x.str_value[i] - '0');
    if (v > 1'000'000) return v;
  }
  return v;
}

}  // namespace

model::Deployment convert_deployment(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Deployment d;
  d.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  const YNode* strategy = nullptr;
  WorkloadSpec w = read_workload_spec(c, root, false, [&](std::string_view k, const YNode* v) {
    if (k == "strategy") strategy = v;
  });
  d.replicas = w.replicas.value_or(1);
  d.selector = w.selector;
  d.pod_template = w.pod_template;
  d.min_ready_seconds = w.min_ready_seconds.value_or(0);
  validate_apps_selector(c, root, w, "deployment", true);

  Scope s(c, "spec");
  if (!expect_map(c, strategy, "strategy")) return d;
  Scope ss(c, "strategy");
  const YNode* type_node = find_key(strategy, "type");
  std::string type = read_string(c, type_node, "type").value_or("RollingUpdate");
  const YNode* ru = find_key(strategy, "rollingUpdate");
  bool has_ru = ru && !resolve(ru)->is_null();
  if (type == "Recreate") {
    d.strategy = "Recreate";
    if (has_ru)
      c.error_at(ru, msg_forbidden("may not be specified when strategy `type` is 'Recreate'"),
                 "rollingUpdate");
    return d;
  }
  if (type != "RollingUpdate") {
    c.error_at(type_node, msg_not_supported(q(type), {"Recreate", "RollingUpdate"}), "type");
    return d;
  }
  d.strategy = "RollingUpdate";
  if (!expect_map(c, ru, "rollingUpdate")) return d;
  Scope rs(c, "rollingUpdate");
  const YNode* mu_node = find_key(ru, "maxUnavailable");
  const YNode* ms_node = find_key(ru, "maxSurge");
  if (mu_node && !resolve(mu_node)->is_null())
    d.max_unavailable = read_percent_or_int(c, mu_node, "maxUnavailable");
  if (ms_node && !resolve(ms_node)->is_null())
    d.max_surge = read_percent_or_int(c, ms_node, "maxSurge");
  bool mu_pct = false;
  bool ms_pct = false;
  std::int64_t mu = int_or_percent_value(d.max_unavailable, mu_pct);
  std::int64_t ms = int_or_percent_value(d.max_surge, ms_pct);
  if (mu == 0 && ms == 0)
    c.error_at(mu_node ? mu_node : ru,
               msg_invalid(d.max_unavailable.str(), "may not be 0 when `maxSurge` is 0"),
               "maxUnavailable");
  if (mu_pct && mu > 100)
    c.error_at(mu_node, msg_invalid(d.max_unavailable.str(), "must not be greater than 100%"),
               "maxUnavailable");
  return d;
}

model::ReplicaSet convert_replica_set(Ctx& c, const YNode* root, std::string_view api_version) {
  model::ReplicaSet rs;
  rs.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  WorkloadSpec w = read_workload_spec(c, root, false, [](std::string_view, const YNode*) {});
  rs.replicas = w.replicas.value_or(1);
  rs.selector = w.selector;
  rs.pod_template = w.pod_template;
  // Kubernetes' ReplicaSet validation says "deployment" here too.
  validate_apps_selector(c, root, w, "deployment", true);
  return rs;
}

model::ReplicationController convert_replication_controller(Ctx& c, const YNode* root,
                                                            std::string_view api_version) {
  model::ReplicationController rc;
  rc.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  WorkloadSpec w = read_workload_spec(c, root, true, [](std::string_view, const YNode*) {});
  rc.replicas = w.replicas.value_or(1);
  rc.pod_template = w.pod_template;
  // v1 defaulting: the selector and the RC's own labels default to the template labels.
  rc.selector = w.rc_selector.empty() ? w.pod_template.labels : w.rc_selector;
  if (rc.meta.labels.empty()) rc.meta.labels = w.pod_template.labels;
  if (rc.selector.empty()) {
    const YNode* spec = find_key(root, "spec");
    c.error_at(w.selector_node ? w.selector_node : (spec ? spec : root), msg_required(),
               "spec.selector");
  } else if (!model::selector_matches(rc.selector, w.pod_template.labels)) {
    c.error("spec.template.metadata.labels",
            msg_invalid(labels_go(w.pod_template.labels, w.template_has_labels),
                        "`selector` does not match template `labels`"));
  }
  return rc;
}

model::StatefulSet convert_stateful_set(Ctx& c, const YNode* root, std::string_view api_version) {
  model::StatefulSet ss;
  ss.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  const YNode* policy_node = nullptr;
  WorkloadSpec w = read_workload_spec(c, root, false, [&](std::string_view k, const YNode* v) {
    if (k == "serviceName") {
      ss.service_name = read_string(c, v, k).value_or("");
    } else if (k == "podManagementPolicy") {
      policy_node = v;
      ss.pod_management_policy = read_string(c, v, k).value_or("OrderedReady");
    }
  });
  ss.replicas = w.replicas.value_or(1);
  ss.selector = w.selector;
  ss.pod_template = w.pod_template;
  if (ss.pod_management_policy.empty()) ss.pod_management_policy = "OrderedReady";
  if (ss.pod_management_policy != "OrderedReady" && ss.pod_management_policy != "Parallel")
    c.error_at(policy_node,
               msg_invalid(q(ss.pod_management_policy), "must be 'OrderedReady' or 'Parallel'"),
               "spec.podManagementPolicy");
  validate_apps_selector(c, root, w, "statefulset", true);
  return ss;
}

model::DaemonSet convert_daemon_set(Ctx& c, const YNode* root, std::string_view api_version) {
  model::DaemonSet ds;
  ds.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  WorkloadSpec w = read_workload_spec(c, root, false, [](std::string_view, const YNode*) {});
  ds.selector = w.selector;
  ds.pod_template = w.pod_template;
  validate_apps_selector(c, root, w, "daemonset", false);
  return ds;
}

}  // namespace podhop::manifest::detail
