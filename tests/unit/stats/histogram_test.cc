// Histogram cells: bucket choice and observe().
#include <gtest/gtest.h>

#include "stats/histogram.h"

namespace warren::stats {
namespace {

TEST(HistogramTest, BucketOfIsTheFirstBoundNotBelowTheValue) {
  constexpr std::array<uint32_t, 3> bounds = {0, 5, 15};
  EXPECT_EQ(bucketOf(0, bounds), 0u);
  EXPECT_EQ(bucketOf(1, bounds), 1u);
  EXPECT_EQ(bucketOf(5, bounds), 1u);
  EXPECT_EQ(bucketOf(6, bounds), 2u);
  EXPECT_EQ(bucketOf(15, bounds), 2u);
  EXPECT_EQ(bucketOf(16, bounds), 3u);  // +Inf
}

TEST(HistogramTest, ObserveCountsTheBucketAndTheSum) {
  constexpr std::array<uint32_t, 2> bounds = {10, 100};
  Histogram<Counter, 2> h;
  for (uint64_t v : {3, 10, 50, 1000}) observe(h, v, bounds);
  EXPECT_EQ(h.buckets[0].get(), 2u);
  EXPECT_EQ(h.buckets[1].get(), 1u);
  EXPECT_EQ(h.buckets[2].get(), 1u);
  EXPECT_EQ(h.sum.get(), 1063u);
}

}  // namespace
}  // namespace warren::stats
