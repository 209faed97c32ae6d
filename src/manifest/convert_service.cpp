// Services, Endpoints and EndpointSlices: defaults (rules 1.1) and ValidateService (1.4).

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "manifest/convert.hpp"

namespace podhop::manifest::detail {

namespace {

constexpr std::string_view kIpMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
constexpr std::int32_t kMaxAffinitySeconds = 86400;

struct RawPort {
  const YNode* node = nullptr;
  const YNode* name_node = nullptr;
  const YNode* protocol_node = nullptr;
  const YNode* port_node = nullptr;
  const YNode* target_node = nullptr;
  const YNode* node_port_node = nullptr;
  const YNode* app_protocol_node = nullptr;
  std::string protocol = "TCP";
  bool has_app_protocol = false;
};

/// %#v of the (protocol, port) key ValidateService uses to find duplicate ports.
std::string go_service_port_key(std::string_view protocol, std::int32_t port) {
  return fmt::format(
      "core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{}, "
      "TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
      go_quote(protocol), port);
}

bool is_null_node(const YNode* n) {
  return !n || resolve(n)->is_null();
}

}  // namespace

model::Service convert_service(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Service svc;
  svc.meta = read_metadata(c, root, {true, NameRule::dns1035_label}, api_version);
  auto& spec = svc.spec;

  const YNode* spec_node = find_key(root, "spec");
  Scope s(c, "spec");
  std::string type = "ClusterIP";
  const YNode* type_node = nullptr;
  std::string cluster_ip;
  const YNode* cluster_ip_node = nullptr;
  std::vector<std::string> cluster_ips;
  const YNode* cluster_ips_node = nullptr;
  const YNode* ports_node = nullptr;
  std::vector<RawPort> raw_ports;
  const YNode* selector_node = nullptr;
  std::string affinity = "None";
  const YNode* affinity_node = nullptr;
  std::optional<std::int32_t> affinity_timeout;
  const YNode* affinity_timeout_node = nullptr;
  std::optional<std::string> etp;
  const YNode* etp_node = nullptr;
  std::optional<std::string> itp;
  const YNode* itp_node = nullptr;
  const YNode* hcnp_node = nullptr;
  std::vector<std::string> source_ranges;
  const YNode* source_ranges_node = nullptr;
  const YNode* alloc_node = nullptr;
  std::vector<std::string> external_ips;
  const YNode* external_ips_node = nullptr;
  const YNode* external_name_node = nullptr;
  std::optional<std::string> ip_family_policy;
  const YNode* ip_family_policy_node = nullptr;
  const YNode* ip_families_node = nullptr;
  std::optional<std::string> lb_class;
  const YNode* lb_class_node = nullptr;
  std::optional<std::string> traffic_distribution;
  const YNode* td_node = nullptr;

  if (expect_map(c, spec_node, {})) {
    for_each_entry(spec_node, [&](std::string_view k, const YNode* v) {
      if (k == "type") {
        type_node = v;
        type = read_string(c, v, k).value_or("ClusterIP");
      } else if (k == "clusterIP") {
        cluster_ip_node = v;
        cluster_ip = read_string(c, v, k).value_or("");
      } else if (k == "clusterIPs") {
        cluster_ips_node = v;
        cluster_ips = read_string_list(c, v, k);
      } else if (k == "ports") {
        ports_node = v;
        if (!expect_seq(c, v, k)) return;
        Scope ps(c, "ports");
        for (const YNode* item : Children(v)) {
          Scope is(c, item->index);
          const YNode* p = resolve(item);
          if (!expect_map(c, p, {})) continue;
          RawPort raw;
          raw.node = p;
          model::ServicePort port;
          for_each_entry(p, [&](std::string_view pk, const YNode* pv) {
            if (pk == "name") {
              raw.name_node = pv;
              port.name = read_string(c, pv, pk).value_or("");
            } else if (pk == "protocol") {
              raw.protocol_node = pv;
              raw.protocol = read_string(c, pv, pk).value_or("TCP");
            } else if (pk == "port") {
              raw.port_node = pv;
              port.port = read_int32(c, pv, pk).value_or(0);
            } else if (pk == "targetPort") {
              raw.target_node = pv;
              port.target_port = read_int_or_string(c, pv, pk);
            } else if (pk == "nodePort") {
              raw.node_port_node = pv;
              port.node_port = read_int32(c, pv, pk).value_or(0);
            } else if (pk == "appProtocol") {
              raw.app_protocol_node = pv;
              auto ap = read_string(c, pv, pk);
              raw.has_app_protocol = ap.has_value();
              port.app_protocol = ap.value_or("");
            }
          });
          spec.ports.push_back(std::move(port));
          raw_ports.push_back(raw);
        }
      } else if (k == "selector") {
        selector_node = v;
        spec.selector = read_string_map(c, v, k);
        validate_labels(c, v, k);
      } else if (k == "sessionAffinity") {
        affinity_node = v;
        affinity = read_string(c, v, k).value_or("None");
      } else if (k == "sessionAffinityConfig") {
        if (!expect_map(c, v, k)) return;
        Scope as(c, "sessionAffinityConfig");
        const YNode* cip = find_key(v, "clientIP");
        if (!expect_map(c, cip, "clientIP")) return;
        Scope cs(c, "clientIP");
        affinity_timeout_node = find_key(cip, "timeoutSeconds");
        affinity_timeout = read_int32(c, affinity_timeout_node, "timeoutSeconds");
      } else if (k == "externalTrafficPolicy") {
        etp_node = v;
        etp = read_string(c, v, k);
        if (etp && etp->empty()) etp.reset();
      } else if (k == "internalTrafficPolicy") {
        itp_node = v;
        itp = read_string(c, v, k);
        if (itp && itp->empty()) itp.reset();
      } else if (k == "healthCheckNodePort") {
        hcnp_node = v;
        spec.health_check_node_port = read_int32(c, v, k).value_or(0);
      } else if (k == "loadBalancerSourceRanges") {
        source_ranges_node = v;
        source_ranges = read_string_list(c, v, k);
      } else if (k == "allocateLoadBalancerNodePorts") {
        alloc_node = is_null_node(v) ? nullptr : v;
        spec.allocate_load_balancer_node_ports = read_bool(c, v, k);
      } else if (k == "loadBalancerIP") {
        spec.load_balancer_ip = read_string(c, v, k).value_or("");
      } else if (k == "loadBalancerClass") {
        lb_class_node = v;
        lb_class = read_string(c, v, k);
      } else if (k == "externalIPs") {
        external_ips_node = v;
        external_ips = read_string_list(c, v, k);
      } else if (k == "externalName") {
        external_name_node = v;
        spec.external_name = read_string(c, v, k).value_or("");
      } else if (k == "publishNotReadyAddresses") {
        spec.publish_not_ready_addresses = read_bool(c, v, k).value_or(false);
      } else if (k == "trafficDistribution") {
        td_node = v;
        traffic_distribution = read_string(c, v, k);
      } else if (k == "ipFamilyPolicy") {
        ip_family_policy_node = v;
        ip_family_policy = read_string(c, v, k);
      } else if (k == "ipFamilies") {
        ip_families_node = v;
        spec.ip_families = read_string_list(c, v, k);
      } else if (k == "ipFamily") {
        // The alpha dual-stack field, removed in 1.20. kubectl's strict field validation
        // refuses it; silently ignoring it would hide that the Service is not IPv6.
        c.error_at(v->key ? v->key : v,
                   "strict decoding error: unknown field \"spec.ipFamily\" (the alpha field was "
                   "removed in Kubernetes 1.20: use spec.ipFamilies and spec.ipFamilyPolicy)",
                   k);
      }
    });
  }

  // --- type
  bool type_ok = true;
  if (type == "ClusterIP") {
    spec.type = model::ServiceType::ClusterIP;
  } else if (type == "NodePort") {
    spec.type = model::ServiceType::NodePort;
  } else if (type == "LoadBalancer") {
    spec.type = model::ServiceType::LoadBalancer;
  } else if (type == "ExternalName") {
    spec.type = model::ServiceType::ExternalName;
  } else {
    type_ok = false;
    c.error_at(
        type_node,
        msg_not_supported(q(type), {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}),
        "type");
  }
  const bool is_lb = spec.type == model::ServiceType::LoadBalancer;
  const bool is_np = spec.type == model::ServiceType::NodePort;
  const bool is_en = spec.type == model::ServiceType::ExternalName;

  // --- cluster IPs (the strategy copies clusterIP into clusterIPs[0])
  if (cluster_ips.empty() && !cluster_ip.empty()) cluster_ips.push_back(cluster_ip);
  if (cluster_ip.empty() && !cluster_ips.empty()) cluster_ip = cluster_ips.front();
  const YNode* ips_at = cluster_ip_node ? cluster_ip_node : cluster_ips_node;
  spec.headless = cluster_ip == "None";
  if (is_en) {
    if (!cluster_ips.empty())
      c.error_at(ips_at, msg_forbidden("may not be set for ExternalName services"), "clusterIPs");
    if (!spec.ip_families.empty())
      c.error_at(ip_families_node, msg_forbidden("may not be set for ExternalName services"),
                 "ipFamilies");
    if (ip_family_policy)
      c.error_at(ip_family_policy_node, msg_forbidden("may not be set for ExternalName services"),
                 "ipFamilyPolicy");
  } else {
    if (!cluster_ips.empty() && cluster_ip != cluster_ips.front())
      c.error_at(ips_at,
                 msg_invalid(go_string_slice(cluster_ips), "first value must match `clusterIP`"),
                 "clusterIPs[0]");
    for (std::size_t i = 0; i < cluster_ips.size(); ++i) {
      const std::string& ip = cluster_ips[i];
      std::string path = fmt::format("clusterIPs[{}]", i);
      if (i == 0 && ip == "None") {
        if (cluster_ips.size() > 1)
          c.error_at(
              ips_at,
              msg_invalid(go_string_slice(cluster_ips), "'None' must be the first and only value"),
              "clusterIPs");
        continue;
      }
      if (!is_ip(ip)) {
        c.error_at(ips_at, msg_invalid(q(ip), kIpMsg), path);
      } else if (!is_ipv4(ip)) {
        c.error_at(
            ips_at,
            msg_invalid(go_string_slice(cluster_ips), "IPv6 is not configured on this cluster"),
            path);
      } else if (i == 0) {
        spec.cluster_ip = *core::Ipv4::parse(ip);
      }
    }
  }
  if (spec.headless && is_lb)
    c.error_at(ips_at,
               msg_invalid("\"None\"", "may not be set to 'None' for LoadBalancer services"),
               "clusterIPs[0]");
  if (spec.headless && is_np)
    c.error_at(ips_at, msg_invalid("\"None\"", "may not be set to 'None' for NodePort services"),
               "clusterIPs[0]");

  // --- selector: absent or {} means no selector (manual endpoints).
  spec.has_selector = !spec.selector.empty();

  // --- ports
  if (spec.ports.empty() && !spec.headless && !is_en)
    c.error_at(ports_node ? ports_node : (spec_node ? spec_node : root), msg_required(), "ports");
  {
    Scope ps(c, "ports");
    std::vector<std::string> names;
    std::vector<std::pair<std::string, std::int32_t>> seen_ports;
    std::vector<std::pair<std::string, std::int32_t>> seen_node_ports;
    for (std::size_t i = 0; i < spec.ports.size(); ++i) {
      auto& port = spec.ports[i];
      const RawPort& raw = raw_ports[i];
      Scope is(c, static_cast<std::uint32_t>(i));
      if (spec.ports.size() > 1 && port.name.empty()) {
        c.error_at(raw.name_node ? raw.name_node : raw.node, msg_required(), "name");
      } else if (!port.name.empty()) {
        add_invalid(c, raw.name_node, "name", q(port.name), is_dns1123_label(port.name));
        if (std::find(names.begin(), names.end(), port.name) != names.end())
          c.error_at(raw.name_node, msg_duplicate(q(port.name)), "name");
        else
          names.push_back(port.name);
      }
      add_invalid(c, raw.port_node ? raw.port_node : raw.node, "port", std::to_string(port.port),
                  is_valid_port_num(port.port));
      if (auto p = model::parse_protocol(raw.protocol))
        port.protocol = *p;
      else
        c.error_at(raw.protocol_node, msg_not_supported(q(raw.protocol), {"SCTP", "TCP", "UDP"}),
                   "protocol");
      // targetPort defaults to port when unset (int 0 or empty string).
      if (!port.target_port.is_set() ||
          (port.target_port.is_int() && port.target_port.int_value == 0) ||
          (port.target_port.is_string() && port.target_port.str_value.empty())) {
        port.target_port = model::IntOrString::of(port.port);
      } else if (port.target_port.is_int()) {
        add_invalid(c, raw.target_node, "targetPort", std::to_string(port.target_port.int_value),
                    is_valid_port_num(port.target_port.int_value));
      } else {
        add_invalid(c, raw.target_node, "targetPort", q(port.target_port.str_value),
                    is_valid_port_name(port.target_port.str_value));
      }
      if (raw.has_app_protocol)
        add_invalid(c, raw.app_protocol_node, "appProtocol", q(port.app_protocol),
                    is_qualified_name(port.app_protocol));
      if (port.node_port != 0) {
        if (spec.type == model::ServiceType::ClusterIP && type_ok) {
          c.error_at(raw.node_port_node,
                     msg_forbidden("may not be used when `type` is 'ClusterIP'"), "nodePort");
        } else if (is_np || is_lb) {
          c.node_ports().push_back(
              {raw.node_port_node, c.path().child("nodePort"), port.node_port});
        }
        std::pair<std::string, std::int32_t> nkey{raw.protocol, port.node_port};
        if (std::find(seen_node_ports.begin(), seen_node_ports.end(), nkey) !=
            seen_node_ports.end())
          c.error_at(raw.node_port_node, msg_duplicate(std::to_string(port.node_port)), "nodePort");
        seen_node_ports.push_back(nkey);
      }
      std::pair<std::string, std::int32_t> key{raw.protocol, port.port};
      if (std::find(seen_ports.begin(), seen_ports.end(), key) != seen_ports.end())
        c.error_at(raw.node, msg_duplicate(go_service_port_key(raw.protocol, port.port)));
      seen_ports.push_back(key);
    }
  }

  // --- session affinity (None clears the config, ClientIP defaults its timeout)
  if (affinity == "None") {
    spec.session_affinity = model::SessionAffinity::None;
  } else if (affinity == "ClientIP") {
    spec.session_affinity = model::SessionAffinity::ClientIP;
    std::int32_t t = affinity_timeout.value_or(10800);
    if (t <= 0 || t > kMaxAffinitySeconds)
      c.error_at(
          affinity_timeout_node,
          msg_invalid(std::to_string(t),
                      fmt::format("must be greater than 0 and less than {}", kMaxAffinitySeconds)),
          "sessionAffinityConfig.clientIP.timeoutSeconds");
    else
      spec.affinity_timeout = core::Duration::seconds(t);
  } else {
    c.error_at(affinity_node, msg_not_supported(q(affinity), {"ClientIP", "None"}),
               "sessionAffinity");
  }

  // --- externalIPs
  {
    Scope es(c, "externalIPs");
    const YNode* en = resolve(external_ips_node);
    std::uint32_t i = 0;
    for (const YNode* item : Children(en)) {
      if (i >= external_ips.size()) break;
      const std::string& ip = external_ips[i];
      Scope is(c, i);
      if (!is_ip(ip)) {
        c.error_at(item, msg_invalid(q(ip), kIpMsg));
      } else {
        auto special = non_special_ip(ip);
        add_invalid(c, item, {}, q(ip), special);
        if (special.empty()) {
          if (auto v4 = core::Ipv4::parse(ip))
            spec.external_ips.push_back(*v4);
          else
            c.warning_at(
                item, fmt::format(
                          "{} is an IPv6 address; podhop simulates IPv4 only and ignores it", ip));
        }
      }
      ++i;
    }
  }

  // --- ExternalName
  if (is_en) {
    std::string cname = spec.external_name;
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (cname.empty())
      c.error_at(external_name_node ? external_name_node : spec_node, msg_required(),
                 "externalName");
    else
      add_invalid(c, external_name_node, "externalName", q(cname), is_dns1123_subdomain(cname));
  }

  // --- load balancer fields
  if (!source_ranges.empty()) {
    std::string path = c.path().child("LoadBalancerSourceRanges");
    if (!is_lb)
      c.error_at_path(source_ranges_node, path,
                      msg_forbidden("may only be used when `type` is 'LoadBalancer'"));
    std::uint32_t i = 0;
    for (const YNode* item : Children(resolve(source_ranges_node))) {
      if (i >= source_ranges.size()) break;
      std::string value = source_ranges[i];
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      if (!is_cidr(value)) {
        c.error_at_path(
            item, fmt::format("{}[{}]", path, i),
            msg_invalid(q(value),
                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
      } else if (auto cidr = core::Cidr::parse(value)) {
        spec.load_balancer_source_ranges.push_back(*cidr);
      }
      ++i;
    }
  }
  if (spec.allocate_load_balancer_node_ports && !is_lb)
    c.error_at(alloc_node, msg_forbidden("may only be used when `type` is 'LoadBalancer'"),
               "allocateLoadBalancerNodePorts");
  if (is_lb && !spec.allocate_load_balancer_node_ports)
    spec.allocate_load_balancer_node_ports = true;
  if (!is_lb) spec.allocate_load_balancer_node_ports.reset();
  if (lb_class) {
    spec.load_balancer_class = *lb_class;
    if (!is_lb)
      c.error_at(lb_class_node, msg_forbidden("may only be used when `type` is 'LoadBalancer'"),
                 "loadBalancerClass");
    add_invalid(c, lb_class_node, "loadBalancerClass", q(*lb_class), is_qualified_name(*lb_class));
  }

  // --- traffic policies
  const bool external =
      is_lb || is_np ||
      (spec.type == model::ServiceType::ClusterIP && !spec.external_ips.empty()) ||
      (spec.type == model::ServiceType::ClusterIP && !external_ips.empty());
  if (!external) {
    if (etp)
      c.error_at(etp_node,
                 msg_invalid(q(*etp), "may only be set for externally-accessible services"),
                 "externalTrafficPolicy");
  } else if (!etp) {
    spec.external_traffic_policy = model::TrafficPolicy::Cluster;
  } else if (*etp == "Cluster" || *etp == "Local") {
    spec.external_traffic_policy =
        *etp == "Local" ? model::TrafficPolicy::Local : model::TrafficPolicy::Cluster;
  } else {
    c.error_at(etp_node, msg_not_supported(q(*etp), {"Cluster", "Local"}), "externalTrafficPolicy");
  }
  const bool needs_health_check =
      is_lb && spec.external_traffic_policy == model::TrafficPolicy::Local;
  if (!needs_health_check && spec.health_check_node_port != 0) {
    c.error_at(
        hcnp_node,
        msg_invalid(
            std::to_string(spec.health_check_node_port),
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
        "healthCheckNodePort");
  } else if (needs_health_check && spec.health_check_node_port != 0) {
    auto msgs = is_valid_port_num(spec.health_check_node_port);
    add_invalid(c, hcnp_node, "healthCheckNodePort", std::to_string(spec.health_check_node_port),
                msgs);
    if (msgs.empty())
      c.node_ports().push_back(
          {hcnp_node, c.path().child("healthCheckNodePort"), spec.health_check_node_port});
  }
  if (itp) {
    if (*itp == "Cluster" || *itp == "Local")
      spec.internal_traffic_policy =
          *itp == "Local" ? model::TrafficPolicy::Local : model::TrafficPolicy::Cluster;
    else
      c.error_at(itp_node, msg_not_supported(q(*itp), {"Cluster", "Local"}),
                 "internalTrafficPolicy");
  } else if (!is_en) {
    spec.internal_traffic_policy = model::TrafficPolicy::Cluster;
  }
  if (traffic_distribution && !traffic_distribution->empty()) {
    const auto& td = *traffic_distribution;
    if (td == "PreferClose" || td == "PreferSameZone" || td == "PreferSameNode")
      spec.traffic_distribution = td;
    else
      c.error_at(td_node,
                 msg_not_supported(q(td), {"PreferClose", "PreferSameNode", "PreferSameZone"}),
                 "trafficDistribution");
  }

  // --- IP families on a single-stack IPv4 cluster (the allocator's checks)
  if (!is_en) {
    spec.ip_family_policy = ip_family_policy.value_or("");
    const bool headless_selectorless = spec.headless && !spec.has_selector;
    if (spec.ip_family_policy.empty())
      spec.ip_family_policy = headless_selectorless ? "RequireDualStack" : "SingleStack";
    const auto& pol = spec.ip_family_policy;
    bool pol_ok = pol == "SingleStack" || pol == "PreferDualStack" || pol == "RequireDualStack";
    if (!pol_ok)
      c.error_at(ip_family_policy_node,
                 msg_not_supported(q(pol), {"PreferDualStack", "RequireDualStack", "SingleStack"}),
                 "ipFamilyPolicy");
    std::vector<std::string> seen;
    bool families_ok = true;
    for (std::uint32_t i = 0; i < spec.ip_families.size(); ++i) {
      const auto& fam = spec.ip_families[i];
      std::string path = fmt::format("ipFamilies[{}]", i);
      if (fam != "IPv4" && fam != "IPv6") {
        families_ok = false;
        c.error(c.path().child(path), msg_not_supported(q(fam), {"IPv4", "IPv6"}));
      } else if (std::find(seen.begin(), seen.end(), fam) != seen.end()) {
        families_ok = false;
        c.error(c.path().child(path), msg_duplicate(q(fam)));
      }
      seen.push_back(fam);
    }
    if (spec.ip_families.size() > 2) {
      families_ok = false;
      c.error_at(ip_families_node,
                 msg_invalid(go_string_slice(spec.ip_families), "may be at most 2 entries"),
                 "ipFamilies");
    }
    if (pol == "SingleStack" && spec.ip_families.size() == 2)
      c.error_at(ip_family_policy_node ? ip_family_policy_node : ip_families_node,
                 msg_invalid(q(pol),
                             "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP "
                             "families are specified"),
                 "ipFamilyPolicy");
    if (pol_ok && families_ok && !headless_selectorless) {
      if (pol == "RequireDualStack")
        c.error_at(ip_family_policy_node,
                   msg_invalid(q(pol), "this cluster is not configured for dual-stack services"),
                   "ipFamilyPolicy");
      for (std::uint32_t i = 0; i < spec.ip_families.size(); ++i) {
        if (spec.ip_families[i] == "IPv6")
          c.error(c.path().child(fmt::format("ipFamilies[{}]", i)),
                  msg_invalid("\"IPv6\"", "not configured on this cluster"));
      }
    }
  } else {
    spec.ip_family_policy.clear();
  }
  return svc;
}

// ---------------------------------------------------------------------------------------
// Endpoints

namespace {

/// validateEndpointAddress: IsValidIP, hostname label, then the special ranges.
std::optional<model::EndpointAddress> read_endpoint_address(Ctx& c, const YNode* n) {
  if (!expect_map(c, n, {})) return std::nullopt;
  model::EndpointAddress addr;
  std::string ip;
  const YNode* ip_node = nullptr;
  for_each_entry(n, [&](std::string_view k, const YNode* v) {
    if (k == "ip") {
      ip_node = v;
      ip = read_string(c, v, k).value_or("");
    } else if (k == "hostname") {
      addr.hostname = read_string(c, v, k).value_or("");
      if (!addr.hostname.empty())
        add_invalid(c, v, k, q(addr.hostname), is_dns1123_label(addr.hostname));
    } else if (k == "nodeName") {
      addr.node_name = read_string(c, v, k).value_or("");
      if (!addr.node_name.empty())
        add_invalid(c, v, k, q(addr.node_name), is_dns1123_subdomain(addr.node_name));
    } else if (k == "targetRef") {
      if (!expect_map(c, v, k)) return;
      Scope ts(c, "targetRef");
      model::ObjectRef ref;
      ref.kind = read_string(c, find_key(v, "kind"), "kind").value_or("");
      ref.namespace_ = read_string(c, find_key(v, "namespace"), "namespace").value_or("");
      ref.name = read_string(c, find_key(v, "name"), "name").value_or("");
      addr.target_ref = std::move(ref);
    }
  });
  const YNode* at = ip_node ? ip_node : n;
  if (!is_ip(ip)) {
    c.error_at(at, msg_invalid(q(ip), kIpMsg), "ip");
    c.error_at(at, msg_invalid(q(ip), "must be a valid IP address"), "ip");
    return std::nullopt;
  }
  auto special = non_special_ip(ip);
  add_invalid(c, at, "ip", q(ip), special);
  if (!special.empty()) return std::nullopt;
  auto v4 = core::Ipv4::parse(ip);
  if (!v4) {
    c.warning_at(
        at, fmt::format("{} is an IPv6 address; podhop simulates IPv4 only and ignores it", ip),
        "ip");
    return std::nullopt;
  }
  addr.ip = *v4;
  return addr;
}

std::vector<model::EndpointPort> read_endpoint_ports(Ctx& c, const YNode* n, bool slice) {
  std::vector<model::EndpointPort> out;
  if (!expect_seq(c, n, "ports")) return out;
  Scope ps(c, "ports");
  const std::uint32_t count = resolve(n)->size;
  std::vector<std::string> names;
  for (const YNode* item : Children(n)) {
    Scope is(c, item->index);
    const YNode* p = resolve(item);
    if (!expect_map(c, p, {})) continue;
    model::EndpointPort port;
    std::string protocol = "TCP";
    const YNode* name_node = nullptr;
    const YNode* port_node = nullptr;
    const YNode* proto_node = nullptr;
    const YNode* ap_node = nullptr;
    bool has_ap = false;
    for_each_entry(p, [&](std::string_view k, const YNode* v) {
      if (k == "name") {
        name_node = v;
        port.name = read_string(c, v, k).value_or("");
      } else if (k == "port") {
        port_node = v;
        port.port = read_int32(c, v, k);
      } else if (k == "protocol") {
        proto_node = v;
        protocol = read_string(c, v, k).value_or("TCP");
      } else if (k == "appProtocol") {
        ap_node = v;
        auto ap = read_string(c, v, k);
        has_ap = ap.has_value();
        port.app_protocol = ap.value_or("");
      }
    });
    if (!slice && count > 1 && port.name.empty()) {
      c.error_at(name_node ? name_node : p, msg_required(), "name");
    } else if (!port.name.empty()) {
      add_invalid(c, name_node, "name", q(port.name), is_dns1123_label(port.name));
    }
    if (slice) {
      if (std::find(names.begin(), names.end(), port.name) != names.end())
        c.error_at(name_node ? name_node : p, msg_duplicate(q(port.name)), "name");
      names.push_back(port.name);
    }
    if (!slice) {
      std::int32_t number = port.port.value_or(0);
      add_invalid(c, port_node ? port_node : p, "port", std::to_string(number),
                  is_valid_port_num(number));
    }
    if (auto pr = model::parse_protocol(protocol))
      port.protocol = *pr;
    else
      c.error_at(proto_node, msg_not_supported(q(protocol), {"SCTP", "TCP", "UDP"}), "protocol");
    if (has_ap)
      add_invalid(c, ap_node, "appProtocol", q(port.app_protocol),
                  is_qualified_name(port.app_protocol));
    out.push_back(std::move(port));
  }
  return out;
}

}  // namespace

model::Endpoints convert_endpoints(Ctx& c, const YNode* root, std::string_view api_version) {
  model::Endpoints ep;
  ep.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  const YNode* subsets = find_key(root, "subsets");
  if (!expect_seq(c, subsets, "subsets")) return ep;
  Scope s(c, "subsets");
  for (const YNode* item : Children(subsets)) {
    Scope is(c, item->index);
    const YNode* sub = resolve(item);
    if (!expect_map(c, sub, {})) continue;
    model::EndpointSubset subset;
    bool any_address = false;
    for_each_entry(sub, [&](std::string_view k, const YNode* v) {
      if (k == "addresses" || k == "notReadyAddresses") {
        if (!expect_seq(c, v, k)) return;
        Scope as(c, k);
        auto& target = k == "addresses" ? subset.addresses : subset.not_ready_addresses;
        for (const YNode* a : Children(v)) {
          any_address = true;
          Scope ais(c, a->index);
          if (auto addr = read_endpoint_address(c, resolve(a))) target.push_back(std::move(*addr));
        }
      } else if (k == "ports") {
        subset.ports = read_endpoint_ports(c, v, false);
      }
    });
    if (!any_address)
      c.error_at(sub, msg_required("must specify `addresses` or `notReadyAddresses`"));
    ep.subsets.push_back(std::move(subset));
  }
  return ep;
}

// ---------------------------------------------------------------------------------------
// EndpointSlice

model::EndpointSlice convert_endpoint_slice(Ctx& c, const YNode* root,
                                            std::string_view api_version) {
  model::EndpointSlice es;
  es.meta = read_metadata(c, root, {true, NameRule::dns1123_subdomain}, api_version);
  if (const auto* svc = es.meta.labels.get("kubernetes.io/service-name")) es.service_name = *svc;
  if (const auto* by = es.meta.labels.get("endpointslice.kubernetes.io/managed-by")) {
    if (*by == "endpointslice-controller.k8s.io" ||
        *by == "endpointslicemirroring-controller.k8s.io") {
      const YNode* labels = find_key(find_key(root, "metadata"), "labels");
      c.warning_at(
          find_key(labels, "endpointslice.kubernetes.io/managed-by"),
          fmt::format("{} is reserved for Kubernetes' own controllers, which would take this slice "
                      "over or delete it; podhop keeps it as written",
                      q(*by)),
          "metadata.labels[endpointslice.kubernetes.io/managed-by]");
    }
  }
  std::string address_type;
  const YNode* at_node = find_key(root, "addressType");
  address_type = read_string(c, at_node, "addressType").value_or("");
  if (address_type.empty()) {
    c.error_at(at_node ? at_node : root, msg_required(), "addressType");
  } else if (address_type == "IPv4") {
    es.address_type = model::AddressType::IPv4;
  } else if (address_type == "IPv6") {
    es.address_type = model::AddressType::IPv6;
  } else if (address_type == "FQDN") {
    es.address_type = model::AddressType::FQDN;
  } else {
    c.error_at(at_node, msg_not_supported(q(address_type), {"FQDN", "IPv4", "IPv6"}),
               "addressType");
  }

  const YNode* endpoints = find_key(root, "endpoints");
  if (expect_seq(c, endpoints, "endpoints")) {
    Scope s(c, "endpoints");
    for (const YNode* item : Children(endpoints)) {
      Scope is(c, item->index);
      const YNode* e = resolve(item);
      if (!expect_map(c, e, {})) continue;
      model::Endpoint ep;
      const YNode* addresses = nullptr;
      for_each_entry(e, [&](std::string_view k, const YNode* v) {
        if (k == "addresses") {
          addresses = v;
          ep.addresses = read_string_list(c, v, k);
        } else if (k == "conditions") {
          if (!expect_map(c, v, k)) return;
          Scope cs(c, "conditions");
          ep.conditions.ready = read_bool(c, find_key(v, "ready"), "ready");
          ep.conditions.serving = read_bool(c, find_key(v, "serving"), "serving");
          ep.conditions.terminating = read_bool(c, find_key(v, "terminating"), "terminating");
        } else if (k == "hostname") {
          ep.hostname = read_string(c, v, k).value_or("");
          if (!ep.hostname.empty())
            add_invalid(c, v, k, q(ep.hostname), is_dns1123_label(ep.hostname));
        } else if (k == "nodeName") {
          ep.node_name = read_string(c, v, k).value_or("");
        } else if (k == "zone") {
          ep.zone = read_string(c, v, k).value_or("");
        } else if (k == "targetRef") {
          if (!expect_map(c, v, k)) return;
          Scope ts(c, "targetRef");
          model::ObjectRef ref;
          ref.kind = read_string(c, find_key(v, "kind"), "kind").value_or("");
          ref.namespace_ = read_string(c, find_key(v, "namespace"), "namespace").value_or("");
          ref.name = read_string(c, find_key(v, "name"), "name").value_or("");
          ep.target_ref = std::move(ref);
        } else if (k == "hints") {
          if (!expect_map(c, v, k)) return;
          Scope hs(c, "hints");
          auto names = [&](std::string_view field, std::vector<std::string>& out) {
            const YNode* list = find_key(v, field);
            if (!expect_seq(c, list, field)) return;
            Scope ls(c, field);
            for (const YNode* h : Children(list)) {
              Scope his(c, h->index);
              if (!expect_map(c, resolve(h), {})) continue;
              out.push_back(read_string(c, find_key(resolve(h), "name"), "name").value_or(""));
            }
          };
          std::vector<std::string> zones, nodes;
          names("forZones", zones);
          names("forNodes", nodes);
          ep.hint_zones = std::move(zones);
          ep.hint_nodes = std::move(nodes);
        }
      });
      if (ep.addresses.empty()) {
        c.error_at(addresses ? addresses : e, msg_required("must contain at least 1 address"),
                   "addresses");
      } else if (ep.addresses.size() > 100) {
        c.error_at(addresses,
                   fmt::format("Too many: {}: must have at most 100 items", ep.addresses.size()),
                   "addresses");
      }
      Scope as(c, "addresses");
      std::uint32_t i = 0;
      for (const YNode* a : Children(resolve(addresses))) {
        if (i >= ep.addresses.size()) break;
        const std::string& ip = ep.addresses[i];
        Scope ais(c, i);
        if (es.address_type == model::AddressType::IPv4 && address_type == "IPv4") {
          if (!is_ipv4(ip)) c.error_at(a, msg_invalid(q(ip), "must be a valid IPv4 address"));
          add_invalid(c, a, {}, q(ip), non_special_ip(ip));
        } else if (address_type == "IPv6") {
          if (!is_ip(ip) || is_ipv4(ip))
            c.error_at(a, msg_invalid(q(ip), "must be a valid IPv6 address"));
          add_invalid(c, a, {}, q(ip), non_special_ip(ip));
        }
        ++i;
      }
      if (es.address_type == model::AddressType::IPv4 && !ep.addresses.empty())
        if (auto v4 = core::Ipv4::parse(ep.addresses.front())) ep.ip = *v4;
      es.endpoints.push_back(std::move(ep));
    }
    if (es.endpoints.size() > 1000)
      c.error_at(endpoints,
                 fmt::format("Too many: {}: must have at most 1000 items", es.endpoints.size()));
  }
  es.ports = read_endpoint_ports(c, find_key(root, "ports"), true);
  if (es.address_type == model::AddressType::IPv6)
    c.warning_at(
        at_node,
        "podhop simulates IPv4 only: this IPv6 EndpointSlice is kept but carries no traffic",
        "addressType");
  return es;
}

}  // namespace podhop::manifest::detail
