// planListeners: which listeners a reload keeps (socket kept, context swapped), adds
// (new sockets) and removes (sockets closed), by name and configured address.
#include "server/listener_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace warren::server {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

config::Listener listener(const char* name, const char* address, const char* cluster = "rabbit") {
  config::Listener l;
  l.name = name;
  l.address = *Address::parse(address);
  l.cluster = cluster;
  return l;
}

MATCHER_P2(KeptAs, old_index, new_index, "") { return arg.old_index == old_index && arg.new_index == new_index; }

TEST(ListenerPlanTest, SameNameAndAddressIsKeptWhateverElseChanged) {
  auto before = std::vector{listener("amqp", "0.0.0.0:5672"), listener("amqps", "0.0.0.0:5671")};
  auto after = std::vector{listener("amqps", "0.0.0.0:5671", "other"), listener("amqp", "0.0.0.0:5672")};
  after[0].accept_proxy = true;
  const auto plan = planListeners(before, after);
  EXPECT_THAT(plan.kept, ElementsAre(KeptAs(1u, 0u), KeptAs(0u, 1u)));
  EXPECT_THAT(plan.added, IsEmpty());
  EXPECT_THAT(plan.removed, IsEmpty());
}

TEST(ListenerPlanTest, NewNamesAreAddedAndVanishedNamesRemoved) {
  auto before = std::vector{listener("a", "127.0.0.1:5000"), listener("b", "127.0.0.1:5001")};
  auto after = std::vector{listener("b", "127.0.0.1:5001"), listener("c", "127.0.0.1:5002")};
  const auto plan = planListeners(before, after);
  EXPECT_THAT(plan.kept, ElementsAre(KeptAs(1u, 0u)));
  EXPECT_THAT(plan.added, ElementsAre(1u));
  EXPECT_THAT(plan.removed, ElementsAre(0u));
}

// One listener before, one after: neither kept, the new one added, the old one removed.
void expectReplaced(const config::Listener& before, const config::Listener& after) {
  const auto plan = planListeners({before}, {after});
  EXPECT_THAT(plan.kept, IsEmpty());
  EXPECT_THAT(plan.added, ElementsAre(0u));
  EXPECT_THAT(plan.removed, ElementsAre(0u));
}

TEST(ListenerPlanTest, ChangedAddressIsRemoveThenAdd) {
  expectReplaced(listener("amqp", "127.0.0.1:5672"), listener("amqp", "127.0.0.2:5672"));
  expectReplaced(listener("amqp", "127.0.0.1:5672"), listener("amqp", "127.0.0.1:5673"));
}

TEST(ListenerPlanTest, RenamedListenerOnTheSameAddressIsANewListener) {
  expectReplaced(listener("old", "127.0.0.1:5672"), listener("new", "127.0.0.1:5672"));
}

TEST(ListenerPlanTest, PortZeroIsComparedAsConfiguredSoTheChosenPortIsKept) {
  auto before = std::vector{listener("front", "127.0.0.1:0")};
  auto after = std::vector{listener("front", "127.0.0.1:0")};
  const auto plan = planListeners(before, after);
  EXPECT_THAT(plan.kept, ElementsAre(KeptAs(0u, 0u)));
}

TEST(ListenerPlanTest, EmptySides) {
  auto some = std::vector{listener("a", "127.0.0.1:5000"), listener("b", "127.0.0.1:5001")};
  EXPECT_THAT(planListeners({}, some).added, ElementsAre(0u, 1u));
  EXPECT_THAT(planListeners(some, {}).removed, ElementsAre(0u, 1u));
  const auto none = planListeners({}, {});
  EXPECT_TRUE(none.kept.empty() && none.added.empty() && none.removed.empty());
}

}  // namespace
}  // namespace warren::server
