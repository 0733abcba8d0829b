// /readyz: ready when the listeners are bound (and not shutting down) and every cluster has
// at least one node a new connection could go to (Node::eligible: not drained, not down by
// the active checks, not in a passive backoff).
#pragma once

#include <cstdint>
#include <vector>

#include "admin/hooks.h"
#include "upstream/cluster.h"

namespace warren::admin {

Readiness evaluateReadiness(bool serving, const std::vector<upstream::ClusterSharedPtr>& clusters, int64_t now_ms);

}  // namespace warren::admin
