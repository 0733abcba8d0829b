// Connection limits at accept over real loopback sockets: per source address (127.0.0.2,
// 127.0.0.3 … as distinct clients), per listener, global, accept rate; socket buffer
// sizes and the listen backlog as the kernel holds them; a flood of rejected connects
// next to a connection that keeps relaying, with a bounded number of log lines.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <sstream>

#include "common/logging.h"
#include "limits/limit_kind.h"
#include "support/log_capture.h"
#include "support/running_server.h"
#include "support/socket_probe.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using limits::LimitKind;

Address source(const char* ip) { return *Address::parse(std::string(ip) + ":0"); }

uint64_t rejected(const session::Totals& s, LimitKind kind) {
  return s.rejected_by_limit[static_cast<size_t>(kind)];
}

// True if `s` relays a round trip through Warren to the echo backend.
bool relays(TestSocket& s, const std::string& data = "ping") {
  return s.sendAll(data) && s.recvExact(data.size()) == data;
}

// Connects and tells whether Warren kept the connection (echo works) or closed it at once.
bool admitted(const Address& target, std::optional<Address> from = std::nullopt) {
  TestSocket s = TestSocket::connect(target, from);
  s.setTimeout(std::chrono::seconds(5));
  return relays(s, "x");
}

TEST(Limits, PerSourceLimitBlocksOnlyThatSource) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].max_connections_per_source = 2;
  RunningServer warren(c);
  // Two workers: SO_REUSEPORT may put A's connections on different workers; the count is shared.
  TestSocket a1 = TestSocket::connect(warren.address(), source("127.0.0.2"));
  TestSocket a2 = TestSocket::connect(warren.address(), source("127.0.0.2"));
  ASSERT_TRUE(relays(a1));
  ASSERT_TRUE(relays(a2));
  EXPECT_FALSE(admitted(warren.address(), source("127.0.0.2")));
  EXPECT_FALSE(admitted(warren.address(), source("127.0.0.2")));
  // Source B is not affected.
  TestSocket b1 = TestSocket::connect(warren.address(), source("127.0.0.3"));
  TestSocket b2 = TestSocket::connect(warren.address(), source("127.0.0.3"));
  EXPECT_TRUE(relays(b1));
  EXPECT_TRUE(relays(b2));
  // A closes one: A gets exactly one again.
  a1.close();
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 3; }));
  TestSocket a3 = TestSocket::connect(warren.address(), source("127.0.0.2"));
  EXPECT_TRUE(relays(a3));
  EXPECT_FALSE(admitted(warren.address(), source("127.0.0.2")));
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return rejected(s, LimitKind::Source) == 3; }));
  const auto t = warren.totals();
  EXPECT_EQ(t.rejected(), 3u);
  EXPECT_EQ(rejected(t, LimitKind::Listener) + rejected(t, LimitKind::Global) + rejected(t, LimitKind::Rate), 0u);
}

TEST(Limits, ListenerAndGlobalLimitsAreCountedApart) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  config::Listener second = c->listeners[0];
  second.name = "second";
  c->listeners[0].max_connections = 1;
  c->listeners.push_back(second);
  c->global.max_connections = 2;
  RunningServer warren(c);
  TestSocket front = TestSocket::connect(warren.address("front"));
  ASSERT_TRUE(relays(front));
  EXPECT_FALSE(admitted(warren.address("front")));  // listener limit
  TestSocket other = TestSocket::connect(warren.address("second"));
  ASSERT_TRUE(relays(other));
  EXPECT_FALSE(admitted(warren.address("second")));  // global limit (second has none of its own)
  EXPECT_FALSE(admitted(warren.address("front")));   // both limits reached: the global one is checked first
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.rejected() == 3; }));
  const auto t = warren.totals();
  EXPECT_EQ(rejected(t, LimitKind::Listener), 1u);
  EXPECT_EQ(rejected(t, LimitKind::Global), 2u);
  // The open ones were not disturbed.
  EXPECT_TRUE(relays(front, "still"));
  EXPECT_TRUE(relays(other, "here"));
}

TEST(Limits, AcceptRatePassesTheBurstAndClosesTheExcess) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].accept_rate = 1;  // one token per second…
  c->listeners[0].accept_burst = 3;
  RunningServer warren(c);
  constexpr int kTries = 12;
  const auto start = std::chrono::steady_clock::now();
  int passed = 0;
  for (int i = 0; i < kTries; ++i) passed += admitted(warren.address()) ? 1 : 0;
  const auto elapsed_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
  // …so the burst passes, and at most one more per second that went by.
  EXPECT_GE(passed, 3);
  EXPECT_LE(passed, 3 + elapsed_s.count() + 1);
  ASSERT_TRUE(warren.waitFor(
      [&](const session::Totals& s) { return rejected(s, LimitKind::Rate) == static_cast<uint64_t>(kTries - passed); }));
  EXPECT_EQ(warren.totals().rejected(), static_cast<uint64_t>(kTries - passed));
}

TEST(Limits, BufferSizesAndBacklogReachTheKernel) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].backlog = 77;
  c->listeners[0].tcp.send_buffer = 64 * 1024;
  c->listeners[0].tcp.receive_buffer = 96 * 1024;
  c->clusters[0].tcp.send_buffer = 48 * 1024;
  c->clusters[0].tcp.receive_buffer = 80 * 1024;
  RunningServer warren(c);

  const std::vector<int> listening = findListeningSockets(warren.address());
  ASSERT_EQ(listening.size(), 2u);  // one per worker
  for (int fd : listening) EXPECT_EQ(listenBacklog(fd), 77);

  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(relays(client));
  // Linux doubles the value given to setsockopt (bookkeeping overhead).
  const int accepted = findSocketByPeer(client.localAddress());
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(socketOption(accepted, SO_SNDBUF), 2 * 64 * 1024);
  EXPECT_EQ(socketOption(accepted, SO_RCVBUF), 2 * 96 * 1024);
  const int node = findSocketByPeer(backend.address());
  ASSERT_GE(node, 0);
  EXPECT_EQ(socketOption(node, SO_SNDBUF), 2 * 48 * 1024);
  EXPECT_EQ(socketOption(node, SO_RCVBUF), 2 * 80 * 1024);
}

TEST(Limits, FloodOfRejectedConnectsLeavesTheOpenConnectionRelayingAndTheLogBounded) {
  LogCapture log;
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].max_connections = 1;
  c->listeners[0].backlog = 4096;
  RunningServer warren(c);
  TestSocket keeper = TestSocket::connect(warren.address());
  ASSERT_TRUE(relays(keeper));

  constexpr int kBatches = 30;
  constexpr int kBatch = 100;
  std::mt19937 rng(42);
  const auto start = std::chrono::steady_clock::now();
  for (int b = 0; b < kBatches; ++b) {
    std::vector<TestSocket> flood;
    for (int i = 0; i < kBatch; ++i) flood.push_back(TestSocket::connect(warren.address()));
    // In the middle of the flood the open connection still relays, byte-exact.
    std::string data(1 + rng() % 8192, '\0');
    for (char& ch : data) ch = static_cast<char>(rng());
    ASSERT_TRUE(relays(keeper, data)) << "batch " << b;
  }
  ASSERT_TRUE(warren.waitFor(
      [](const session::Totals& s) { return rejected(s, LimitKind::Listener) == kBatches * kBatch; },
      std::chrono::seconds(30)));
  const auto elapsed_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(warren.totals().rejected(), static_cast<uint64_t>(kBatches * kBatch));
  EXPECT_TRUE(relays(keeper, "after the flood"));
  warren.stop();

  // At most one line per second for this listener and limit (plus the first one).
  const auto lines = log.lines("limit_reached listener=front limit=listener");
  EXPECT_GE(lines.size(), 1u);
  EXPECT_LE(lines.size(), static_cast<size_t>(elapsed_s.count()) + 2);
  EXPECT_NE(lines.front().find("max=1 suppressed=0"), std::string::npos) << lines.front();
  // No access-log line per rejected connection: only the keeper's, at the stop.
  EXPECT_TRUE(log.lines("reason=limit_reached").empty());
  EXPECT_EQ(log.lines("access client=").size(), 1u);
}

}  // namespace
}  // namespace warren::test
