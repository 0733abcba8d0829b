// Many one-shot deadlines on one libuv timer. A worker holds thousands of sessions, each
// with one pending timeout at a time (PROXY header, handshake, connect, idle); a
// uv_timer_t per session costs 152 bytes and a close callback, a Deadline costs 24 bytes
// (a base class of its owner) and needs no closing. The queue is a binary min-heap of the armed
// deadlines, and its one timer is set for the earliest.
//
// Not thread-safe: one queue per loop, used from the loop's thread only. Deadlines with the
// same due time fire in no particular order.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace warren::network {

// A base class of whoever waits, which overrides onDeadline(). Must be cancelled, or have
// fired, before it is destroyed.
class Deadline {
 public:
  static constexpr uint32_t kUnarmed = UINT32_MAX;

  Deadline() = default;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool armed() const { return slot != kUnarmed; }
  // Called once when due (the deadline is unarmed by then).
  virtual void onDeadline() = 0;

  uint64_t due_ms = 0;       // loop time (uv_now) at which it fires; set by DeadlineQueue::arm
  uint32_t slot = kUnarmed;  // its index in the queue's heap (DeadlineQueue's bookkeeping)

 protected:
  ~Deadline() = default;
};

class DeadlineQueue {
 public:
  explicit DeadlineQueue(uv_loop_t* loop);
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  // Fires `d` `delay_ms` from the loop's current time; re-arming moves an armed deadline.
  void arm(Deadline& d, uint64_t delay_ms);
  // Unarms `d`; nothing happens if it is not armed.
  void cancel(Deadline& d);
  size_t size() const { return heap_.size(); }
  // Closes the timer handle (the loop can then close). Armed deadlines never fire after it.
  void close();

 private:
  static void onTimer(uv_timer_t* timer);
  void fireDue();
  void place(Deadline* d, uint32_t slot);
  void siftUp(uint32_t slot);
  void siftDown(uint32_t slot);
  void remove(uint32_t slot);
  void reschedule();

  uv_loop_t* loop_;
  uv_timer_t timer_{};
  bool open_ = true;
  uint64_t timer_due_ms_ = UINT64_MAX;  // what the timer is set for (UINT64_MAX: stopped)
  std::vector<Deadline*> heap_;
};

}  // namespace warren::network
