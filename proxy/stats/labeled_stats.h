// Labeled per-worker counters for /metrics: one block per listener (by name), per SNI
// route (listener, route, cluster) and per node (cluster, node). Each worker owns a
// StatsRegistry; a ListenerContext holds plain pointers to its worker's blocks, so the
// data path increments without a lookup or a lock. Blocks are keyed by name, never
// removed, and their addresses never change, so a reload that replaces a ListenerContext
// asks the registry again and keeps counting in the same block.
//
// A scrape sums every worker's blocks into a Snapshot (plain numbers) under the
// registry's mutex, which only the scrape and context creation take.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "stats/counter.h"
#include "stats/worker_stats.h"

namespace warren::stats {

// TLS versions by index: 1.0, 1.1, 1.2, 1.3, anything else.
inline constexpr size_t kTlsVersionCount = 5;
inline constexpr std::array<const char*, kTlsVersionCount> kTlsVersionNames = {"1.0", "1.1", "1.2", "1.3", "other"};
// Handshake durations (TLS, AMQP), histogram upper bounds in milliseconds; last bucket +Inf.
inline constexpr std::array<uint32_t, 11> kHandshakeMsBuckets = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
inline constexpr size_t kAmqpProtocolCount = 4;    // amqp::Protocol
inline constexpr size_t kAmqpMisdirectedCount = 8; // amqp::Misdirected (room to grow)

// Bucket counts (the last one is +Inf, values above every bound) and the sum of the
// observed values. Buckets are not cumulative here; the exposition makes them so.
template <class T, size_t N>
struct Histogram {
  std::array<T, N + 1> buckets{};
  T sum{};
};

// The bucket of `value` for upper bounds `bounds` (index N = +Inf).
template <size_t N>
size_t bucketOf(uint64_t value, const std::array<uint32_t, N>& bounds) {
  size_t i = 0;
  while (i < N && value > bounds[i]) ++i;
  return i;
}

template <size_t N>
void observe(Histogram<Counter, N>& h, uint64_t value, const std::array<uint32_t, N>& bounds) {
  h.buckets[bucketOf(value, bounds)].add();
  h.sum.add(value);
}

// Every counter of a listener block, listed once: the struct, the summing and the tests
// all expand this list.
#define WARREN_LISTENER_STATS(SCALAR, ARRAY, HISTOGRAM)                                     \
  SCALAR(accepted)                                   /* connections accepted */           \
  SCALAR(active)                                     /* gauge: sessions open now */       \
  SCALAR(bytes_up)                                   /* client → node, as relayed */      \
  SCALAR(bytes_down)                                 /* node → client, as relayed */      \
  SCALAR(proxy_header_invalid)                       /* inbound PROXY header rejected */  \
  SCALAR(proxy_header_timeout)                       /* inbound PROXY header never came */ \
  ARRAY(closed_by_reason, kMaxCloseReasons)          /* by session::CloseReason */        \
  ARRAY(tls_handshakes, kTlsVersionCount)            /* completed, by version */          \
  SCALAR(tls_resumed)                                /* ... of which resumed a session */ \
  ARRAY(tls_failures, kMaxTlsFailureReasons)         /* by tls::FailureReason */          \
  HISTOGRAM(tls_handshake_ms, kHandshakeMsBuckets)   /* client TLS handshake time */      \
  ARRAY(amqp_protocol, kAmqpProtocolCount)           /* handshakes by amqp::Protocol */   \
  ARRAY(amqp_misdirected, kAmqpMisdirectedCount)     /* wrong protocol by kind */         \
  HISTOGRAM(heartbeat_seconds, kHeartbeatBuckets)    /* negotiated AMQP 0-9-1 heartbeat */ \
  HISTOGRAM(amqp_handshake_ms, kHandshakeMsBuckets)  /* protocol header → open */

template <class T>
struct ListenerCells {
#define WARREN_CELL_SCALAR(name) T name{};
#define WARREN_CELL_ARRAY(name, n) std::array<T, n> name{};
#define WARREN_CELL_HISTOGRAM(name, bounds) Histogram<T, bounds.size()> name{};
  WARREN_LISTENER_STATS(WARREN_CELL_SCALAR, WARREN_CELL_ARRAY, WARREN_CELL_HISTOGRAM)
#undef WARREN_CELL_SCALAR
#undef WARREN_CELL_ARRAY
#undef WARREN_CELL_HISTOGRAM
};

using ListenerStats = ListenerCells<Counter>;    // written by one worker
using ListenerTotals = ListenerCells<uint64_t>;  // summed for a scrape

struct RouteStats {
  Counter connections;  // connections sent along this route (after SNI)
};

template <class T>
struct NodeCells {
  T connections{};       // connects to the node that succeeded
  T connect_failures{};  // connects refused, failed or timed out
};
using NodeStats = NodeCells<Counter>;
using NodeTotals = NodeCells<uint64_t>;

using RouteKey = std::tuple<std::string, std::string, std::string>;  // listener, route, cluster
using NodeKey = std::pair<std::string, std::string>;                 // cluster, node

// Everything the workers counted, summed: what /metrics renders besides the node gauges.
struct Snapshot {
  WorkerStats totals;  // the flat counters
  std::map<std::string, ListenerTotals> listeners;
  std::map<RouteKey, uint64_t> routes;
  std::map<NodeKey, NodeTotals> nodes;
};

void accumulate(ListenerTotals& out, const ListenerStats& in);

// Blocks by key; created on first request, kept for the registry's lifetime.
template <class Key, class Block>
class BlockMap {
 public:
  Block* get(const Key& key) {
    auto& slot = blocks_[key];
    if (!slot) slot = std::make_unique<Block>();
    return slot.get();
  }
  template <class F>
  void forEach(F&& visit) const {
    for (const auto& [key, block] : blocks_) visit(key, *block);
  }

 private:
  std::map<Key, std::unique_ptr<Block>> blocks_;
};

class StatsRegistry {
 public:
  // Thread-safe; the pointers stay valid for the registry's lifetime.
  ListenerStats* listener(const std::string& name);
  RouteStats* route(const std::string& listener, const std::string& route, const std::string& cluster);
  NodeStats* node(const std::string& cluster, const std::string& node);

  // Thread-safe: adds this worker's blocks to `out` (reading while the worker counts).
  void addTo(Snapshot& out) const;

 private:
  mutable std::mutex mutex_;
  BlockMap<std::string, ListenerStats> listeners_;
  BlockMap<RouteKey, RouteStats> routes_;
  BlockMap<NodeKey, NodeStats> nodes_;
};

}  // namespace warren::stats
