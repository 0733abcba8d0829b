// TCP options from [listener.tcp] and [cluster.tcp], read back from Warren's own sockets:
// the accepted client socket gets them from the listening socket (set once at bind, inherited
// by every accepted socket), the node socket gets them before its connect.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "support/running_server.h"
#include "support/socket_probe.h"
#include "support/test_backend.h"
#include "support/test_socket.h"

namespace warren::test {
namespace {

int tcpOption(int fd, int name) {
  int value = -1;
  socklen_t length = sizeof(value);
  return getsockopt(fd, IPPROTO_TCP, name, &value, &length) == 0 ? value : -1;
}

struct Seen {
  int nodelay, keepalive, idle, interval, count;
};

// Relays one echo through Warren on a new connection; returns Warren's accepted socket for it
// (-1 on failure). `client` stays open so that the socket does too.
int acceptedSocketFor(RunningServer& warren, TestSocket& client) {
  client = TestSocket::connect(warren.address());
  if (!client.sendAll("ping") || client.recvExact(4) != "ping") return -1;
  return findSocketByPeer(client.localAddress());
}

Seen optionsOf(int fd) {
  return {tcpOption(fd, TCP_NODELAY), socketOption(fd, SO_KEEPALIVE), tcpOption(fd, TCP_KEEPIDLE),
          tcpOption(fd, TCP_KEEPINTVL), tcpOption(fd, TCP_KEEPCNT)};
}

TEST(SocketOptions, AcceptedSocketsInheritTheListenersOptionsAndNodeSocketsGetTheClusters) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].tcp.keepalive_idle = std::chrono::seconds(61);
  c->listeners[0].tcp.keepalive_interval = std::chrono::seconds(11);
  c->listeners[0].tcp.keepalive_count = 7;
  c->clusters[0].tcp.keepalive_idle = std::chrono::seconds(43);
  c->clusters[0].tcp.keepalive_interval = std::chrono::seconds(13);
  c->clusters[0].tcp.keepalive_count = 4;
  RunningServer warren(c);

  TestSocket client;
  const int accepted = acceptedSocketFor(warren, client);
  ASSERT_GE(accepted, 0);
  const Seen a = optionsOf(accepted);
  EXPECT_EQ(a.nodelay, 1);
  EXPECT_EQ(a.keepalive, 1);
  EXPECT_EQ(a.idle, 61);
  EXPECT_EQ(a.interval, 11);
  EXPECT_EQ(a.count, 7);

  const int node = findSocketByPeer(backend.address());
  ASSERT_GE(node, 0);
  const Seen n = optionsOf(node);
  EXPECT_EQ(n.nodelay, 1);
  EXPECT_EQ(n.keepalive, 1);
  EXPECT_EQ(n.idle, 43);
  EXPECT_EQ(n.interval, 13);
  EXPECT_EQ(n.count, 4);
}

TEST(SocketOptions, NodelayAndKeepaliveOffAreInheritedToo) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].tcp.nodelay = false;
  c->listeners[0].tcp.keepalive = false;
  RunningServer warren(c);

  TestSocket client;
  const int accepted = acceptedSocketFor(warren, client);
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(tcpOption(accepted, TCP_NODELAY), 0);
  EXPECT_EQ(socketOption(accepted, SO_KEEPALIVE), 0);
}

}  // namespace
}  // namespace warren::test
