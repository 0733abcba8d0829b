// Open-loop, fixed-rate schedule: event k (k = 0, 1, ...) is due at start + k/rate,
// whatever happened to the earlier ones. A generator that is late starts every event
// that is due at once and reports the lag, instead of silently lowering the rate.
#pragma once

#include <cstdint>

namespace warren::bench {

class RateSchedule {
 public:
  // `rate_per_s` > 0; `total` events in all.
  RateSchedule(int64_t start_ns, double rate_per_s, uint64_t total);

  uint64_t total() const { return total_; }
  int64_t startNs() const { return start_ns_; }
  // When event k is due.
  int64_t dueNs(uint64_t k) const;
  // How many events are due at `now_ns` (those with dueNs(k) <= now_ns), at most total().
  uint64_t dueCount(int64_t now_ns) const;
  // When the last event is due (start when total() is 0).
  int64_t endNs() const { return total_ == 0 ? start_ns_ : dueNs(total_ - 1); }

 private:
  int64_t start_ns_;
  double rate_;
  uint64_t total_;
};

// The event count for a run of `duration_s` at `rate_per_s` (rounded to nearest, at least 1).
uint64_t eventsFor(double duration_s, double rate_per_s);

}  // namespace warren::bench
