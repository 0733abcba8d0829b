// What a session needs from the worker that owns it. The worker implements this; tests
// may too. Everything here is used from the worker's own thread only.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/config.h"
#include "limits/admission.h"
#include "network/chunk_pool.h"
#include "network/deadline_queue.h"
#include "session/relay.h"
#include "session/session_stats.h"
#include "upstream/cluster.h"
#include "tls/client_context.h"
#include "tls/server_context.h"
#include "upstream/load_balancer.h"

namespace warren::session {

class Session;
class SessionHost;

// Where a route sends connections: a cluster, this worker's balancer for it, and the TLS
// client context when the nodes speak TLS.
struct RouteTarget {
  const config::Cluster* cluster_config = nullptr;
  upstream::ClusterSharedPtr cluster;
  upstream::LoadBalancer* balancer = nullptr;              // this worker's
  std::shared_ptr<const tls::ClientContext> node_tls;      // null: plaintext to the nodes
  // This worker's counters per node, parallel to cluster->nodes() (may be empty).
  std::vector<NodeStats*> node_stats;

  NodeStats* nodeStats(const upstream::Node* node) const {
    const auto nodes = cluster->nodes();
    for (size_t i = 0; i < nodes.size() && i < node_stats.size(); ++i) {
      if (nodes[i] == node) return node_stats[i];
    }
    return nullptr;
  }
};

// One listener as seen by one worker. Immutable once published: a session holds the one
// it started with (shared_ptr), so replacing it (new certificates, new routes) never
// touches open connections.
struct ListenerContext {
  SessionHost* host = nullptr;               // the worker whose context this is
  config::ConfigConstSharedPtr snapshot;     // keeps the pointers below alive
  const config::Listener* listener = nullptr;
  RouteTarget default_route;                 // listener.cluster
  std::vector<RouteTarget> clusters;         // every cluster of the snapshot: SNI routes pick by name
  std::shared_ptr<const tls::ServerContext> tls;   // null: plaintext listener
  std::atomic<uint32_t>* active = nullptr;         // open connections on this listener, all workers
  std::atomic<uint32_t>* global_active = nullptr;  // open connections on every listener
  // Per-source table, accept-rate bucket and bounded rejection log of this listener, shared
  // by its workers (and kept across a reload that keeps the listener: open sessions hold
  // tickets into its source table).
  std::shared_ptr<limits::ListenerLimits> limits;
  // This worker's counters (session/session_stats.h); null ones are not counted.
  ListenerStats* stats = nullptr;
  // Per route, by index in listener->routes, then one more for the default route.
  std::vector<RouteStats*> route_stats;

  const RouteTarget* findCluster(const std::string& name) const {
    for (const auto& t : clusters) {
      if (t.cluster_config->name == name) return &t;
    }
    return nullptr;
  }
};
using ListenerContextConstSharedPtr = std::shared_ptr<const ListenerContext>;

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual uv_loop_t* loop() = 0;
  virtual network::ChunkPool& chunks() = 0;
  // The worker's timeouts: each session's one pending deadline is armed here.
  virtual network::DeadlineQueue& deadlines() = 0;
  // What every relay of the worker shares: the chunk pool, the relay counters, the watermarks.
  virtual const RelayEnv& relayEnv() const = 0;
  virtual limits::LimitStats& limitStats() = 0;
  virtual const config::Global& global() const = 0;
  virtual uint32_t workerIndex() const = 0;
  // Called once, right before the session deletes itself.
  virtual void onSessionClosed(Session& session) = 0;
};

}  // namespace warren::session
