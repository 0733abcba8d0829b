#include "upstream/round_robin.h"

namespace warren::upstream {

RoundRobinLoadBalancer::RoundRobinLoadBalancer(const Cluster& cluster, uint32_t worker_index)
    : nodes_(cluster.nodes()), slow_start_ms_(cluster.config().slow_start.count()), current_(nodes_.size(), 0) {
  // The sequence repeats every `total` picks (all currents are back at 0), so a shift
  // of worker_index % total picks is enough.
  uint64_t total = 0;
  for (const Node* node : nodes_) total += node->weight();  // scaling every weight alike keeps the sequence
  if (total == 0) return;
  for (uint64_t k = worker_index % total; k > 0; --k) step(0, {}, false);
}

Node* RoundRobinLoadBalancer::pick(int64_t now_ms, std::span<Node* const> tried) {
  if (Node* node = step(now_ms, tried, true)) return node;
  // Every untried node is down (see LoadBalancer::pick); the weights are left alone.
  return detail::earliestRecovery(nodes_, tried, 0);
}

Node* RoundRobinLoadBalancer::step(int64_t now_ms, std::span<Node* const> tried, bool check_health) {
  int64_t total = 0;
  Node* best = nullptr;
  int64_t* best_current = nullptr;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node* node = nodes_[i];
    if (detail::wasTried(tried, node) || node->drained()) continue;
    if (check_health && !node->eligible(now_ms)) continue;
    const int64_t weight = static_cast<int64_t>(node->effectiveWeight(now_ms, slow_start_ms_));
    current_[i] += weight;
    total += weight;
    if (best == nullptr || current_[i] > *best_current) {
      best = node;
      best_current = &current_[i];
    }
  }
  if (best != nullptr) *best_current -= total;
  return best;
}

}  // namespace warren::upstream
