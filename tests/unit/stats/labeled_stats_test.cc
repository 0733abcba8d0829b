// Labeled per-worker counters: bucket choice, per-key blocks that stay put, and the sum
// of several workers' registries into one Snapshot.
#include <gtest/gtest.h>

#include <thread>

#include "stats/labeled_stats.h"

namespace warren::stats {
namespace {

TEST(LabeledStatsTest, BucketOfIsTheFirstBoundNotBelowTheValue) {
  constexpr std::array<uint32_t, 3> bounds = {0, 5, 15};
  EXPECT_EQ(bucketOf(0, bounds), 0u);
  EXPECT_EQ(bucketOf(1, bounds), 1u);
  EXPECT_EQ(bucketOf(5, bounds), 1u);
  EXPECT_EQ(bucketOf(6, bounds), 2u);
  EXPECT_EQ(bucketOf(15, bounds), 2u);
  EXPECT_EQ(bucketOf(16, bounds), 3u);  // +Inf
}

TEST(LabeledStatsTest, BlocksAreKeyedByNameAndKeepTheirAddress) {
  StatsRegistry registry;
  ListenerStats* a = registry.listener("amqp");
  EXPECT_EQ(registry.listener("amqp"), a);
  EXPECT_NE(registry.listener("amqps"), a);
  for (int i = 0; i < 100; ++i) registry.listener("l" + std::to_string(i));  // the map grows
  EXPECT_EQ(registry.listener("amqp"), a);
  EXPECT_EQ(registry.node("c", "127.0.0.1:5672"), registry.node("c", "127.0.0.1:5672"));
  EXPECT_NE(registry.node("c", "127.0.0.1:5672"), registry.node("d", "127.0.0.1:5672"));
  EXPECT_EQ(registry.route("amqp", "default", "c"), registry.route("amqp", "default", "c"));
}

TEST(LabeledStatsTest, SnapshotSumsWorkersByKey) {
  StatsRegistry w0, w1;
  w0.listener("amqp")->accepted.add(2);
  w1.listener("amqp")->accepted.add(3);
  w1.listener("tls")->accepted.add();
  w0.listener("amqp")->active.add(2);
  w0.listener("amqp")->active.sub();
  w0.listener("amqp")->closed_by_reason[4].add();
  w1.listener("amqp")->closed_by_reason[4].add(2);
  observe(w0.listener("amqp")->heartbeat_seconds, 60, kHeartbeatBuckets);
  observe(w1.listener("amqp")->heartbeat_seconds, 700, kHeartbeatBuckets);
  w0.node("c", "n1")->connections.add(4);
  w1.node("c", "n1")->connect_failures.add();
  w0.route("amqp", "default", "c")->connections.add();
  w1.route("amqp", "default", "c")->connections.add();

  Snapshot s;
  w0.addTo(s);
  w1.addTo(s);
  ASSERT_EQ(s.listeners.size(), 2u);
  const ListenerTotals& amqp = s.listeners.at("amqp");
  EXPECT_EQ(amqp.accepted, 5u);
  EXPECT_EQ(amqp.active, 1u);
  EXPECT_EQ(amqp.closed_by_reason[4], 3u);
  EXPECT_EQ(amqp.heartbeat_seconds.buckets[4], 1u);                      // 60 ≤ 60
  EXPECT_EQ(amqp.heartbeat_seconds.buckets[kHeartbeatBuckets.size()], 1u);  // 700 > 600
  EXPECT_EQ(amqp.heartbeat_seconds.sum, 760u);
  EXPECT_EQ(s.listeners.at("tls").accepted, 1u);
  EXPECT_EQ(s.nodes.at({"c", "n1"}).connections, 4u);
  EXPECT_EQ(s.nodes.at({"c", "n1"}).connect_failures, 1u);
  EXPECT_EQ(s.routes.at({"amqp", "default", "c"}), 2u);
}

// One writer, one reader at a time, as on a worker and a scrape: every value the reader
// sees is one the counter had (never torn, never going backwards).
TEST(LabeledStatsTest, ConcurrentScrapeSeesMonotonicValues) {
  StatsRegistry registry;
  ListenerStats* block = registry.listener("amqp");
  constexpr uint64_t kIncrements = 200000;
  std::thread writer([&] {
    for (uint64_t i = 0; i < kIncrements; ++i) block->accepted.add();
  });
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    Snapshot s;
    registry.addTo(s);
    const uint64_t now = s.listeners.at("amqp").accepted;
    EXPECT_GE(now, last);
    EXPECT_LE(now, kIncrements);
    last = now;
  }
  writer.join();
  Snapshot s;
  registry.addTo(s);
  EXPECT_EQ(s.listeners.at("amqp").accepted, kIncrements);
}

}  // namespace
}  // namespace warren::stats
