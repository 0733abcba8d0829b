// What the admin endpoint needs from the running process, as functions: the admin module
// never sees the Server. proxy/main.cc wires them; tests wire their own.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "session/session_stats.h"
#include "stats/reload_stats.h"
#include "upstream/cluster.h"

namespace warren::admin {

struct ReloadResult {
  // false: this process cannot reload (answered 501, nothing attempted).
  bool available = true;
  bool ok = false;
  std::string message;  // what changed, or every config error
};

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, for the 503 answer
};

struct Hooks {
  // The running clusters (a snapshot; thread-safe).
  std::function<std::vector<upstream::ClusterSharedPtr>()> clusters;
  // The workers' counters, summed.
  std::function<session::Snapshot()> stats;
  // Re-reads the config file and applies it.
  std::function<ReloadResult()> reload;
  // Listeners bound and not shutting down.
  std::function<bool()> serving;
  // Monotonic milliseconds on the workers' clock (node passive backoff).
  std::function<int64_t()> now_ms;
  const stats::ReloadStats* reload_stats = nullptr;
};

}  // namespace warren::admin
