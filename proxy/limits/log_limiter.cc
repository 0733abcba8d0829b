#include "limits/log_limiter.h"

namespace warren::limits {

std::optional<uint64_t> LogLimiter::allow(int64_t now_ms) {
  int64_t next = next_ms_.load(std::memory_order_relaxed);
  // Only one caller wins the slot; the others of the same instant are suppressed.
  if (now_ms >= next && next_ms_.compare_exchange_strong(next, now_ms + interval_ms_, std::memory_order_relaxed)) {
    return suppressed_.exchange(0, std::memory_order_relaxed);
  }
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

}  // namespace warren::limits
