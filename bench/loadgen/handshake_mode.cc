// handshake: full TLS handshakes at a fixed rate. resume: the same, every connection
// offering the newest session the server gave us.
#include <memory>

#include "common/clock.h"
#include "loadgen/modes.h"
#include "loadgen/reply_conn.h"
#include "loadgen/tls_client.h"

namespace warren::bench {

namespace {

constexpr double kDefaultRate = 200;
// A resume phase where fewer connections than this resumed failed to measure resumption.
constexpr double kMinResumedShare = 0.95;

struct Phase {
  Counters counters;
  Histogram lags;
  Histogram conn_times;
  Snapshot before;
  Snapshot after;
};

// One scheduled run of `total` Quick connections.
void runPhase(const Options& options, SSL_CTX* ctx, SessionStore* sessions, uint64_t total,
              double rate, Phase& phase) {
  EventLoop loop;
  ConnPool pool(loop, options, ctx, sessions);
  phase.before = takeSnapshot(options);
  const RateSchedule schedule(nowNs(), rate, total);
  pool.runSchedule(schedule, options.max_in_flight,
                   static_cast<int64_t>(options.timeout_s * kNsPerSecond),
                   [&pool] { return std::make_unique<ReplyConn>(pool.env(), Mode::Quick); }, phase.lags);
  phase.after = takeSnapshot(options);
  phase.counters = pool.counters();
  phase.conn_times = pool.connTimes();
}

}  // namespace

ModeResult runHandshakes(const Options& options) {
  const bool resume = options.mode == LoadMode::Resume;
  const double rate = options.rate > 0 ? options.rate : kDefaultRate;
  const uint64_t total = options.count > 0 ? options.count : eventsFor(options.duration_s, rate);
  SessionStore sessions;
  const auto ctx = makeClientContext(options, resume ? &sessions : nullptr);
  ModeResult result;
  if (options.tls != TlsVersion::None && !ctx) {
    result.report = {{"mode", toString(options.mode)}, {"error", "cannot set up the TLS client"}};
    return result;
  }
  if (resume && options.tls == TlsVersion::None) {
    result.report = {{"mode", toString(options.mode)}, {"error", "resume needs TLS"}};
    return result;
  }

  // resume: one full handshake first, to get a session.
  Phase prime;
  if (resume) runPhase(options, ctx.get(), &sessions, 1, rate, prime);
  Phase warmup;
  if (options.warmup_s > 0) {
    runPhase(options, ctx.get(), resume ? &sessions : nullptr, eventsFor(options.warmup_s, rate), rate, warmup);
  }
  Phase measured;
  runPhase(options, ctx.get(), resume ? &sessions : nullptr, total, rate, measured);

  Counters& c = measured.counters;
  if (resume && c.ok > 0 && static_cast<double>(c.resumed) < kMinResumedShare * static_cast<double>(c.ok)) {
    c.error("not_resumed");
  }
  Json report = commonReport(options, c, measured.before, measured.after);
  report["target_rate"] = rate;
  const double duration = static_cast<double>(measured.after.wall_ns - measured.before.wall_ns) / 1e9;
  report["achieved_rate"] = duration > 0 ? std::round(static_cast<double>(c.ok) / duration * 10) / 10 : 0.0;
  report["connections"] = total;
  if (options.tls != TlsVersion::None) {
    report["full_handshakes"] = c.full_handshakes;
    report["resumed"] = c.resumed;
  }
  report["cpu_us_per_handshake"] = perUnit(measured.before, measured.after, static_cast<double>(c.ok), 1e3);
  addPercentilesUs(report, "connection_time_us", measured.conn_times);
  addPercentilesUs(report, "start_lag_us", measured.lags);
  // Open-loop check: starts more than 5 ms late mean the generator fell behind.
  report["fell_behind"] = measured.lags.percentile(99) > 5 * kNsPerMs;
  report["unclean_eofs"] = c.unclean_eofs;
  const uint64_t side_errors = prime.counters.errors + warmup.counters.errors;
  if (resume) report["prime_errors"] = prime.counters.errors;
  if (options.warmup_s > 0) report["warmup_errors"] = warmup.counters.errors;
  result.success = c.errors == 0 && side_errors == 0 && c.ok == total;
  result.report = std::move(report);
  return result;
}

}  // namespace warren::bench
