#include "upstream/cluster.h"

#include <algorithm>

namespace warren::upstream {

Cluster::Cluster(const config::Cluster& cfg, const Cluster* previous) : config_(cfg) {
  owned_.reserve(config_.nodes.size());
  nodes_.reserve(config_.nodes.size());
  std::vector<bool> reused(previous != nullptr ? previous->owned_.size() : 0, false);
  for (const auto& n : config_.nodes) {
    // The loader rejects weight 0; clamp anyway so that the policies never divide the
    // share of a node by zero.
    const uint32_t weight = std::max<uint32_t>(n.weight, 1);
    std::shared_ptr<Node> node;
    if (previous != nullptr) {
      for (size_t i = 0; i < previous->owned_.size(); ++i) {
        const auto& old = previous->owned_[i];
        if (!reused[i] && old->address() == n.address) {
          reused[i] = true;  // never hand one Node to two entries
          node = old;
          node->setWeight(weight);  // the file's weight wins over one set through the API
          break;
        }
      }
    }
    if (!node) node = std::make_shared<Node>(n.address, weight);
    owned_.push_back(node);
    nodes_.push_back(node.get());
  }
}

}  // namespace warren::upstream
