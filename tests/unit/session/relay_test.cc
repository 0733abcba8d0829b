// A Relay on its own (session/relay.h), over a connected loopback socket pair and a libuv
// loop, without a Session: the owner here is a recorder. One direction: the test writes to
// `client`, the relay reads the socket accepted from it and writes to `node_side`, the test
// reads `node`. Bytes arrive in order and are counted; a FIN becomes a shutdown of the sink;
// a sink that is not read pauses the source at the high watermark and resumes it below the
// low one; with inspection on the owner sees the bytes and can refuse them.
#include "session/relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>

namespace warren::session {
namespace {

// A connected pair of TCP sockets on 127.0.0.1: {accepted, connected}.
std::pair<int, int> tcpPair() {
  const int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(l, 1) != 0 ||
      getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ADD_FAILURE() << "listen: " << errno;
  }
  const int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "connect: " << errno;
  const int s = accept(l, nullptr, nullptr);
  close(l);
  return {s, c};
}

void setNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

struct Recorder : Relay::Owner, transport::TcpSocket::Owner {
  std::string seen;  // bytes shown while inspecting
  bool refuse = false;
  int activity_source = 0;
  int activity_sink = 0;
  int eofs = 0;
  int shuts = 0;
  int failures = 0;
  int closed = 0;
  bool onRelayData(Relay&, const network::Chunk& chunk) override {
    seen.append(chunk.data + chunk.offset, chunk.length);
    return !refuse;
  }
  void onRelayActivity(Relay&, bool from_source) override { ++(from_source ? activity_source : activity_sink); }
  void onRelayEof(Relay&) override { ++eofs; }
  void onRelayShut(Relay&) override { ++shuts; }
  void onRelayFailed(Relay&, CloseReason) override { ++failures; }
  void onConnected(transport::TcpSocket&, int) override {}
  void onClosed(transport::TcpSocket&) override { ++closed; }
};

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    env_.pool = &pool_;
    env_.stats = &stats_;
    env_.high_watermark = 256 * 1024;
    env_.low_watermark = 128 * 1024;
    auto [s, c] = tcpPair();
    auto [n, k] = tcpPair();  // n: the node's end (accepted), k: Warren's node-side socket
    client_ = c;
    node_ = n;
    setNonBlocking(client_);
    setNonBlocking(node_);
    ASSERT_EQ(source_.open(&loop_), 0);
    ASSERT_EQ(uv_tcp_open(source_.handle(), s), 0);
    ASSERT_EQ(sink_.open(&loop_), 0);
    ASSERT_EQ(uv_tcp_open(sink_.handle(), k), 0);
    relay_.attach(source_, sink_);
    relay_.setByteCounter(&bytes_);
  }

  void TearDown() override {
    relay_.stop();
    source_.close();
    sink_.close();
    runUntil([&] { return owner_.closed == 2; });
    EXPECT_EQ(owner_.closed, 2);
    close(client_);
    close(node_);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    EXPECT_EQ(pool_.inUse(), 0u) << "a chunk was not given back";
    EXPECT_EQ(stats_.buffered_bytes.get(), 0u);
  }

  // Runs the loop until `done` (bounded: 5 s, or 20,000 turns).
  bool runUntil(const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (int i = 0; i < 20000 && !done(); ++i) {
      if (std::chrono::steady_clock::now() > end) break;
      uv_run(&loop_, UV_RUN_NOWAIT);
      poll(nullptr, 0, 0);
    }
    return done();
  }

  // Reads what the node end has now (EOF sets *eof).
  std::string drainNode(bool* eof = nullptr) {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = recv(node_, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 && eof != nullptr) *eof = true;
      return out;
    }
  }

  uv_loop_t loop_{};
  network::ChunkPool pool_;
  RelayStats stats_;
  stats::Counter bytes_;
  RelayEnv env_;
  Recorder owner_;
  transport::TcpSocket source_{owner_};
  transport::TcpSocket sink_{owner_};
  Relay relay_{owner_, Relay::Side::Up, env_};
  int client_ = -1;
  int node_ = -1;
};

TEST_F(RelayTest, BytesPassInOrderAndAreCounted) {
  ASSERT_EQ(relay_.startReading(), 0);
  std::string got;
  std::string sent;
  for (int i = 0; i < 50; ++i) {
    const std::string piece = "message " + std::to_string(i) + ";";
    ASSERT_EQ(send(client_, piece.data(), piece.size(), 0), static_cast<ssize_t>(piece.size()));
    sent += piece;
    runUntil([&] { return (got += drainNode()).size() == sent.size(); });
  }
  EXPECT_EQ(got, sent);
  EXPECT_EQ(relay_.bytes(), sent.size());
  EXPECT_EQ(bytes_.get(), sent.size());
  EXPECT_GE(owner_.activity_source, 50);
  EXPECT_EQ(owner_.failures, 0);
  EXPECT_TRUE(owner_.seen.empty());  // not inspecting: the owner is not shown the bytes
}

TEST_F(RelayTest, FinFromTheSourceShutsTheSink) {
  ASSERT_EQ(relay_.startReading(), 0);
  ASSERT_EQ(send(client_, "last", 4, 0), 4);
  ASSERT_EQ(shutdown(client_, SHUT_WR), 0);
  bool eof = false;
  std::string got;
  EXPECT_TRUE(runUntil([&] {
    got += drainNode(&eof);
    return eof && owner_.shuts == 1;
  }));
  EXPECT_EQ(got, "last");
  EXPECT_EQ(owner_.eofs, 1);
  EXPECT_TRUE(relay_.eof());
  EXPECT_TRUE(relay_.shut());
  EXPECT_EQ(owner_.failures, 0);
}

TEST_F(RelayTest, ASinkThatIsNotReadPausesTheSourceAndReadingResumesIt) {
  ASSERT_EQ(relay_.startReading(), 0);
  // Write until the client's own buffers are full too: Warren holds at most the high
  // watermark (plus the read in hand) and stops reading.
  std::string block(64 * 1024, 'x');
  size_t sent = 0;
  for (int i = 0; i < 2000 && !relay_.paused(); ++i) {
    const ssize_t n = send(client_, block.data(), block.size(), 0);
    if (n > 0) sent += static_cast<size_t>(n);
    uv_run(&loop_, UV_RUN_NOWAIT);
  }
  ASSERT_TRUE(relay_.paused());
  EXPECT_EQ(stats_.backpressure_pauses.get(), 1u);
  // queued() is memory (whole chunks); buffered_bytes is the payload in them.
  EXPECT_LE(sink_.queued(), env_.high_watermark + sizeof(network::Chunk));
  EXPECT_LE(stats_.buffered_bytes.get(), sink_.queued());
  EXPECT_GT(stats_.buffered_bytes.get(), env_.high_watermark / 2);
  // The node reads everything: the relay resumes below the low watermark and passes the rest.
  ASSERT_EQ(shutdown(client_, SHUT_WR), 0);
  bool eof = false;
  size_t got = 0;
  EXPECT_TRUE(runUntil([&] {
    got += drainNode(&eof).size();
    return eof;
  }));
  EXPECT_EQ(got, sent);
  EXPECT_GE(stats_.backpressure_resumes.get(), 1u);
  EXPECT_EQ(relay_.bytes(), sent);
}

TEST_F(RelayTest, InspectionShowsTheBytesAndARefusalStopsThem) {
  relay_.setInspecting(true);
  ASSERT_EQ(relay_.startReading(), 0);
  ASSERT_EQ(send(client_, "AMQP", 4, 0), 4);
  std::string got;
  EXPECT_TRUE(runUntil([&] { return (got += drainNode()).size() == 4; }));
  EXPECT_EQ(owner_.seen, "AMQP");
  owner_.refuse = true;  // the owner closes on what it reads: nothing is passed on
  ASSERT_EQ(send(client_, "HTTP", 4, 0), 4);
  EXPECT_TRUE(runUntil([&] { return owner_.seen.size() == 8; }));
  runUntil([] { return false; });  // a while longer: nothing may arrive
  EXPECT_EQ(drainNode(), "");
  EXPECT_EQ(relay_.bytes(), 4u);
}

// Small messages to a node that does not read (a slow consumer of small AMQP messages):
// each read takes a pool chunk, so Warren must count the memory its chunks hold, not the
// payload in them, or a 1-byte write would hold 64 KiB. At every step the pool holds at most
// the high watermark plus the chunks of one read in hand; the relay pauses; once the node
// reads, every byte arrives in order.
class RelaySmallReadsTest : public RelayTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(RelaySmallReadsTest, ANodeThatDoesNotReadHoldsAtMostTheWatermarkInMemory) {
  const size_t message = GetParam();
  env_.high_watermark = 128 * 1024;
  env_.low_watermark = 64 * 1024;
  ASSERT_EQ(relay_.startReading(), 0);
  const size_t bound = env_.high_watermark + 2 * sizeof(network::Chunk);
  size_t held_max = 0;
  std::string sent;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0; i < 400000 && !relay_.paused() && held_max <= bound; ++i) {
    if (std::chrono::steady_clock::now() > end) break;
    std::string piece(message, static_cast<char>('a' + i % 26));
    if (send(client_, piece.data(), piece.size(), 0) != static_cast<ssize_t>(piece.size())) break;
    sent += piece;
    // One read per message: the relay sees it before the next is written.
    for (int turn = 0; turn < 100 && relay_.bytes() < sent.size() && !relay_.paused(); ++turn) {
      uv_run(&loop_, UV_RUN_NOWAIT);
    }
    held_max = std::max(held_max, pool_.inUse() * sizeof(network::Chunk));
  }
  EXPECT_LE(held_max, bound) << "chunks in use: " << pool_.inUse() << " for " << sent.size() << " bytes";
  ASSERT_TRUE(relay_.paused()) << sent.size() << " bytes sent";
  EXPECT_LE(sink_.queued(), bound);
  EXPECT_GE(sent.size(), env_.low_watermark) << "small messages are buffered too, not only paused";
  ASSERT_EQ(shutdown(client_, SHUT_WR), 0);
  bool eof = false;
  std::string got;
  const auto drained = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int i = 0; i < 20000 && !eof && std::chrono::steady_clock::now() < drained; ++i) {
    uv_run(&loop_, UV_RUN_NOWAIT);
    got += drainNode(&eof);
    if (!eof) poll(nullptr, 0, 1);
  }
  EXPECT_TRUE(eof);
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_TRUE(got == sent) << "bytes out of order";
  EXPECT_EQ(owner_.failures, 0);
}

INSTANTIATE_TEST_SUITE_P(Messages, RelaySmallReadsTest, ::testing::Values(size_t{1}, size_t{100}),
                         [](const auto& info) { return std::to_string(info.param) + "B"; });

}  // namespace
}  // namespace warren::session
