// Keys of hot reload and DNS discovery: [global] watch, node addresses given as host
// names, [[cluster]] resolve_interval.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/address_text.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::errorsOf;
using testing::loadOk;

// One listener and one cluster "rabbit" with `cluster_keys`, after `global_keys`.
ConfigConstSharedPtr loadCluster(const std::string& global_keys, const std::string& cluster_keys) {
  return loadOk("[global]\n" + global_keys +
                "\n[[listener]]\nname = \"amqp\"\naddress = \"127.0.0.1:5672\"\ncluster = \"rabbit\"\n"
                "[[cluster]]\nname = \"rabbit\"\n" +
                cluster_keys);
}

TEST(ReloadKeysTest, DefaultsAreNoWatchAndThirtySeconds) {
  auto config = loadCluster("", "node = [{ address = \"10.0.0.5:5672\" }]\n");
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->global.watch);
  EXPECT_EQ(config->clusters[0].resolve_interval, std::chrono::seconds(30));
  EXPECT_FALSE(config->hasHostNames());
  EXPECT_TRUE(config->clusters[0].nodes[0].host.empty());
}

TEST(ReloadKeysTest, HostNameNodesKeepTheirTextAndLiteralsTheFastPath) {
  auto config = loadCluster("watch = true\n", R"(resolve_interval = "5s"
node = [
  { address = "rabbit.default.svc.cluster.local:5672", weight = 3 },
  { address = "10.0.0.5:5672" },
  { address = "localhost:5673" },
]
)");
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->global.watch);
  EXPECT_TRUE(config->hasHostNames());
  const auto& c = config->clusters[0];
  EXPECT_EQ(c.resolve_interval, std::chrono::seconds(5));
  EXPECT_EQ(c.nodes[0].host, "rabbit.default.svc.cluster.local");
  EXPECT_EQ(c.nodes[0].port, 5672);
  EXPECT_EQ(c.nodes[0].weight, 3u);
  EXPECT_TRUE(c.nodes[1].host.empty());
  EXPECT_EQ(c.nodes[1].address.toString(), "10.0.0.5:5672");
  EXPECT_EQ(c.nodes[2].host, "localhost");
  EXPECT_EQ(c.nodes[2].port, 5673);
}

TEST(ReloadKeysTest, ErrorsNameFileLineColumnAndKey) {
  EXPECT_THAT(errorsOf(R"(
[global]
watch = "yes"
[[listener]]
name = "amqp"
address = "rabbit.local:5672"
cluster = "rabbit"
[[cluster]]
name = "rabbit"
resolve_interval = "100ms"
node = [
  { address = "rabbit.local:0" },
  { address = "rabbit..local:5672" },
  { address = "rabbit.local:5672" },
  { address = "rabbit.local:5672" },
]
[[cluster]]
name = "other"
resolve_interval = 30
node = [{ address = "rabbit.local" }]
)"),
              ElementsAre(
                  "t.toml:2:9: global.watch: expected a boolean (true or false), found a string",
                  "t.toml:5:11: listener[0].address: a listener address must be an IP address: use \"0.0.0.0\", "
                  "\"127.0.0.1\" or an interface address instead of \"rabbit.local\"",
                  "t.toml:9:20: cluster[0].resolve_interval: must be at least 1s, found 100ms",
                  "t.toml:11:15: cluster[0].node[0].address: port 0 is not allowed in address \"rabbit.local:0\"",
                  "t.toml:12:15: cluster[0].node[1].address: \"rabbit..local\" is not a valid host name",
                  "t.toml:14:15: cluster[0].node[3].address: duplicate node address rabbit.local:5672 (also "
                  "cluster[0].node[2])",
                  "t.toml:18:20: cluster[1].resolve_interval: expected a duration string such as \"10s\", found an "
                  "integer",
                  "t.toml:19:21: cluster[1].node[0].address: missing port in address \"rabbit.local\": expected "
                  "\"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\""));
}

TEST(ReloadKeysTest, EndpointTextSeparatesNamesFromLiterals) {
  auto name = parseEndpointText("rabbit-1.example.com:5671", PortZero::Rejected, HostNames::Allowed);
  ASSERT_TRUE(name) << name.error;
  EXPECT_EQ(name.value->host, "rabbit-1.example.com");
  EXPECT_EQ(name.value->port, 5671);
  EXPECT_FALSE(name.value->literal);

  auto literal = parseEndpointText("[fd00::5]:5672", PortZero::Rejected, HostNames::Allowed);
  ASSERT_TRUE(literal) << literal.error;
  EXPECT_TRUE(literal.value->host.empty());
  EXPECT_EQ(literal.value->literal->toString(), "[fd00::5]:5672");

  EXPECT_FALSE(parseEndpointText("rabbit-:5672", PortZero::Rejected, HostNames::Allowed));
  EXPECT_FALSE(parseEndpointText("rabbit:5672", PortZero::Rejected, HostNames::Rejected));
}

}  // namespace
}  // namespace warren::config
