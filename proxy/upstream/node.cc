#include "upstream/node.h"

namespace warren::upstream {

void Node::reportFailure(int64_t now_ms, int64_t backoff_ms) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  // Workers report with their own loop clocks, which may lag one another slightly:
  // keep the latest end so that a late, older report never shortens a down period.
  const int64_t until = now_ms + (backoff_ms > 0 ? backoff_ms : 0);
  int64_t current = down_until_ms_.load(std::memory_order_relaxed);
  while (current < until &&
         !down_until_ms_.compare_exchange_weak(current, until, std::memory_order_relaxed)) {
  }
}

void Node::reportSuccess(int64_t now_ms) {
  failures_.store(0, std::memory_order_relaxed);
  // Only the first success after a backoff writes (and starts the ramp): a busy node's
  // connects must not bounce one cache line between the workers.
  if (down_until_ms_.load(std::memory_order_relaxed) != 0) {
    down_until_ms_.store(0, std::memory_order_relaxed);
    if (now_ms > 0) up_since_ms_.store(now_ms, std::memory_order_relaxed);
  }
}

Health Node::setHealth(Health health, int64_t now_ms) {
  const Health before = health_.exchange(health, std::memory_order_relaxed);
  if (before == Health::Down && health == Health::Up) up_since_ms_.store(now_ms, std::memory_order_relaxed);
  return before;
}

uint64_t Node::effectiveWeight(int64_t now_ms, int64_t slow_start_ms) const {
  const uint64_t full = static_cast<uint64_t>(weight()) * kWeightScale;
  const int64_t since = upSince();
  if (slow_start_ms <= 0 || since == 0) return full;
  const int64_t elapsed = now_ms - since;
  if (elapsed >= slow_start_ms) return full;
  if (elapsed <= 0) return 1;
  const uint64_t ramped = full * static_cast<uint64_t>(elapsed) / static_cast<uint64_t>(slow_start_ms);
  return ramped == 0 ? 1 : ramped;
}

const char* toString(Health health) {
  switch (health) {
    case Health::Up: return "up";
    case Health::Down: return "down";
    case Health::Unchecked: break;
  }
  return "unchecked";
}

}  // namespace warren::upstream
