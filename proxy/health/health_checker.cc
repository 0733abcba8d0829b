#include "health/health_checker.h"

#include <spdlog/spdlog.h>

#include "common/logging.h"

namespace warren::health {

using upstream::Health;

struct HealthChecker::NodeCheck {
  HealthChecker* owner = nullptr;
  upstream::Node* node = nullptr;
  const upstream::Cluster* cluster = nullptr;  // kept alive by clusters_
  RiseFall rise_fall{1, 1};
  uv_timer_t timer{};
  Probe* probe = nullptr;  // the running check, if any
  uint64_t started_ms = 0;
  const config::HealthCheck& config() const { return cluster->config().health_check; }
};

HealthChecker::HealthChecker() = default;

HealthChecker::~HealthChecker() { stop(); }

void HealthChecker::setClusters(std::vector<upstream::ClusterSharedPtr> clusters) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_ = std::move(clusters);
  if (started_ && !stop_requested_) uv_async_send(&async_);
}

void HealthChecker::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_) return;
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &async_, onAsync);
  async_.data = this;
  started_ = true;
  uv_async_send(&async_);  // takes clusters set before start()
  thread_ = std::thread([this] { run(); });
}

void HealthChecker::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_ || stop_requested_) return;
    stop_requested_ = true;
    uv_async_send(&async_);
  }
  if (thread_.joinable()) thread_.join();
}

void HealthChecker::run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void HealthChecker::onAsync(uv_async_t* async) { static_cast<HealthChecker*>(async->data)->apply(); }

void HealthChecker::apply() {
  std::optional<std::vector<upstream::ClusterSharedPtr>> next;
  bool stop = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    next.swap(pending_);
    stop = stop_requested_;
  }
  if (stopping_) return;
  if (stop) {
    stopping_ = true;
    for (auto& [node, check] : checks_) {
      if (check->probe != nullptr) check->probe->abandon();
      check->probe = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&check->timer), [](uv_handle_t* h) {
        delete static_cast<NodeCheck*>(h->data);
      });
      check.release();  // deleted by the close callback
    }
    checks_.clear();
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    return;
  }
  if (!next) return;

  std::map<upstream::Node*, std::unique_ptr<NodeCheck>> kept;
  for (const auto& cluster : *next) {
    const config::HealthCheck& cfg = cluster->config().health_check;
    if (!cfg.enabled) continue;
    for (upstream::Node* node : cluster->nodes()) {
      auto found = checks_.find(node);
      std::unique_ptr<NodeCheck> check;
      if (found != checks_.end()) {
        check = std::move(found->second);
        checks_.erase(found);
        const config::HealthCheck& before = check->config();
        if (before.rise != cfg.rise || before.fall != cfg.fall) check->rise_fall = RiseFall(cfg.rise, cfg.fall);
        check->cluster = cluster.get();
      } else {
        check = std::make_unique<NodeCheck>();
        check->owner = this;
        check->node = node;
        check->cluster = cluster.get();
        check->rise_fall = RiseFall(cfg.rise, cfg.fall);
        uv_timer_init(&loop_, &check->timer);
        check->timer.data = check.get();
        // Spread the first checks over the first interval.
        schedule(*check, random_() % static_cast<uint64_t>(cfg.interval.count()));
      }
      kept.emplace(node, std::move(check));
    }
  }
  for (auto& [node, check] : checks_) removeCheck(std::move(check));
  checks_ = std::move(kept);
  clusters_ = std::move(*next);
  for (auto it = tls_.begin(); it != tls_.end();) {
    bool live = false;
    for (const auto& c : clusters_) live = live || c.get() == it->first;
    it = live ? std::next(it) : tls_.erase(it);
  }
}

// A node no longer checked (gone from the config, or its cluster dropped health_check)
// must not stay Down with nobody to bring it back.
void HealthChecker::removeCheck(std::unique_ptr<NodeCheck> check) {
  if (check->probe != nullptr) check->probe->abandon();
  check->probe = nullptr;
  const Health before = check->node->setHealth(Health::Unchecked, static_cast<int64_t>(uv_now(&loop_)));
  if (before == Health::Down) {
    spdlog::info("node_health cluster={} node={} from=down to=unchecked reason={}", check->cluster->name(),
                 check->node->name(), logging::quote("health checks removed"));
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&check->timer),
           [](uv_handle_t* h) { delete static_cast<NodeCheck*>(h->data); });
  check.release();  // deleted by the close callback
}

void HealthChecker::schedule(NodeCheck& check, uint64_t delay_ms) {
  uv_timer_start(&check.timer, onCheckTimer, delay_ms, 0);
}

void HealthChecker::onCheckTimer(uv_timer_t* timer) {
  auto* check = static_cast<NodeCheck*>(timer->data);
  check->owner->startCheck(*check);
}

tls::ClientContextConstSharedPtr HealthChecker::tlsFor(const upstream::Cluster& cluster) {
  if (!cluster.config().tls.enabled) return nullptr;
  auto found = tls_.find(&cluster);
  if (found != tls_.end()) return found->second;
  // The same context the workers build from the same table (Server::bind already reported
  // its errors): checks then do the TLS handshake the sessions do.
  auto built = tls::ClientContext::build(cluster.config().tls, "");
  tls::ClientContextConstSharedPtr context;
  if (auto* ok = std::get_if<std::shared_ptr<const tls::ClientContext>>(&built)) context = *ok;
  tls_[&cluster] = context;
  return context;
}

void HealthChecker::startCheck(NodeCheck& check) {
  const config::HealthCheck& cfg = check.config();
  const config::Cluster& cluster = check.cluster->config();
  ProbeSpec spec;
  spec.node = check.node->address();
  spec.type = cfg.type;
  spec.proxy_protocol = cluster.proxy_protocol;
  spec.proxy_mode = cfg.proxy;
  spec.timeout = cfg.timeout;
  spec.tls = tlsFor(*check.cluster);
  if (cluster.tls.enabled && !spec.tls) {
    finished(check, ProbeResult{false, "the [cluster.tls] context could not be built", 0});
    return;
  }
  uv_update_time(&loop_);
  check.started_ms = uv_now(&loop_);
  NodeCheck* target = &check;
  check.probe = Probe::start(&loop_, pool_, std::move(spec),
                             [this, target](const ProbeResult& result) { finished(*target, result); });
}

void HealthChecker::finished(NodeCheck& check, const ProbeResult& result) {
  check.probe = nullptr;
  upstream::Node& node = *check.node;
  node.recordCheck(result.ok, result.duration_us);
  uv_update_time(&loop_);
  const uint64_t now = uv_now(&loop_);
  const Health current = node.health();
  const Health next = check.rise_fall.record(current, result.ok);
  if (!result.ok) {
    spdlog::debug("health_check_failed cluster={} node={} reason={} failures={}", check.cluster->name(), node.name(),
                  logging::quote(result.reason), check.rise_fall.failures());
  }
  if (next != current) {
    const Health before = node.setHealth(next, static_cast<int64_t>(now));
    // Proven reachable: the refused connects that led to a passive mark are history.
    if (next == Health::Up) node.reportSuccess();
    const uint32_t passed = check.rise_fall.successes();
    const std::string reason = !result.ok  ? result.reason
                               : passed == 1 ? std::string("check passed")
                                             : std::to_string(passed) + " checks passed in a row";
    spdlog::info("node_health cluster={} node={} from={} to={} reason={} check_ms={:.1f}", check.cluster->name(),
                 node.name(), upstream::toString(before), upstream::toString(next), logging::quote(reason),
                 static_cast<double>(result.duration_us) / 1000.0);
  }
  const uint64_t interval = static_cast<uint64_t>(check.config().interval.count());
  const uint64_t elapsed = now - check.started_ms;
  schedule(check, elapsed < interval ? interval - elapsed : 0);
}

}  // namespace warren::health
