// idle: N connections opened at a fixed rate, each told to Hold; once the proxy is
// quiet, its RSS growth per connection is the memory an idle connection costs it.
#include <cmath>
#include <memory>

#include "common/clock.h"
#include "loadgen/modes.h"
#include "loadgen/reply_conn.h"
#include "loadgen/tls_client.h"

namespace warren::bench {

namespace {

constexpr double kDefaultRate = 1000;
constexpr uint64_t kDefaultConnections = 9500;
constexpr int64_t kMaxQuietWait = 30 * kNsPerSecond;

class IdlePool : public ConnPool {
 public:
  using ConnPool::ConnPool;
  void onReady(ClientConn&) override { ++ready; }
  uint64_t ready = 0;
};

}  // namespace

ModeResult runIdle(const Options& options) {
  const double rate = options.rate > 0 ? options.rate : kDefaultRate;
  const uint64_t total = options.count > 0 ? options.count
                         : options.connections > 0 ? options.connections
                                                   : kDefaultConnections;
  const auto ctx = makeClientContext(options, nullptr);
  ModeResult result;
  if (options.tls != TlsVersion::None && !ctx) {
    result.report = {{"mode", "idle"}, {"error", "cannot set up the TLS client"}};
    return result;
  }
  EventLoop loop;
  IdlePool pool(loop, options, ctx.get(), nullptr);
  const bool quiet_before = waitQuiet(pool, options, kMaxQuietWait);
  const Snapshot before = takeSnapshot(options);

  // Open them all (they stay live, so the in-flight cap is the total), then wait until
  // every one got the backend's reply or ended.
  const RateSchedule schedule(nowNs(), rate, total);
  Histogram lags;
  Counters& c = pool.counters();
  pool.runSchedule(schedule, total, static_cast<int64_t>(options.timeout_s * kNsPerSecond),
                   [&pool] { return std::make_unique<ReplyConn>(pool.env(), Mode::Hold); }, lags,
                   [&] { return pool.ready + c.errors >= total; });
  const Snapshot opened = takeSnapshot(options);
  const bool quiet_after = waitQuiet(pool, options, kMaxQuietWait);
  const Snapshot held = takeSnapshot(options);
  const uint64_t held_connections = pool.live();

  pool.closeAll();
  waitQuiet(pool, options, 5 * kNsPerSecond);
  const Snapshot closed = takeSnapshot(options);

  Json report = commonReport(options, c, before, held);
  report["connections"] = total;
  report["held"] = held_connections;
  report["target_rate"] = rate;
  report["quiet_before"] = quiet_before;
  report["quiet_after"] = quiet_after;
  if (held.has_proxy && before.proxy.ok && held.proxy.ok && held_connections > 0) {
    const double per = (static_cast<double>(held.proxy.rss_kb) - static_cast<double>(before.proxy.rss_kb)) /
                       static_cast<double>(held_connections);
    report["rss_kb_per_connection"] = std::round(per * 100) / 100;
  } else {
    report["rss_kb_per_connection"] = nullptr;
  }
  if (closed.has_proxy && closed.proxy.ok) report["proxy_rss_kb_after_close"] = closed.proxy.rss_kb;
  // The opening phase doubles as a handshake measurement.
  report["cpu_us_per_handshake"] = perUnit(before, opened, static_cast<double>(pool.ready), 1e3);
  addPercentilesUs(report, "start_lag_us", lags);
  report["fell_behind"] = lags.percentile(99) > 5 * kNsPerMs;
  result.success = c.errors == 0 && held_connections == total;
  result.report = std::move(report);
  return result;
}

}  // namespace warren::bench
