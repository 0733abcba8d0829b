// Checks across keys: required sections, unique names and addresses, cluster
// references, watermark order, and that one mistake is not reported twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::errorsOf;
using testing::kValidTail;

TEST(ValidateTest, EmptyFileNeedsAListenerAndACluster) {
  EXPECT_THAT(errorsOf(""),
              ElementsAre("t.toml:1:1: listener: at least one [[listener]] is required",
                          "t.toml:1:1: cluster: at least one [[cluster]] is required"));
  EXPECT_THAT(errorsOf("# nothing but a comment\n[global]\nworkers = 2\n"),
              ElementsAre("t.toml:1:1: listener: at least one [[listener]] is required",
                          "t.toml:1:1: cluster: at least one [[cluster]] is required"));
}

TEST(ValidateTest, EmptyArraysAreReportedWhereTheyAre) {
  EXPECT_THAT(errorsOf("listener = []\ncluster = []\n"),
              ElementsAre("t.toml:1:12: listener: at least one [[listener]] is required",
                          "t.toml:2:11: cluster: at least one [[cluster]] is required"));
}

TEST(ValidateTest, NoClusterMeansNoReferenceErrors) {
  EXPECT_THAT(errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
)"),
              ElementsAre("t.toml:1:1: cluster: at least one [[cluster]] is required"));
}

TEST(ValidateTest, DuplicateListenerAndClusterNames) {
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5670"
cluster = "rabbit"
[[listener]]
name = "amqp"
address = "127.0.0.1:5671"
cluster = "rabbit"
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)"),
      ElementsAre(
          "t.toml:6:8: listener[1].name: duplicate listener name \"amqp\" (also used by listener[0])",
          "t.toml:10:8: listener[2].name: duplicate listener name \"amqp\" (also used by listener[0])",
          "t.toml:17:8: cluster[1].name: duplicate cluster name \"rabbit\" (also used by cluster[0])"));
}

TEST(ValidateTest, ListenerMustNameAnExistingCluster) {
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "a"
address = "127.0.0.1:5670"
cluster = "rabit"
[[listener]]
name = "b"
address = "127.0.0.1:5671"
cluster = "kafka"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
[[cluster]]
name = "other"
node = [{ address = "127.0.0.1:5673" }]
)"),
      ElementsAre(
          "t.toml:4:11: listener[0].cluster: no [[cluster]] is named \"rabit\" (did you mean \"rabbit\"?)",
          "t.toml:8:11: listener[1].cluster: no [[cluster]] is named \"kafka\""));
}

TEST(ValidateTest, NoReferenceErrorWhenAClusterNameIsItselfWrong) {
  // "rabbit" may well be the cluster whose name is broken: one error, not two.
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "a"
address = "127.0.0.1:5670"
cluster = "rabbit"
[[cluster]]
name = "rabbit 1"
node = [{ address = "127.0.0.1:5672" }]
)"),
      ElementsAre(
          "t.toml:6:8: cluster[0].name: invalid name \"rabbit 1\": use only letters, digits, '_', '.' and '-'"));
}

TEST(ValidateTest, TwoListenersOnTheSameAddress) {
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "a"
address = "0.0.0.0:5672"
cluster = "rabbit"
[[listener]]
name = "b"
address = "0.0.0.0:5672"
cluster = "rabbit"
[[listener]]
name = "c"
address = "[::]:5672"
cluster = "rabbit"
[[listener]]
name = "d"
address = "[0::0]:5672"
cluster = "rabbit"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)"),
      ElementsAre(
          "t.toml:7:11: listener[1].address: address 0.0.0.0:5672 is already used by listener[0]",
          "t.toml:15:11: listener[3].address: address [::]:5672 is already used by listener[2]"));
}

TEST(ValidateTest, DuplicateNodeAddressesInOneCluster) {
  EXPECT_THAT(
      errorsOf(R"(
[[listener]]
name = "a"
address = "127.0.0.1:5670"
cluster = "one"
[[cluster]]
name = "one"
node = [
  { address = "10.0.0.5:5672" },
  { address = "10.0.0.6:5672" },
  { address = "10.0.0.5:5672", weight = 3 },
  { address = "[fd00::1]:5672" },
  { address = "[fd00:0::1]:5672" },
]
[[cluster]]
name = "two"
node = [{ address = "10.0.0.5:5672" }]
)"),
      ElementsAre(
          "t.toml:10:15: cluster[0].node[2].address: duplicate node address 10.0.0.5:5672 (also cluster[0].node[0])",
          "t.toml:12:15: cluster[0].node[4].address: duplicate node address [fd00::1]:5672 (also cluster[0].node[3])"));
}

TEST(ValidateTest, LowWatermarkMustBeBelowHigh) {
  EXPECT_THAT(
      errorsOf("[global]\nbuffer_low_watermark = \"256KiB\"\n" + std::string(kValidTail)),
      ElementsAre(
          "t.toml:2:24: global.buffer_low_watermark: buffer_low_watermark (256KiB) must be less than buffer_high_watermark (256KiB)"));
  EXPECT_THAT(
      errorsOf("[global]\nbuffer_high_watermark = \"64KiB\"\n" + std::string(kValidTail)),
      ElementsAre(
          "t.toml:2:25: global.buffer_high_watermark: buffer_low_watermark (128KiB) must be less than buffer_high_watermark (64KiB)"));
  EXPECT_THAT(
      errorsOf("[global]\nbuffer_high_watermark = 1000\nbuffer_low_watermark = 1000\n" +
               std::string(kValidTail)),
      ElementsAre(
          "t.toml:3:24: global.buffer_low_watermark: buffer_low_watermark (1000B) must be less than buffer_high_watermark (1000B)"));
}

TEST(ValidateTest, NoWatermarkOrderErrorWhenOneIsAlreadyWrong) {
  EXPECT_THAT(
      errorsOf("[global]\nbuffer_high_watermark = \"1GiB\"\nbuffer_low_watermark = \"1MiB\"\n" +
               std::string(kValidTail)),
      ElementsAre(
          "t.toml:2:25: global.buffer_high_watermark: unknown unit \"GiB\" in size \"1GiB\": use B, KiB or MiB"));
}

TEST(ValidateTest, MultipleErrorsAreAllReportedInFileOrder) {
  EXPECT_THAT(
      errorsOf(R"(
[global]
workers = 0
log_level = "verbose"
buffer_low_watermark = "1MiB"

[[listener]]
name = "amqp"
address = "0.0.0.0:5672"
cluster = "rabit"
idle_timeout = 60

[[listener]]
name = "amqp"
address = "0.0.0.0:5672"
cluster = "rabbit"
  [listener.tcp]
  keepalive_count = 0
  keepalive_intervall = "5s"

[[cluster]]
name = "rabbit"
balance = "random"
connect_attempts = 3.5
  [[cluster.node]]
  address = "rabbit..1:5672"
  [[cluster.node]]
  address = "10.0.0.5:5672"
  weight = 0
  [[cluster.node]]
  address = "10.0.0.5:5672"
)"),
      ElementsAre(
          "t.toml:2:11: global.workers: must be between 1 and 256 (or \"auto\"), found 0",
          "t.toml:3:13: global.log_level: unknown value \"verbose\"; expected one of trace, debug, info, warn, error",
          "t.toml:4:24: global.buffer_low_watermark: buffer_low_watermark (1MiB) must be less than buffer_high_watermark (256KiB)",
          "t.toml:9:11: listener[0].cluster: no [[cluster]] is named \"rabit\" (did you mean \"rabbit\"?)",
          "t.toml:10:16: listener[0].idle_timeout: expected a duration string such as \"10s\", found an integer",
          "t.toml:13:8: listener[1].name: duplicate listener name \"amqp\" (also used by listener[0])",
          "t.toml:14:11: listener[1].address: address 0.0.0.0:5672 is already used by listener[0]",
          "t.toml:17:21: listener[1].tcp.keepalive_count: must be between 1 and 127, found 0",
          "t.toml:18:25: listener[1].tcp.keepalive_intervall: unknown key 'keepalive_intervall' (did you mean 'keepalive_interval'?)",
          "t.toml:22:11: cluster[0].balance: unknown value \"random\"; expected one of least_conn, round_robin",
          "t.toml:23:20: cluster[0].connect_attempts: expected an integer, found a floating-point number",
          "t.toml:25:13: cluster[0].node[0].address: \"rabbit..1\" is not a valid host name",
          "t.toml:28:12: cluster[0].node[1].weight: must be between 1 and 1000, found 0",
          "t.toml:30:13: cluster[0].node[2].address: duplicate node address 10.0.0.5:5672 (also cluster[0].node[1])"));
}

TEST(ValidateTest, AnErrorLeavesNoConfig) {
  auto result = loadString("[global]\nworkers = 0\n" + std::string(kValidTail), "t.toml");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.config, nullptr);
  EXPECT_EQ(result.errors.size(), 1u);
}

}  // namespace
TEST(ValidateTest, IdleTimeoutOnAnAmqpListenerPointsToTheHeartbeatKeys) {
  EXPECT_THAT(errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
idle_timeout = "5m"

[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)"),
              ElementsAre(
            "t.toml:5:16: listener[0].idle_timeout: idle_timeout applies to protocol = \"tcp\"; an AMQP "
            "listener follows the negotiated heartbeat: use heartbeat_multiplier and idle_timeout_without_heartbeat"));
}

}  // namespace warren::config
