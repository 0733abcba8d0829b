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

void Node::reportSuccess() {
  failures_.store(0, std::memory_order_relaxed);
  down_until_ms_.store(0, std::memory_order_relaxed);
}

}  // namespace warren::upstream
