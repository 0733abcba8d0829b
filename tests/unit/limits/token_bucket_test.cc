#include "limits/token_bucket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace warren::limits {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1000 * kSecond;  // any monotonic clock reading

int takeAll(TokenBucket& bucket, int64_t now, int attempts) {
  int taken = 0;
  for (int i = 0; i < attempts; ++i) taken += bucket.tryTake(now) ? 1 : 0;
  return taken;
}

TEST(TokenBucket, StartsFullWithTheBurst) {
  TokenBucket bucket(10, 5);
  EXPECT_EQ(takeAll(bucket, kStart, 20), 5);
}

TEST(TokenBucket, RefillsAtTheRate) {
  TokenBucket bucket(10, 5);  // one token per 100 ms
  ASSERT_EQ(takeAll(bucket, kStart, 5), 5);
  EXPECT_FALSE(bucket.tryTake(kStart + 99'999'999));
  EXPECT_TRUE(bucket.tryTake(kStart + 100'000'000));
  EXPECT_FALSE(bucket.tryTake(kStart + 100'000'000));
  // 350 ms later: three more tokens (the fraction carries over).
  EXPECT_EQ(takeAll(bucket, kStart + 450'000'000, 10), 3);
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket bucket(10, 5);
  ASSERT_EQ(takeAll(bucket, kStart, 5), 5);
  // A long quiet time refills to the burst, not beyond.
  EXPECT_EQ(takeAll(bucket, kStart + 3600 * kSecond, 50), 5);
}

TEST(TokenBucket, RateOverALongRunMatches) {
  TokenBucket bucket(100, 1);
  int taken = 0;
  // Tried every millisecond for 10 s: one every 10 ms, 1000 in all.
  for (int64_t ms = 0; ms < 10'000; ++ms) taken += bucket.tryTake(kStart + ms * 1'000'000) ? 1 : 0;
  EXPECT_EQ(taken, 1000);
}

TEST(TokenBucket, BurstOfOneAllowsOnePerInterval) {
  TokenBucket bucket(1, 1);
  EXPECT_TRUE(bucket.tryTake(kStart));
  EXPECT_FALSE(bucket.tryTake(kStart + kSecond / 2));
  EXPECT_TRUE(bucket.tryTake(kStart + kSecond));
}

TEST(TokenBucket, ZeroBurstIsTreatedAsOne) {
  TokenBucket bucket(1, 0);
  EXPECT_EQ(takeAll(bucket, kStart, 3), 1);
}

TEST(TokenBucket, ThreadsTogetherNeverTakeMoreThanTheBurst) {
  TokenBucket bucket(1, 1000);
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { taken += takeAll(bucket, kStart, 1000); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), 1000);
}

}  // namespace
}  // namespace warren::limits
