// Helpers shared by the upstream unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "upstream/cluster.h"
#include "upstream/node.h"

namespace warren::upstream::test {

// Node i listens on 10.0.0.(i+1):5672.
inline Address nodeAddress(size_t i) {
  return *Address::fromIp("10.0.0." + std::to_string(i + 1), 5672);
}

inline config::Cluster clusterConfig(const std::vector<uint32_t>& weights,
                                     config::BalancePolicy policy = config::BalancePolicy::LeastConn,
                                     const std::string& name = "rabbit") {
  config::Cluster cfg;
  cfg.name = name;
  cfg.balance = policy;
  for (size_t i = 0; i < weights.size(); ++i) {
    cfg.nodes.push_back(config::Node{nodeAddress(i), weights[i]});
  }
  return cfg;
}

// Index of `node` in the cluster, -1 when absent (nullptr included).
inline int indexOf(const Cluster& cluster, const Node* node) {
  auto nodes = cluster.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i] == node) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace warren::upstream::test
