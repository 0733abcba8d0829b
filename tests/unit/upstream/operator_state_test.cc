// Drain, active health, admin weight and slow start, as the balancing policies see them.
#include <gtest/gtest.h>

#include <array>

#include "upstream/load_balancer.h"
#include "upstream_test_util.h"

namespace warren::upstream {
namespace {

using test::clusterConfig;
using test::indexOf;

constexpr int64_t kNow = 100'000;

class OperatorStateTest : public ::testing::TestWithParam<config::BalancePolicy> {
 protected:
  void build(const std::vector<uint32_t>& weights, int64_t slow_start_ms = 0) {
    auto cfg = clusterConfig(weights, GetParam());
    cfg.slow_start = config::Duration(slow_start_ms);
    cluster_ = std::make_shared<Cluster>(cfg);
  }
  Node* node(size_t i) { return cluster_->nodes()[i]; }
  // Picks `count` times, acquiring each pick as a session would; returns picks per node.
  std::array<uint32_t, 3> spread(LoadBalancer& lb, uint32_t count, int64_t now = kNow) {
    std::array<uint32_t, 3> picks{};
    for (uint32_t k = 0; k < count; ++k) {
      Node* n = lb.pick(now, {});
      EXPECT_NE(n, nullptr);
      if (n == nullptr) break;
      n->acquire();
      ++picks[static_cast<size_t>(indexOf(*cluster_, n))];
    }
    return picks;
  }

  ClusterSharedPtr cluster_;
};

TEST_P(OperatorStateTest, DrainedNodeGetsNothingEvenInPanic) {
  build({1, 1, 1});
  node(1)->setDrained(true);
  auto lb = makeLoadBalancer(*cluster_, 0);
  auto picks = spread(*lb, 30);
  EXPECT_EQ(picks[1], 0u);
  EXPECT_EQ(picks[0] + picks[2], 30u);
  // Every other node down: panic mode never falls back to the drained one.
  node(0)->setHealth(Health::Down, kNow);
  node(2)->reportFailure(kNow, 5000);
  std::array<Node*, 2> tried = {node(0), node(2)};
  EXPECT_EQ(lb->pick(kNow, tried), nullptr);
  node(1)->setDrained(false);
  EXPECT_EQ(indexOf(*cluster_, lb->pick(kNow, tried)), 1);
}

TEST_P(OperatorStateTest, ActivelyDownNodeIsSkippedUntilUp) {
  build({1, 1, 1});
  node(0)->setHealth(Health::Down, kNow);
  auto lb = makeLoadBalancer(*cluster_, 0);
  EXPECT_EQ(spread(*lb, 20)[0], 0u);
  node(0)->setHealth(Health::Up, kNow);
  EXPECT_GT(spread(*lb, 20)[0], 0u);
}

TEST_P(OperatorStateTest, AdminWeightChangesTheShare) {
  build({1, 1, 1});
  node(2)->setWeight(8);
  auto lb = makeLoadBalancer(*cluster_, 0);
  auto picks = spread(*lb, 100);
  EXPECT_EQ(picks[0], 10u);
  EXPECT_EQ(picks[1], 10u);
  EXPECT_EQ(picks[2], 80u);
  node(2)->setWeight(0);  // clamped: never a zero share
  EXPECT_EQ(node(2)->weight(), 1u);
}

TEST_P(OperatorStateTest, SlowStartRampsTheShareOfANodeBackUp) {
  build({1, 1}, 10'000);
  node(1)->setHealth(Health::Down, kNow - 1);
  node(1)->setHealth(Health::Up, kNow);  // back up at kNow
  EXPECT_EQ(node(1)->upSince(), kNow);
  EXPECT_EQ(node(1)->effectiveWeight(kNow, 10'000), 1u);
  EXPECT_EQ(node(1)->effectiveWeight(kNow + 2'500, 10'000), kWeightScale / 4);
  EXPECT_EQ(node(1)->effectiveWeight(kNow + 10'000, 10'000), kWeightScale);
  EXPECT_EQ(node(0)->effectiveWeight(kNow, 10'000), kWeightScale);  // never was down

  // A quarter into the ramp the returning node gets about a fifth of new connections
  // (weights 1 : 0.25), not all of them as a plain least-connections pick would.
  auto lb = makeLoadBalancer(*cluster_, 0);
  auto early = spread(*lb, 100, kNow + 2'500);
  EXPECT_GE(early[1], 15u);
  EXPECT_LE(early[1], 25u);
}

TEST_P(OperatorStateTest, PassiveRecoveryStartsTheRampToo) {
  build({1, 1}, 10'000);
  node(1)->reportFailure(kNow - 5'000, 1'000);
  node(1)->reportSuccess(kNow);
  EXPECT_EQ(node(1)->upSince(), kNow);
  node(0)->reportSuccess(kNow);  // was never down: no ramp
  EXPECT_EQ(node(0)->upSince(), 0);
}

INSTANTIATE_TEST_SUITE_P(Policies, OperatorStateTest,
                         ::testing::Values(config::BalancePolicy::LeastConn, config::BalancePolicy::RoundRobin),
                         [](const auto& info) {
                           return std::string(info.param == config::BalancePolicy::LeastConn ? "LeastConn"
                                                                                              : "RoundRobin");
                         });

}  // namespace
}  // namespace warren::upstream
