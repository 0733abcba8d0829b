// Smoke test: workers on their own threads, each with its own LoadBalancer, sharing one
// Cluster. Mostly useful under -fsanitize=thread; here it checks that every acquire is
// matched by a release and that the counts seen cluster-wide end at zero.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "upstream/load_balancer.h"
#include "upstream_test_util.h"

namespace warren::upstream {
namespace {

void runWorkers(config::BalancePolicy policy) {
  auto cluster = std::make_shared<Cluster>(test::clusterConfig({1, 2, 3, 1}, policy));
  constexpr int kThreads = 2;
  constexpr int kIterations = 50'000;
  constexpr size_t kHeld = 16;  // connections each worker keeps open at once
  std::atomic<int> null_picks{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([cluster, t, &null_picks] {
      auto lb = makeLoadBalancer(*cluster, static_cast<uint32_t>(t));
      std::deque<Node*> held;
      for (int k = 0; k < kIterations; ++k) {
        const int64_t now = k;
        Node* node = lb->pick(now, {});
        if (node == nullptr) {
          null_picks.fetch_add(1);
          continue;
        }
        node->acquire();
        held.push_back(node);
        if (k % 97 == 0) node->reportFailure(now, 5);
        if (k % 89 == 0) node->reportSuccess();
        if (held.size() > kHeld) {
          held.front()->release();
          held.pop_front();
        }
      }
      for (Node* node : held) node->release();
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(null_picks.load(), 0);
  for (const Node* node : cluster->nodes()) EXPECT_EQ(node->active(), 0u) << node->name();
}

TEST(ConcurrencyTest, LeastConnCountsReturnToZero) { runWorkers(config::BalancePolicy::LeastConn); }

TEST(ConcurrencyTest, RoundRobinCountsReturnToZero) { runWorkers(config::BalancePolicy::RoundRobin); }

}  // namespace
}  // namespace warren::upstream
