// Config reload outcomes, shared by the reload path (writer, rare) and the metrics
// endpoint (reader). Atomics are fine here: a reload is not on the data path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace warren::stats {

struct ReloadStats {
  std::atomic<uint64_t> successes{0};
  std::atomic<uint64_t> failures{0};
  // Unix time (seconds) of the last successful load, the initial one included; 0 = never.
  std::atomic<int64_t> last_success_unix_s{0};

  void recordSuccess() {
    successes.fetch_add(1, std::memory_order_relaxed);
    last_success_unix_s.store(nowUnixSeconds(), std::memory_order_relaxed);
  }
  void recordFailure() { failures.fetch_add(1, std::memory_order_relaxed); }
  // The config loaded at start counts as the first success timestamp, not as a reload.
  void recordInitialLoad() { last_success_unix_s.store(nowUnixSeconds(), std::memory_order_relaxed); }

 private:
  static int64_t nowUnixSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace warren::stats
