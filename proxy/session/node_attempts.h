// NodeAttempts: the nodes one session tried, in order, and the one it holds now. A pick
// takes the node (counted in its active connections) until failed() or release(); a
// failed connect is reported to the node (passive backoff), and with active health checks
// `fall` failures in a row from traffic mark the node down at once (the checks bring it
// back after `rise` successes). Attempts are bounded by the cluster's connect_attempts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "limits/connection_log.h"
#include "upstream/load_balancer.h"
#include "upstream/node.h"

namespace warren::session {

class NodeAttempts {
 public:
  NodeAttempts() = default;
  NodeAttempts(const NodeAttempts&) = delete;
  NodeAttempts& operator=(const NodeAttempts&) = delete;
  ~NodeAttempts() { release(); }

  // The next node to try (now held), or null when the attempts are used up or no node is
  // eligible.
  upstream::Node* pick(upstream::LoadBalancer& balancer, const config::Cluster& cluster, int64_t now_ms);
  // The connect to the held node succeeded.
  void connected(int64_t now_ms);
  // The connect to the held node failed with `error` (a libuv code): reported, logged
  // (`client` names who waited; at most once a second per `log` when given), the node let
  // go. True when the node was marked down now.
  bool failed(int error, const config::Cluster& cluster, const std::string& client, int64_t now_ms,
              limits::ConnectionLog* log = nullptr);
  // Lets the held node go (the session ends).
  void release();
  // The connection is established for good: the list of nodes tried (kept to not pick one
  // twice) is freed; count() stays.
  void forgetTried() { std::vector<upstream::Node*>().swap(tried_); }

  upstream::Node* current() const { return current_; }
  size_t count() const { return count_; }
  bool none() const { return count_ == 0; }
  int lastError() const { return last_error_; }

 private:
  std::vector<upstream::Node*> tried_;
  upstream::Node* current_ = nullptr;
  int last_error_ = 0;
  uint32_t count_ = 0;  // nodes tried (tried_.size() until forgetTried())
};

}  // namespace warren::session
