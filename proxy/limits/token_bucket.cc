#include "limits/token_bucket.h"

#include <algorithm>
#include <limits>

namespace warren::limits {

namespace {
constexpr int64_t kNsPerSecond = 1'000'000'000;
}

TokenBucket::TokenBucket(uint32_t rate_per_second, uint32_t burst)
    : interval_ns_(kNsPerSecond / std::max<uint32_t>(rate_per_second, 1)),
      tolerance_ns_(interval_ns_ * (static_cast<int64_t>(std::max<uint32_t>(burst, 1)) - 1)),
      // Far in the past: the bucket starts full.
      tat_(std::numeric_limits<int64_t>::min() / 2) {}

bool TokenBucket::tryTake(int64_t now_ns) {
  int64_t tat = tat_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t start = std::max(tat, now_ns);
    if (start - now_ns > tolerance_ns_) return false;  // empty until TAT - tolerance
    if (tat_.compare_exchange_weak(tat, start + interval_ns_, std::memory_order_relaxed)) return true;
  }
}

}  // namespace warren::limits
