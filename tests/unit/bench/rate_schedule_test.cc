#include "common/rate_schedule.h"

#include <gtest/gtest.h>

namespace warren::bench {
namespace {

constexpr int64_t kStart = 1'000'000'000;

TEST(RateScheduleTest, DueTimesAreStartPlusKOverRate) {
  const RateSchedule s(kStart, 400, 4000);
  EXPECT_EQ(s.dueNs(0), kStart);
  EXPECT_EQ(s.dueNs(1), kStart + 2'500'000);
  EXPECT_EQ(s.dueNs(400), kStart + 1'000'000'000);
  EXPECT_EQ(s.endNs(), kStart + 3999 * 2'500'000LL);
}

TEST(RateScheduleTest, NonIntegralIntervalsRoundToTheNearestNanosecond) {
  const RateSchedule s(kStart, 3, 10);  // 333,333,333.3 ns apart
  EXPECT_EQ(s.dueNs(1), kStart + 333'333'333);
  EXPECT_EQ(s.dueNs(2), kStart + 666'666'667);
  EXPECT_EQ(s.dueNs(3), kStart + 1'000'000'000);
}

TEST(RateScheduleTest, DueCountAtTheBoundaries) {
  const RateSchedule s(kStart, 1000, 10);
  EXPECT_EQ(s.dueCount(kStart - 1), 0u);
  EXPECT_EQ(s.dueCount(kStart), 1u);  // event 0 is due at the start
  EXPECT_EQ(s.dueCount(kStart + 999'999), 1u);
  EXPECT_EQ(s.dueCount(kStart + 1'000'000), 2u);
  EXPECT_EQ(s.dueCount(kStart + 9'000'000), 10u);
  EXPECT_EQ(s.dueCount(kStart + 60'000'000'000), 10u);  // never more than the total
}

TEST(RateScheduleTest, DueCountAgreesWithDueNsEverywhere) {
  // Rates whose intervals are not whole nanoseconds: dueCount must count exactly the
  // events whose dueNs() has passed, with no off-by-one from float rounding.
  for (const double rate : {3.0, 7.0, 333.0, 2000.0, 12345.0}) {
    const RateSchedule s(kStart, rate, 500);
    for (uint64_t k = 0; k < 500; ++k) {
      const int64_t due = s.dueNs(k);
      EXPECT_EQ(s.dueCount(due), k + 1) << "rate " << rate << " k " << k;
      EXPECT_EQ(s.dueCount(due - 1), k) << "rate " << rate << " k " << k;
    }
  }
}

TEST(RateScheduleTest, EmptySchedule) {
  const RateSchedule s(kStart, 100, 0);
  EXPECT_EQ(s.dueCount(kStart + 1'000'000'000), 0u);
  EXPECT_EQ(s.endNs(), kStart);
}

TEST(RateScheduleTest, EventsForDurationAndRate) {
  EXPECT_EQ(eventsFor(10, 400), 4000u);
  EXPECT_EQ(eventsFor(0.5, 3), 2u);   // 1.5 rounds to 2
  EXPECT_EQ(eventsFor(0.001, 1), 1u);  // at least one
}

}  // namespace
}  // namespace warren::bench
