#include "upstream/node.h"

#include <gtest/gtest.h>

namespace warren::upstream {
namespace {

Node makeNode() { return Node(*Address::parse("10.0.0.1:5672"), 3); }

TEST(NodeTest, FreshNodeIsHealthyAndIdle) {
  Node node = makeNode();
  EXPECT_EQ(node.name(), "10.0.0.1:5672");
  EXPECT_EQ(node.address(), *Address::parse("10.0.0.1:5672"));
  EXPECT_EQ(node.weight(), 3u);
  EXPECT_EQ(node.active(), 0u);
  EXPECT_FALSE(node.isDown(0));
  EXPECT_FALSE(node.isDown(1'000'000));
  EXPECT_EQ(node.downUntil(), 0);
  EXPECT_EQ(node.consecutiveFailures(), 0u);
}

TEST(NodeTest, AcquireReleaseCount) {
  Node node = makeNode();
  node.acquire();
  node.acquire();
  node.acquire();
  EXPECT_EQ(node.active(), 3u);
  node.release();
  EXPECT_EQ(node.active(), 2u);
  node.release();
  node.release();
  EXPECT_EQ(node.active(), 0u);
}

TEST(NodeTest, FailureMarksDownForExactlyTheBackoff) {
  Node node = makeNode();
  node.reportFailure(1000, 500);
  EXPECT_EQ(node.downUntil(), 1500);
  EXPECT_EQ(node.consecutiveFailures(), 1u);
  EXPECT_TRUE(node.isDown(1000));
  EXPECT_TRUE(node.isDown(1499));
  EXPECT_FALSE(node.isDown(1500));
  EXPECT_FALSE(node.isDown(2000));
}

TEST(NodeTest, LaterFailureExtendsStaleOneDoesNotShorten) {
  Node node = makeNode();
  node.reportFailure(1000, 500);
  node.reportFailure(2000, 500);
  EXPECT_EQ(node.downUntil(), 2500);
  // Another worker's clock lags a little: its report must not end the period early.
  node.reportFailure(1900, 500);
  EXPECT_EQ(node.downUntil(), 2500);
  EXPECT_TRUE(node.isDown(2450));
  EXPECT_EQ(node.consecutiveFailures(), 3u);
}

TEST(NodeTest, ZeroOrNegativeBackoffDoesNotMarkDown) {
  Node node = makeNode();
  node.reportFailure(1000, 0);
  EXPECT_FALSE(node.isDown(1000));
  node.reportFailure(1000, -5);
  EXPECT_FALSE(node.isDown(1000));
  EXPECT_EQ(node.consecutiveFailures(), 2u);
}

TEST(NodeTest, SuccessClearsDownAndFailures) {
  Node node = makeNode();
  node.reportFailure(1000, 10'000);
  node.reportFailure(1100, 10'000);
  EXPECT_TRUE(node.isDown(1200));
  node.reportSuccess();
  EXPECT_FALSE(node.isDown(1200));
  EXPECT_EQ(node.downUntil(), 0);
  EXPECT_EQ(node.consecutiveFailures(), 0u);
  // A new failure after a success counts from one again.
  node.reportFailure(2000, 100);
  EXPECT_EQ(node.consecutiveFailures(), 1u);
  EXPECT_EQ(node.downUntil(), 2100);
}

}  // namespace
}  // namespace warren::upstream
