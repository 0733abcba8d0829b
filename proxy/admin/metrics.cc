#include "admin/metrics.h"

#include "limits/limit_kind.h"

#include <prometheus/text_serializer.h>

#include <deque>
#include <iterator>
#include <limits>

#include "amqp/handshake_info.h"
#include "common/logging.h"
#include "limits/limit_kind.h"
#include "session/close_reason.h"
#include "tls/diagnosis.h"

#ifndef WARREN_GIT_COMMIT
#define WARREN_GIT_COMMIT "unknown"
#endif

namespace warren::admin {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

constexpr size_t kTlsFailureReasonCount = static_cast<size_t>(tls::FailureReason::TlsOnPlaintext) + 1;
static_assert(kTlsFailureReasonCount <= stats::kMaxTlsFailureReasons);
static_assert(session::kCloseReasonCount <= stats::kMaxCloseReasons);
constexpr size_t kMisdirectedCount = static_cast<size_t>(amqp::Misdirected::Garbage) + 1;
static_assert(kMisdirectedCount <= stats::kAmqpMisdirectedCount);

// A deque: add() hands out references that must survive later additions.
class Families {
 public:
  MetricFamily& add(std::string name, std::string help, MetricType type) {
    families_.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    return families_.back();
  }
  std::vector<MetricFamily> take() {
    return std::vector<MetricFamily>(std::make_move_iterator(families_.begin()),
                                     std::make_move_iterator(families_.end()));
  }

 private:
  std::deque<MetricFamily> families_;
};

void sample(MetricFamily& family, Labels labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (family.type == MetricType::Gauge) {
    m.gauge.value = value;
  } else {
    m.counter.value = value;
  }
  family.metric.push_back(std::move(m));
}

// `buckets` are per-bucket counts (the last one above every bound); `scale` turns the
// recorded unit into the exposed one (milliseconds → seconds).
template <size_t N>
void histogram(MetricFamily& family, Labels labels, const stats::Histogram<uint64_t, N>& h,
               const std::array<uint32_t, N>& bounds, double scale) {
  ClientMetric m;
  m.label = std::move(labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= N; ++i) {
    cumulative += h.buckets[i];
    const double bound = i < N ? bounds[i] * scale : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(ClientMetric::Bucket{cumulative, bound});
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(h.sum) * scale;
  family.metric.push_back(std::move(m));
}

void listenerFamilies(Families& out, const stats::Snapshot& s) {
  auto& accepted = out.add("warren_connections_accepted_total", "Client connections accepted.", MetricType::Counter);
  auto& active = out.add("warren_connections_active", "Client connections open now.", MetricType::Gauge);
  auto& closed = out.add("warren_connections_closed_total", "Client connections closed, by reason.",
                         MetricType::Counter);
  auto& bytes = out.add("warren_relayed_bytes_total",
                        "Application bytes relayed (after TLS), by direction.", MetricType::Counter);
  auto& proxy = out.add("warren_proxy_header_failures_total",
                        "Inbound PROXY protocol headers that were invalid or did not arrive in time.",
                        MetricType::Counter);
  auto& tls = out.add("warren_tls_handshakes_total", "Client TLS handshakes completed, by TLS version.",
                      MetricType::Counter);
  auto& resumed = out.add("warren_tls_resumed_handshakes_total",
                          "Client TLS handshakes that resumed a session.", MetricType::Counter);
  auto& tls_failed = out.add("warren_tls_handshake_failures_total",
                             "Client TLS handshakes that failed, by diagnosed reason.", MetricType::Counter);
  auto& tls_time = out.add("warren_tls_handshake_duration_seconds",
                           "Time from the start of the client TLS handshake to its completion.",
                           MetricType::Histogram);
  auto& amqp = out.add("warren_amqp_connections_total",
                       "AMQP handshakes read on AMQP listeners, by protocol.", MetricType::Counter);
  auto& misdirected = out.add("warren_amqp_misdirected_total",
                              "Clients on an AMQP listener that spoke another protocol, by what they sent.",
                              MetricType::Counter);
  auto& heartbeat = out.add("warren_amqp_heartbeat_seconds",
                            "Heartbeat interval negotiated by AMQP 0-9-1 connections (0 = disabled).",
                            MetricType::Histogram);
  auto& amqp_time = out.add("warren_amqp_handshake_duration_seconds",
                            "Time from the AMQP protocol header to the connection being open.",
                            MetricType::Histogram);

  for (const auto& [name, t] : s.listeners) {
    const ClientMetric::Label l{"listener", name};
    sample(accepted, {l}, t.accepted);
    sample(active, {l}, t.active);
    for (size_t r = 0; r < session::kCloseReasonCount; ++r) {
      sample(closed, {l, {"reason", session::toString(static_cast<session::CloseReason>(r))}},
             t.closed_by_reason[r]);
    }
    sample(bytes, {l, {"direction", "client_to_node"}}, t.bytes_up);
    sample(bytes, {l, {"direction", "node_to_client"}}, t.bytes_down);
    sample(proxy, {l, {"reason", "invalid"}}, t.proxy_header_invalid);
    sample(proxy, {l, {"reason", "timeout"}}, t.proxy_header_timeout);
    for (size_t v = 0; v < stats::kTlsVersionCount; ++v) {
      sample(tls, {l, {"version", stats::kTlsVersionNames[v]}}, t.tls_handshakes[v]);
    }
    sample(resumed, {l}, t.tls_resumed);
    for (size_t r = 0; r < kTlsFailureReasonCount; ++r) {
      sample(tls_failed, {l, {"reason", tls::toString(static_cast<tls::FailureReason>(r))}}, t.tls_failures[r]);
    }
    histogram(tls_time, {l}, t.tls_handshake_ms, stats::kHandshakeMsBuckets, 0.001);
    for (auto p : {amqp::Protocol::Amqp091, amqp::Protocol::Amqp10, amqp::Protocol::NotAmqp}) {
      sample(amqp, {l, {"protocol", amqp::toString(p)}}, t.amqp_protocol[static_cast<size_t>(p)]);
    }
    for (size_t k = 1; k < kMisdirectedCount; ++k) {  // 0 is Misdirected::None
      sample(misdirected, {l, {"kind", amqp::toString(static_cast<amqp::Misdirected>(k))}}, t.amqp_misdirected[k]);
    }
    histogram(heartbeat, {l}, t.heartbeat_seconds, stats::kHeartbeatBuckets, 1.0);
    histogram(amqp_time, {l}, t.amqp_handshake_ms, stats::kHandshakeMsBuckets, 0.001);
  }
}

void routeAndNodeCounters(Families& out, const stats::Snapshot& s) {
  auto& routes = out.add("warren_route_connections_total",
                         "Client connections by listener route (first SNI name, or \"default\") and cluster.",
                         MetricType::Counter);
  for (const auto& [key, n] : s.routes) {
    const auto& [listener, route, cluster] = key;
    sample(routes, {{"listener", listener}, {"route", route}, {"cluster", cluster}}, n);
  }
  auto& connections = out.add("warren_node_connections_total", "Connections established to a node.",
                              MetricType::Counter);
  auto& failures = out.add("warren_node_connect_failures_total",
                           "Connects to a node that were refused, failed or timed out.", MetricType::Counter);
  for (const auto& [key, n] : s.nodes) {
    const Labels labels{{"cluster", key.first}, {"node", key.second}};
    sample(connections, labels, n.connections);
    sample(failures, labels, n.connect_failures);
  }
}

void nodeGauges(Families& out, const std::vector<upstream::ClusterSharedPtr>& clusters, int64_t now_ms) {
  auto& active = out.add("warren_node_active_connections", "Connections assigned to a node (all workers).",
                         MetricType::Gauge);
  auto& weight = out.add("warren_node_weight", "A node's weight (configured, or set through the admin API).",
                         MetricType::Gauge);
  auto& drained = out.add("warren_node_drained", "1 when a node is drained (no new connections).",
                          MetricType::Gauge);
  auto& health = out.add("warren_node_health",
                         "Active health check state of a node: 1 for its current state, 0 for the others.",
                         MetricType::Gauge);
  auto& passive = out.add("warren_node_passive_down",
                          "1 while a node is skipped after a failed connect (passive health backoff).",
                          MetricType::Gauge);
  for (const auto& cluster : clusters) {
    for (const upstream::Node* node : cluster->nodes()) {
      const Labels labels{{"cluster", cluster->name()}, {"node", node->name()}};
      sample(active, labels, node->active());
      sample(weight, labels, node->weight());
      sample(drained, labels, node->drained() ? 1 : 0);
      sample(passive, labels, node->isDown(now_ms) ? 1 : 0);
      for (auto state : {upstream::Health::Unchecked, upstream::Health::Up, upstream::Health::Down}) {
        Labels with_state = labels;
        with_state.push_back({"state", upstream::toString(state)});
        sample(health, std::move(with_state), node->health() == state ? 1 : 0);
      }
    }
  }
}

void processFamilies(Families& out, const MetricsInput& in) {
  const stats::WorkerStats& t = in.snapshot.totals;
  auto& rejected = out.add("warren_connections_rejected_total",
                           "Client connections closed at once by a limit (global, listener, source, rate).",
                           MetricType::Counter);
  for (size_t k = 0; k < limits::kLimitKindCount; ++k) {
    sample(rejected, {{"reason", limits::toString(static_cast<limits::LimitKind>(k))}}, t.rejected_by_limit[k]);
  }
  sample(out.add("warren_buffered_bytes", "Bytes read from one side and waiting to be written to the other.",
                 MetricType::Gauge),
         {}, t.buffered_bytes);
  sample(out.add("warren_backpressure_pauses_total",
                 "Reads paused because the other side of a connection was not draining.", MetricType::Counter),
         {}, t.backpressure_pauses);
  sample(out.add("warren_log_lines_dropped_total",
                 "Log lines dropped because the log writer fell behind (workers never wait for it).",
                 MetricType::Counter),
         {}, static_cast<double>(logging::linesDropped()));
  auto& reloads = out.add("warren_config_reloads_total", "Configuration reloads, by result.", MetricType::Counter);
  sample(reloads, {{"result", "success"}}, in.reloads.successes.load(std::memory_order_relaxed));
  sample(reloads, {{"result", "failure"}}, in.reloads.failures.load(std::memory_order_relaxed));
  sample(out.add("warren_config_last_reload_success_timestamp_seconds",
                 "Unix time of the last successful configuration load (the initial one included).",
                 MetricType::Gauge),
         {}, static_cast<double>(in.reloads.last_success_unix_s.load(std::memory_order_relaxed)));
  sample(out.add("warren_build_info", "Warren's version and the git commit it was built from.", MetricType::Gauge),
         {{"version", in.build.version}, {"commit", in.build.commit}}, 1);
}

}  // namespace

BuildInfo buildInfo() { return BuildInfo{WARREN_VERSION, WARREN_GIT_COMMIT}; }

std::vector<MetricFamily> collectMetrics(const MetricsInput& input) {
  Families out;
  listenerFamilies(out, input.snapshot);
  routeAndNodeCounters(out, input.snapshot);
  nodeGauges(out, input.clusters, input.now_ms);
  processFamilies(out, input);
  return out.take();
}

std::string renderMetrics(const MetricsInput& input) {
  return prometheus::TextSerializer().Serialize(collectMetrics(input));
}

}  // namespace warren::admin
