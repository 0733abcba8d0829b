// warren-bench-backend's server over real loopback sockets: the server runs its epoll
// loop on a thread, the test is a blocking client with receive time-outs.
#include "backend/backend_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/command.h"
#include "proxy_protocol/writer.h"

namespace warren::bench {
namespace {

class BackendServerTest : public ::testing::Test {
 protected:
  void startServer(ExpectedHeader expected) {
    server_ = std::make_unique<BackendServer>(loop_, expected);
    std::string error;
    ASSERT_TRUE(server_->listen(*Address::parse("127.0.0.1:0"), error)) << error;
    address_ = server_->boundAddress();
    thread_ = std::thread([this] {
      while (!stop_) loop_.runOnce(nowNs() + 20 * kNsPerMs);
    });
  }

  // Stops the loop; stats are safe to read afterwards.
  const BackendStats& stopServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return server_->stats();
  }

  void TearDown() override { stopServer(); }

  int connectClient() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    EXPECT_EQ(connect(fd, address_.sockAddr(), address_.sockLen()), 0);
    return fd;
  }

  static std::vector<uint8_t> v2Header() {
    std::vector<uint8_t> out(64);
    const size_t n = proxy_protocol::writeV2(*Address::parse("10.1.2.3:40000"),
                                             *Address::parse("10.9.9.9:5672"), {}, out);
    out.resize(n);
    return out;
  }

  static void append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
  }

  static void sendAll(int fd, const std::vector<uint8_t>& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      sent += static_cast<size_t>(n);
    }
  }

  // Everything until EOF (or the 5 s receive time-out, which fails the test).
  static std::vector<uint8_t> readToEof(int fd) {
    std::vector<uint8_t> all;
    uint8_t buf[65536];
    for (;;) {
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n < 0) {
        ADD_FAILURE() << "recv failed or timed out";
        break;
      }
      all.insert(all.end(), buf, buf + n);
    }
    return all;
  }

  std::vector<uint8_t> exchange(const std::vector<uint8_t>& request, bool half_close = true) {
    const int fd = connectClient();
    sendAll(fd, request);
    if (half_close) shutdown(fd, SHUT_WR);
    auto reply = readToEof(fd);
    close(fd);
    return reply;
  }

  std::vector<uint8_t> withCommand(Mode mode, uint64_t argument, bool header = true) {
    std::vector<uint8_t> bytes = header ? v2Header() : std::vector<uint8_t>{};
    append(bytes, encodeCommand({mode, argument}));
    return bytes;
  }

  EventLoop loop_;
  std::unique_ptr<BackendServer> server_;
  Address address_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

TEST_F(BackendServerTest, QuickRepliesOkAndCloses) {
  startServer(ExpectedHeader::V2);
  // No half-close from the client: the server must close on its own after the reply.
  const auto reply = exchange(withCommand(Mode::Quick, 0), false);
  EXPECT_EQ(reply, std::vector<uint8_t>(kOkReply.begin(), kOkReply.end()));
  const auto& stats = stopServer();
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_EQ(stats.headers_with_source, 1u);
  EXPECT_EQ(stats.header_errors, 0u);
  EXPECT_EQ(stats.command_errors, 0u);
}

TEST_F(BackendServerTest, EchoReturnsEveryByteIncludingThoseSentWithTheCommand) {
  startServer(ExpectedHeader::V2);
  auto request = withCommand(Mode::Echo, 0);
  std::vector<uint8_t> payload(300'000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i % 251);
  append(request, payload);
  EXPECT_EQ(exchange(request), payload);
}

TEST_F(BackendServerTest, SinkCountsUntilEof) {
  startServer(ExpectedHeader::V2);
  auto request = withCommand(Mode::Sink, 0);
  append(request, std::vector<uint8_t>(1'000'003, 'x'));
  const auto reply = exchange(request);
  ASSERT_EQ(reply.size(), 8u);
  EXPECT_EQ(getBe64(reply.data()), 1'000'003u);
}

TEST_F(BackendServerTest, SinkWithArgumentRepliesWithoutHalfClose) {
  startServer(ExpectedHeader::V2);
  auto request = withCommand(Mode::Sink, 5000);
  append(request, std::vector<uint8_t>(5000, 'y'));
  const auto reply = exchange(request, false);
  ASSERT_EQ(reply.size(), 8u);
  EXPECT_EQ(getBe64(reply.data()), 5000u);
}

TEST_F(BackendServerTest, SourceWritesExactlyTheArgument) {
  startServer(ExpectedHeader::V2);
  EXPECT_EQ(exchange(withCommand(Mode::Source, 3'000'001), false).size(), 3'000'001u);
  EXPECT_EQ(stopServer().bytes_out, 3'000'001u);
}

TEST_F(BackendServerTest, HoldRepliesAndStaysOpenUntilThePeerCloses) {
  startServer(ExpectedHeader::V2);
  const int fd = connectClient();
  sendAll(fd, withCommand(Mode::Hold, 0));
  uint8_t reply[kReplyLength];
  ASSERT_EQ(recv(fd, reply, sizeof reply, MSG_WAITALL), static_cast<ssize_t>(kReplyLength));
  // Still open: more bytes are read and discarded, nothing comes back.
  sendAll(fd, std::vector<uint8_t>(1000, 'z'));
  timeval short_timeout{0, 200'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &short_timeout, sizeof short_timeout);
  uint8_t byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), -1);
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
  shutdown(fd, SHUT_WR);
  timeval long_timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &long_timeout, sizeof long_timeout);
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);  // the server closes after our EOF
  close(fd);
}

TEST_F(BackendServerTest, MissingHeaderIsAHeaderErrorAndCloses) {
  startServer(ExpectedHeader::V2);
  EXPECT_TRUE(exchange(withCommand(Mode::Quick, 0, false), false).empty());
  const auto& stats = stopServer();
  EXPECT_EQ(stats.header_errors, 1u);
  EXPECT_EQ(stats.headers_with_source, 0u);
}

TEST_F(BackendServerTest, TruncatedHeaderIsAHeaderError) {
  startServer(ExpectedHeader::V2);
  auto header = v2Header();
  header.resize(20);
  EXPECT_TRUE(exchange(header).empty());
  EXPECT_EQ(stopServer().header_errors, 1u);
}

TEST_F(BackendServerTest, BadCommandIsACommandError) {
  startServer(ExpectedHeader::V2);
  auto request = v2Header();
  append(request, std::vector<uint8_t>(kCommandLength, 'A'));
  EXPECT_TRUE(exchange(request, false).empty());
  const auto& stats = stopServer();
  EXPECT_EQ(stats.command_errors, 1u);
  EXPECT_EQ(stats.header_errors, 0u);
}

TEST_F(BackendServerTest, LocalHeaderWithoutCommandIsAnEmptyConnection) {
  // What a proxy's health check looks like: PROXY v2 LOCAL, then close.
  startServer(ExpectedHeader::V2);
  std::vector<uint8_t> local(16);
  local.resize(proxy_protocol::writeV2Local(local));
  EXPECT_TRUE(exchange(local).empty());
  const auto& stats = stopServer();
  EXPECT_EQ(stats.headers_without_source, 1u);
  EXPECT_EQ(stats.empty_connections, 1u);
  EXPECT_EQ(stats.header_errors + stats.command_errors, 0u);
}

TEST_F(BackendServerTest, V1HeaderWhenConfigured) {
  startServer(ExpectedHeader::V1);
  const std::string line = "PROXY TCP4 10.1.2.3 10.9.9.9 40000 5672\r\n";
  std::vector<uint8_t> request(line.begin(), line.end());
  append(request, encodeCommand({Mode::Quick, 0}));
  EXPECT_EQ(exchange(request, false).size(), kReplyLength);
  // And a v2 header is then an error.
  EXPECT_TRUE(exchange(withCommand(Mode::Quick, 0), false).empty());
  const auto& stats = stopServer();
  EXPECT_EQ(stats.headers_with_source, 1u);
  EXPECT_EQ(stats.header_errors, 1u);
}

TEST_F(BackendServerTest, NoHeaderWhenConfiguredNone) {
  startServer(ExpectedHeader::None);
  EXPECT_EQ(exchange(withCommand(Mode::Quick, 0, false), false).size(), kReplyLength);
  EXPECT_EQ(stopServer().header_errors, 0u);
}

TEST(BackendStatsJsonTest, HasEveryCounter) {
  BackendStats stats;
  stats.connections = 3;
  stats.bytes_in = 12345678901;
  const std::string json = statsJson(stats);
  EXPECT_NE(json.find("\"connections\":3"), std::string::npos);
  EXPECT_NE(json.find("\"bytes_in\":12345678901"), std::string::npos);
  for (const char* key : {"header_errors", "command_errors", "bytes_out", "empty_connections"}) {
    EXPECT_NE(json.find(std::string("\"") + key + "\":0"), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace warren::bench
