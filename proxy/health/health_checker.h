// HealthChecker: the active health checks of every node of the clusters that have a
// [cluster.health_check], on a thread and uv loop of its own (checks are not on the data
// path; the workers only read the result, Node::health()).
//
//   HealthChecker checker;
//   checker.setClusters(clusters);   // before or after start(), from any thread
//   checker.start();
//   ...                              // reload: setClusters(new clusters)
//   checker.stop();                  // joins
//
// Each node has one timer. Its first check runs at a random point of the first interval
// (so that N nodes are not all checked in the same millisecond); each next one starts
// `interval` after the previous one started, but never before it ended (checks of one
// node never overlap). Results go through RiseFall; a change is applied with
// Node::setHealth (Down → Up starts the slow-start ramp) and logged once:
//   node_health cluster=rabbit node=10.0.0.5:5672 from=up to=down reason="connect refused" checks=...
#pragma once

#include <uv.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "health/probe.h"
#include "health/rise_fall.h"
#include "network/chunk_pool.h"
#include "upstream/cluster.h"

namespace warren::health {

class HealthChecker {
 public:
  HealthChecker();
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Thread-safe. The clusters to check from now on (those without health_check are
  // ignored). Nodes that stay (the same Node objects, shared by address across a reload)
  // keep their schedule and counts; new nodes start; checks of vanished nodes stop, and
  // those nodes go back to Unchecked.
  void setClusters(std::vector<upstream::ClusterSharedPtr> clusters);
  void start();
  // Thread-safe; idempotent. Abandons running checks and joins the thread.
  void stop();

 private:
  struct NodeCheck;

  void run();
  void apply();  // on the loop: take the pending clusters
  void schedule(NodeCheck& check, uint64_t delay_ms);
  void startCheck(NodeCheck& check);
  void finished(NodeCheck& check, const ProbeResult& result);
  void removeCheck(std::unique_ptr<NodeCheck> check);
  tls::ClientContextConstSharedPtr tlsFor(const upstream::Cluster& cluster);
  static void onAsync(uv_async_t* async);
  static void onCheckTimer(uv_timer_t* timer);

  uv_loop_t loop_{};
  uv_async_t async_{};
  std::thread thread_;
  network::ChunkPool pool_{8};
  std::mt19937_64 random_{std::random_device{}()};

  std::mutex mutex_;  // guards pending_ and stop_requested_
  std::optional<std::vector<upstream::ClusterSharedPtr>> pending_;
  bool stop_requested_ = false;
  bool started_ = false;

  // Loop thread only.
  std::vector<upstream::ClusterSharedPtr> clusters_;
  std::map<const upstream::Cluster*, tls::ClientContextConstSharedPtr> tls_;
  std::map<upstream::Node*, std::unique_ptr<NodeCheck>> checks_;
  bool stopping_ = false;
};

}  // namespace warren::health
