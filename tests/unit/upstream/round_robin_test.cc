#include "upstream/round_robin.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "upstream_test_util.h"

namespace warren::upstream {
namespace {

using test::clusterConfig;
using test::indexOf;

constexpr int64_t kNow = 100'000;

class RoundRobinTest : public ::testing::Test {
 protected:
  void build(const std::vector<uint32_t>& weights) {
    cluster_ = std::make_shared<Cluster>(clusterConfig(weights, config::BalancePolicy::RoundRobin));
  }
  Node* node(size_t i) { return cluster_->nodes()[i]; }
  // Picks as letters: node 0 = 'a', node 1 = 'b', ...; '-' for nullptr.
  std::string sequence(LoadBalancer& lb, int count, std::span<Node* const> tried = {},
                       int64_t now = kNow) {
    std::string out;
    for (int k = 0; k < count; ++k) {
      const int i = indexOf(*cluster_, lb.pick(now, tried));
      out += i < 0 ? '-' : static_cast<char>('a' + i);
    }
    return out;
  }

  ClusterSharedPtr cluster_;
};

TEST_F(RoundRobinTest, NginxSmoothSequence) {
  build({5, 1, 1});
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb, 7), "aabacaa");
  EXPECT_EQ(sequence(*lb, 14), "aabacaaaabacaa");  // periodic
}

TEST_F(RoundRobinTest, ExactDistribution) {
  build({5, 1, 1});
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::array<int, 3> counts{};
  for (int k = 0; k < 7000; ++k) ++counts[indexOf(*cluster_, lb->pick(kNow, {}))];
  EXPECT_EQ(counts, (std::array<int, 3>{5000, 1000, 1000}));

  build({3, 2, 1, 4});
  lb = makeLoadBalancer(*cluster_, 5);
  std::array<int, 4> counts4{};
  for (int k = 0; k < 10 * 97; ++k) ++counts4[indexOf(*cluster_, lb->pick(kNow, {}))];
  EXPECT_EQ(counts4, (std::array<int, 4>{3 * 97, 2 * 97, 1 * 97, 4 * 97}));
}

TEST_F(RoundRobinTest, EqualWeightsCycle) {
  build({1, 1, 1});
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb, 6), "abcabc");
}

TEST_F(RoundRobinTest, DoesNotLookAtActiveCounts) {
  build({1, 1});
  for (int k = 0; k < 50; ++k) node(0)->acquire();
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb, 4), "abab");
}

TEST_F(RoundRobinTest, WorkersStartAtDifferentPointsOfTheSequence) {
  build({1, 1, 1});
  EXPECT_EQ(sequence(*makeLoadBalancer(*cluster_, 1), 6), "bcabca");
  EXPECT_EQ(sequence(*makeLoadBalancer(*cluster_, 2), 6), "cabcab");
  EXPECT_EQ(sequence(*makeLoadBalancer(*cluster_, 3), 6), "abcabc");  // 3 % total weight 3
  build({5, 1, 1});
  EXPECT_EQ(sequence(*makeLoadBalancer(*cluster_, 2), 7), "bacaaaa");  // "aabacaa" shifted by 2
  EXPECT_EQ(sequence(*makeLoadBalancer(*cluster_, 9), 7), "bacaaaa");  // 9 % 7
}

TEST_F(RoundRobinTest, StatePerWorker) {
  build({5, 1, 1});
  auto lb_a = makeLoadBalancer(*cluster_, 0);
  auto lb_b = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb_a, 3), "aab");
  EXPECT_EQ(sequence(*lb_b, 7), "aabacaa");  // not advanced by lb_a
  EXPECT_EQ(sequence(*lb_a, 4), "acaa");
}

TEST_F(RoundRobinTest, SkipsDownNodes) {
  build({1, 1, 1});
  node(1)->reportFailure(kNow, 1000);
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb, 4), "acac");

  build({5, 1, 1});
  node(0)->reportFailure(kNow, 1000);
  lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb, 4), "bcbc");
  EXPECT_EQ(sequence(*lb, 1, {}, kNow + 999), "b");
  // Back at kNow+1000: node a joins again with the currents b and c were left with
  // (a=0, b=-1, c=+1), which is a new period of 5 a, 1 b, 1 c.
  EXPECT_EQ(sequence(*lb, 7, {}, kNow + 1000), "aacaaba");
  EXPECT_EQ(sequence(*lb, 7, {}, kNow + 1000), "aacaaba");
}

TEST_F(RoundRobinTest, SkipsTriedNodes) {
  build({5, 1, 1});
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::array<Node*, 1> tried{node(0)};
  EXPECT_EQ(sequence(*lb, 4, tried), "bcbc");
  std::array<Node*, 2> tried2{node(0), node(2)};
  EXPECT_EQ(sequence(*lb, 2, tried2), "bb");
}

TEST_F(RoundRobinTest, AllDownPicksTheEarliestRecovery) {
  build({5, 1, 1});
  node(0)->reportFailure(kNow, 3000);
  node(1)->reportFailure(kNow, 2000);
  node(2)->reportFailure(kNow, 1000);
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(sequence(*lb, 3), "ccc");
  std::array<Node*, 1> tried{node(2)};
  EXPECT_EQ(sequence(*lb, 1, tried), "b");
  std::array<Node*, 2> tried2{node(1), node(2)};
  EXPECT_EQ(sequence(*lb, 1, tried2), "a");
  // Panic picks leave the smooth weights untouched.
  node(0)->reportSuccess();
  node(1)->reportSuccess();
  node(2)->reportSuccess();
  EXPECT_EQ(sequence(*lb, 7), "aabacaa");
}

TEST_F(RoundRobinTest, NullWhenEveryNodeWasTried) {
  build({5, 1, 1});
  node(2)->reportFailure(kNow, 1000);
  auto lb = makeLoadBalancer(*cluster_, 0);
  std::array<Node*, 3> tried{node(0), node(1), node(2)};
  EXPECT_EQ(lb->pick(kNow, tried), nullptr);
}

}  // namespace
}  // namespace warren::upstream
