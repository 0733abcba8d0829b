// The load modes end to end over loopback, against the bench backend's server running
// on a thread: plain TCP with the load generator writing the PROXY v2 header itself
// (the "direct" baseline). Small counts: these check completeness and verification,
// not speed.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "backend/backend_server.h"
#include "common/clock.h"
#include "common/net.h"
#include "loadgen/modes.h"

namespace warren::bench {
namespace {

class LoadModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.listen(*Address::parse("127.0.0.1:0"), error)) << error;
    thread_ = std::thread([this] {
      while (!stop_) loop_.runOnce(nowNs() + 20 * kNsPerMs);
    });
    options_.target = server_.boundAddress();
    options_.tls = TlsVersion::None;
    options_.send_proxy_v2 = true;
    options_.timeout_s = 10;
    options_.proxy_pids = {static_cast<int>(getpid())};  // ourselves: the backend's thread
  }

  const BackendStats& stopServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return server_.stats();
  }

  void TearDown() override { stopServer(); }

  EventLoop loop_;
  BackendServer server_{loop_, ExpectedHeader::V2};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Options options_;
};

TEST_F(LoadModesTest, HandshakeModeCompletesEveryConnection) {
  options_.mode = LoadMode::Handshake;
  options_.rate = 500;
  options_.count = 50;
  const ModeResult result = runHandshakes(options_);
  EXPECT_TRUE(result.success) << result.report.dump();
  EXPECT_EQ(result.report["ok"], 50);
  EXPECT_EQ(result.report["errors"], 0);
  EXPECT_TRUE(result.report["cpu_us_per_handshake"].is_number());
  EXPECT_EQ(result.report["connection_time_us"]["count"], 50);
  const auto& stats = stopServer();
  EXPECT_EQ(stats.connections, 50u);
  EXPECT_EQ(stats.headers_with_source, 50u);
  EXPECT_EQ(stats.header_errors + stats.command_errors + stats.io_errors, 0u);
}

TEST_F(LoadModesTest, BulkUpIsCountedByTheBackend) {
  options_.mode = LoadMode::BulkUp;
  options_.connections = 3;
  options_.bytes = 10'000'001;  // not a multiple of 3: the remainder must be sent too
  const ModeResult result = runBulk(options_);
  EXPECT_TRUE(result.success) << result.report.dump();
  EXPECT_EQ(result.report["bytes"], 10'000'001);
  EXPECT_TRUE(result.report["cpu_ns_per_byte"].is_number());
}

TEST_F(LoadModesTest, BulkUpWithoutHalfClose) {
  options_.mode = LoadMode::BulkUp;
  options_.connections = 2;
  options_.bytes = 1'000'000;
  options_.half_close = false;
  const ModeResult result = runBulk(options_);
  EXPECT_TRUE(result.success) << result.report.dump();
}

TEST_F(LoadModesTest, BulkDownReadsEveryByte) {
  options_.mode = LoadMode::BulkDown;
  options_.connections = 4;
  options_.bytes = 20'000'000;
  const ModeResult result = runBulk(options_);
  EXPECT_TRUE(result.success) << result.report.dump();
  EXPECT_EQ(result.report["bytes"], 20'000'000);
  EXPECT_EQ(stopServer().bytes_out, 20'000'000u);
}

TEST_F(LoadModesTest, LatencyModeVerifiesEveryEcho) {
  options_.mode = LoadMode::Latency;
  options_.connections = 5;
  options_.rate = 2000;
  options_.count = 200;
  options_.warmup_s = 0.05;  // 100 more requests, left out of the samples
  const ModeResult result = runLatency(options_);
  EXPECT_TRUE(result.success) << result.report.dump();
  EXPECT_EQ(result.report["requests"], 300);
  EXPECT_EQ(result.report["echoed"], 300);
  EXPECT_EQ(result.report["ok"], 200);
  EXPECT_EQ(result.report["latency_us"]["count"], 200);
  EXPECT_GT(result.report["latency_us"]["max"].get<double>(), 0);
  // The backend wrote back exactly the 300 requests of 64 bytes.
  EXPECT_EQ(stopServer().bytes_out, 300u * 64);
}

TEST_F(LoadModesTest, IdleModeHoldsThenClosesEveryConnection) {
  // The "proxy" measured is a sleeping child: quiet at once, so the quiet waits are short
  // (this test process, with the backend's thread polling, would not be).
  char arg0[] = "sleep";
  char arg1[] = "60";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t child = -1;
  ASSERT_EQ(posix_spawnp(&child, "sleep", nullptr, nullptr, argv, environ), 0);
  options_.proxy_pids = {static_cast<int>(child)};
  options_.mode = LoadMode::Idle;
  options_.connections = 100;
  options_.rate = 1000;
  const ModeResult result = runIdle(options_);
  EXPECT_TRUE(result.success) << result.report.dump();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(result.report["held"], 100);
  EXPECT_EQ(result.report["quiet_after"], true);
  EXPECT_TRUE(result.report["rss_kb_per_connection"].is_number());
  const auto& stats = stopServer();
  EXPECT_EQ(stats.connections, 100u);
  EXPECT_EQ(stats.max_active, 100u);
}

TEST_F(LoadModesTest, WithoutTheProxyHeaderEveryConnectionFails) {
  // The backend insists on PROXY v2: the loadgen must see and count the failures.
  options_.mode = LoadMode::Handshake;
  options_.send_proxy_v2 = false;
  options_.rate = 500;
  options_.count = 10;
  const ModeResult result = runHandshakes(options_);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.report["errors"], 10);
  EXPECT_EQ(result.report["ok"], 0);
  EXPECT_EQ(stopServer().header_errors, 10u);
}

TEST_F(LoadModesTest, RefusedConnectionsAreErrors) {
  options_.mode = LoadMode::Handshake;
  options_.rate = 500;
  options_.count = 5;
  // A port nobody listens on: bind one, learn it, close it.
  const int fd = listenOn(*Address::parse("127.0.0.1:0"), 1);
  ASSERT_GE(fd, 0);
  options_.target = localAddress(fd);
  close(fd);
  const ModeResult result = runHandshakes(options_);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.report["error_kinds"]["connect_refused"], 5);
}

}  // namespace
}  // namespace warren::bench
