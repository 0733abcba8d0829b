// The rise/fall state machine of the active health checks, without sockets.
#include "health/rise_fall.h"

#include <gtest/gtest.h>

namespace warren::health {
namespace {

using upstream::Health;

// Feeds `results` ("+" pass, "-" fail) starting from `start`, applying each verdict the way
// the checker does; returns the health after each result as a string of u/d/c.
std::string run(RiseFall& rf, Health start, const std::string& results) {
  std::string trace;
  Health h = start;
  for (char r : results) {
    h = rf.record(h, r == '+');
    trace += h == Health::Up ? 'u' : h == Health::Down ? 'd' : 'c';
  }
  return trace;
}

TEST(RiseFallTest, UncheckedCountsAsUpUntilFallFailures) {
  RiseFall rf(2, 3);
  EXPECT_EQ(run(rf, Health::Unchecked, "--"), "cc");
  RiseFall rf2(2, 3);
  EXPECT_EQ(run(rf2, Health::Unchecked, "---"), "ccd");
}

TEST(RiseFallTest, FirstSuccessMakesAnUncheckedNodeUp) {
  RiseFall rf(2, 3);
  EXPECT_EQ(run(rf, Health::Unchecked, "+"), "u");
}

TEST(RiseFallTest, FallConsecutiveFailuresMarkDown) {
  RiseFall rf(2, 3);
  // A success in between restarts the count.
  EXPECT_EQ(run(rf, Health::Up, "--+---"), "uuuuud");
}

TEST(RiseFallTest, RiseConsecutiveSuccessesBringBackUp) {
  RiseFall rf(2, 3);
  EXPECT_EQ(run(rf, Health::Up, "---+-++"), "uuddddu");
  EXPECT_EQ(rf.successes(), 2u);
}

TEST(RiseFallTest, OneAndOneFlipsEachTime) {
  RiseFall rf(1, 1);
  EXPECT_EQ(run(rf, Health::Up, "-+-+"), "dudu");
}

TEST(RiseFallTest, ZeroThresholdsActAsOne) {
  RiseFall rf(0, 0);
  EXPECT_EQ(run(rf, Health::Up, "-+"), "du");
}

// The workers marked the node Down (passive) while the checks were counting successes:
// it needs `rise` fresh ones.
TEST(RiseFallTest, HealthChangedElsewhereRestartsTheCounts) {
  RiseFall rf(3, 3);
  EXPECT_EQ(rf.record(Health::Up, true), Health::Up);
  EXPECT_EQ(rf.record(Health::Up, true), Health::Up);
  EXPECT_EQ(rf.successes(), 2u);
  EXPECT_EQ(rf.record(Health::Down, true), Health::Down);  // passive mark seen here
  EXPECT_EQ(rf.successes(), 1u);
  EXPECT_EQ(rf.record(Health::Down, true), Health::Down);
  EXPECT_EQ(rf.record(Health::Down, true), Health::Up);
}

TEST(RiseFallTest, FailuresWhileDownKeepItDownAndResetSuccesses) {
  RiseFall rf(2, 1);
  EXPECT_EQ(run(rf, Health::Up, "-+-+-"), "ddddd");
  EXPECT_EQ(rf.successes(), 0u);
  EXPECT_EQ(rf.failures(), 1u);
}

}  // namespace
}  // namespace warren::health
