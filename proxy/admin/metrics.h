// /metrics: the Prometheus families, built at scrape time from the workers' counters
// (summed into a session::Snapshot, rendered from each block's describe()), the nodes' shared state (gauges) and the reload
// outcomes. Rendered with prometheus-cpp's data model and text serializer; nothing here
// keeps state between scrapes. docs: config/README.md "Metrics".
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <vector>

#include "session/session_stats.h"
#include "stats/reload_stats.h"
#include "upstream/cluster.h"

namespace warren::admin {

struct BuildInfo {
  std::string version;
  std::string commit;  // "unknown" when the build was not made from a git checkout
};

// WARREN_VERSION and the commit CMake found at configure time.
BuildInfo buildInfo();

struct MetricsInput {
  const session::Snapshot& snapshot;
  const std::vector<upstream::ClusterSharedPtr>& clusters;
  int64_t now_ms;  // monotonic, as the workers' loops count (node passive backoff)
  const stats::ReloadStats& reloads;
  const BuildInfo& build;
};

std::vector<prometheus::MetricFamily> collectMetrics(const MetricsInput& input);
// Prometheus text exposition format 0.0.4.
std::string renderMetrics(const MetricsInput& input);

}  // namespace warren::admin
