#include "upstream/least_conn.h"

namespace warren::upstream {
namespace {

// (a.active + 1) / a.weight < (b.active + 1) / b.weight, exactly. Both factors fit in
// 32 bits, so the products fit in 64.
bool lighter(uint64_t a_active, uint64_t a_weight, uint64_t b_active, uint64_t b_weight) {
  return (a_active + 1) * b_weight < (b_active + 1) * a_weight;
}

constexpr size_t kNone = static_cast<size_t>(-1);

}  // namespace

LeastConnLoadBalancer::LeastConnLoadBalancer(const Cluster& cluster, uint32_t worker_index)
    : nodes_(cluster.nodes()), cursor_(nodes_.empty() ? 0 : worker_index % nodes_.size()) {}

Node* LeastConnLoadBalancer::pick(int64_t now_ms, std::span<Node* const> tried) {
  const size_t n = nodes_.size();
  size_t best = kNone;       // healthy
  uint32_t best_active = 0;  // one relaxed load per node and pick
  size_t panic = kNone;      // down: earliest end of the down period
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (cursor_ + k) % n;
    const Node* node = nodes_[i];
    if (detail::wasTried(tried, node)) continue;
    if (node->isDown(now_ms)) {
      if (panic == kNone || node->downUntil() < nodes_[panic]->downUntil()) panic = i;
      continue;
    }
    const uint32_t active = node->active();
    if (best == kNone || lighter(active, node->weight(), best_active, nodes_[best]->weight())) {
      best = i;
      best_active = active;
    }
  }
  if (best == kNone) best = panic;  // every untried node is down (see LoadBalancer::pick)
  if (best == kNone) return nullptr;
  cursor_ = (best + 1) % n;
  return nodes_[best];
}

}  // namespace warren::upstream
