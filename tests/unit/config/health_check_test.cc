// [cluster.health_check]: defaults, every key, and the errors as `warren check` prints them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::errorsOf;
using testing::kValidTail;
using testing::loadOk;

// kValidTail's cluster is the last table: lines appended here go into [[cluster]].
std::string withCheck(const std::string& lines) {
  return std::string(kValidTail) + "  [cluster.health_check]\n" + lines;
}

TEST(HealthCheckConfigTest, AbsentTableMeansNoActiveChecks) {
  auto config = loadOk(kValidTail);
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->clusters[0].health_check.enabled);
}

TEST(HealthCheckConfigTest, EmptyTableTurnsChecksOnWithDefaults) {
  auto config = loadOk(withCheck(""));
  ASSERT_TRUE(config);
  const HealthCheck& h = config->clusters[0].health_check;
  EXPECT_TRUE(h.enabled);
  EXPECT_EQ(h.type, HealthCheckType::Amqp);
  EXPECT_EQ(h.interval, 5s);
  EXPECT_EQ(h.timeout, 2s);
  EXPECT_EQ(h.rise, 2u);
  EXPECT_EQ(h.fall, 3u);
  EXPECT_EQ(h.proxy, HealthCheckProxy::OwnAddress);
  EXPECT_EQ(h.ref.key, "cluster[0].health_check");
}

TEST(HealthCheckConfigTest, EveryKey) {
  auto config = loadOk(withCheck(R"(type = "tcp"
interval = "500ms"
timeout = "200ms"
rise = 1
fall = 5
proxy = "local"
)"));
  ASSERT_TRUE(config);
  const HealthCheck& h = config->clusters[0].health_check;
  EXPECT_EQ(h.type, HealthCheckType::Tcp);
  EXPECT_EQ(h.interval, 500ms);
  EXPECT_EQ(h.timeout, 200ms);
  EXPECT_EQ(h.rise, 1u);
  EXPECT_EQ(h.fall, 5u);
  EXPECT_EQ(h.proxy, HealthCheckProxy::Local);
}

TEST(HealthCheckConfigTest, InlineTable) {
  auto config = loadOk(std::string(kValidTail) + "health_check = { type = \"amqp\", proxy = \"own_address\" }\n");
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->clusters[0].health_check.enabled);
}

// kValidTail is 8 lines after its leading newline; the table header is line 9.
TEST(HealthCheckConfigTest, BadValues) {
  EXPECT_THAT(errorsOf(withCheck(R"(type = "http"
interval = "0s"
timeout = 2
rise = 0
fall = 101
proxy = "own"
)")),
              ElementsAre("t.toml:10:8: cluster[0].health_check.type: unknown value \"http\"; expected one of tcp, amqp",
                          "t.toml:11:12: cluster[0].health_check.interval: must be greater than 0s",
                          "t.toml:12:11: cluster[0].health_check.timeout: expected a duration string such as "
                          "\"10s\", found an integer",
                          "t.toml:13:8: cluster[0].health_check.rise: must be between 1 and 100, found 0",
                          "t.toml:14:8: cluster[0].health_check.fall: must be between 1 and 100, found 101",
                          "t.toml:15:9: cluster[0].health_check.proxy: unknown value \"own\" (did you mean "
                          "\"own_address\"?); expected one of own_address, local"));
}

TEST(HealthCheckConfigTest, TimeoutMustNotExceedInterval) {
  EXPECT_THAT(errorsOf(withCheck("interval = \"1s\"\ntimeout = \"1500ms\"\n")),
              ElementsAre("t.toml:11:11: cluster[0].health_check.timeout: timeout (1500ms) must not exceed "
                          "interval (1s)"));
  // Only the interval given: the error is at the interval.
  EXPECT_THAT(errorsOf(withCheck("interval = \"1s\"\n")),
              ElementsAre("t.toml:10:12: cluster[0].health_check.interval: timeout (2s) must not exceed "
                          "interval (1s)"));
}

TEST(HealthCheckConfigTest, UnknownAndMisplacedKeys) {
  EXPECT_THAT(errorsOf(withCheck("intervall = \"1s\"\nslow_start = \"10s\"\n")),
              ElementsAre("t.toml:10:13: cluster[0].health_check.intervall: unknown key 'intervall' (did you "
                          "mean 'interval'?)",
                          "t.toml:11:14: cluster[0].health_check.slow_start: unknown key 'slow_start' (it belongs "
                          "in [[cluster]]; keys after the [cluster.health_check] header go into "
                          "[cluster.health_check])"));
  EXPECT_THAT(errorsOf(std::string(kValidTail) + "rise = 2\n"),
              ElementsAre("t.toml:9:8: cluster[0].rise: unknown key 'rise' (it belongs in [cluster.health_check])"));
  EXPECT_THAT(errorsOf(std::string(kValidTail) + "health_check = \"amqp\"\n"),
              ElementsAre("t.toml:9:16: cluster[0].health_check: expected a table, found a string"));
}

}  // namespace
}  // namespace warren::config
