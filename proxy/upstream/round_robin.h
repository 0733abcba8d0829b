// Smooth weighted round-robin (nginx's algorithm), per worker.
#pragma once

#include <vector>

#include "upstream/load_balancer.h"

namespace warren::upstream {

// On each pick every eligible (not drained, healthy, untried) node gets current += weight, the node
// with the largest current is chosen (first one in config order on a tie) and its
// current drops by the total weight of the eligible nodes. Weights {5,1,1} give
// "a a b a c a a": heavy nodes are spread out instead of being picked in bursts.
// The state is per worker; worker i starts i picks into worker 0's sequence so that the
// workers do not all send their first connections to the same node.
class RoundRobinLoadBalancer : public LoadBalancer {
 public:
  RoundRobinLoadBalancer(const Cluster& cluster, uint32_t worker_index);
  Node* pick(int64_t now_ms, std::span<Node* const> tried) override;

 private:
  // nullptr when no node is eligible; `check_health` false treats every node as healthy.
  Node* step(int64_t now_ms, std::span<Node* const> tried, bool check_health);

  std::span<Node* const> nodes_;
  int64_t slow_start_ms_;
  std::vector<int64_t> current_;
};

}  // namespace warren::upstream
