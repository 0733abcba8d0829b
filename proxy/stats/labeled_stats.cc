#include "stats/labeled_stats.h"

namespace warren::stats {

void accumulate(ListenerTotals& out, const ListenerStats& in) {
#define WARREN_SUM_SCALAR(name) out.name += in.name.get();
#define WARREN_SUM_ARRAY(name, n) \
  for (size_t i = 0; i < (n); ++i) out.name[i] += in.name[i].get();
#define WARREN_SUM_HISTOGRAM(name, bounds)                                                      \
  for (size_t i = 0; i < out.name.buckets.size(); ++i) out.name.buckets[i] += in.name.buckets[i].get(); \
  out.name.sum += in.name.sum.get();
  WARREN_LISTENER_STATS(WARREN_SUM_SCALAR, WARREN_SUM_ARRAY, WARREN_SUM_HISTOGRAM)
#undef WARREN_SUM_SCALAR
#undef WARREN_SUM_ARRAY
#undef WARREN_SUM_HISTOGRAM
}

ListenerStats* StatsRegistry::listener(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return listeners_.get(name);
}

RouteStats* StatsRegistry::route(const std::string& listener, const std::string& route, const std::string& cluster) {
  std::lock_guard<std::mutex> lock(mutex_);
  return routes_.get(RouteKey{listener, route, cluster});
}

NodeStats* StatsRegistry::node(const std::string& cluster, const std::string& node) {
  std::lock_guard<std::mutex> lock(mutex_);
  return nodes_.get(NodeKey{cluster, node});
}

void StatsRegistry::addTo(Snapshot& out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  listeners_.forEach([&](const std::string& name, const ListenerStats& s) { accumulate(out.listeners[name], s); });
  routes_.forEach([&](const RouteKey& key, const RouteStats& s) { out.routes[key] += s.connections.get(); });
  nodes_.forEach([&](const NodeKey& key, const NodeStats& s) {
    NodeTotals& t = out.nodes[key];
    t.connections += s.connections.get();
    t.connect_failures += s.connect_failures.get();
  });
}

}  // namespace warren::stats
