// bulk-up / bulk-down: C connections move B bytes in all, as fast as the path allows.
// up: command Sink with the connection's share as argument, write it all, half-close,
//     then the backend's byte count must equal what was written.
// down: command Source with the connection's share; read until EOF, count must match.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/pattern.h"
#include "loadgen/modes.h"
#include "loadgen/tls_client.h"

namespace warren::bench {

namespace {

constexpr uint64_t kDefaultConnections = 4;
constexpr size_t kChunk = 64 * 1024;

class UploadConn : public ClientConn {
 public:
  UploadConn(ConnEnv& env, uint64_t size) : ClientConn(env, Command{Mode::Sink, size}), size_(size) {}

 protected:
  void run() override {
    while (!finished()) {
      size_t n = 0;
      if (sent_ < size_) {
        const size_t len = static_cast<size_t>(std::min<uint64_t>(size_ - sent_, kChunk));
        const Io io = writeSome(patternBuffer(kChunk).data(), len, n);
        if (io == Io::Blocked) return;
        if (io != Io::Ok) return failIo(io, "upload");
        sent_ += n;
        continue;
      }
      if (env_.options.half_close && !half_closed_) {
        const Io io = shutdownWrite();
        if (io == Io::Blocked) return;
        if (io != Io::Ok) return failIo(io, "half_close");
        half_closed_ = true;
      }
      uint8_t buf[4096];
      const Io io = readSome(buf, sizeof buf, n);
      if (io == Io::Blocked) return;
      if (io == Io::Error) return failIo(io, "count");
      if (io == Io::Eof) {
        if (got_ < reply_.size()) return fail("short_count");
        if (getBe64(reply_.data()) != size_) return fail("count_mismatch");
        env_.counters.bytes += size_;
        return succeed();
      }
      if (got_ + n > reply_.size()) return fail("bad_count");
      std::copy_n(buf, n, reply_.begin() + static_cast<ptrdiff_t>(got_));
      got_ += n;
    }
  }

 private:
  uint64_t size_;
  uint64_t sent_ = 0;
  bool half_closed_ = false;
  std::array<uint8_t, 8> reply_{};
  size_t got_ = 0;
};

class DownloadConn : public ClientConn {
 public:
  DownloadConn(ConnEnv& env, uint64_t size) : ClientConn(env, Command{Mode::Source, size}), size_(size) {}

 protected:
  void run() override {
    static std::vector<uint8_t> buf(256 * 1024);
    while (!finished()) {
      size_t n = 0;
      const Io io = readSome(buf.data(), buf.size(), n);
      if (io == Io::Blocked) return;
      if (io == Io::Error) return failIo(io, "download");
      if (io == Io::Eof) {
        if (received_ != size_) return fail("count_mismatch");
        env_.counters.bytes += size_;
        return succeed();
      }
      received_ += n;
    }
  }

 private:
  uint64_t size_;
  uint64_t received_ = 0;
};

}  // namespace

ModeResult runBulk(const Options& options) {
  const bool up = options.mode == LoadMode::BulkUp;
  const uint64_t conns = options.connections > 0 ? options.connections : kDefaultConnections;
  const auto ctx = makeClientContext(options, nullptr);
  ModeResult result;
  if (options.tls != TlsVersion::None && !ctx) {
    result.report = {{"mode", toString(options.mode)}, {"error", "cannot set up the TLS client"}};
    return result;
  }
  EventLoop loop;
  ConnPool pool(loop, options, ctx.get(), nullptr);
  Counters& c = pool.counters();
  const Snapshot before = takeSnapshot(options);
  const int64_t start = nowNs();
  for (uint64_t i = 0; i < conns; ++i) {
    // The remainder goes to the first connection.
    const uint64_t share = options.bytes / conns + (i == 0 ? options.bytes % conns : 0);
    std::unique_ptr<ClientConn> conn;
    if (up) {
      conn = std::make_unique<UploadConn>(pool.env(), share);
    } else {
      conn = std::make_unique<DownloadConn>(pool.env(), share);
    }
    pool.open(std::move(conn), start);
  }
  // No fixed deadline (a gigabyte takes what it takes): fail only when nothing moved
  // for the time-out.
  const int64_t idle_limit = static_cast<int64_t>(options.timeout_s * kNsPerSecond);
  uint64_t last_moved = 0;
  int64_t last_progress = start;
  while (pool.live() > 0) {
    pool.runUntil([&pool] { return pool.live() == 0; }, nowNs() + kNsPerSecond);
    if (c.moved != last_moved) {
      last_moved = c.moved;
      last_progress = nowNs();
    } else if (nowNs() - last_progress > idle_limit) {
      pool.abortAll("timeout");
    }
  }
  const Snapshot after = takeSnapshot(options);

  Json report = commonReport(options, c, before, after);
  report["connections"] = conns;
  report["bytes"] = c.bytes;
  const double duration = static_cast<double>(after.wall_ns - before.wall_ns) / 1e9;
  report["throughput_mib_s"] = duration > 0 ? std::round(static_cast<double>(c.bytes) / duration / (1 << 20) * 10) / 10 : 0.0;
  report["cpu_ns_per_byte"] = perUnit(before, after, static_cast<double>(c.bytes), 1.0);
  report["unclean_eofs"] = c.unclean_eofs;
  result.success = c.errors == 0 && c.ok == conns && c.bytes == options.bytes;
  result.report = std::move(report);
  return result;
}

}  // namespace warren::bench
