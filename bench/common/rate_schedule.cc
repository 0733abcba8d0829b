#include "common/rate_schedule.h"

#include <cmath>

#include "common/clock.h"

namespace warren::bench {

RateSchedule::RateSchedule(int64_t start_ns, double rate_per_s, uint64_t total)
    : start_ns_(start_ns), rate_(rate_per_s), total_(total) {}

int64_t RateSchedule::dueNs(uint64_t k) const {
  return start_ns_ + std::llround(static_cast<double>(k) * static_cast<double>(kNsPerSecond) / rate_);
}

uint64_t RateSchedule::dueCount(int64_t now_ns) const {
  if (total_ == 0 || now_ns < start_ns_) return 0;
  const double elapsed = static_cast<double>(now_ns - start_ns_);
  auto count = static_cast<uint64_t>(elapsed * rate_ / static_cast<double>(kNsPerSecond)) + 1;
  // The float estimate can be off by one against dueNs()'s rounding: settle on dueNs().
  while (count > 0 && dueNs(count - 1) > now_ns) --count;
  while (count < total_ && dueNs(count) <= now_ns) ++count;
  return count < total_ ? count : total_;
}

uint64_t eventsFor(double duration_s, double rate_per_s) {
  const double n = std::round(duration_s * rate_per_s);
  return n < 1 ? 1 : static_cast<uint64_t>(n);
}

}  // namespace warren::bench
