// DNS discovery over real loopback sockets: a name whose records change (fake resolver)
// grows and shrinks the pool through the reload path; connections to a node that left
// keep relaying. And a real name ("localhost") through getaddrinfo.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "discovery/resolver.h"
#include "support/checks.h"
#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

// Records set by the test; a name without records fails to resolve.
class FakeResolver : public discovery::Resolver {
 public:
  void set(const std::string& host, std::vector<Address> addresses) {
    std::lock_guard<std::mutex> lock(mutex_);
    records_[host] = std::move(addresses);
  }
  discovery::ResolveResult resolve(const std::string& host, uint16_t) override {
    std::lock_guard<std::mutex> lock(mutex_);
    discovery::ResolveResult result;
    auto it = records_.find(host);
    if (it == records_.end() || it->second.empty()) {
      result.error = "Name or service not known";
      return result;
    }
    result.addresses = it->second;  // the backends' own ports: each test backend has its own
    return result;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<Address>> records_;
};

std::shared_ptr<config::Config> namedConfig(const std::string& host, uint16_t port) {
  auto c = makeConfig({});
  c->clusters[0].nodes.push_back(config::Node{Address(), 1, host, port});
  c->clusters[0].resolve_interval = std::chrono::milliseconds(50);
  c->clusters[0].connect_timeout = std::chrono::seconds(1);
  return c;
}

size_t nodeCount(RunningServer& warren) { return warren.server().clusters()[0]->nodes().size(); }

TEST(Dns, RecordsThatAppearJoinAndRecordsThatVanishLeave) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  auto resolver = std::make_shared<FakeResolver>();
  resolver->set("rabbit.test", {a.address()});
  std::atomic<size_t> handed_nodes{0};  // what a health checker would be given (outlives warren)
  RunningServer warren(namedConfig("rabbit.test", 5672), resolver);
  ASSERT_EQ(nodeCount(warren), 1u);
  warren.server().setClustersHandler([&handed_nodes](const std::vector<upstream::ClusterSharedPtr>& clusters) {
    handed_nodes = clusters[0]->nodes().size();
  });
  TestSocket on_a = TestSocket::connect(warren.address());
  expectEcho(on_a, "a");
  EXPECT_EQ(a.accepted(), 1);

  // b appears: with a carrying one connection, least-conn sends the next one to b.
  resolver->set("rabbit.test", {a.address(), b.address()});
  ASSERT_TRUE(eventually([&] { return nodeCount(warren) == 2; }));
  EXPECT_EQ(handed_nodes.load(), 2u);
  std::vector<TestSocket> later;
  ASSERT_TRUE(eventually([&] {
    later.push_back(TestSocket::connect(warren.address()));
    expectEcho(later.back(), "who?");
    return b.accepted() >= 1;
  }));

  // a vanishes: no new connection reaches it, the open one stays.
  resolver->set("rabbit.test", {b.address()});
  ASSERT_TRUE(eventually([&] { return nodeCount(warren) == 1; }));
  EXPECT_EQ(handed_nodes.load(), 1u);
  EXPECT_EQ(warren.server().clusters()[0]->nodes()[0]->address(), b.address());
  // The workers pick the new cluster up through their inbox: give them a moment by
  // checking with connections until one lands on b, then count.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int a_before = a.accepted();
  for (int i = 0; i < 6; ++i) {
    TestSocket s = TestSocket::connect(warren.address());
    expectEcho(s, "b only");
  }
  EXPECT_EQ(a.accepted(), a_before);
  expectEcho(on_a, "a still relays");
}

TEST(Dns, NameThatDoesNotResolveAtStartJoinsWhenItDoes) {
  TestBackend a(TestBackend::echo);
  a.start();
  auto resolver = std::make_shared<FakeResolver>();
  RunningServer warren(namedConfig("later.test", 5672), resolver);
  EXPECT_EQ(nodeCount(warren), 0u);  // started without the node (logged), not refused
  resolver->set("later.test", {a.address()});
  ASSERT_TRUE(eventually([&] { return nodeCount(warren) == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  TestSocket s = TestSocket::connect(warren.address());
  expectEcho(s, "resolved");
}

TEST(Dns, FailedResolutionKeepsTheLastAddresses) {
  TestBackend a(TestBackend::echo);
  a.start();
  auto resolver = std::make_shared<FakeResolver>();
  resolver->set("flaky.test", {a.address()});
  RunningServer warren(namedConfig("flaky.test", 5672), resolver);
  resolver->set("flaky.test", {});  // the DNS server is down
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // several resolve intervals
  EXPECT_EQ(nodeCount(warren), 1u);
  TestSocket s = TestSocket::connect(warren.address());
  expectEcho(s, "still there");
}

TEST(Dns, LocalhostThroughGetaddrinfo) {
  TestBackend a(TestBackend::echo);
  a.start();
  RunningServer warren(namedConfig("localhost", a.address().port()));
  ASSERT_GE(nodeCount(warren), 1u);
  bool has_v4 = false;
  for (const auto* n : warren.server().clusters()[0]->nodes()) has_v4 = has_v4 || n->address() == a.address();
  EXPECT_TRUE(has_v4);
  // "localhost" may also give ::1, where nothing listens: that node is refused and skipped.
  TestSocket s = TestSocket::connect(warren.address());
  expectEcho(s, "via localhost");
}

}  // namespace
}  // namespace warren::test
