#include "upstream/least_conn.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "upstream_test_util.h"

namespace warren::upstream {
namespace {

using test::clusterConfig;
using test::indexOf;

constexpr int64_t kNow = 100'000;

class LeastConnTest : public ::testing::Test {
 protected:
  void build(const std::vector<uint32_t>& weights) {
    cluster_ = std::make_shared<Cluster>(clusterConfig(weights));
  }
  Node* node(size_t i) { return cluster_->nodes()[i]; }
  void load(size_t i, uint32_t count) {
    for (uint32_t k = 0; k < count; ++k) node(i)->acquire();
  }
  int pickIndex(LoadBalancer& lb, std::span<Node* const> tried = {}, int64_t now = kNow) {
    return indexOf(*cluster_, lb.pick(now, tried));
  }

  ClusterSharedPtr cluster_;
};

TEST_F(LeastConnTest, PicksTheLeastLoaded) {
  build({1, 1, 1});
  load(0, 2);
  load(1, 1);
  load(2, 3);
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(pickIndex(*lb), 1);
  EXPECT_EQ(pickIndex(*lb), 1);  // pick() alone does not acquire
  load(1, 2);                    // 2, 3, 3
  EXPECT_EQ(pickIndex(*lb), 0);
}

TEST_F(LeastConnTest, ComparesLoadRelativeToWeight) {
  build({1, 3});
  // Scores (active+1)/weight: node0 (0+1)/1 = 1, node1 (1+1)/3 = 2/3.
  load(1, 1);
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(pickIndex(*lb), 1);
  // node1 (3+1)/3 = 4/3 > 1.
  load(1, 2);
  EXPECT_EQ(pickIndex(*lb), 0);
}

TEST_F(LeastConnTest, WeightedPicksConvergeExactlyToWeightRatios) {
  build({1, 2, 3});
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::array<uint32_t, 3> picks{};
  for (int k = 1; k <= 600; ++k) {
    Node* n = lb->pick(kNow, {});
    ASSERT_NE(n, nullptr);
    n->acquire();
    ++picks[indexOf(*cluster_, n)];
    if (k % 6 == 0) {  // exact after every full round of the weights
      const uint32_t r = static_cast<uint32_t>(k / 6);
      ASSERT_EQ(picks, (std::array<uint32_t, 3>{r, 2 * r, 3 * r})) << "after " << k << " picks";
    }
  }
  EXPECT_EQ(node(0)->active(), 100u);
  EXPECT_EQ(node(1)->active(), 200u);
  EXPECT_EQ(node(2)->active(), 300u);
}

TEST_F(LeastConnTest, TiesRotateFromTheWorkerOffset) {
  build({1, 1, 1});
  auto lb0 = makeLoadBalancer(*cluster_, 0);
  auto lb1 = makeLoadBalancer(*cluster_, 1);
  auto lb4 = makeLoadBalancer(*cluster_, 4);
  std::vector<int> seq0, seq1, seq4;
  for (int k = 0; k < 6; ++k) {
    seq0.push_back(pickIndex(*lb0));
    seq1.push_back(pickIndex(*lb1));
    seq4.push_back(pickIndex(*lb4));
  }
  EXPECT_EQ(seq0, (std::vector<int>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(seq1, (std::vector<int>{1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(seq4, (std::vector<int>{1, 2, 0, 1, 2, 0}));  // 4 % 3
}

TEST_F(LeastConnTest, TiesRotateFairlyAmongTheTiedOnly) {
  build({1, 1, 1});
  load(1, 5);
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::vector<int> seq;
  for (int k = 0; k < 6; ++k) seq.push_back(pickIndex(*lb));
  EXPECT_EQ(seq, (std::vector<int>{0, 2, 0, 2, 0, 2}));
}

TEST_F(LeastConnTest, EqualNodesGetEqualSharesWhenAcquired) {
  build({2, 2, 2, 2});
  auto lb = makeLoadBalancer(*cluster_, 3);
  for (int k = 0; k < 400; ++k) lb->pick(kNow, {})->acquire();
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(node(i)->active(), 100u);
}

TEST_F(LeastConnTest, SkipsDownNodesWhileOneIsHealthy) {
  build({1, 1, 1});
  load(1, 10);
  load(2, 20);
  node(0)->reportFailure(kNow, 5000);  // least loaded, but down
  auto lb = makeLoadBalancer(*cluster_, 0);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(pickIndex(*lb), 1);
  node(1)->reportFailure(kNow, 5000);
  EXPECT_EQ(pickIndex(*lb), 2);
  // The down period ends at kNow + 5000 exactly.
  EXPECT_EQ(pickIndex(*lb, {}, kNow + 4999), 2);
  EXPECT_EQ(pickIndex(*lb, {}, kNow + 5000), 0);
}

TEST_F(LeastConnTest, SuccessBringsANodeBackImmediately) {
  build({1, 1});
  load(1, 3);
  node(0)->reportFailure(kNow, 5000);
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(pickIndex(*lb), 1);
  node(0)->reportSuccess();
  EXPECT_EQ(pickIndex(*lb), 0);
}

TEST_F(LeastConnTest, AllDownPicksTheEarliestRecovery) {
  build({1, 1, 1});
  node(0)->reportFailure(kNow, 5000);  // until kNow+5000
  node(1)->reportFailure(kNow, 3000);  // until kNow+3000
  node(2)->reportFailure(kNow, 4000);  // until kNow+4000
  auto lb = makeLoadBalancer(*cluster_, 2);
  EXPECT_EQ(pickIndex(*lb), 1);
  EXPECT_EQ(pickIndex(*lb), 1);  // load plays no part in panic mode
  std::array<Node*, 1> tried{node(1)};
  EXPECT_EQ(pickIndex(*lb, tried), 2);
  std::array<Node*, 2> tried2{node(1), node(2)};
  EXPECT_EQ(pickIndex(*lb, tried2), 0);
}

TEST_F(LeastConnTest, TriedDownNodeDoesNotHideAHealthyOne) {
  build({1, 1});
  node(1)->reportFailure(kNow, 1000);
  std::array<Node*, 1> tried{node(0)};
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(pickIndex(*lb, tried), 1);  // only untried node, down: still returned
}

TEST_F(LeastConnTest, SkipsTriedNodes) {
  build({1, 1, 1});
  load(1, 1);
  load(2, 2);
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::array<Node*, 1> tried{node(0)};
  for (int k = 0; k < 3; ++k) EXPECT_EQ(pickIndex(*lb, tried), 1);
  std::array<Node*, 2> tried2{node(1), node(0)};
  EXPECT_EQ(pickIndex(*lb, tried2), 2);
}

TEST_F(LeastConnTest, NullWhenEveryNodeWasTried) {
  build({1, 2, 3});
  node(1)->reportFailure(kNow, 1000);
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::array<Node*, 3> tried{node(2), node(0), node(1)};
  EXPECT_EQ(lb->pick(kNow, tried), nullptr);
}

TEST_F(LeastConnTest, CountsAreSharedAcrossWorkers) {
  build({1, 1});
  // Same worker index: without shared counts both would start on node 0.
  auto lb_a = makeLoadBalancer(*cluster_, 0);
  auto lb_b = makeLoadBalancer(*cluster_, 0);
  Node* first = lb_a->pick(kNow, {});
  ASSERT_EQ(indexOf(*cluster_, first), 0);
  first->acquire();
  Node* second = lb_b->pick(kNow, {});
  EXPECT_EQ(indexOf(*cluster_, second), 1);
  second->acquire();
  second->acquire();
  EXPECT_EQ(pickIndex(*lb_a), 0);  // 1 vs 2
  EXPECT_EQ(pickIndex(*lb_b), 0);
  first->release();
  second->release();
  second->release();
  EXPECT_EQ(node(0)->active(), 0u);
  EXPECT_EQ(node(1)->active(), 0u);
}

}  // namespace
}  // namespace warren::upstream
