// Connection and process lifecycle: graceful stop, its deadline, idle timeout, limits,
// and a port that is already taken.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using session::CloseReason;

TEST(Lifecycle, GracefulStopLetsOpenConnectionsFinish) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(makeConfig({backend.address()}));
  Address front = warren.address();
  TestSocket client = TestSocket::connect(front);
  ASSERT_TRUE(client.sendAll("before"));
  ASSERT_EQ(client.recvExact(6), "before");

  warren.server().shutdown();
  // New connections are refused once every worker has closed its listener.
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    refused = ::connect(fd, front.sockAddr(), front.sockLen()) != 0;
    ::close(fd);
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(refused);
  // The open connection still relays.
  ASSERT_TRUE(client.sendAll("during"));
  EXPECT_EQ(client.recvExact(6), "during");
  client.shutdownWrite();
  EXPECT_TRUE(client.waitClosed());
  warren.stop();  // returns once the last session ended
  EXPECT_EQ(warren.closed(CloseReason::ClientClosed), 1u);
  EXPECT_EQ(warren.closed(CloseReason::Shutdown), 0u);
}

TEST(Lifecycle, GracefulStopClosesWhatIsLeftAtTheDeadline) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->global.shutdown_timeout = std::chrono::milliseconds(300);
  RunningServer warren(c);
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("x"));
  ASSERT_EQ(client.recvExact(1), "x");
  auto t0 = std::chrono::steady_clock::now();
  warren.stop();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_EQ(warren.closed(CloseReason::Shutdown), 1u);
}

TEST(Lifecycle, IdleConnectionIsClosedAndBusyOneIsNot) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].idle_timeout = std::chrono::milliseconds(300);
  RunningServer warren(c);
  TestSocket idle = TestSocket::connect(warren.address());
  TestSocket busy = TestSocket::connect(warren.address());
  ASSERT_TRUE(idle.sendAll("i"));
  ASSERT_EQ(idle.recvExact(1), "i");
  // 12 × 100 ms = 4 idle periods, never 300 ms quiet.
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(busy.sendAll("b")) << i;
    ASSERT_EQ(busy.recvExact(1), "b") << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(idle.waitClosed());
  ASSERT_TRUE(busy.sendAll("still here"));
  EXPECT_EQ(busy.recvExact(10), "still here");
  // The client sees the close before the worker has counted it: wait for the count.
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::IdleTimeout)] == 1;
  }));
}

TEST(Lifecycle, ListenerConnectionLimitRejectsTheExcess) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->listeners[0].max_connections = 2;
  RunningServer warren(c);
  TestSocket a = TestSocket::connect(warren.address());
  TestSocket b = TestSocket::connect(warren.address());
  ASSERT_TRUE(a.sendAll("a"));
  ASSERT_EQ(a.recvExact(1), "a");
  ASSERT_TRUE(b.sendAll("b"));
  ASSERT_EQ(b.recvExact(1), "b");
  TestSocket third = TestSocket::connect(warren.address());
  EXPECT_TRUE(third.waitClosed());
  EXPECT_EQ(warren.totals().rejected(), 1u);
  // Once one closes there is room again.
  a.close();
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 1; }));
  TestSocket fourth = TestSocket::connect(warren.address());
  ASSERT_TRUE(fourth.sendAll("d"));
  EXPECT_EQ(fourth.recvExact(1), "d");
}

TEST(Lifecycle, GlobalConnectionLimitRejectsTheExcess) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  auto c = makeConfig({backend.address()});
  c->global.max_connections = 1;
  RunningServer warren(c);
  TestSocket a = TestSocket::connect(warren.address());
  ASSERT_TRUE(a.sendAll("a"));
  ASSERT_EQ(a.recvExact(1), "a");
  TestSocket b = TestSocket::connect(warren.address());
  EXPECT_TRUE(b.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::LimitReached)] == 1;
  }));
  EXPECT_EQ(warren.totals().rejected(), 1u);
}

TEST(Lifecycle, PortInUseIsAClearError) {
  TestBackend taken(TestBackend::echo);  // listens, without SO_REUSEPORT
  auto c = makeConfig({taken.address()});
  c->listeners[0].address = taken.address();
  server::Server server(c);
  auto err = server.bind();
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err, "listener front: " + taken.address().toString() + ": Address already in use");
}

TEST(Lifecycle, PortHeldWithReusePortByAnotherServerIsAlsoAnError) {
  TestBackend backend(TestBackend::echo);
  RunningServer first(makeConfig({backend.address()}));
  auto c = makeConfig({backend.address()});
  c->listeners[0].address = first.address();
  server::Server second(c);
  auto err = second.bind();
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("Address already in use"), std::string::npos) << *err;
}

}  // namespace
}  // namespace warren::test
