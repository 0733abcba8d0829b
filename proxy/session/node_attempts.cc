#include "session/node_attempts.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include "common/logging.h"

namespace warren::session {

upstream::Node* NodeAttempts::pick(upstream::LoadBalancer& balancer, const config::Cluster& cluster,
                                   int64_t now_ms) {
  release();
  if (count_ >= cluster.connect_attempts) return nullptr;
  upstream::Node* node = balancer.pick(now_ms, tried_);
  if (node == nullptr) return nullptr;
  tried_.push_back(node);
  ++count_;
  node->acquire();
  current_ = node;
  return node;
}

void NodeAttempts::connected(int64_t now_ms) {
  if (current_ != nullptr) current_->reportSuccess(now_ms);
}

bool NodeAttempts::failed(int error, const config::Cluster& cluster, const std::string& client, int64_t now_ms,
                          limits::ConnectionLog* log) {
  last_error_ = error;
  upstream::Node* node = current_;
  if (node == nullptr) return false;
  node->reportFailure(now_ms, cluster.down_backoff.count());
  const auto suppressed = log != nullptr ? log->allow(limits::ConnectionEvent::NodeConnectFailed, now_ms)
                                         : std::optional<uint64_t>(0);
  if (suppressed) {
    spdlog::warn("node_connect_failed node={} cluster={} client={} attempt={} error={} down_for_ms={} suppressed={}",
                 node->name(), cluster.name, client, count_, uv_err_name(error), cluster.down_backoff.count(),
                 *suppressed);
  }
  bool marked = false;
  const config::HealthCheck& check = cluster.health_check;
  if (check.enabled && node->consecutiveFailures() >= check.fall) {
    const upstream::Health before = node->setHealth(upstream::Health::Down, now_ms);
    if (before != upstream::Health::Down) {
      node->countPassiveDown();
      marked = true;
      spdlog::info("node_health cluster={} node={} from={} to=down reason={}", cluster.name, node->name(),
                   upstream::toString(before),
                   logging::quote(std::to_string(node->consecutiveFailures()) +
                                  " consecutive connect failures from traffic, last " + uv_err_name(error)));
    }
  }
  release();
  return marked;
}

void NodeAttempts::release() {
  if (current_ == nullptr) return;
  current_->release();
  current_ = nullptr;
}

}  // namespace warren::session
