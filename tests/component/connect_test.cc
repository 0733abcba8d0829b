// Connecting to nodes: a refused or silent node is skipped for the next one before any
// client byte is forwarded, and marked down so later connections skip it at once.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

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

// The highest descriptor this process has open.
int highestOpenFd() {
  int highest = 2;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') highest = std::max(highest, std::atoi(e->d_name));
    }
    closedir(d);
  }
  return highest;
}

// Warren itself out of descriptors when it opens the node socket (EMFILE): the client is
// closed as local_resource_exhausted, and the healthy node is neither failed nor marked
// down, so that the next client, once descriptors are free again, is served by it.
TEST(Connect, NoDescriptorForTheNodeSocketIsNotTheNodesFault) {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' own checks open descriptors (UBSan's vptr check makes a pipe to probe
  // memory): under this test's limit they fail and report false errors. The release run
  // covers it.
  GTEST_SKIP() << "needs free descriptors for the sanitizer runtime";
#endif
  TestBackend backend(TestBackend::echo);
  backend.start();
  RunningServer warren(oneWorker({backend.address()}));
  expectEcho(warren.address(), "warm");  // the worker's lazily opened descriptors exist now
  // Descriptors other tests' threads are still closing settle first.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  // The client's socket exists before the limit is cut; every hole below the highest
  // descriptor is filled; then exactly one more is allowed: the one Warren accepts. The
  // node socket gets EMFILE.
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  std::vector<int> fillers;
  const int highest = highestOpenFd();
  for (int i = 0; i < 4096; ++i) {
    const int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) break;
    if (fd > highest) {
      close(fd);
      break;
    }
    fillers.push_back(fd);
  }
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(highest + 1 + 1);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  const Address front = warren.address();
  EXPECT_EQ(connect(client, front.sockAddr(), front.sockLen()), 0);
  EXPECT_EQ(send(client, "anyone?", 7, 0), 7);
  char byte = 0;
  timeval wait{5, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  EXPECT_LE(recv(client, &byte, 1, 0), 0) << "the client was not closed";
  close(client);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  for (int fd : fillers) close(fd);
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::LocalResourceExhausted), 1u);
  EXPECT_EQ(warren.closed(CloseReason::ConnectFailed), 0u);
  EXPECT_EQ(warren.totals().connect_failures, 0u) << "the node was blamed";
  expectEcho(warren.address(), "served by the same node");
  EXPECT_EQ(backend.accepted(), 2);
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
