#include "admin/readiness.h"

namespace warren::admin {

Readiness evaluateReadiness(bool serving, const std::vector<upstream::ClusterSharedPtr>& clusters, int64_t now_ms) {
  if (!serving) return Readiness{false, "listeners are not serving (starting or shutting down)"};
  for (const auto& cluster : clusters) {
    bool any = false;
    for (const upstream::Node* node : cluster->nodes()) any = any || node->eligible(now_ms);
    if (!any) return Readiness{false, "cluster " + cluster->name() + " has no eligible node (all drained or down)"};
  }
  return Readiness{true, ""};
}

}  // namespace warren::admin
