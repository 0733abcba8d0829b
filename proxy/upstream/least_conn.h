// Weighted least-connections over the cluster-wide active counts.
#pragma once

#include <cstddef>

#include "upstream/load_balancer.h"

namespace warren::upstream {

// Picks the eligible untried node with the smallest (active + 1) / weight, i.e. the node
// whose share would stay smallest after taking the new connection. Scores are compared
// by cross-multiplication (exact, no floating point). Ties go to the first tied node
// scanning from a per-LoadBalancer cursor that starts at worker_index and moves just
// past each chosen node, so equal nodes take turns and workers start on different nodes.
// The weight is Node::effectiveWeight: a node back from being down ramps up over the
// cluster's slow_start. Drained nodes are never picked, not even in panic mode.
class LeastConnLoadBalancer : public LoadBalancer {
 public:
  LeastConnLoadBalancer(const Cluster& cluster, uint32_t worker_index);
  Node* pick(int64_t now_ms, std::span<Node* const> tried) override;

 private:
  std::span<Node* const> nodes_;
  int64_t slow_start_ms_;
  size_t cursor_ = 0;
};

}  // namespace warren::upstream
