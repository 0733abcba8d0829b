#include "limits/log_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace warren::limits {
namespace {

TEST(LogLimiter, FirstLineGoesOutThenOnePerInterval) {
  LogLimiter limiter(1000);
  auto first = limiter.allow(5000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 0u);
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(limiter.allow(5000 + i * 100).has_value());
  EXPECT_FALSE(limiter.allow(5999).has_value());
  auto next = limiter.allow(6000);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 8u);  // the ones in between, reported by the next line
  EXPECT_FALSE(limiter.allow(6001).has_value());
}

TEST(LogLimiter, ABurstGoesOutThenOnePerIntervalAndQuietRefillsIt) {
  LogLimiter limiter(1000, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow(0).has_value()) << i;
  EXPECT_FALSE(limiter.allow(0).has_value());
  EXPECT_FALSE(limiter.allow(999).has_value());
  auto next = limiter.allow(1000);  // one interval of budget came back
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 2u);
  EXPECT_FALSE(limiter.allow(1500).has_value());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow(10'000).has_value()) << i;  // quiet: whole again
  EXPECT_FALSE(limiter.allow(10'000).has_value());
}

TEST(LogLimiter, QuietPeriodResetsTheCount) {
  LogLimiter limiter(1000);
  ASSERT_TRUE(limiter.allow(0).has_value());
  auto later = limiter.allow(60'000);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(*later, 0u);
}

TEST(LogLimiter, ThreadsAtOneInstantWriteOneLineAndCountTheRest) {
  LogLimiter limiter(1000);
  std::atomic<int> written{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) written += limiter.allow(100).has_value() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(written.load(), 1);
  auto next = limiter.allow(1100);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 1999u);
}

}  // namespace
}  // namespace warren::limits
