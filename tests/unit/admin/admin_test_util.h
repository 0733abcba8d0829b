// Clusters and hooks built in code for the admin unit tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "admin/hooks.h"
#include "upstream/cluster.h"

namespace warren::admin::testing {

// Cluster `name` with nodes at 127.0.0.1:<port> for each port (weight 1).
inline upstream::ClusterSharedPtr makeCluster(const std::string& name, const std::vector<uint16_t>& ports) {
  config::Cluster c;
  c.name = name;
  for (uint16_t port : ports) {
    Address a = *Address::parse("127.0.0.1:0");
    a.setPort(port);
    c.nodes.push_back(config::Node{a, 1});
  }
  return std::make_shared<upstream::Cluster>(c);
}

// Hooks over fixed clusters and an empty snapshot; `now_ms` is fixed at 1000.
inline Hooks fixedHooks(std::vector<upstream::ClusterSharedPtr> clusters, bool serving = true) {
  Hooks h;
  h.clusters = [clusters] { return clusters; };
  h.stats = [] { return session::Snapshot{}; };
  h.serving = [serving] { return serving; };
  h.now_ms = [] { return int64_t{1000}; };
  return h;
}

}  // namespace warren::admin::testing
