#include "loadgen/runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/clock.h"

namespace warren::bench {

namespace {
double selfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}
}  // namespace

Snapshot takeSnapshot(const Options& options) {
  Snapshot snapshot;
  snapshot.wall_ns = nowNs();
  snapshot.self_cpu_s = selfCpuSeconds();
  if (!options.proxy_pids.empty()) {
    snapshot.proxy = sampleProcesses(options.proxy_pids);
    snapshot.has_proxy = true;
  }
  return snapshot;
}

ConnPool::ConnPool(EventLoop& loop, const Options& options, SSL_CTX* ctx, SessionStore* sessions)
    : loop_(loop), options_(options), env_{loop, options, ctx, sessions, counters_, *this} {}

ConnPool::~ConnPool() {
  for (ClientConn* conn : live_) delete conn;
}

bool ConnPool::open(std::unique_ptr<ClientConn> conn, int64_t now_ns) {
  ClientConn* raw = conn.get();
  if (!raw->start(now_ns)) {
    if (keep_finished_) finished_.push_back(std::move(conn));
    return false;
  }
  live_.insert(conn.release());
  return true;
}

void ConnPool::abortAll(std::string_view kind) {
  const std::vector<ClientConn*> all(live_.begin(), live_.end());
  for (ClientConn* conn : all) conn->abort(kind);
}

void ConnPool::closeAll() {
  const std::vector<ClientConn*> all(live_.begin(), live_.end());
  for (ClientConn* conn : all) conn->closeGracefully();
}

void ConnPool::onFinished(ClientConn& conn, bool ok) {
  if (ok) conn_times_.record(nowNs() - conn.startedNs());
  live_.erase(&conn);
  if (keep_finished_) {
    finished_.emplace_back(&conn);
  } else {
    loop_.retire(std::unique_ptr<EventLoop::Handler>(&conn));
  }
}

bool ConnPool::runUntil(const std::function<bool()>& done, int64_t deadline_ns) {
  while (!done()) {
    if (nowNs() >= deadline_ns) return false;
    loop_.runOnce(std::min(deadline_ns, nowNs() + 100 * kNsPerMs));
  }
  return true;
}

void ConnPool::runSchedule(const RateSchedule& schedule, uint64_t max_in_flight, int64_t timeout_ns,
                           const std::function<std::unique_ptr<ClientConn>()>& make, Histogram& lags,
                           const std::function<bool()>& done) {
  const int64_t deadline = schedule.endNs() + timeout_ns;
  uint64_t next = 0;
  for (;;) {
    const int64_t now = nowNs();
    const uint64_t due = schedule.dueCount(now);
    while (next < due && live_.size() < max_in_flight) {
      lags.record(now - schedule.dueNs(next));
      open(make(), now);
      ++next;
    }
    if (next == schedule.total() && (done ? done() : live_.empty())) return;
    if (now >= deadline) {
      abortAll("timeout");
      for (; next < schedule.total(); ++next) counters_.error("not_started");
      return;
    }
    // Wake for the next start unless the in-flight cap holds it back (then an ending
    // connection's event wakes us).
    int64_t wake = now + 100 * kNsPerMs;
    if (next < schedule.total() && live_.size() < max_in_flight) wake = std::min(wake, schedule.dueNs(next));
    loop_.runOnce(std::min(wake, deadline));
  }
}

bool waitQuiet(ConnPool& pool, const Options& options, int64_t max_wait_ns) {
  if (options.proxy_pids.empty()) return true;
  constexpr int64_t kWindow = 500 * kNsPerMs;
  constexpr uint64_t kQuietCpuNs = 1'000'000;
  constexpr uint64_t kRssSlackKb = 16;
  const int64_t deadline = nowNs() + max_wait_ns;
  Snapshot previous = takeSnapshot(options);
  while (nowNs() < deadline) {
    const int64_t until = std::min(deadline, nowNs() + kWindow);
    pool.runUntil([] { return false; }, until);
    const Snapshot current = takeSnapshot(options);
    if (!current.proxy.ok) return false;
    const uint64_t cpu = current.proxy.cpu_ns - previous.proxy.cpu_ns;
    const uint64_t rss_delta = current.proxy.rss_kb > previous.proxy.rss_kb
                                   ? current.proxy.rss_kb - previous.proxy.rss_kb
                                   : previous.proxy.rss_kb - current.proxy.rss_kb;
    if (current.wall_ns - previous.wall_ns >= kWindow - kNsPerMs && cpu < kQuietCpuNs &&
        rss_delta <= kRssSlackKb) {
      return true;
    }
    previous = current;
  }
  return false;
}

Json commonReport(const Options& options, const Counters& counters, const Snapshot& before,
                  const Snapshot& after) {
  Json report;
  report["mode"] = toString(options.mode);
  report["target"] = options.target.toString();
  report["tls"] = toString(options.tls);
  report["sig"] = options.tls == TlsVersion::None ? "none" : toString(options.sig);
  report["ok"] = counters.ok;
  report["errors"] = counters.errors;
  report["error_kinds"] = Json::object();
  for (const auto& [kind, n] : counters.error_kinds) report["error_kinds"][kind] = n;
  const double duration = static_cast<double>(after.wall_ns - before.wall_ns) / 1e9;
  report["duration_s"] = std::round(duration * 1000) / 1000;
  if (before.has_proxy && before.proxy.ok && after.proxy.ok) {
    report["proxy_cpu_ns"] = after.proxy.cpu_ns - before.proxy.cpu_ns;
    const double share = static_cast<double>(after.proxy.cpu_ns - before.proxy.cpu_ns) / 1e9 / duration;
    report["proxy_cpu_share"] = std::round(share * 1000) / 1000;
    report["proxy_rss_kb_before"] = before.proxy.rss_kb;
    report["proxy_rss_kb_after"] = after.proxy.rss_kb;
  } else if (before.has_proxy) {
    report["proxy_error"] = before.proxy.ok ? after.proxy.error : before.proxy.error;
  }
  const double self = after.self_cpu_s - before.self_cpu_s;
  report["loadgen_cpu_s"] = std::round(self * 1000) / 1000;
  // Near 1.0 means the load generator used a whole core: it may have been the bottleneck.
  report["loadgen_cpu_share"] = duration > 0 ? std::round(self / duration * 1000) / 1000 : 0.0;
  return report;
}

void addPercentilesUs(Json& report, const char* name, Histogram& histogram) {
  const auto us = [](int64_t ns) { return std::round(static_cast<double>(ns) / 100.0) / 10.0; };
  report[name] = {{"count", histogram.count()},
                  {"p50", us(histogram.percentile(50))},
                  {"p99", us(histogram.percentile(99))},
                  {"p999", us(histogram.percentile(99.9))},
                  {"max", us(histogram.max())}};
}

Json perUnit(const Snapshot& before, const Snapshot& after, double units, double scale) {
  if (!before.has_proxy || !before.proxy.ok || !after.proxy.ok || units <= 0) return nullptr;
  const double value = static_cast<double>(after.proxy.cpu_ns - before.proxy.cpu_ns) / scale / units;
  return std::round(value * 1000) / 1000;
}

}  // namespace warren::bench
