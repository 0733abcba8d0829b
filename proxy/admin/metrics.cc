#include "admin/metrics.h"

#include <prometheus/text_serializer.h>

#include <deque>
#include <iterator>
#include <limits>

#include "common/logging.h"

#ifndef WARREN_GIT_COMMIT
#define WARREN_GIT_COMMIT "unknown"
#endif

namespace warren::admin {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// Families by name, in the order first seen; add() hands out references that must survive
// later additions (a deque).
class Families {
 public:
  MetricFamily& get(const char* name, const char* help, MetricType type) {
    for (auto& f : families_) {
      if (f.name == name) return f;
    }
    families_.push_back(MetricFamily{name, help, type, {}});
    return families_.back();
  }
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

// Renders a counter block through its describe() (stats/block.h): every cell with its
// family, help and label, under the block's own labels. With `samples` false it only
// declares the families (so that a family is listed, in its declared order, even before
// its first block exists).
class BlockRenderer {
 public:
  BlockRenderer(Families& out, Labels labels, bool samples = true)
      : out_(out), labels_(std::move(labels)), samples_(samples) {}

  void scalar(uint64_t value, stats::Kind kind, const char* family, const char* help) {
    MetricFamily& f = out_.get(family, help, typeOf(kind));
    if (samples_) sample(f, labels_, static_cast<double>(value));
  }
  void vector(const uint64_t* values, size_t n, stats::Kind kind, const char* family, const char* help,
              const char* label, stats::LabelOf label_of, size_t first) {
    MetricFamily& f = out_.get(family, help, typeOf(kind));
    if (!samples_) return;
    for (size_t i = first; i < n; ++i) {
      Labels with = labels_;
      with.push_back({label, label_of(i)});
      sample(f, std::move(with), static_cast<double>(values[i]));
    }
  }
  // `buckets` are per-bucket counts (n + 1: the last above every bound); `scale` turns the
  // recorded unit into the exposed one (milliseconds → seconds).
  void histogram(const uint64_t* buckets, const uint32_t* bounds, size_t n, uint64_t sum, double scale,
                 const char* family, const char* help) {
    MetricFamily& f = out_.get(family, help, MetricType::Histogram);
    if (!samples_) return;
    ClientMetric m;
    m.label = labels_;
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= n; ++i) {
      cumulative += buckets[i];
      const double bound = i < n ? bounds[i] * scale : std::numeric_limits<double>::infinity();
      m.histogram.bucket.push_back(ClientMetric::Bucket{cumulative, bound});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = static_cast<double>(sum) * scale;
    f.metric.push_back(std::move(m));
  }

 private:
  static MetricType typeOf(stats::Kind kind) {
    return kind == stats::Kind::Gauge ? MetricType::Gauge : MetricType::Counter;
  }

  Families& out_;
  Labels labels_;
  bool samples_;
};

template <class Block>
void declare(Families& out) {
  BlockRenderer r(out, {}, /*samples=*/false);
  describe(Block{}, r);
}

// A node's counters are shown while the node is in a cluster: one that DNS discovery or a
// reload removed has its series dropped (they would otherwise stay forever, one per address
// ever seen).
bool nodeIsCurrent(const std::vector<upstream::ClusterSharedPtr>& clusters, const session::NodeKey& key) {
  for (const auto& cluster : clusters) {
    if (cluster->name() != key.first) continue;
    for (const upstream::Node* node : cluster->nodes()) {
      if (node->name() == key.second) return true;
    }
  }
  return false;
}

void counterFamilies(Families& out, const session::Snapshot& s,
                     const std::vector<upstream::ClusterSharedPtr>& clusters) {
  declare<session::ListenerTotals>(out);
  for (const auto& [name, t] : s.listeners) {
    BlockRenderer r(out, {{"listener", name}});
    describe(t, r);
  }
  declare<session::RouteTotals>(out);
  for (const auto& [key, t] : s.routes) {
    const auto& [listener, route, cluster] = key;
    BlockRenderer r(out, {{"listener", listener}, {"route", route}, {"cluster", cluster}});
    describe(t, r);
  }
  declare<session::NodeTotals>(out);
  for (const auto& [key, t] : s.nodes) {
    if (!nodeIsCurrent(clusters, key)) continue;
    BlockRenderer r(out, {{"cluster", key.first}, {"node", key.second}});
    describe(t, r);
  }
  BlockRenderer limits(out, {});
  describe(s.limits, limits);
  BlockRenderer relay(out, {});
  describe(s.relay, relay);
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
  counterFamilies(out, input.snapshot, input.clusters);
  nodeGauges(out, input.clusters, input.now_ms);
  processFamilies(out, input);
  return out.take();
}

std::string renderMetrics(const MetricsInput& input) {
  return prometheus::TextSerializer().Serialize(collectMetrics(input));
}

}  // namespace warren::admin
