#include "upstream/least_conn.h"

namespace warren::upstream {
namespace {

// (a.active + 1) / a.weight < (b.active + 1) / b.weight, exactly. Active counts fit in
// 32 bits and weights (× kWeightScale) in 20, so the products fit in 64.
bool lighter(uint64_t a_active, uint64_t a_weight, uint64_t b_active, uint64_t b_weight) {
  return (a_active + 1) * b_weight < (b_active + 1) * a_weight;
}

constexpr size_t kNone = static_cast<size_t>(-1);

}  // namespace

LeastConnLoadBalancer::LeastConnLoadBalancer(const Cluster& cluster, uint32_t worker_index)
    : nodes_(cluster.nodes()),
      slow_start_ms_(cluster.config().slow_start.count()),
      cursor_(nodes_.empty() ? 0 : worker_index % nodes_.size()) {}

Node* LeastConnLoadBalancer::pick(int64_t now_ms, std::span<Node* const> tried) {
  const size_t n = nodes_.size();
  size_t best = kNone;       // eligible
  uint32_t best_active = 0;  // one relaxed load per node and pick
  uint64_t best_weight = 0;
  size_t panic = kNone;      // down: earliest end of the down period
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (cursor_ + k) % n;
    const Node* node = nodes_[i];
    if (detail::wasTried(tried, node) || node->drained()) continue;
    if (!node->eligible(now_ms)) {
      if (panic == kNone || node->downUntil() < nodes_[panic]->downUntil()) panic = i;
      continue;
    }
    const uint32_t active = node->active();
    const uint64_t weight = node->effectiveWeight(now_ms, slow_start_ms_);
    if (best == kNone || lighter(active, weight, best_active, best_weight)) {
      best = i;
      best_active = active;
      best_weight = weight;
    }
  }
  if (best == kNone) best = panic;  // every untried node is down (see LoadBalancer::pick)
  if (best == kNone) return nullptr;
  cursor_ = (best + 1) % n;
  return nodes_[best];
}

}  // namespace warren::upstream
