#include "server/takeover.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace warren::server {
namespace {

TEST(Takeover, SocketMessageRoundTrip) {
  std::string name, address;
  uint32_t worker = 0;
  ASSERT_TRUE(parseSocketMessage(socketMessage("amqp", "0.0.0.0:5672", 3), name, address, worker));
  EXPECT_EQ(name, "amqp");
  EXPECT_EQ(address, "0.0.0.0:5672");
  EXPECT_EQ(worker, 3u);
  ASSERT_TRUE(parseSocketMessage("socket v6 [::]:5671 0", name, address, worker));
  EXPECT_EQ(address, "[::]:5671");
}

TEST(Takeover, MalformedSocketMessages) {
  std::string name, address;
  uint32_t worker = 0;
  for (const char* m : {"", "socket", "socket a", "socket a b", "socket a b ", "socket  b 1", "socket a b x",
                        "socket a b 1x", "sockets a b 1", "socket a b 99999999999"}) {
    EXPECT_FALSE(parseSocketMessage(m, name, address, worker)) << m;
  }
}

TEST(Takeover, InheritedSocketsMatchNameAndAddressAndCloseTheRest) {
  int a[2], b[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
  {
    InheritedSockets inherited({{"amqp", "127.0.0.1:5672", {a[0]}}, {"old", "127.0.0.1:5673", {b[0]}}});
    EXPECT_FALSE(inherited.take("amqp", "127.0.0.1:9999"));  // same name, other address: bind fresh
    auto fds = inherited.take("amqp", "127.0.0.1:5672");
    ASSERT_TRUE(fds);
    EXPECT_EQ(*fds, std::vector<int>{a[0]});
    EXPECT_FALSE(inherited.take("amqp", "127.0.0.1:5672"));  // taken once
    ::close(a[0]);
  }
  // "old" was never taken: closed with the InheritedSockets (its peer sees EOF).
  char c;
  EXPECT_EQ(::read(b[1], &c, 1), 0);
  ::close(a[1]);
  ::close(b[1]);
}

}  // namespace
}  // namespace warren::server
