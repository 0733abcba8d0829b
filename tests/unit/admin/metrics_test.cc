// /metrics from constructed counters and nodes: exact exposition lines (names, labels,
// values), cumulative histogram buckets with +Inf, _sum and _count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "admin/metrics.h"
#include "session/close_reason.h"
#include "session/session_stats.h"
#include "tls/diagnosis.h"
#include "unit/admin/admin_test_util.h"

namespace warren::admin {
namespace {

using ::testing::Contains;
using ::testing::Not;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class MetricsTest : public ::testing::Test {
 protected:
  std::vector<std::string> render() {
    session::Snapshot snapshot;
    registry_.addTo(snapshot);
    const BuildInfo build{"1.2.3", "abc123"};
    return lines(renderMetrics(MetricsInput{snapshot, clusters_, now_ms_, reloads_, build}));
  }

  session::StatsRegistry registry_;
  std::vector<upstream::ClusterSharedPtr> clusters_;
  int64_t now_ms_ = 1000;
  stats::ReloadStats reloads_;
};

TEST_F(MetricsTest, ListenerCounters) {
  session::ListenerStats& l = *registry_.listener("amqp");
  l.accepted.add(7);
  l.active.add(3);
  l.closed_by_reason[static_cast<size_t>(session::CloseReason::HeartbeatTimeout)].add(2);
  l.bytes[session::kUp].add(100);
  l.bytes[session::kDown].add(2048);
  l.tls_handshakes[3].add(5);
  l.tls_failures[static_cast<size_t>(tls::FailureReason::ProtocolVersion)].add();
  l.amqp_protocol[1].add(4);
  l.amqp_misdirected[1].add();
  auto out = render();
  EXPECT_THAT(out, Contains("# TYPE warren_connections_accepted_total counter"));
  EXPECT_THAT(out, Contains("warren_connections_accepted_total{listener=\"amqp\"} 7"));
  EXPECT_THAT(out, Contains("# TYPE warren_connections_active gauge"));
  EXPECT_THAT(out, Contains("warren_connections_active{listener=\"amqp\"} 3"));
  EXPECT_THAT(out, Contains("warren_connections_closed_total{listener=\"amqp\",reason=\"heartbeat_timeout\"} 2"));
  EXPECT_THAT(out, Contains("warren_connections_closed_total{listener=\"amqp\",reason=\"client_closed\"} 0"));
  EXPECT_THAT(out, Contains("warren_relayed_bytes_total{listener=\"amqp\",direction=\"client_to_node\"} 100"));
  EXPECT_THAT(out, Contains("warren_relayed_bytes_total{listener=\"amqp\",direction=\"node_to_client\"} 2048"));
  EXPECT_THAT(out, Contains("warren_tls_handshakes_total{listener=\"amqp\",version=\"1.3\"} 5"));
  EXPECT_THAT(out, Contains("warren_tls_handshake_failures_total{listener=\"amqp\",reason=\"protocol_version\"} 1"));
  EXPECT_THAT(out, Contains("warren_amqp_connections_total{listener=\"amqp\",protocol=\"amqp091\"} 4"));
  EXPECT_THAT(out, Contains("warren_amqp_misdirected_total{listener=\"amqp\",kind=\"http\"} 1"));
  // Every close reason is listed, none past the enum.
  size_t reasons = 0;
  for (const auto& line : out) reasons += line.rfind("warren_connections_closed_total{", 0) == 0;
  EXPECT_EQ(reasons, session::kCloseReasonCount);
}

TEST_F(MetricsTest, HistogramsAreCumulativeWithInfSumAndCount) {
  session::ListenerStats& l = *registry_.listener("amqp");
  for (uint64_t hb : {0, 30, 60, 60, 700}) stats::observe(l.heartbeat_seconds, hb, session::kHeartbeatBuckets);
  for (uint64_t ms : {3, 40, 40, 20000}) stats::observe(l.tls_handshake_ms, ms, session::kHandshakeMsBuckets);
  auto out = render();
  EXPECT_THAT(out, Contains("# TYPE warren_amqp_heartbeat_seconds histogram"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_bucket{listener=\"amqp\",le=\"0\"} 1"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_bucket{listener=\"amqp\",le=\"15\"} 1"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_bucket{listener=\"amqp\",le=\"30\"} 2"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_bucket{listener=\"amqp\",le=\"60\"} 4"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_bucket{listener=\"amqp\",le=\"600\"} 4"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_bucket{listener=\"amqp\",le=\"+Inf\"} 5"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_sum{listener=\"amqp\"} 850"));
  EXPECT_THAT(out, Contains("warren_amqp_heartbeat_seconds_count{listener=\"amqp\"} 5"));
  // Milliseconds are exposed in seconds.
  EXPECT_THAT(out, Contains("warren_tls_handshake_duration_seconds_bucket{listener=\"amqp\",le=\"0.005\"} 1"));
  EXPECT_THAT(out, Contains("warren_tls_handshake_duration_seconds_bucket{listener=\"amqp\",le=\"0.05\"} 3"));
  EXPECT_THAT(out, Contains("warren_tls_handshake_duration_seconds_bucket{listener=\"amqp\",le=\"10\"} 3"));
  EXPECT_THAT(out, Contains("warren_tls_handshake_duration_seconds_bucket{listener=\"amqp\",le=\"+Inf\"} 4"));
  EXPECT_THAT(out, Contains("warren_tls_handshake_duration_seconds_sum{listener=\"amqp\"} 20.083"));
  EXPECT_THAT(out, Contains("warren_tls_handshake_duration_seconds_count{listener=\"amqp\"} 4"));
}

TEST_F(MetricsTest, RoutesNodesAndNodeGauges) {
  registry_.route("amqps", "rabbit.example.com", "main")->connections.add(3);
  registry_.route("amqps", "default", "other")->connections.add(1);
  registry_.node("main", "127.0.0.1:5672")->connections.add(9);
  registry_.node("main", "127.0.0.1:5672")->connect_failures.add(2);
  clusters_.push_back(testing::makeCluster("main", {5672, 5673}));
  upstream::Node& n0 = *clusters_[0]->nodes()[0];
  upstream::Node& n1 = *clusters_[0]->nodes()[1];
  n0.acquire();
  n0.acquire();
  n0.setWeight(40);
  n1.setDrained(true);
  n1.setHealth(upstream::Health::Down, now_ms_);
  n1.reportFailure(now_ms_, 5000);
  auto out = render();
  EXPECT_THAT(out, Contains("warren_route_connections_total{listener=\"amqps\",route=\"rabbit.example.com\","
                            "cluster=\"main\"} 3"));
  EXPECT_THAT(out, Contains("warren_route_connections_total{listener=\"amqps\",route=\"default\",cluster=\"other\"} 1"));
  EXPECT_THAT(out, Contains("warren_node_connections_total{cluster=\"main\",node=\"127.0.0.1:5672\"} 9"));
  EXPECT_THAT(out, Contains("warren_node_connect_failures_total{cluster=\"main\",node=\"127.0.0.1:5672\"} 2"));
  EXPECT_THAT(out, Contains("warren_node_active_connections{cluster=\"main\",node=\"127.0.0.1:5672\"} 2"));
  EXPECT_THAT(out, Contains("warren_node_weight{cluster=\"main\",node=\"127.0.0.1:5672\"} 40"));
  EXPECT_THAT(out, Contains("warren_node_drained{cluster=\"main\",node=\"127.0.0.1:5672\"} 0"));
  EXPECT_THAT(out, Contains("warren_node_drained{cluster=\"main\",node=\"127.0.0.1:5673\"} 1"));
  EXPECT_THAT(out, Contains("warren_node_health{cluster=\"main\",node=\"127.0.0.1:5672\",state=\"unchecked\"} 1"));
  EXPECT_THAT(out, Contains("warren_node_health{cluster=\"main\",node=\"127.0.0.1:5673\",state=\"down\"} 1"));
  EXPECT_THAT(out, Contains("warren_node_health{cluster=\"main\",node=\"127.0.0.1:5673\",state=\"unchecked\"} 0"));
  EXPECT_THAT(out, Contains("warren_node_passive_down{cluster=\"main\",node=\"127.0.0.1:5672\"} 0"));
  EXPECT_THAT(out, Contains("warren_node_passive_down{cluster=\"main\",node=\"127.0.0.1:5673\"} 1"));
}

// A node DNS discovery (or a reload) removed keeps its counters in the workers' registry;
// /metrics shows node series only for the nodes of the current clusters.
TEST_F(MetricsTest, CountersOfANodeThatIsGoneAreNotShown) {
  registry_.node("main", "127.0.0.1:5672")->connections.add(4);
  registry_.node("main", "10.0.0.9:5672")->connections.add(7);  // no longer in the cluster
  registry_.node("removed", "127.0.0.1:5672")->connections.add(1);  // cluster gone
  clusters_.push_back(testing::makeCluster("main", {5672}));
  auto out = render();
  EXPECT_THAT(out, Contains("warren_node_connections_total{cluster=\"main\",node=\"127.0.0.1:5672\"} 4"));
  for (const auto& line : out) {
    EXPECT_EQ(line.find("10.0.0.9"), std::string::npos) << line;
    EXPECT_EQ(line.find("cluster=\"removed\""), std::string::npos) << line;
  }
}

TEST_F(MetricsTest, ProcessReloadsAndBuildInfo) {
  registry_.limits().rejected_by_limit[0].add(1);  // global, listener, source, rate
  registry_.limits().rejected_by_limit[2].add(3);
  registry_.relay().buffered_bytes.add(512);
  reloads_.recordSuccess();
  reloads_.recordFailure();
  reloads_.recordFailure();
  reloads_.last_success_unix_s = 1700000000;
  auto out = render();
  EXPECT_THAT(out, Contains("warren_connections_rejected_total{reason=\"global\"} 1"));
  EXPECT_THAT(out, Contains("warren_connections_rejected_total{reason=\"listener\"} 0"));
  EXPECT_THAT(out, Contains("warren_connections_rejected_total{reason=\"source\"} 3"));
  EXPECT_THAT(out, Contains("warren_connections_rejected_total{reason=\"rate\"} 0"));
  EXPECT_THAT(out, Contains("warren_buffered_bytes 512"));
  EXPECT_THAT(out, Contains("warren_config_reloads_total{result=\"success\"} 1"));
  EXPECT_THAT(out, Contains("warren_config_reloads_total{result=\"failure\"} 2"));
  EXPECT_THAT(out, Contains("warren_config_last_reload_success_timestamp_seconds 1700000000"));
  EXPECT_THAT(out, Contains("warren_build_info{version=\"1.2.3\",commit=\"abc123\"} 1"));
  // The log writer's drop counter (common/logging.h), process-wide: nothing dropped in this test.
  EXPECT_THAT(out, Contains("warren_log_lines_dropped_total 0"));
}

TEST_F(MetricsTest, EveryFamilyHasHelpTypeAndPrefix) {
  registry_.listener("amqp");
  auto out = render();
  for (const auto& line : out) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(line.rfind("# HELP warren_", 0) == 0 || line.rfind("# TYPE warren_", 0) == 0) << line;
    } else {
      EXPECT_EQ(line.rfind("warren_", 0), 0u) << line;
    }
  }
  EXPECT_THAT(out, Not(Contains(::testing::HasSubstr("_total_total"))));
}

TEST(BuildInfoTest, CommitIsKnownOrUnknown) {
  const BuildInfo b = buildInfo();
  EXPECT_EQ(b.version, WARREN_VERSION);
  EXPECT_FALSE(b.commit.empty());
}

}  // namespace
}  // namespace warren::admin
