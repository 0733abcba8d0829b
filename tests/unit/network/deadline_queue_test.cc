#include "network/deadline_queue.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace warren::network {
namespace {

class DeadlineQueueTest : public ::testing::Test {
 protected:
  struct Waiter final : Deadline {
    Waiter(DeadlineQueueTest* t, int i) : test(t), id(i) {}
    DeadlineQueueTest* test;
    int id;
    Deadline& deadline = *this;
    uint64_t fired_at = 0;
    int fire_count = 0;
    void onDeadline() override {
      Waiter* w = this;
      EXPECT_FALSE(w->deadline.armed());
      ++w->fire_count;
      w->fired_at = uv_now(w->test->loop_.get());
      w->test->order_.push_back(w->id);
      if (w->test->on_fire_) w->test->on_fire_(*w);
    }
  };

  void TearDown() override {
    queue_.close();
    uv_run(loop_.get(), UV_RUN_DEFAULT);  // the timer's close
    EXPECT_EQ(uv_loop_close(loop_.get()), 0);
  }

  Waiter& add() {
    waiters_.push_back(std::make_unique<Waiter>(this, static_cast<int>(waiters_.size())));
    return *waiters_.back();
  }
  // Runs the loop until the queue is empty: its timer then stops and nothing keeps the loop
  // alive. Bounded by the test's own deadlines (all a few milliseconds).
  void run() { uv_run(loop_.get(), UV_RUN_DEFAULT); }

  std::unique_ptr<uv_loop_t> loop_ = std::make_unique<uv_loop_t>();
  DeadlineQueue queue_{[this] {
    uv_loop_init(loop_.get());
    return loop_.get();
  }()};
  std::vector<std::unique_ptr<Waiter>> waiters_;
  std::vector<int> order_;
  std::function<void(Waiter&)> on_fire_;
};

TEST_F(DeadlineQueueTest, FiresInDueOrderOnce) {
  const uint64_t delays[] = {30, 5, 20, 0, 10};
  for (uint64_t d : delays) queue_.arm(add().deadline, d);
  EXPECT_EQ(queue_.size(), 5u);
  const uint64_t start = uv_now(loop_.get());
  run();
  EXPECT_EQ(order_, (std::vector<int>{3, 1, 4, 2, 0}));
  for (size_t i = 0; i < waiters_.size(); ++i) {
    EXPECT_EQ(waiters_[i]->fire_count, 1);
    EXPECT_GE(waiters_[i]->fired_at, start + delays[i]);  // never early
  }
  EXPECT_EQ(queue_.size(), 0u);
}

TEST_F(DeadlineQueueTest, RearmMovesTheDeadline) {
  Waiter& later = add();
  Waiter& sooner = add();
  queue_.arm(later.deadline, 1);
  queue_.arm(sooner.deadline, 15);
  queue_.arm(later.deadline, 40);   // pushed back
  queue_.arm(sooner.deadline, 2);   // brought forward
  EXPECT_EQ(queue_.size(), 2u);
  run();
  EXPECT_EQ(order_, (std::vector<int>{1, 0}));
  EXPECT_EQ(later.fire_count, 1);
  EXPECT_EQ(sooner.fire_count, 1);
}

TEST_F(DeadlineQueueTest, CancelledNeverFires) {
  Waiter& a = add();
  Waiter& b = add();
  Waiter& c = add();
  queue_.arm(a.deadline, 1);
  queue_.arm(b.deadline, 2);
  queue_.arm(c.deadline, 3);
  queue_.cancel(b.deadline);
  queue_.cancel(b.deadline);  // not armed: nothing happens
  EXPECT_FALSE(b.deadline.armed());
  queue_.cancel(a.deadline);  // the earliest: the timer moves to the next
  run();
  EXPECT_EQ(order_, (std::vector<int>{2}));
  EXPECT_EQ(a.fire_count + b.fire_count, 0);
}

TEST_F(DeadlineQueueTest, CallbacksMayArmAndCancelOthers) {
  Waiter& first = add();
  Waiter& due_too = add();   // due with `first`, cancelled by it before it fires
  Waiter& rearmed = add();   // re-armed from its own callback, fires twice
  Waiter& added = add();     // armed from `first`'s callback
  queue_.arm(first.deadline, 2);
  queue_.arm(due_too.deadline, 2);
  queue_.arm(rearmed.deadline, 1);
  on_fire_ = [&](Waiter& w) {
    if (&w == &first && due_too.deadline.armed()) queue_.cancel(due_too.deadline);
    if (&w == &first) queue_.arm(added.deadline, 0);
    if (&w == &rearmed && w.fire_count == 1) queue_.arm(w.deadline, 5);
  };
  run();
  // due_too may fire before first (same due time, no order promised); when first is first,
  // it is cancelled.
  EXPECT_EQ(rearmed.fire_count, 2);
  EXPECT_EQ(first.fire_count, 1);
  EXPECT_EQ(added.fire_count, 1);
  EXPECT_LE(due_too.fire_count, 1);
  EXPECT_EQ(queue_.size(), 0u);
}

// Many interleaved arms, re-arms and cancels against a plain reference: the heap keeps its
// order through every kind of removal.
TEST_F(DeadlineQueueTest, RandomOperationsMatchAReference) {
  std::mt19937 rng(20261203);
  constexpr int kWaiters = 300;
  for (int i = 0; i < kWaiters; ++i) add();
  std::vector<int64_t> expected(kWaiters, -1);  // due delay in ms, -1 = not armed
  for (int op = 0; op < 5000; ++op) {
    const int i = static_cast<int>(rng() % kWaiters);
    if (rng() % 4 == 0) {
      queue_.cancel(waiters_[i]->deadline);
      expected[i] = -1;
    } else {
      const uint64_t delay = rng() % 25;
      queue_.arm(waiters_[i]->deadline, delay);
      expected[i] = static_cast<int64_t>(waiters_[i]->deadline.due_ms);
    }
  }
  const size_t armed = static_cast<size_t>(std::count_if(expected.begin(), expected.end(), [](int64_t e) { return e >= 0; }));
  EXPECT_EQ(queue_.size(), armed);
  run();
  // Each armed one fired once, none early, in non-decreasing due order.
  uint64_t last_due = 0;
  for (int id : order_) {
    ASSERT_GE(expected[id], 0) << "waiter " << id << " was cancelled";
    EXPECT_GE(static_cast<uint64_t>(expected[id]), last_due);
    last_due = static_cast<uint64_t>(expected[id]);
    EXPECT_GE(waiters_[id]->fired_at, static_cast<uint64_t>(expected[id]));
  }
  EXPECT_EQ(order_.size(), armed);
  for (int i = 0; i < kWaiters; ++i) EXPECT_EQ(waiters_[i]->fire_count, expected[i] >= 0 ? 1 : 0);
}

TEST_F(DeadlineQueueTest, NothingFiresAfterClose) {
  Waiter& a = add();
  queue_.arm(a.deadline, 1);
  queue_.close();
  EXPECT_FALSE(a.deadline.armed());
  run();
  EXPECT_EQ(a.fire_count, 0);
}

}  // namespace
}  // namespace warren::network
