// latency: C persistent Echo connections; 64-byte requests at a fixed aggregate rate,
// round-robin over the connections, sent open-loop (a request is sent when due even if
// the previous ones on that connection are still out). Each request carries its
// sequence number and send time; the echo must come back byte for byte and in order.
#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "loadgen/modes.h"
#include "loadgen/tls_client.h"

namespace warren::bench {

namespace {

constexpr double kDefaultRate = 2000;
constexpr uint64_t kDefaultConnections = 50;
constexpr size_t kRequestSize = 64;

using Request = std::array<uint8_t, kRequestSize>;

// seq (8 bytes), send time (8 bytes), then a pattern derived from seq.
Request makeRequest(uint64_t seq, int64_t sent_ns) {
  Request r{};
  putBe64(r.data(), seq);
  putBe64(r.data() + 8, static_cast<uint64_t>(sent_ns));
  for (size_t i = 16; i < kRequestSize; ++i) r[i] = static_cast<uint8_t>(seq * 31 + i);
  return r;
}

struct Samples {
  Histogram latency;
  uint64_t first_measured = 0;  // requests with a lower sequence number are warm-up
  uint64_t echoed = 0;
  uint64_t measured = 0;
};

class EchoConn : public ClientConn {
 public:
  EchoConn(ConnEnv& env, Samples& samples) : ClientConn(env, Command{Mode::Echo, 0}), samples_(samples) {}

  void send(uint64_t seq, int64_t now_ns) {
    if (finished()) return;
    const Request r = makeRequest(seq, now_ns);
    out_.insert(out_.end(), r.begin(), r.end());
    outstanding_.push_back({seq, now_ns});
    run();
  }
  size_t outstanding() const { return outstanding_.size(); }

 protected:
  void run() override {
    while (!finished()) {
      size_t n = 0;
      if (out_offset_ < out_.size()) {
        const Io io = writeSome(out_.data() + out_offset_, out_.size() - out_offset_, n);
        if (io == Io::Ok) {
          out_offset_ += n;
          if (out_offset_ == out_.size()) {
            out_.clear();
            out_offset_ = 0;
          }
          continue;
        }
        if (io != Io::Blocked) return failIo(io, "request");
      }
      uint8_t buf[16 * 1024];
      const Io io = readSome(buf, sizeof buf, n);
      if (io == Io::Blocked) return;
      if (io != Io::Ok) return failIo(io, "echo");
      onEcho(buf, n);
    }
  }

 private:
  struct Sent {
    uint64_t seq;
    int64_t sent_ns;
  };

  void onEcho(const uint8_t* data, size_t n) {
    const int64_t now = nowNs();
    for (size_t i = 0; i < n && !finished(); ++i) {
      partial_[partial_len_++] = data[i];
      if (partial_len_ < kRequestSize) continue;
      partial_len_ = 0;
      if (outstanding_.empty()) return fail("unexpected_echo");
      const Sent sent = outstanding_.front();
      outstanding_.pop_front();
      if (partial_ != makeRequest(sent.seq, sent.sent_ns)) return fail("echo_mismatch");
      ++samples_.echoed;
      if (sent.seq >= samples_.first_measured) {
        samples_.latency.record(now - sent.sent_ns);
        ++samples_.measured;
      }
    }
  }

  Samples& samples_;
  std::vector<uint8_t> out_;
  size_t out_offset_ = 0;
  std::deque<Sent> outstanding_;
  Request partial_{};
  size_t partial_len_ = 0;
};

class LatencyPool : public ConnPool {
 public:
  using ConnPool::ConnPool;
  void onEstablished(ClientConn&) override { ++established; }
  uint64_t established = 0;
};

}  // namespace

ModeResult runLatency(const Options& options) {
  const double rate = options.rate > 0 ? options.rate : kDefaultRate;
  const uint64_t conns = options.connections > 0 ? options.connections : kDefaultConnections;
  const auto ctx = makeClientContext(options, nullptr);
  ModeResult result;
  if (options.tls != TlsVersion::None && !ctx) {
    result.report = {{"mode", "latency"}, {"error", "cannot set up the TLS client"}};
    return result;
  }
  EventLoop loop;
  LatencyPool pool(loop, options, ctx.get(), nullptr);
  pool.keepFinished();  // `echo` points at them until the end
  Counters& c = pool.counters();
  Samples samples;
  std::vector<EchoConn*> echo;
  const int64_t timeout = static_cast<int64_t>(options.timeout_s * kNsPerSecond);
  for (uint64_t i = 0; i < conns; ++i) {
    auto conn = std::make_unique<EchoConn>(pool.env(), samples);
    EchoConn* raw = conn.get();
    if (pool.open(std::move(conn), nowNs())) echo.push_back(raw);
  }
  pool.runUntil([&] { return pool.established + c.errors >= conns; }, nowNs() + timeout);

  // Warm-up requests run on the same schedule; only their samples and CPU are left out.
  const uint64_t warm = options.warmup_s > 0 ? eventsFor(options.warmup_s, rate) : 0;
  const uint64_t measured = options.count > 0 ? options.count : eventsFor(options.duration_s, rate);
  const RateSchedule schedule(nowNs(), rate, warm + measured);
  samples.first_measured = warm;
  const int64_t measure_from = schedule.dueNs(warm);
  Snapshot before;
  bool measuring = false;
  Histogram lags;
  uint64_t next = 0;
  const auto all_echoed = [&] { return samples.echoed + c.errors > 0 && next == schedule.total() &&
                                       std::all_of(echo.begin(), echo.end(), [](EchoConn* e) {
                                         return e->finished() || e->outstanding() == 0;
                                       }); };
  if (c.errors == 0) {
    const int64_t deadline = schedule.endNs() + timeout;
    while (nowNs() < deadline) {
      const int64_t now = nowNs();
      if (!measuring && now >= measure_from) {
        before = takeSnapshot(options);
        measuring = true;
      }
      for (const uint64_t due = schedule.dueCount(now); next < due; ++next) {
        lags.record(now - schedule.dueNs(next));
        echo[next % echo.size()]->send(next, nowNs());
      }
      if (all_echoed()) break;
      int64_t wake = now + 100 * kNsPerMs;
      if (next < schedule.total()) wake = std::min(wake, schedule.dueNs(next));
      if (!measuring) wake = std::min(wake, measure_from);
      loop.runOnce(std::min(wake, deadline));
    }
    if (!all_echoed()) c.error("timeout");
  }
  if (!measuring) before = takeSnapshot(options);
  const Snapshot after = takeSnapshot(options);
  const uint64_t requests_sent = next;
  pool.closeAll();

  Json report = commonReport(options, c, before, after);
  report["ok"] = samples.measured;
  report["connections"] = conns;
  report["target_rate"] = rate;
  report["requests"] = requests_sent;
  report["echoed"] = samples.echoed;
  const double duration = static_cast<double>(after.wall_ns - before.wall_ns) / 1e9;
  report["achieved_rate"] = duration > 0 ? std::round(static_cast<double>(samples.measured) / duration * 10) / 10 : 0.0;
  report["cpu_us_per_request"] = perUnit(before, after, static_cast<double>(samples.measured), 1e3);
  addPercentilesUs(report, "latency_us", samples.latency);
  addPercentilesUs(report, "start_lag_us", lags);
  report["fell_behind"] = lags.percentile(99) > 5 * kNsPerMs;
  result.success = c.errors == 0 && samples.echoed == requests_sent && requests_sent == schedule.total();
  result.report = std::move(report);
  return result;
}

}  // namespace warren::bench
