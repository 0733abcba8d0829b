#include "upstream/cluster.h"

#include <gtest/gtest.h>

#include "upstream/load_balancer.h"
#include "upstream/least_conn.h"
#include "upstream/round_robin.h"
#include "upstream_test_util.h"

namespace warren::upstream {
namespace {

using test::clusterConfig;
using test::nodeAddress;

TEST(ClusterTest, BuildsNodesInConfigOrder) {
  auto cfg = clusterConfig({1, 2, 3});
  cfg.down_backoff = std::chrono::seconds(7);
  cfg.connect_attempts = 2;
  Cluster cluster(cfg);
  EXPECT_EQ(cluster.name(), "rabbit");
  EXPECT_EQ(cluster.config().down_backoff, std::chrono::seconds(7));
  EXPECT_EQ(cluster.config().connect_attempts, 2u);
  ASSERT_EQ(cluster.nodes().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(cluster.nodes()[i]->address(), nodeAddress(i));
    EXPECT_EQ(cluster.nodes()[i]->weight(), i + 1);
    EXPECT_EQ(cluster.nodes()[i]->active(), 0u);
  }
}

TEST(ClusterTest, KeepsItsOwnCopyOfTheConfig) {
  auto cfg = clusterConfig({1, 1});
  Cluster cluster(cfg);
  cfg.name = "changed";
  cfg.nodes.clear();
  EXPECT_EQ(cluster.name(), "rabbit");
  EXPECT_EQ(cluster.config().nodes.size(), 2u);
}

TEST(ClusterTest, NodePointersAreStable) {
  Cluster cluster(clusterConfig({1, 1, 1}));
  auto a = cluster.nodes();
  auto b = cluster.nodes();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]);
}

TEST(ClusterTest, ZeroWeightIsClampedToOne) {
  Cluster cluster(clusterConfig({0, 4}));
  EXPECT_EQ(cluster.nodes()[0]->weight(), 1u);
  EXPECT_EQ(cluster.nodes()[1]->weight(), 4u);
}

TEST(ClusterTest, EmptyClusterPicksNothing) {
  Cluster cluster(clusterConfig({}));
  EXPECT_TRUE(cluster.nodes().empty());
  EXPECT_EQ(makeLoadBalancer(cluster, 0)->pick(0, {}), nullptr);
  Cluster rr(clusterConfig({}, config::BalancePolicy::RoundRobin));
  EXPECT_EQ(makeLoadBalancer(rr, 3)->pick(0, {}), nullptr);
}

TEST(ClusterTest, ReloadSharesNodesByAddress) {
  auto old_cluster = std::make_shared<Cluster>(clusterConfig({1, 2}));
  Node* a = old_cluster->nodes()[0];
  Node* b = old_cluster->nodes()[1];
  a->acquire();
  a->acquire();
  a->reportFailure(1000, 500);
  b->acquire();
  b->setDrained(true);

  // Node 1 changes weight (least connections must not restart from zero), node 2 is new.
  auto cfg = clusterConfig({1, 5, 1}, config::BalancePolicy::RoundRobin);
  auto new_cluster = std::make_shared<Cluster>(cfg, old_cluster.get());
  ASSERT_EQ(new_cluster->nodes().size(), 3u);
  EXPECT_EQ(new_cluster->nodes()[0], a);  // same Node: counts and health carried over
  EXPECT_EQ(new_cluster->nodes()[0]->active(), 2u);
  EXPECT_TRUE(new_cluster->nodes()[0]->isDown(1200));
  EXPECT_EQ(new_cluster->nodes()[1], b);
  EXPECT_EQ(new_cluster->nodes()[1]->weight(), 5u);
  EXPECT_EQ(new_cluster->nodes()[1]->active(), 1u);
  EXPECT_TRUE(new_cluster->nodes()[1]->drained());  // operator state survives a reload
  EXPECT_EQ(new_cluster->nodes()[2]->active(), 0u);
  EXPECT_EQ(new_cluster->config().balance, config::BalancePolicy::RoundRobin);

  // Sessions of the old generation release on the shared Node, visible to the new one;
  // the shared Node outlives the old Cluster.
  a->release();
  old_cluster.reset();
  EXPECT_EQ(new_cluster->nodes()[0]->active(), 1u);
  new_cluster->nodes()[0]->release();
  EXPECT_EQ(new_cluster->nodes()[0]->active(), 0u);
}

TEST(ClusterTest, ReloadNeverSharesOneNodeTwice) {
  Cluster old_cluster(clusterConfig({1}));
  config::Cluster cfg = clusterConfig({1});
  cfg.nodes.push_back(cfg.nodes[0]);  // the loader rejects this; stay sane anyway
  Cluster new_cluster(cfg, &old_cluster);
  ASSERT_EQ(new_cluster.nodes().size(), 2u);
  EXPECT_EQ(new_cluster.nodes()[0], old_cluster.nodes()[0]);
  EXPECT_NE(new_cluster.nodes()[1], new_cluster.nodes()[0]);
}

TEST(ClusterTest, FactoryFollowsThePolicy) {
  config::Cluster defaults;  // least_conn is the default
  defaults.nodes = clusterConfig({1, 1}).nodes;
  Cluster lc(defaults);
  EXPECT_NE(dynamic_cast<LeastConnLoadBalancer*>(makeLoadBalancer(lc, 0).get()), nullptr);
  Cluster rr(clusterConfig({1, 1}, config::BalancePolicy::RoundRobin));
  EXPECT_NE(dynamic_cast<RoundRobinLoadBalancer*>(makeLoadBalancer(rr, 0).get()), nullptr);
}

}  // namespace
}  // namespace warren::upstream
