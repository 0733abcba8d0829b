#include "upstream/load_balancer.h"

#include "upstream/least_conn.h"
#include "upstream/round_robin.h"

namespace warren::upstream {

std::unique_ptr<LoadBalancer> makeLoadBalancer(const Cluster& cluster, uint32_t worker_index) {
  switch (cluster.config().balance) {
    case config::BalancePolicy::RoundRobin:
      return std::make_unique<RoundRobinLoadBalancer>(cluster, worker_index);
    case config::BalancePolicy::LeastConn:
      break;
  }
  return std::make_unique<LeastConnLoadBalancer>(cluster, worker_index);
}

namespace detail {

Node* earliestRecovery(std::span<Node* const> nodes, std::span<Node* const> tried, size_t start) {
  Node* best = nullptr;
  const size_t n = nodes.size();
  for (size_t k = 0; k < n; ++k) {
    Node* node = nodes[(start + k) % n];
    if (wasTried(tried, node) || node->drained()) continue;
    if (best == nullptr || node->downUntil() < best->downUntil()) best = node;
  }
  return best;
}

}  // namespace detail
}  // namespace warren::upstream
