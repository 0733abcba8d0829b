// Bounds a log line that an attacker can trigger at will (one per rejected connection) to
// one per interval after a burst of `burst` lines (a generic cell rate algorithm: the
// first failures of a quiet listener all show, a flood writes one line per interval). Shared by the workers of a listener, lock-free. The lines skipped in
// between are counted and reported by the next line that is written ("suppressed=N");
// every rejection is still counted in the stats.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace warren::limits {

class LogLimiter {
 public:
  explicit LogLimiter(int64_t interval_ms = 1000, int64_t burst = 1)
      : interval_ms_(interval_ms), tolerance_ms_((burst > 1 ? burst - 1 : 0) * interval_ms) {}

  // At `now_ms` (a monotonic clock shared by the callers): the number of lines suppressed
  // since the last one written when a line may be written now, else nullopt (and this one
  // is counted as suppressed). Thread-safe.
  std::optional<uint64_t> allow(int64_t now_ms);

 private:
  int64_t interval_ms_;
  int64_t tolerance_ms_;  // (burst - 1) intervals
  std::atomic<int64_t> due_ms_{INT64_MIN};  // when the budget is whole again
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace warren::limits
