// NodeAttempts (session/node_attempts.h): the node held is counted in its active
// connections until failed() or release(); a node is never tried twice; attempts stop at
// connect_attempts; a failure backs the node off and, with active checks, `fall` failures
// in a row from traffic mark it down at once.
#include "session/node_attempts.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <memory>
#include <set>

#include "upstream/cluster.h"

namespace warren::session {
namespace {

config::Cluster clusterOf(int nodes, uint32_t attempts) {
  config::Cluster c;
  c.name = "main";
  c.connect_attempts = attempts;
  c.down_backoff = std::chrono::seconds(10);
  for (int i = 0; i < nodes; ++i) {
    Address a = *Address::parse("127.0.0.1:0");
    a.setPort(static_cast<uint16_t>(5672 + i));
    c.nodes.push_back(config::Node{a, 1});
  }
  return c;
}

struct Fixture {
  explicit Fixture(const config::Cluster& c)
      : config(c), cluster(std::make_shared<upstream::Cluster>(c)), balancer(upstream::makeLoadBalancer(*cluster, 0)) {}
  config::Cluster config;
  upstream::ClusterSharedPtr cluster;
  std::unique_ptr<upstream::LoadBalancer> balancer;
};

TEST(NodeAttempts, HoldsThePickedNodeUntilReleased) {
  Fixture f(clusterOf(2, 3));
  {
    NodeAttempts attempts;
    EXPECT_TRUE(attempts.none());
    upstream::Node* n = attempts.pick(*f.balancer, f.config, 1000);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(attempts.current(), n);
    EXPECT_EQ(n->active(), 1u);
    attempts.connected(1000);
    EXPECT_EQ(n->consecutiveFailures(), 0u);
    EXPECT_EQ(attempts.count(), 1u);
  }  // the session ends: the destructor lets the node go
  for (const auto& n : f.cluster->nodes()) EXPECT_EQ(n->active(), 0u);
}

TEST(NodeAttempts, FailureBacksTheNodeOffAndTheNextPickIsAnotherNode) {
  Fixture f(clusterOf(3, 3));
  NodeAttempts attempts;
  std::set<upstream::Node*> seen;
  for (int i = 0; i < 3; ++i) {
    upstream::Node* n = attempts.pick(*f.balancer, f.config, 1000);
    ASSERT_NE(n, nullptr) << i;
    EXPECT_TRUE(seen.insert(n).second) << "tried twice";
    EXPECT_FALSE(attempts.failed(UV_ECONNREFUSED, f.config, "127.0.0.2:40000", 1000));  // no active checks
    EXPECT_EQ(n->active(), 0u);
    EXPECT_TRUE(n->isDown(1000 + 9999));
    EXPECT_FALSE(n->isDown(1000 + 10000));
    EXPECT_EQ(attempts.current(), nullptr);
  }
  EXPECT_EQ(attempts.lastError(), UV_ECONNREFUSED);
  EXPECT_EQ(attempts.pick(*f.balancer, f.config, 1000), nullptr);  // every node tried
  EXPECT_EQ(attempts.count(), 3u);
}

TEST(NodeAttempts, BoundedByConnectAttempts) {
  Fixture f(clusterOf(5, 2));
  NodeAttempts attempts;
  ASSERT_NE(attempts.pick(*f.balancer, f.config, 0), nullptr);
  attempts.failed(UV_ETIMEDOUT, f.config, "c", 0);
  ASSERT_NE(attempts.pick(*f.balancer, f.config, 0), nullptr);
  attempts.failed(UV_ETIMEDOUT, f.config, "c", 0);
  EXPECT_EQ(attempts.pick(*f.balancer, f.config, 0), nullptr);
  for (const auto& n : f.cluster->nodes()) EXPECT_EQ(n->active(), 0u);
}

TEST(NodeAttempts, FallFailuresFromTrafficMarkTheNodeDownOnce) {
  config::Cluster c = clusterOf(1, 1);
  c.health_check.enabled = true;
  c.health_check.fall = 2;
  Fixture f(c);
  upstream::Node& node = *f.cluster->nodes()[0];
  std::vector<bool> marked;
  for (int i = 0; i < 3; ++i) {
    NodeAttempts attempts;  // one session each
    ASSERT_NE(attempts.pick(*f.balancer, f.config, 0), nullptr) << i;  // panic mode returns it anyway
    marked.push_back(attempts.failed(UV_ECONNREFUSED, f.config, "c", 0));
  }
  EXPECT_EQ(marked, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(node.health(), upstream::Health::Down);
  EXPECT_EQ(node.passiveDownsTotal(), 1u);
  // A success from traffic resets the run of failures.
  NodeAttempts ok;
  ASSERT_NE(ok.pick(*f.balancer, f.config, 0), nullptr);
  ok.connected(0);
  EXPECT_EQ(node.consecutiveFailures(), 0u);
}

}  // namespace
}  // namespace warren::session
