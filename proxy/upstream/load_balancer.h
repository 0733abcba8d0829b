// Balancing policies. Each worker owns one LoadBalancer per cluster: per-worker state
// (round-robin weights, tie-break cursor) is plain data without synchronisation, while
// the cluster-wide state (active counts, passive health) is read from the shared Node
// atomics with relaxed loads. Nothing here takes a lock.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "upstream/cluster.h"
#include "upstream/node.h"

namespace warren::upstream {

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;

  // Chooses a node for a new connection; `tried` holds the nodes already attempted for
  // this connection, which are never returned again.
  //  - Eligible untried nodes (Node::eligible: not drained, not down by the active checks,
  //    not in a passive backoff) are chosen by the policy, weighted by
  //    Node::effectiveWeight (slow start).
  //  - Drained nodes are never returned.
  //  - Panic mode: when every untried, undrained node is marked down, the one whose down
  //    period ends first (smallest downUntil()) is returned anyway. Passive marks come
  //    from single refused/timed-out connects; if they made pick() fail, a short blip on
  //    every node would turn into a total outage for the whole backoff. Trying the node
  //    most likely to be back costs one connect attempt at worst.
  //  - nullptr only when every node has been tried (or the cluster has no nodes).
  // Does not acquire(): the caller acquire()s the node it connects to and release()s it
  // when that connection ends.
  virtual Node* pick(int64_t now_ms, std::span<Node* const> tried) = 0;
};

// One per worker per cluster, with the cluster's configured policy. `worker_index`
// spreads the workers' starting points so that they do not all begin with the same
// node. `cluster` must outlive the returned LoadBalancer.
std::unique_ptr<LoadBalancer> makeLoadBalancer(const Cluster& cluster, uint32_t worker_index);

namespace detail {

inline bool wasTried(std::span<Node* const> tried, const Node* node) {
  for (const Node* t : tried) {
    if (t == node) return true;
  }
  return false;
}

// Panic choice: the untried, undrained node whose down period ends first; ties go to the
// first one found scanning from `start`. nullptr when every such node was tried.
Node* earliestRecovery(std::span<Node* const> nodes, std::span<Node* const> tried, size_t start);

}  // namespace detail
}  // namespace warren::upstream
