// A session's counters: per-key blocks that stay put, the sum of several workers'
// registries into one Snapshot, and the flat totals computed from it.
#include <gtest/gtest.h>

#include <thread>

#include "session/session_stats.h"

namespace warren::session {
namespace {

TEST(SessionStatsTest, BlocksAreKeyedByNameAndKeepTheirAddress) {
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

TEST(SessionStatsTest, SnapshotSumsWorkersByKey) {
  StatsRegistry w0, w1;
  w0.listener("amqp")->accepted.add(2);
  w1.listener("amqp")->accepted.add(3);
  w1.listener("tls")->accepted.add();
  w0.listener("amqp")->active.add(2);
  w0.listener("amqp")->active.sub();
  w0.listener("amqp")->closed_by_reason[4].add();
  w1.listener("amqp")->closed_by_reason[4].add(2);
  stats::observe(w0.listener("amqp")->heartbeat_seconds, 60, kHeartbeatBuckets);
  stats::observe(w1.listener("amqp")->heartbeat_seconds, 700, kHeartbeatBuckets);
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
  EXPECT_EQ(s.routes.at({"amqp", "default", "c"}).connections, 2u);
}

TEST(SessionStatsTest, FlatTotalsAreSumsOfTheBlocks) {
  StatsRegistry w0, w1;
  w0.listener("amqp")->tls_handshakes[2].add(2);
  w1.listener("amqps")->tls_handshakes[3].add(5);
  w0.listener("amqp")->bytes[kUp].add(10);
  w1.listener("amqps")->bytes[kUp].add(32);
  w0.node("c", "n1")->connect_failures.add(2);
  w1.node("d", "n2")->connect_failures.add(3);
  w0.limits().rejected_by_limit[1].add(4);
  w1.limits().rejected_by_limit[2].add();
  w0.relay().backpressure_pauses.add(6);
  w1.relay().backpressure_pauses.add(1);
  w1.listener("amqps")->closed_by_reason[static_cast<size_t>(CloseReason::HeartbeatTimeout)].add(7);
  Snapshot s;
  w0.addTo(s);
  w1.addTo(s);
  const Totals t = s.totals();
  EXPECT_EQ(t.tlsHandshakes(), 7u);
  EXPECT_EQ(t.bytes[kUp], 42u);
  EXPECT_EQ(t.connect_failures, 5u);
  EXPECT_EQ(t.rejected(), 5u);
  EXPECT_EQ(t.backpressure_pauses, 7u);
  EXPECT_EQ(t.closed(CloseReason::HeartbeatTimeout), 7u);
}

// One writer, one reader at a time, as on a worker and a scrape: every value the reader
// sees is one the counter had (never torn, never going backwards).
TEST(SessionStatsTest, ConcurrentScrapeSeesMonotonicValues) {
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
}  // namespace warren::session
