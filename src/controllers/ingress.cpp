// Ingress classes and status.
//
// The class of an Ingress is decided once, when it is admitted: spec.ingressClassName, the
// deprecated annotation, or the default IngressClass (the DefaultIngressClass admission
// plugin, which refuses class-less Ingresses while two classes claim to be the default).
// The status address is what minikube shows: with the `ingress` addon, every Ingress
// ingress-nginx serves gets the first node's IP; without a controller for its class an
// Ingress never gets one (rules 1.10).

#include <algorithm>

#include <fmt/format.h>

#include "context.hpp"
#include "podhop/controllers/system_objects.hpp"

namespace podhop::controllers {

namespace {

constexpr std::string_view kClassAnnotation = "kubernetes.io/ingress.class";

std::vector<const model::IngressClass*> default_classes(const model::ClusterState& st) {
  std::vector<const model::IngressClass*> out;
  for (const auto* ic : st.ingress_classes.sorted())
    if (ic->is_default) out.push_back(ic);
  return out;
}

}  // namespace

std::string effective_ingress_class(const model::ClusterState& state,
                                    const model::Ingress& ingress) {
  if (ingress.spec.ingress_class_name) return *ingress.spec.ingress_class_name;
  if (const auto* a = ingress.meta.annotations.get(kClassAnnotation)) return *a;
  if (!ingress.effective_class.empty()) return ingress.effective_class;
  auto defaults = default_classes(state);
  if (defaults.size() == 1) return defaults.front()->meta.name;
  return {};
}

bool served_by_ingress_nginx(const model::ClusterState& state, const model::Ingress& ingress) {
  if (!state.config.has_addon(kIngressAddon)) return false;
  if (!ingress.spec.ingress_class_name) {
    // ingress-nginx honours the annotation when it names its --ingress-class ("nginx").
    if (const auto* a = ingress.meta.annotations.get(kClassAnnotation))
      return *a == kIngressNginxClass;
  }
  const auto cls = effective_ingress_class(state, ingress);
  if (cls.empty()) return true;  // --watch-ingress-without-class=true
  const auto* ic = state.ingress_classes.find("", cls);
  return ic && ic->controller == kIngressNginxControllerName;
}

namespace detail {

void reconcile_ingresses(Context& ctx) {
  auto& st = ctx.state;
  const auto defaults = default_classes(st);
  const core::Ipv4 address = ctx.node_at(0).internal_ip;
  for (auto& ing : st.ingresses.items()) {
    const bool named =
        ing.spec.ingress_class_name.has_value() || ing.meta.annotations.contains(kClassAnnotation);
    if (!named && ing.effective_class.empty() && defaults.size() > 1) {
      // The DefaultIngressClass admission plugin refuses the Ingress.
      ctx.diags.error(ing.meta.source, model::describe_object("Ingress", ing.meta.name), "",
                      fmt::format("Forbidden: {} default IngressClasses were found, only 1 allowed",
                                  defaults.size()));
      ing.load_balancer.clear();
      continue;
    }
    ing.effective_class = effective_ingress_class(st, ing);
    ing.load_balancer.clear();
    if (served_by_ingress_nginx(st, ing)) ing.load_balancer.push_back({address, {}});
  }
}

}  // namespace detail
}  // namespace podhop::controllers
