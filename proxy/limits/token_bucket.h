// Accept-rate limit shared by every worker of a listener, without a lock.
//
// A token bucket of `burst` tokens refilled at `rate` per second, written as the equivalent
// GCRA (generic cell rate algorithm): one atomic "theoretical arrival time" (TAT). A take at
// time t succeeds when TAT - t <= (burst - 1) × interval and moves TAT to max(TAT, t) + interval.
// One compare-and-swap per accepted connection; no per-worker share of the rate, so a client
// whose connections all land on one worker (SO_REUSEPORT hashes by address and port) still
// gets the whole rate, and the sum over workers never exceeds it.
#pragma once

#include <atomic>
#include <cstdint>

namespace warren::limits {

class TokenBucket {
 public:
  // rate_per_second >= 1, burst >= 1.
  TokenBucket(uint32_t rate_per_second, uint32_t burst);

  // Takes one token at `now_ns` (a monotonic clock shared by the callers). Thread-safe.
  bool tryTake(int64_t now_ns);

  int64_t intervalNs() const { return interval_ns_; }

 private:
  int64_t interval_ns_;   // time that refills one token
  int64_t tolerance_ns_;  // (burst - 1) × interval: how far TAT may run ahead of now
  std::atomic<int64_t> tat_;
};

}  // namespace warren::limits
