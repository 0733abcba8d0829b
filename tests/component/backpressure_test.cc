// Backpressure: a peer that does not read can not make Warren buffer more than the high
// watermark; reading resumes below the low watermark and nothing is lost.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

constexpr uint32_t kHigh = 64 * 1024;
constexpr uint32_t kLow = 16 * 1024;

std::shared_ptr<config::Config> smallBuffers(const Address& node) {
  auto c = makeConfig({node});
  c->global.buffer_high_watermark = kHigh;
  c->global.buffer_low_watermark = kLow;
  return c;
}

// Sends until the socket blocks for `quiet` (the pipeline is full); returns bytes sent.
size_t fillUntilBlocked(TestSocket& s, const std::string& block) {
  s.setTimeout(std::chrono::milliseconds(300));
  size_t sent = 0;
  for (int i = 0; i < 100000; ++i) {  // bounded: 100000 × 4 KiB ≫ any socket buffers
    // Continue where the last (possibly partial) send stopped, so the stream stays periodic.
    size_t at = sent % block.size();
    ssize_t n = ::send(s.fd(), block.data() + at, block.size() - at, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  s.setTimeout(std::chrono::seconds(10));
  return sent;
}

// The node stops reading (client → node is stuck); Warren must stop reading the client.
TEST(Backpressure, NodeThatDoesNotReadBoundsUpstreamBuffer) {
  std::atomic<bool> release{false};
  std::string node_got;
  TestBackend backend([&](TestSocket& s) {
    for (int i = 0; i < 2000 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    bool eof = false;
    node_got = s.recvUntilEof(&eof);
  });
  backend.start();
  RunningServer warren(smallBuffers(backend.address()));
  TestSocket client = TestSocket::connect(warren.address());
  std::string block(4096, 'u');
  for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
  size_t sent = fillUntilBlocked(client, block);
  ASSERT_GT(sent, 4 * kHigh) << "socket buffers alone should hold more than the watermark";
  auto during = warren.totals();
  EXPECT_LE(during.buffered_bytes, kHigh);
  EXPECT_GE(during.backpressure_pauses, 1u);

  release = true;
  client.shutdownWrite();
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  ASSERT_EQ(node_got.size(), sent);
  for (size_t i = 0; i < sent; ++i) {
    ASSERT_EQ(node_got[i], block[i % block.size()]) << "at byte " << i;
  }
  auto after = warren.totals();
  EXPECT_EQ(after.backpressure_pauses, after.backpressure_resumes);
  EXPECT_EQ(after.buffered_bytes, 0u);
}

// The client stops reading (node → client is stuck); Warren must stop reading the node.
TEST(Backpressure, ClientThatDoesNotReadBoundsDownstreamBuffer) {
  constexpr size_t kTotal = 16 << 20;
  std::atomic<size_t> node_sent{0};
  TestBackend backend([&](TestSocket& s) {
    std::string block(65536, 'd');
    s.setTimeout(std::chrono::milliseconds(500));
    size_t total = 0;
    while (total < kTotal) {
      ssize_t n = ::send(s.fd(), block.data(), std::min(block.size(), kTotal - total), MSG_NOSIGNAL);
      if (n > 0) {
        total += static_cast<size_t>(n);
        node_sent = total;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        break;
      }
    }
    s.shutdownWrite();
    s.recvUntilEof();
  });
  backend.start();
  RunningServer warren(smallBuffers(backend.address()));
  TestSocket client = TestSocket::connect(warren.address());
  client.setReceiveBuffer(16 * 1024);
  // Let the node push until everything between it and the client is full.
  size_t last = 0;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (node_sent.load() == last && last > 0) break;
    last = node_sent.load();
  }
  ASSERT_LT(node_sent.load(), kTotal) << "the node was never held back";
  auto during = warren.totals();
  EXPECT_LE(during.buffered_bytes, kHigh);
  EXPECT_GE(during.backpressure_pauses, 1u);

  bool eof = false;
  std::string got = client.recvUntilEof(&eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(got.size(), kTotal);
  EXPECT_EQ(got.find_first_not_of('d'), std::string::npos);
}

}  // namespace
}  // namespace warren::test
