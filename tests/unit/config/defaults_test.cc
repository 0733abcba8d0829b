// A minimal file gives exactly the documented defaults; toString() spellings.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using namespace std::chrono_literals;
using testing::loadOk;

TEST(DefaultsTest, MinimalFileGivesTheDocumentedDefaults) {
  auto config = loadOk(R"(
[[listener]]
name = "amqp"
address = "0.0.0.0:5672"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
[[cluster.node]]
address = "10.0.0.5:5672"
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->source, "t.toml");

  const Global& g = config->global;
  EXPECT_EQ(g.workers, 0u);
  EXPECT_EQ(g.log_level, LogLevel::Info);
  EXPECT_TRUE(g.access_log);
  EXPECT_EQ(g.shutdown_timeout, 30s);
  // Limits are on by default (config/README.md, "Limits"): global, and per source.
  EXPECT_EQ(g.max_connections, 100000u);
  EXPECT_FALSE(g.allow_core_dumps);
  EXPECT_EQ(g.buffer_high_watermark, 256u * 1024);
  EXPECT_EQ(g.buffer_low_watermark, 128u * 1024);

  ASSERT_EQ(config->listeners.size(), 1u);
  const Listener& l = config->listeners[0];
  EXPECT_EQ(l.name, "amqp");
  EXPECT_EQ(l.address.toString(), "0.0.0.0:5672");
  EXPECT_EQ(l.cluster, "rabbit");
  EXPECT_FALSE(l.accept_proxy);
  EXPECT_EQ(l.proxy_header_timeout, 3s);
  EXPECT_EQ(l.idle_timeout, 0s);
  EXPECT_EQ(l.max_connections, 0u);
  EXPECT_EQ(l.max_connections_per_source, 1000u);
  EXPECT_EQ(l.source_ipv6_prefix, 64u);
  EXPECT_EQ(l.accept_rate, 0u);
  EXPECT_EQ(l.backlog, 1024);

  ASSERT_EQ(config->clusters.size(), 1u);
  const Cluster& c = config->clusters[0];
  EXPECT_EQ(c.name, "rabbit");
  EXPECT_EQ(c.balance, BalancePolicy::LeastConn);
  EXPECT_EQ(c.proxy_protocol, ProxyProtocol::None);
  EXPECT_EQ(c.connect_timeout, 5s);
  EXPECT_EQ(c.connect_attempts, 3u);
  EXPECT_EQ(c.down_backoff, 10s);
  ASSERT_EQ(c.nodes.size(), 1u);
  EXPECT_EQ(c.nodes[0].address.toString(), "10.0.0.5:5672");
  EXPECT_EQ(c.nodes[0].weight, 1u);

  for (const TcpOptions* tcp : {&l.tcp, &c.tcp}) {
    EXPECT_TRUE(tcp->nodelay);
    EXPECT_TRUE(tcp->keepalive);
    EXPECT_EQ(tcp->keepalive_idle, 60s);
    EXPECT_EQ(tcp->keepalive_interval, 10s);
    EXPECT_EQ(tcp->keepalive_count, 6);
  }
  EXPECT_EQ(config->findCluster("rabbit"), &c);
}

TEST(DefaultsTest, EmptyTablesKeepTheDefaults) {
  auto config = loadOk(R"(
[global]

[[listener]]
name = "amqp"
address = "0.0.0.0:5672"
cluster = "rabbit"
  [listener.tcp]

[[cluster]]
name = "rabbit"
node = [{ address = "10.0.0.5:5672" }]
  [cluster.tcp]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->global.workers, 0u);
  EXPECT_EQ(config->listeners[0].tcp.keepalive_count, 6);
  EXPECT_EQ(config->clusters[0].tcp.keepalive_idle, 60s);
}

// Behind an outer balancer (accept_proxy) every connection comes from that balancer's
// address: the per-source default would cap the whole listener, so it is off there; a
// value written in the file still applies.
TEST(DefaultsTest, PerSourceLimitDefaultsOffBehindAProxyHeader) {
  auto config = loadOk(R"(
[[listener]]
name = "direct"
address = "0.0.0.0:5672"
cluster = "rabbit"

[[listener]]
name = "proxied"
address = "0.0.0.0:5673"
cluster = "rabbit"
accept_proxy = true

[[listener]]
name = "proxied_limited"
address = "0.0.0.0:5674"
cluster = "rabbit"
accept_proxy = true
max_connections_per_source = 7

[[cluster]]
name = "rabbit"
node = [{ address = "10.0.0.5:5672" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->listeners[0].max_connections_per_source, kDefaultMaxConnectionsPerSource);
  EXPECT_EQ(config->listeners[1].max_connections_per_source, 0u);
  EXPECT_EQ(config->listeners[2].max_connections_per_source, 7u);
}

TEST(DefaultsTest, ModelDefaultsMatchTheDocumentation) {
  // The struct defaults are what an absent key means; keep them and README.md in step.
  Config config;
  EXPECT_EQ(config.global.shutdown_timeout, 30s);
  Listener listener;
  EXPECT_EQ(listener.backlog, 1024);
  Node node;
  EXPECT_EQ(node.weight, 1u);
  EXPECT_EQ(listener.tls.ticket_key_rotation, std::chrono::hours(1));
  EXPECT_EQ(listener.tls.handshake_timeout, 10s);
  EXPECT_EQ(listener.tls.min_version, TlsVersion::Tls12);
  EXPECT_EQ(listener.tls.max_version, TlsVersion::Tls13);
  EXPECT_EQ(listener.tls.curves, (std::vector<std::string>{"X25519", "P-256", "P-384"}));
  Cluster cluster;
  EXPECT_TRUE(cluster.proxy_protocol_tlvs);
  EXPECT_TRUE(cluster.tls.verify);
}

TEST(ToStringTest, SpellsEnumsAsInToml) {
  EXPECT_STREQ(toString(LogLevel::Trace), "trace");
  EXPECT_STREQ(toString(LogLevel::Debug), "debug");
  EXPECT_STREQ(toString(LogLevel::Info), "info");
  EXPECT_STREQ(toString(LogLevel::Warn), "warn");
  EXPECT_STREQ(toString(LogLevel::Error), "error");
  EXPECT_STREQ(toString(BalancePolicy::LeastConn), "least_conn");
  EXPECT_STREQ(toString(BalancePolicy::RoundRobin), "round_robin");
  EXPECT_STREQ(toString(ProxyProtocol::None), "none");
  EXPECT_STREQ(toString(ProxyProtocol::V1), "v1");
  EXPECT_STREQ(toString(ProxyProtocol::V2), "v2");
  EXPECT_STREQ(toString(TlsVersion::Tls10), "1.0");
  EXPECT_STREQ(toString(TlsVersion::Tls11), "1.1");
  EXPECT_STREQ(toString(TlsVersion::Tls12), "1.2");
  EXPECT_STREQ(toString(TlsVersion::Tls13), "1.3");
  EXPECT_STREQ(toString(ClientAuth::None), "none");
  EXPECT_STREQ(toString(ClientAuth::Optional), "optional");
  EXPECT_STREQ(toString(ClientAuth::Required), "required");
}

}  // namespace
}  // namespace warren::config
