// Every counter a session keeps, declared once with its metric (stats/block.h):
//   ListenerStats  per listener          incremented by the session's stages
//   RouteStats     per (listener, route, cluster)   by the client handshake (route choice)
//   NodeStats      per (cluster, node)   by the node connector
//   RelayStats     per worker            by the relays (buffers, backpressure)
// plus limits::LimitStats (per worker, by the admission check). One StatsRegistry per
// worker holds them; a scrape sums every worker's registry into a Snapshot, and the flat
// totals the tests and the stop line read are sums of that Snapshot's blocks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "limits/limit_stats.h"
#include "session/close_reason.h"
#include "stats/block.h"
#include "stats/block_map.h"

namespace warren::session {

// Handshake durations (TLS, AMQP), histogram upper bounds in milliseconds.
inline constexpr std::array<uint32_t, 11> kHandshakeMsBuckets = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
// Negotiated AMQP 0-9-1 heartbeats, upper bounds in seconds.
inline constexpr std::array<uint32_t, 7> kHeartbeatBuckets = {0, 5, 15, 30, 60, 120, 600};
// TLS versions by index: 1.0, 1.1, 1.2, 1.3, anything else.
inline constexpr size_t kTlsVersionCount = 5;
inline constexpr size_t kTlsFailureReasonCount = 10;  // tls::FailureReason (checked in session_stats.cc)
inline constexpr size_t kAmqpProtocolCount = 4;       // amqp::Protocol
inline constexpr size_t kMisdirectedCount = 6;        // amqp::Misdirected

// Index into ListenerStats::bytes.
enum Direction : size_t { kUp = 0, kDown = 1 };  // client → node, node → client
// Index into ListenerStats::proxy_header_failures.
enum ProxyHeaderFailure : size_t { kHeaderInvalid = 0, kHeaderTimeout = 1 };

const char* closeReasonLabel(size_t i);
const char* directionLabel(size_t i);
const char* proxyHeaderFailureLabel(size_t i);
const char* tlsVersionLabel(size_t i);
const char* tlsFailureLabel(size_t i);
const char* amqpProtocolLabel(size_t i);
const char* misdirectedLabel(size_t i);

#define WARREN_LISTENER_STATS(SCALAR, VECTOR, HISTOGRAM)                                                       \
  SCALAR(accepted, Counter, "warren_connections_accepted_total", "Client connections accepted.")               \
  SCALAR(active, Gauge, "warren_connections_active", "Client connections open now.")                          \
  VECTOR(closed_by_reason, kCloseReasonCount, Counter, "warren_connections_closed_total",                      \
         "Client connections closed, by reason.", "reason", closeReasonLabel, 0)                               \
  VECTOR(bytes, 2, Counter, "warren_relayed_bytes_total", "Application bytes relayed (after TLS), by direction.", \
         "direction", directionLabel, 0)                                                                       \
  VECTOR(proxy_header_failures, 2, Counter, "warren_proxy_header_failures_total",                              \
         "Inbound PROXY protocol headers that were invalid or did not arrive in time.", "reason",              \
         proxyHeaderFailureLabel, 0)                                                                           \
  VECTOR(tls_handshakes, kTlsVersionCount, Counter, "warren_tls_handshakes_total",                             \
         "Client TLS handshakes completed, by TLS version.", "version", tlsVersionLabel, 0)                    \
  SCALAR(tls_resumed, Counter, "warren_tls_resumed_handshakes_total", "Client TLS handshakes that resumed a session.") \
  VECTOR(tls_failures, kTlsFailureReasonCount, Counter, "warren_tls_handshake_failures_total",                 \
         "Client TLS handshakes that failed, by diagnosed reason.", "reason", tlsFailureLabel, 0)              \
  HISTOGRAM(tls_handshake_ms, kHandshakeMsBuckets, 0.001, "warren_tls_handshake_duration_seconds",             \
            "Time from the start of the client TLS handshake to its completion.")                              \
  VECTOR(amqp_protocol, kAmqpProtocolCount, Counter, "warren_amqp_connections_total",                          \
         "AMQP handshakes read on AMQP listeners, by protocol.", "protocol", amqpProtocolLabel, 1)             \
  VECTOR(amqp_misdirected, kMisdirectedCount, Counter, "warren_amqp_misdirected_total",                        \
         "Clients on an AMQP listener that spoke another protocol, by what they sent.", "kind",                \
         misdirectedLabel, 1)                                                                                  \
  HISTOGRAM(heartbeat_seconds, kHeartbeatBuckets, 1.0, "warren_amqp_heartbeat_seconds",                        \
            "Heartbeat interval negotiated by AMQP 0-9-1 connections (0 = disabled).")                         \
  HISTOGRAM(amqp_handshake_ms, kHandshakeMsBuckets, 0.001, "warren_amqp_handshake_duration_seconds",           \
            "Time from the AMQP protocol header to the connection being open.")

#define WARREN_ROUTE_STATS(SCALAR, VECTOR, HISTOGRAM)                      \
  SCALAR(connections, Counter, "warren_route_connections_total",           \
         "Client connections by listener route (first SNI name, or \"default\") and cluster.")

#define WARREN_NODE_STATS(SCALAR, VECTOR, HISTOGRAM)                                                    \
  SCALAR(connect_attempts, Counter, "warren_node_connect_attempts_total", "Connects to a node started.") \
  SCALAR(connections, Counter, "warren_node_connections_total", "Connections established to a node.")   \
  SCALAR(connect_failures, Counter, "warren_node_connect_failures_total",                                \
         "Connects to a node that were refused, failed or timed out.")

#define WARREN_RELAY_STATS(SCALAR, VECTOR, HISTOGRAM)                                                       \
  SCALAR(buffered_bytes, Gauge, "warren_buffered_bytes", "Bytes read from one side and waiting to be written to the other.") \
  SCALAR(backpressure_pauses, Counter, "warren_backpressure_pauses_total",                                  \
         "Reads paused because the other side of a connection was not draining.")                           \
  SCALAR(backpressure_resumes, Counter, "warren_backpressure_resumes_total",                                \
         "Reads resumed after a backpressure pause.")

WARREN_STATS_BLOCK(ListenerCells, WARREN_LISTENER_STATS)
WARREN_STATS_BLOCK(RouteCells, WARREN_ROUTE_STATS)
WARREN_STATS_BLOCK(NodeCells, WARREN_NODE_STATS)
WARREN_STATS_BLOCK(RelayCells, WARREN_RELAY_STATS)

using ListenerStats = ListenerCells<stats::Counter>;
using ListenerTotals = ListenerCells<uint64_t>;
using RouteStats = RouteCells<stats::Counter>;
using RouteTotals = RouteCells<uint64_t>;
using NodeStats = NodeCells<stats::Counter>;
using NodeTotals = NodeCells<uint64_t>;
using RelayStats = RelayCells<stats::Counter>;
using RelayTotals = RelayCells<uint64_t>;

using RouteKey = std::tuple<std::string, std::string, std::string>;  // listener, route, cluster
using NodeKey = std::pair<std::string, std::string>;                 // cluster, node

// Everything summed over every block: what component tests and the stop line read.
struct Totals : ListenerTotals, NodeTotals, RelayTotals, limits::LimitTotals {
  uint64_t tlsHandshakes() const;   // every version
  uint64_t rejected() const;        // every limit kind
  uint64_t closed(CloseReason r) const { return closed_by_reason[static_cast<size_t>(r)]; }
};

// Every worker's counters, summed: what /metrics renders besides the node gauges.
struct Snapshot {
  std::map<std::string, ListenerTotals> listeners;
  std::map<RouteKey, RouteTotals> routes;
  std::map<NodeKey, NodeTotals> nodes;
  RelayTotals relay;
  limits::LimitTotals limits;

  Totals totals() const;  // the flat sums, computed now
};

// One worker's counters. Blocks are created on first request and never move.
class StatsRegistry {
 public:
  ListenerStats* listener(const std::string& name) { return listeners_.get(name); }
  RouteStats* route(const std::string& listener, const std::string& route, const std::string& cluster) {
    return routes_.get(RouteKey{listener, route, cluster});
  }
  NodeStats* node(const std::string& cluster, const std::string& node) { return nodes_.get(NodeKey{cluster, node}); }
  RelayStats& relay() { return relay_; }
  limits::LimitStats& limits() { return limits_; }

  // Thread-safe: adds this worker's counters to `out` (while the worker counts).
  void addTo(Snapshot& out) const;

 private:
  stats::BlockMap<std::string, ListenerStats> listeners_;
  stats::BlockMap<RouteKey, RouteStats> routes_;
  stats::BlockMap<NodeKey, NodeStats> nodes_;
  RelayStats relay_;
  limits::LimitStats limits_;
};

}  // namespace warren::session
