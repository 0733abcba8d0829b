// Every key is read into the model; inline and table node syntax; IPv6; sizes as integers.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using namespace std::chrono_literals;
using testing::kValidTail;
using testing::loadOk;

TEST(ParseTest, ReadsEveryKey) {
  auto config = loadOk(R"(
[global]
workers = 8
log_level = "debug"
access_log = false
shutdown_timeout = "1.5s"
max_connections = 10000
buffer_high_watermark = "1MiB"
buffer_low_watermark = 65536

[[listener]]
name = "amqp-v6"
address = "[::]:5671"
cluster = "rabbit"
accept_proxy = true
proxy_header_timeout = "500ms"
protocol = "tcp"
idle_timeout = "2m"
heartbeat_multiplier = 4
idle_timeout_without_heartbeat = "30m"
amqp_handshake_timeout = "5s"
max_connections = 500
backlog = 4096
  [listener.tcp]
  nodelay = false
  keepalive = false
  keepalive_idle = "2m"
  keepalive_interval = "5s"
  keepalive_count = 3

[[cluster]]
name = "rabbit"
balance = "round_robin"
proxy_protocol = "v2"
connect_timeout = "250ms"
connect_attempts = 16
down_backoff = "1h"
  [cluster.tcp]
  nodelay = false
  keepalive = true
  keepalive_idle = "30s"
  keepalive_interval = "1s"
  keepalive_count = 127
  [[cluster.node]]
  address = "10.0.0.5:5672"
  weight = 1000
  [[cluster.node]]
  address = "[fd00::6]:5673"
  weight = 2
)");
  ASSERT_NE(config, nullptr);
  const Global& g = config->global;
  EXPECT_EQ(g.workers, 8u);
  EXPECT_EQ(g.log_level, LogLevel::Debug);
  EXPECT_FALSE(g.access_log);
  EXPECT_EQ(g.shutdown_timeout, 1500ms);
  EXPECT_EQ(g.max_connections, 10000u);
  EXPECT_EQ(g.buffer_high_watermark, 1024u * 1024);
  EXPECT_EQ(g.buffer_low_watermark, 65536u);

  const Listener& l = config->listeners.at(0);
  EXPECT_EQ(l.name, "amqp-v6");
  EXPECT_TRUE(l.address.isV6());
  EXPECT_EQ(l.address.toString(), "[::]:5671");
  EXPECT_EQ(l.cluster, "rabbit");
  EXPECT_TRUE(l.accept_proxy);
  EXPECT_EQ(l.proxy_header_timeout, 500ms);
  EXPECT_EQ(l.idle_timeout, 2min);
  EXPECT_EQ(l.protocol, ListenerProtocol::Tcp);
  EXPECT_EQ(l.heartbeat_multiplier, 4u);
  EXPECT_EQ(l.idle_timeout_without_heartbeat, 30min);
  EXPECT_EQ(l.amqp_handshake_timeout, 5s);
  EXPECT_EQ(l.max_connections, 500u);
  EXPECT_EQ(l.backlog, 4096);
  EXPECT_FALSE(l.tcp.nodelay);
  EXPECT_FALSE(l.tcp.keepalive);
  EXPECT_EQ(l.tcp.keepalive_idle, 2min);
  EXPECT_EQ(l.tcp.keepalive_interval, 5s);
  EXPECT_EQ(l.tcp.keepalive_count, 3);

  const Cluster& c = config->clusters.at(0);
  EXPECT_EQ(c.name, "rabbit");
  EXPECT_EQ(c.balance, BalancePolicy::RoundRobin);
  EXPECT_EQ(c.proxy_protocol, ProxyProtocol::V2);
  EXPECT_EQ(c.connect_timeout, 250ms);
  EXPECT_EQ(c.connect_attempts, 16u);
  EXPECT_EQ(c.down_backoff, 1h);
  EXPECT_FALSE(c.tcp.nodelay);
  EXPECT_TRUE(c.tcp.keepalive);
  EXPECT_EQ(c.tcp.keepalive_idle, 30s);
  EXPECT_EQ(c.tcp.keepalive_interval, 1s);
  EXPECT_EQ(c.tcp.keepalive_count, 127);
  ASSERT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.nodes[0].address.toString(), "10.0.0.5:5672");
  EXPECT_EQ(c.nodes[0].weight, 1000u);
  EXPECT_TRUE(c.nodes[1].address.isV6());
  EXPECT_EQ(c.nodes[1].address.toString(), "[fd00::6]:5673");
  EXPECT_EQ(c.nodes[1].weight, 2u);
}

TEST(ParseTest, WorkersAutoIsZero) {
  auto config = loadOk(std::string(R"(
[global]
workers = "auto"
)") + std::string(kValidTail));
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->global.workers, 0u);
}

TEST(ParseTest, WorkerBounds) {
  for (int n : {1, 256}) {
    auto config =
        loadOk("[global]\nworkers = " + std::to_string(n) + "\n" + std::string(kValidTail));
    ASSERT_NE(config, nullptr);
    EXPECT_EQ(config->global.workers, static_cast<uint32_t>(n));
  }
}

TEST(ParseTest, EveryLogLevelAndPolicy) {
  const std::pair<const char*, LogLevel> levels[] = {{"trace", LogLevel::Trace},
                                                     {"debug", LogLevel::Debug},
                                                     {"info", LogLevel::Info},
                                                     {"warn", LogLevel::Warn},
                                                     {"error", LogLevel::Error}};
  for (auto [text, level] : levels) {
    auto config =
        loadOk("[global]\nlog_level = \"" + std::string(text) + "\"\n" + std::string(kValidTail));
    ASSERT_NE(config, nullptr);
    EXPECT_EQ(config->global.log_level, level);
  }
  auto v1 = loadOk(R"(
[[listener]]
name = "a"
address = "127.0.0.1:1"
cluster = "c"
[[cluster]]
name = "c"
proxy_protocol = "v1"
balance = "least_conn"
node = [{ address = "127.0.0.1:2" }]
)");
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ(v1->clusters[0].proxy_protocol, ProxyProtocol::V1);
  EXPECT_EQ(v1->clusters[0].balance, BalancePolicy::LeastConn);
}

TEST(ParseTest, InlineAndTableNodesGiveTheSameModel) {
  auto inline_nodes = loadOk(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
node = [
  { address = "10.0.0.5:5672" },
  { address = "10.0.0.6:5672", weight = 2 },
]
)");
  auto table_nodes = loadOk(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
[[cluster.node]]
address = "10.0.0.5:5672"
[[cluster.node]]
address = "10.0.0.6:5672"
weight = 2
)");
  ASSERT_NE(inline_nodes, nullptr);
  ASSERT_NE(table_nodes, nullptr);
  for (const auto& config : {inline_nodes, table_nodes}) {
    const auto& nodes = config->clusters.at(0).nodes;
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[0].address.toString(), "10.0.0.5:5672");
    EXPECT_EQ(nodes[0].weight, 1u);
    EXPECT_EQ(nodes[1].address.toString(), "10.0.0.6:5672");
    EXPECT_EQ(nodes[1].weight, 2u);
  }
}

TEST(ParseTest, DottedAndInlineTcpTables) {
  auto config = loadOk(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
tcp.nodelay = false

[[cluster]]
name = "rabbit"
tcp = { keepalive_count = 9 }
node = [{ address = "10.0.0.5:5672" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_FALSE(config->listeners[0].tcp.nodelay);
  EXPECT_EQ(config->clusters[0].tcp.keepalive_count, 9);
}

TEST(ParseTest, Ipv6Everywhere) {
  auto config = loadOk(R"(
[[listener]]
name = "v6"
address = "[::1]:0"
cluster = "rabbit"

[[listener]]
name = "v6-any"
address = "[::]:5672"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
node = [
  { address = "[fd00::5]:5672" },
  { address = "[2001:db8::1]:5672" },
  { address = "[::ffff:10.0.0.7]:5672" },
  { address = "10.0.0.7:5672" },
]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_TRUE(config->listeners[0].address.isV6());
  EXPECT_EQ(config->listeners[0].address.port(), 0);
  EXPECT_EQ(config->listeners[1].address.toString(), "[::]:5672");
  const auto& nodes = config->clusters[0].nodes;
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].address.toString(), "[fd00::5]:5672");
  EXPECT_EQ(nodes[1].address.toString(), "[2001:db8::1]:5672");
  EXPECT_TRUE(nodes[2].address.isV6());
  EXPECT_TRUE(nodes[3].address.isV4());
}

TEST(ParseTest, SeveralListenersAndClusters) {
  auto config = loadOk(R"(
[[listener]]
name = "a"
address = "0.0.0.0:5672"
cluster = "one"

[[listener]]
name = "b"
address = "0.0.0.0:5673"
cluster = "two"

[[listener]]
name = "c"
address = "127.0.0.1:5672"
cluster = "one"

[[cluster]]
name = "one"
node = [{ address = "10.0.0.5:5672" }]

[[cluster]]
name = "two"
node = [{ address = "10.0.0.5:5672" }]
)");
  ASSERT_NE(config, nullptr);
  ASSERT_EQ(config->listeners.size(), 3u);
  ASSERT_EQ(config->clusters.size(), 2u);
  EXPECT_EQ(config->listeners[1].cluster, "two");
  EXPECT_EQ(config->findCluster("two"), &config->clusters[1]);
  EXPECT_EQ(config->findCluster("three"), nullptr);
}

TEST(ParseTest, ListenersOnPortZeroMayRepeat) {
  auto config = loadOk(R"(
[[listener]]
name = "a"
address = "127.0.0.1:0"
cluster = "rabbit"

[[listener]]
name = "b"
address = "127.0.0.1:0"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->listeners.size(), 2u);
}

TEST(ParseTest, OffValuesAreAccepted) {
  auto config = loadOk(std::string(R"(
[global]
shutdown_timeout = "0s"
buffer_low_watermark = "1B"
buffer_high_watermark = "64MiB"
)") + std::string(kValidTail) +
                       R"(
down_backoff = "0ms"
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->global.shutdown_timeout, 0s);
  EXPECT_EQ(config->global.buffer_low_watermark, 1u);
  EXPECT_EQ(config->global.buffer_high_watermark, 64u * 1024 * 1024);
  EXPECT_EQ(config->clusters[0].down_backoff, 0s);
}

TEST(ParseTest, LoadFileReadsAndNamesTheFile) {
  const std::string path = ::testing::TempDir() + "warren_parse_test.toml";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(std::string(kValidTail).c_str(), f);
    std::fclose(f);
  }
  auto result = loadFile(path);
  EXPECT_TRUE(result.ok());
  ASSERT_NE(result.config, nullptr);
  EXPECT_EQ(result.config->source, path);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace warren::config
