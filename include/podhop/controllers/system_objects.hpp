#pragma once
// The objects every cluster has before the user applies anything, and the names other
// modules look them up by (SPEC section 2). reconcile() creates them when absent; an
// object the user applies with the same name replaces them, as `kubectl apply` would.

#include <cstdint>
#include <string>
#include <string_view>

#include "podhop/model/cluster_state.hpp"

namespace podhop::controllers {

/// The API server's Service and its port on the nodes (minikube's apiserver port).
inline constexpr std::string_view kApiServerService = "kubernetes";
inline constexpr std::int32_t kApiServerPort = 8443;

/// Cluster DNS: Service kube-system/kube-dns (serviceCIDR .10) in front of CoreDNS.
inline constexpr std::string_view kSystemNamespace = "kube-system";
inline constexpr std::string_view kDnsService = "kube-dns";
inline constexpr std::string_view kCoreDnsDeployment = "coredns";
inline constexpr std::string_view kCoreDnsImage = "registry.k8s.io/coredns/coredns:v1.11.1";

/// The `ingress` addon (minikube's ingress-nginx).
inline constexpr std::string_view kIngressAddon = "ingress";
inline constexpr std::string_view kIngressNginxNamespace = "ingress-nginx";
inline constexpr std::string_view kIngressNginxController = "ingress-nginx-controller";
inline constexpr std::string_view kIngressNginxAdmission = "ingress-nginx-controller-admission";
inline constexpr std::string_view kIngressNginxImage =
    "registry.k8s.io/ingress-nginx/controller:v1.10.1";
/// spec.controller of the IngressClasses ingress-nginx serves.
inline constexpr std::string_view kIngressNginxControllerName = "k8s.io/ingress-nginx";
/// The IngressClass the addon installs, marked default.
inline constexpr std::string_view kIngressNginxClass = "nginx";

/// The address of the n-th host of a CIDR block: serviceCIDR .1 for `kubernetes`, .10
/// for kube-dns.
core::Ipv4 service_cidr_host(const core::Cidr& cidr, std::uint32_t n);

/// The class an Ingress belongs to, as the API server and controllers decide it:
/// spec.ingressClassName, else the annotation kubernetes.io/ingress.class, else the class
/// it was given when admitted (Ingress::effective_class), else the default IngressClass
/// when exactly one is marked default; empty when none applies.
std::string effective_ingress_class(const model::ClusterState& state,
                                    const model::Ingress& ingress);

/// True when the cluster's ingress-nginx (the `ingress` addon) serves this Ingress: its
/// class's controller is k8s.io/ingress-nginx, or it names the class "nginx" by the
/// annotation, or it has no class at all (minikube runs the controller with
/// --watch-ingress-without-class=true). False without the addon.
bool served_by_ingress_nginx(const model::ClusterState& state, const model::Ingress& ingress);

}  // namespace podhop::controllers
