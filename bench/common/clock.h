// Monotonic time in nanoseconds, the one clock every bench tool schedules and measures with.
#pragma once

#include <time.h>

#include <cstdint>

namespace warren::bench {

inline int64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline constexpr int64_t kNsPerSecond = 1'000'000'000;
inline constexpr int64_t kNsPerMs = 1'000'000;

}  // namespace warren::bench
