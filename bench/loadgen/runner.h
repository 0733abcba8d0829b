// What every load mode shares: the set of live connections, the fixed-rate launcher,
// proxy/loadgen measurements around a phase, and the common part of the report.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <vector>

#include "common/event_loop.h"
#include "common/histogram.h"
#include "common/proc_stats.h"
#include "common/rate_schedule.h"
#include "loadgen/client_conn.h"
#include "loadgen/options.h"

namespace warren::bench {

using Json = nlohmann::ordered_json;

// CPU and memory at one instant: the proxy's (when --proxy-pid was given) and our own.
struct Snapshot {
  int64_t wall_ns = 0;
  ProcessSample proxy;
  bool has_proxy = false;
  double self_cpu_s = 0;
};
Snapshot takeSnapshot(const Options& options);

// Owns the live connections of a phase. Modes derive from it and add their hooks.
class ConnPool : public ConnOwner {
 public:
  ConnPool(EventLoop& loop, const Options& options, SSL_CTX* ctx, SessionStore* sessions);
  ~ConnPool() override;
  ConnPool(const ConnPool&) = delete;
  ConnPool& operator=(const ConnPool&) = delete;

  // Keep ended connections until the pool goes (for modes that hold pointers to them).
  void keepFinished() { keep_finished_ = true; }

  Counters& counters() { return counters_; }
  size_t live() const { return live_.size(); }
  ConnEnv& env() { return env_; }

  // Starts `conn`; false when the connect failed at once (already counted).
  bool open(std::unique_ptr<ClientConn> conn, int64_t now_ns);
  // Fails every live connection with `kind`.
  void abortAll(std::string_view kind);
  // Closes every live connection cleanly.
  void closeAll();
  void onFinished(ClientConn& conn, bool ok) override;

  // Runs the loop until `done()` or `deadline_ns`; false on the deadline.
  bool runUntil(const std::function<bool()>& done, int64_t deadline_ns);

  // Opens schedule.total() connections made by `make` at the schedule's times, at most
  // `max_in_flight` live at once, and runs until all are started and `done()` (default:
  // none is live), or until endNs() + timeout: then the live ones fail with "timeout"
  // and the unstarted ones with "not_started". Start lags go to `lags`.
  void runSchedule(const RateSchedule& schedule, uint64_t max_in_flight, int64_t timeout_ns,
                   const std::function<std::unique_ptr<ClientConn>()>& make, Histogram& lags,
                   const std::function<bool()>& done = nullptr);

  // Connection times (start → successful end) of the connections that ended ok.
  Histogram& connTimes() { return conn_times_; }

 protected:
  EventLoop& loop_;
  const Options& options_;
  Counters counters_;
  ConnEnv env_;
  std::unordered_set<ClientConn*> live_;
  std::vector<std::unique_ptr<ClientConn>> finished_;
  bool keep_finished_ = false;
  Histogram conn_times_;
};

// Waits (running the loop) until the proxy is quiet: < 1 ms CPU and a stable RSS over
// 0.5 s, at most `max_wait_ns`. True when quiet was reached (always true without pids).
bool waitQuiet(ConnPool& pool, const Options& options, int64_t max_wait_ns);

// mode, tls, sig, target, ok/errors/error_kinds, duration, proxy CPU/RSS, loadgen CPU.
Json commonReport(const Options& options, const Counters& counters, const Snapshot& before,
                  const Snapshot& after);
// Adds "name": {p50, p99, p999, max} in microseconds from nanosecond samples.
void addPercentilesUs(Json& report, const char* name, Histogram& histogram);
// proxy CPU per unit, or null without --proxy-pid / units.
Json perUnit(const Snapshot& before, const Snapshot& after, double units, double scale);

}  // namespace warren::bench
