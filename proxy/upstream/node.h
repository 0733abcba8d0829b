// Per-node state shared by every worker (lock-free): active connection count for
// least-connections, passive health (a node that refused is skipped for a while),
// active health (set by the health checker), the operator's drain flag and weight
// (admin API), and the time the node last came back up (slow start).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/address.h"

namespace warren::upstream {

// Result of the active health checks. Unchecked: the cluster has no active checks, or
// none has finished yet; the node counts as up.
enum class Health : uint8_t { Unchecked, Up, Down };
const char* toString(Health health);  // "unchecked" | "up" | "down"

// Weights are compared in thousandths so that slow start can ramp a weight-1 node smoothly.
inline constexpr uint64_t kWeightScale = 1000;

class Node {
 public:
  Node(const Address& address, uint32_t weight) : address_(address), weight_(weight) {}

  const Address& address() const { return address_; }
  const std::string& name() const { return name_; }  // address as text, for logs
  // Configured weight, or the one set through the admin API.
  uint32_t weight() const { return weight_.load(std::memory_order_relaxed); }
  void setWeight(uint32_t weight) { weight_.store(weight == 0 ? 1 : weight, std::memory_order_relaxed); }

  // Drained (admin API): no new connections; open ones stay.
  bool drained() const { return drained_.load(std::memory_order_relaxed); }
  void setDrained(bool drained) { drained_.store(drained, std::memory_order_relaxed); }

  // Active health. A transition from Down to Up starts the slow-start ramp at `now_ms`.
  // Returns the health before (the health checker and the workers' passive marking both
  // write it; the one that changed it logs the transition).
  Health health() const { return health_.load(std::memory_order_relaxed); }
  Health setHealth(Health health, int64_t now_ms);
  // When the node last came back up (0 = it never was down).
  int64_t upSince() const { return up_since_ms_.load(std::memory_order_relaxed); }

  // May a new connection be sent here? Not drained, not down by the active checks, not
  // in a passive backoff.
  bool eligible(int64_t now_ms) const {
    return !drained() && health() != Health::Down && !isDown(now_ms);
  }
  // weight() × kWeightScale, ramped linearly from 1/kWeightScale of it to all of it over
  // `slow_start_ms` after the node came back up (never below 1).
  uint64_t effectiveWeight(int64_t now_ms, int64_t slow_start_ms) const;

  // Connections assigned to this node (connecting or relaying), over all workers.
  uint32_t active() const { return active_.load(std::memory_order_relaxed); }
  void acquire() { active_.fetch_add(1, std::memory_order_relaxed); }
  void release() { active_.fetch_sub(1, std::memory_order_relaxed); }

  // Passive health. `now_ms` is a monotonic clock in milliseconds.
  bool isDown(int64_t now_ms) const { return now_ms < down_until_ms_.load(std::memory_order_relaxed); }
  int64_t downUntil() const { return down_until_ms_.load(std::memory_order_relaxed); }
  // A connect was refused or timed out: skip the node until now + backoff.
  void reportFailure(int64_t now_ms, int64_t backoff_ms);
  // A connect succeeded: the node is healthy again. A node that was in a passive backoff
  // starts its slow-start ramp at `now_ms`.
  void reportSuccess(int64_t now_ms = 0);
  uint32_t consecutiveFailures() const { return failures_.load(std::memory_order_relaxed); }

  // Active check counters for /metrics, written by the health checker's thread only.
  void recordCheck(bool ok, uint64_t duration_us) {
    checks_total_.fetch_add(1, std::memory_order_relaxed);
    if (!ok) check_failures_total_.fetch_add(1, std::memory_order_relaxed);
    last_check_duration_us_.store(duration_us, std::memory_order_relaxed);
  }
  uint64_t checksTotal() const { return checks_total_.load(std::memory_order_relaxed); }
  uint64_t checkFailuresTotal() const { return check_failures_total_.load(std::memory_order_relaxed); }
  // Connect to verdict (or timeout) of the last finished check, in microseconds.
  uint64_t lastCheckDurationUs() const { return last_check_duration_us_.load(std::memory_order_relaxed); }
  // Times the workers marked the node Down early (fall refused connects from traffic).
  uint64_t passiveDownsTotal() const { return passive_downs_total_.load(std::memory_order_relaxed); }
  void countPassiveDown() { passive_downs_total_.fetch_add(1, std::memory_order_relaxed); }

 private:
  Address address_;
  std::string name_ = address_.toString();
  std::atomic<uint32_t> weight_;
  std::atomic<bool> drained_{false};
  std::atomic<Health> health_{Health::Unchecked};
  std::atomic<int64_t> up_since_ms_{0};
  std::atomic<uint32_t> active_{0};
  std::atomic<int64_t> down_until_ms_{0};
  std::atomic<uint32_t> failures_{0};
  std::atomic<uint64_t> checks_total_{0};
  std::atomic<uint64_t> check_failures_total_{0};
  std::atomic<uint64_t> last_check_duration_us_{0};
  std::atomic<uint64_t> passive_downs_total_{0};
};

}  // namespace warren::upstream
