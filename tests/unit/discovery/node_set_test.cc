// DNS discovery as data: a cluster's host-name nodes expanded to one node per address,
// and the diff between two resolutions (what joins and leaves the pool).
#include "discovery/node_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "discovery/resolver.h"

namespace warren::discovery {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Address addr(const char* text) { return *Address::parse(text); }

config::Node literal(const char* text, uint32_t weight = 1) { return config::Node{addr(text), weight, "", 0}; }
config::Node named(const char* host, uint16_t port, uint32_t weight = 1) {
  return config::Node{Address(), weight, host, port};
}

std::vector<std::string> texts(const config::Cluster& c) {
  std::vector<std::string> out;
  for (const auto& n : c.nodes) out.push_back(n.address.toString() + "/" + std::to_string(n.weight));
  return out;
}

TEST(NodeSetTest, EachResolvedAddressBecomesANodeWithTheEntrysWeight) {
  config::Cluster c;
  c.name = "rabbit";
  c.nodes = {named("rabbit.svc", 5672, 3), literal("10.0.0.9:5672")};
  ResolvedHosts resolved{{"rabbit.svc:5672", {addr("10.0.0.1:5672"), addr("10.0.0.2:5672")}}};
  const auto expanded = expandNodes(c, resolved);
  EXPECT_THAT(texts(expanded), ElementsAre("10.0.0.9:5672/1", "10.0.0.1:5672/3", "10.0.0.2:5672/3"));
  EXPECT_EQ(expanded.nodes[1].host, "rabbit.svc");
  EXPECT_EQ(expanded.name, "rabbit");
}

TEST(NodeSetTest, UnresolvedNameContributesNoNode) {
  config::Cluster c;
  c.nodes = {named("gone.svc", 5672), literal("10.0.0.9:5672")};
  EXPECT_THAT(texts(expandNodes(c, {})), ElementsAre("10.0.0.9:5672/1"));
  c.nodes = {named("gone.svc", 5672)};
  EXPECT_THAT(texts(expandNodes(c, {})), IsEmpty());
}

TEST(NodeSetTest, AnAddressAppearsOnceEvenWhenTwoEntriesReachIt) {
  config::Cluster c;
  c.nodes = {named("a.svc", 5672, 2), named("b.svc", 5672, 5), literal("10.0.0.1:5672", 7)};
  ResolvedHosts resolved{{"a.svc:5672", {addr("10.0.0.1:5672"), addr("10.0.0.2:5672")}},
                         {"b.svc:5672", {addr("10.0.0.2:5672"), addr("10.0.0.3:5672")}}};
  EXPECT_THAT(texts(expandNodes(c, resolved)), ElementsAre("10.0.0.1:5672/7", "10.0.0.2:5672/2", "10.0.0.3:5672/5"));
}

TEST(NodeSetTest, DiffNamesWhatJoinsAndWhatLeaves) {
  const auto diff = diffAddresses({addr("10.0.0.1:5672"), addr("10.0.0.2:5672")},
                                  {addr("10.0.0.2:5672"), addr("10.0.0.3:5672"), addr("[fd00::1]:5672")});
  EXPECT_EQ(listText(diff.added), "[10.0.0.3:5672,[fd00::1]:5672]");
  EXPECT_EQ(listText(diff.removed), "[10.0.0.1:5672]");
  EXPECT_FALSE(diff.empty());
  EXPECT_TRUE(diffAddresses({addr("10.0.0.1:5672")}, {addr("10.0.0.1:5672")}).empty());
  EXPECT_EQ(listText(diffAddresses({}, {addr("10.0.0.1:5672")}).added), "[10.0.0.1:5672]");
}

TEST(NodeSetTest, SortUniqueMakesResolutionsComparable) {
  std::vector<Address> a{addr("10.0.0.2:1"), addr("10.0.0.1:1"), addr("10.0.0.2:1")};
  sortUnique(a);
  EXPECT_EQ(listText(a), "[10.0.0.1:1,10.0.0.2:1]");
}

TEST(NodeSetTest, HostKeysListEachNameOnce) {
  config::Config config;
  config::Cluster a;
  a.nodes = {named("x.svc", 5672), literal("10.0.0.1:5672"), named("y.svc", 5671)};
  config::Cluster b;
  b.nodes = {named("x.svc", 5672), named("x.svc", 5673)};
  config.clusters = {a, b};
  EXPECT_THAT(hostKeys(config), ElementsAre("x.svc:5672", "y.svc:5671", "x.svc:5673"));
}

TEST(SystemResolverTest, LocalhostResolvesToLoopbackWithThePort) {
  SystemResolver resolver;
  const auto result = resolver.resolve("localhost", 5672);
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_FALSE(result.addresses.empty());
  for (const auto& a : result.addresses) {
    EXPECT_EQ(a.port(), 5672);
    EXPECT_TRUE(a.ipString() == "127.0.0.1" || a.ipString() == "::1") << a.toString();
  }
}

TEST(SystemResolverTest, UnknownNameIsAnError) {
  SystemResolver resolver;
  // .invalid is reserved (RFC 2606): it never resolves.
  const auto result = resolver.resolve("warren-test.invalid", 5672);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(result.addresses.empty());
}

}  // namespace
}  // namespace warren::discovery
