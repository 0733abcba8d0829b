#include "limits/log_limiter.h"

namespace warren::limits {

std::optional<uint64_t> LogLimiter::allow(int64_t now_ms) {
  int64_t due = due_ms_.load(std::memory_order_relaxed);
  // A line spends one interval of budget; callers of the same instant race for what is left
  // (bounded retries: a loser is suppressed, never spins).
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int64_t base = due > now_ms ? due : now_ms;
    if (base - now_ms > tolerance_ms_) break;
    if (due_ms_.compare_exchange_weak(due, base + interval_ms_, std::memory_order_relaxed)) {
      return suppressed_.exchange(0, std::memory_order_relaxed);
    }
  }
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

}  // namespace warren::limits
