// Byte-exact relaying over real loopback sockets: bulk both ways in random chunk sizes
// over concurrent connections.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>

#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using session::CloseReason;

// A deterministic byte stream: the same seed yields the same bytes on both ends.
std::string streamBytes(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return out;
}

TEST(Relay, SmallEchoRoundTrip) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("hello"));
  EXPECT_EQ(client.recvExact(5), "hello");
  client.close();
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  warren.stop();
  EXPECT_EQ(warren.totals().bytes[session::kUp], 5u);
  EXPECT_EQ(warren.totals().bytes[session::kDown], 5u);
  EXPECT_EQ(warren.closed(CloseReason::ClientClosed), 1u);
}

// 8 connections × 8 MiB each way = 64 MiB each way; writes and reads in random sizes
// (1 B … 64 KiB) so that chunk boundaries fall everywhere.
TEST(Relay, BulkBothWaysRandomChunksConcurrent) {
  constexpr int kConnections = 8;
  constexpr size_t kBytesEach = 8 << 20;
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  std::vector<std::thread> threads;
  std::atomic<int> exact{0};
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      TestSocket client = TestSocket::connect(warren.address());
      const std::string payload = streamBytes(1000 + c, kBytesEach);
      std::thread writer([&] {
        std::mt19937 rng(c);
        size_t off = 0;
        while (off < payload.size()) {
          size_t n = std::min<size_t>(payload.size() - off, 1 + rng() % 65536);
          if (!client.sendAll(std::string_view(payload).substr(off, n))) return;
          off += n;
        }
        client.shutdownWrite();
      });
      std::mt19937 rng(c + 77);
      std::string received;
      received.reserve(kBytesEach);
      while (received.size() < kBytesEach) {
        std::string part = client.recvExact(std::min<size_t>(kBytesEach - received.size(), 1 + rng() % 65536));
        if (part.empty()) break;
        received += part;
      }
      writer.join();
      bool eof = false;
      std::string rest = client.recvUntilEof(&eof);
      if (received == payload && rest.empty() && eof) ++exact;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(exact.load(), kConnections);
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  warren.stop();
  auto totals = warren.totals();
  EXPECT_EQ(totals.bytes[session::kUp], kConnections * kBytesEach);
  EXPECT_EQ(totals.bytes[session::kDown], kConnections * kBytesEach);
  EXPECT_EQ(totals.buffered_bytes, 0u);
  EXPECT_EQ(warren.closed(CloseReason::ClientClosed), static_cast<uint64_t>(kConnections));
}

TEST(Relay, ConnectionsSpreadOverWorkersAndNodes) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  RunningServer warren(makeConfig({a.address(), b.address()}));
  std::vector<TestSocket> open;
  for (int i = 0; i < 10; ++i) {
    open.push_back(TestSocket::connect(warren.address()));
    ASSERT_TRUE(open.back().sendAll("x"));
    ASSERT_EQ(open.back().recvExact(1), "x");
  }
  // least_conn with every connection still open: 5 and 5.
  EXPECT_EQ(a.accepted(), 5);
  EXPECT_EQ(b.accepted(), 5);
}

}  // namespace
}  // namespace warren::test
