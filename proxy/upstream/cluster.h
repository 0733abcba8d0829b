// Cluster: the runtime state of one configured cluster of broker nodes, shared by
// every worker (std::shared_ptr). It owns the Nodes, whose addresses never change for
// the Cluster's lifetime, so workers and sessions may keep plain Node pointers as long
// as they hold a ClusterSharedPtr. Everything mutable lives in the Node atomics:
// there are no locks here.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "upstream/node.h"

namespace warren::upstream {

class Cluster {
 public:
  explicit Cluster(const config::Cluster& cfg) : Cluster(cfg, nullptr) {}
  // Config reload: every node of `previous` with the same address is shared with the new
  // Cluster instead of being created afresh, so its active count, health and drain state
  // carry over (sessions still bound to `previous` release on the very same Node; least
  // connections does not restart from zero). Its weight becomes the new file's.
  Cluster(const config::Cluster& cfg, const Cluster* previous);

  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::string& name() const { return config_.name; }
  const config::Cluster& config() const { return config_; }
  // In config order; the pointers stay valid for the Cluster's lifetime.
  std::span<Node* const> nodes() const { return nodes_; }

 private:
  config::Cluster config_;
  std::vector<std::shared_ptr<Node>> owned_;  // shared with a previous/next Cluster on reload
  std::vector<Node*> nodes_;
};

using ClusterSharedPtr = std::shared_ptr<Cluster>;

}  // namespace warren::upstream
