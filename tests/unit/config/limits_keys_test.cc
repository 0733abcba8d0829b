// Connection-limit and socket-buffer keys: values, defaults and errors with their positions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::errorsOf;
using testing::loadOk;

constexpr const char* kCluster = R"(
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)";

TEST(LimitsKeysTest, ReadsEveryKey) {
  auto c = loadOk(std::string(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
max_connections_per_source = 20
accept_rate = 500
accept_burst = 1000
  [listener.tcp]
  send_buffer = "256KiB"
  receive_buffer = 131072
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
tcp = { send_buffer = "1MiB", receive_buffer = 0 }
)"));
  ASSERT_TRUE(c);
  const Listener& l = c->listeners[0];
  EXPECT_EQ(l.max_connections_per_source, 20u);
  EXPECT_EQ(l.accept_rate, 500u);
  EXPECT_EQ(l.accept_burst, 1000u);
  EXPECT_EQ(l.tcp.send_buffer, 256u * 1024);
  EXPECT_EQ(l.tcp.receive_buffer, 131072u);
  EXPECT_EQ(c->clusters[0].tcp.send_buffer, 1024u * 1024);
  EXPECT_EQ(c->clusters[0].tcp.receive_buffer, 0u);
}

TEST(LimitsKeysTest, DefaultsArePerSourceOnlyAndKernelBuffers) {
  const Listener l;
  EXPECT_EQ(l.max_connections_per_source, kDefaultMaxConnectionsPerSource);
  EXPECT_EQ(l.source_ipv6_prefix, kDefaultSourceIpv6Prefix);
  EXPECT_EQ(l.accept_rate, 0u);
  EXPECT_EQ(l.accept_burst, 0u);
  EXPECT_EQ(l.tcp.send_buffer, 0u);
  EXPECT_EQ(l.tcp.receive_buffer, 0u);
}

TEST(LimitsKeysTest, OutOfRangeAndWrongTypes) {
  EXPECT_THAT(errorsOf(std::string(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
max_connections_per_source = -1
accept_rate = 1000001
accept_burst = "lots"
tcp.send_buffer = "512MiB"
tcp.receive_buffer = -5
)") + kCluster),
              ElementsAre("t.toml:5:30: listener[0].max_connections_per_source: must be between 0 and 4294967295, found -1",
                          "t.toml:6:15: listener[0].accept_rate: must be between 0 and 1000000, found 1000001",
                          "t.toml:7:16: listener[0].accept_burst: expected an integer, found a string",
                          "t.toml:8:19: listener[0].tcp.send_buffer: must be between 0B and 256MiB, found 512MiB",
                          "t.toml:9:22: listener[0].tcp.receive_buffer: negative size -5 is not allowed"));
}

TEST(LimitsKeysTest, AcceptBurstNeedsAcceptRate) {
  EXPECT_THAT(errorsOf(std::string(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
accept_burst = 10
)") + kCluster),
              ElementsAre("t.toml:5:16: listener[0].accept_burst: accept_burst needs accept_rate (connections "
                          "per second) on the same listener"));
}

TEST(LimitsKeysTest, LimitKeysBelongToTheListenerNotItsTcpTable) {
  EXPECT_THAT(errorsOf(std::string(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
  [listener.tcp]
  accept_rate = 10
)") + kCluster),
              ElementsAre(::testing::HasSubstr("listener[0].tcp.accept_rate: unknown key 'accept_rate' (it "
                                               "belongs in [[listener]]")));
}

}  // namespace
}  // namespace warren::config
