// SNI matching: exact beats wildcard beats default; a wildcard matches one label; case-insensitive.
#include "tls/server_name_router.h"

#include <gtest/gtest.h>

#include "tls_test_util.h"

namespace warren::tls {
namespace {

using Kind = ServerNameRouter::MatchKind;

config::Route route(std::vector<std::string> names, const std::string& cluster, int index) {
  config::Route r;
  r.server_names = std::move(names);
  r.cluster = cluster;
  r.ref = testing::ref(20 + static_cast<uint32_t>(index), 1, "listener[0].route[" + std::to_string(index) + "]");
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildReport report("warren.toml");
    router_ = ServerNameRouter::build(
        {route({"rabbit.example.com", "*.example.com"}, "a", 0),
         route({"*.eu.example.com", "Special.EU.Example.com"}, "b", 1),
         route({"*.de"}, "c", 2)},
        report);
    ASSERT_TRUE(report.ok()) << testing::describe(report.errors());
  }
  ServerNameRouter router_;
};

struct Case {
  const char* sni;
  int route;
  Kind kind;
};

TEST_F(RouterTest, Table) {
  const Case cases[] = {
      {"rabbit.example.com", 0, Kind::Exact},
      {"RABBIT.Example.Com", 0, Kind::Exact},          // case-insensitive
      {"rabbit.example.com.", 0, Kind::Exact},         // trailing dot
      {"other.example.com.", 0, Kind::Wildcard},
      {".", -1, Kind::Default},
      {"other.example.com", 0, Kind::Wildcard},
      {"a.b.example.com", -1, Kind::Default},          // one label only
      {"example.com", -1, Kind::Default},              // the wildcard needs a label
      {"x.eu.example.com", 1, Kind::Wildcard},         // more specific wildcard wins by suffix
      {"eu.example.com", 0, Kind::Wildcard},           // "*.example.com" covers "eu"
      {"special.eu.example.com", 1, Kind::Exact},      // exact beats wildcard
      {"deep.x.eu.example.com", -1, Kind::Default},
      {"host.de", 2, Kind::Wildcard},
      {"de", -1, Kind::Default},
      {"", -1, Kind::Default},
      {"unknown.org", -1, Kind::Default},
      {".example.com", -1, Kind::Default},
  };
  for (const Case& c : cases) {
    auto match = router_.match(c.sni);
    EXPECT_EQ(match.route, c.route) << c.sni;
    EXPECT_EQ(match.kind, c.kind) << c.sni;
  }
}

TEST(RouterBuild, InvalidAndDuplicateNames) {
  BuildReport report("warren.toml");
  auto router = ServerNameRouter::build(
      {route({"good.example.com", "*", "a.*.b", "*b.example.com", "bad..name", "trailing.dot."}, "a", 0),
       route({"GOOD.example.com"}, "b", 1)},
      report);
  ASSERT_EQ(report.errors().size(), 6u) << testing::describe(report.errors());
  EXPECT_EQ(report.errors()[0].format(),
            "warren.toml:20:1: listener[0].route[0].server_names: invalid server name \"*\": use a "
            "host name (rabbit.example.com) or one leading wildcard label (*.example.com)");
  EXPECT_EQ(report.errors()[5].format(),
            "warren.toml:21:1: listener[0].route[1].server_names: server name GOOD.example.com is "
            "already routed by route[0]");
  EXPECT_EQ(router.match("good.example.com").route, 0);
}

}  // namespace
}  // namespace warren::tls
