// `warren check` writes out the limits that apply, defaults included.
#include "config/limits_summary.h"

#include <gtest/gtest.h>

#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

TEST(LimitsSummaryTest, ShowsDefaultsAndWhatTheyMean) {
  auto config = testing::loadOk(R"(
[[listener]]
name = "direct"
address = "127.0.0.1:5672"
cluster = "rabbit"

[[listener]]
name = "proxied"
address = "127.0.0.1:5673"
cluster = "rabbit"
accept_proxy = true
max_connections = 50
accept_rate = 20
source_ipv6_prefix = 56

[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5671" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(describeLimits(*config),
            "limits (0 = none):\n"
            "  global.max_connections = 100000\n"
            "  listener \"direct\": max_connections = 0 (only the global limit), max_connections_per_source = 1000 "
            "(IPv6 sources per /64), accept_rate = 0 (off)\n"
            "  listener \"proxied\": max_connections = 50, max_connections_per_source = 0 (off: accept_proxy, every "
            "peer is the outer balancer), accept_rate = 20/s (burst 20)\n");
}

}  // namespace
}  // namespace warren::config
