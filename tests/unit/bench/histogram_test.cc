#include "common/histogram.h"

#include <gtest/gtest.h>

namespace warren::bench {
namespace {

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(HistogramTest, NearestRankOnOneToHundred) {
  Histogram h;
  // Recorded out of order: percentiles must not depend on the order.
  for (int i = 100; i >= 1; --i) h.record(i);
  EXPECT_EQ(h.percentile(0), 1);
  EXPECT_EQ(h.percentile(1), 1);
  EXPECT_EQ(h.percentile(50), 50);
  EXPECT_EQ(h.percentile(50.5), 51);
  EXPECT_EQ(h.percentile(99), 99);
  EXPECT_EQ(h.percentile(99.9), 100);
  EXPECT_EQ(h.max(), 100);
}

TEST(HistogramTest, TailOfAThousand) {
  Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 10);
  EXPECT_EQ(h.percentile(99), 9900);
  EXPECT_EQ(h.percentile(99.9), 9990);
  EXPECT_EQ(h.max(), 10000);
}

TEST(HistogramTest, SingleSampleIsEveryPercentile) {
  Histogram h;
  h.record(42);
  EXPECT_EQ(h.percentile(0), 42);
  EXPECT_EQ(h.percentile(50), 42);
  EXPECT_EQ(h.max(), 42);
}

TEST(HistogramTest, RecordingAfterAQueryCounts) {
  Histogram h;
  h.record(5);
  EXPECT_EQ(h.max(), 5);
  h.record(1);
  h.record(9);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.percentile(50), 5);
  EXPECT_EQ(h.percentile(0), 1);
  EXPECT_EQ(h.max(), 9);
}

TEST(HistogramTest, OutOfRangePercentsAreClamped) {
  Histogram h;
  for (int i = 1; i <= 10; ++i) h.record(i);
  EXPECT_EQ(h.percentile(-5), 1);
  EXPECT_EQ(h.percentile(250), 10);
}

}  // namespace
}  // namespace warren::bench
