// Connecting to nodes: a refused or silent node is skipped for the next one before any
// client byte is forwarded, and marked down so later connections skip it at once.
#include <gtest/gtest.h>

#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using session::CloseReason;

// One worker, so that the first pick is deterministic (node 0).
std::shared_ptr<config::Config> oneWorker(const std::vector<Address>& nodes) {
  auto c = makeConfig(nodes);
  c->global.workers = 1;
  return c;
}

void expectEcho(const Address& front, const std::string& text) {
  TestSocket client = TestSocket::connect(front);
  ASSERT_TRUE(client.sendAll(text));
  EXPECT_EQ(client.recvExact(text.size()), text);
}

TEST(Connect, RefusedNodeIsSkippedAndMarkedDown) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(oneWorker({refusedAddress(), backend.address()}));
  expectEcho(warren.address(), "first");
  EXPECT_EQ(warren.totals().connect_failures, 1u);
  // The refused node is now down for cluster.down_backoff: nobody tries it again.
  for (int i = 0; i < 5; ++i) expectEcho(warren.address(), "again");
  EXPECT_EQ(warren.totals().connect_failures, 1u);
  EXPECT_EQ(backend.accepted(), 6);
}

TEST(Connect, SilentNodeTimesOutAndNextNodeServes) {
  BlackholeBackend blackhole;
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = oneWorker({blackhole.address(), backend.address()});
  c->clusters[0].connect_timeout = std::chrono::milliseconds(300);
  RunningServer warren(c);
  auto t0 = std::chrono::steady_clock::now();
  expectEcho(warren.address(), "after a timeout");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));
  EXPECT_EQ(warren.totals().connect_failures, 1u);
  EXPECT_EQ(warren.totals().connect_attempts, 2u);
}

TEST(Connect, NoNodeReachableClosesClientWithReason) {
  auto c = oneWorker({refusedAddress(), refusedAddress()});
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  client.sendAll("anyone?");
  EXPECT_TRUE(client.waitClosed());
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::ConnectFailed), 1u);
  EXPECT_EQ(warren.totals().connect_failures, 2u);
  EXPECT_EQ(warren.totals().bytes[session::kUp], 0u);
}

TEST(Connect, AttemptsAreBounded) {
  auto c = oneWorker({refusedAddress(), refusedAddress(), refusedAddress(), refusedAddress()});
  c->clusters[0].connect_attempts = 2;
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  EXPECT_TRUE(client.waitClosed());
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.totals().connect_attempts, 2u);
}

}  // namespace
}  // namespace warren::test
