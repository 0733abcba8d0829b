// HandlerPool: the admin API's few handler threads and their bounded queue.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "admin/handler_pool.h"

namespace warren::admin {
namespace {

TEST(HandlerPool, RunsJobsAndRefusesBeyondItsQueue) {
  HandlerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the only thread is busy
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.submit([&] { ++ran; }));
  EXPECT_TRUE(pool.submit([&] { ++ran; }));
  EXPECT_FALSE(pool.submit([&] { ++ran; }));  // two already wait
  release.set_value();
  for (int i = 0; i < 200 && ran.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(ran.load(), 2);
  pool.stop();
  EXPECT_FALSE(pool.submit([&] { ++ran; }));
}

// stop() waits for the running job, drops the waiting ones, and is idempotent.
TEST(HandlerPool, StopFinishesTheRunningJobAndDropsTheWaitingOnes) {
  HandlerPool pool(1, 4);
  std::promise<void> started;
  std::atomic<bool> finished{false};
  std::atomic<int> waiting_ran{0};
  ASSERT_TRUE(pool.submit([&] {
    started.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  }));
  started.get_future().wait();
  ASSERT_TRUE(pool.submit([&] { ++waiting_ran; }));
  pool.stop();
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(waiting_ran.load(), 0);
  pool.stop();
}

}  // namespace
}  // namespace warren::admin
