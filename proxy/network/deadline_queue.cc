#include "network/deadline_queue.h"

namespace warren::network {

DeadlineQueue::DeadlineQueue(uv_loop_t* loop) : loop_(loop) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
}

void DeadlineQueue::arm(Deadline& d, uint64_t delay_ms) {
  d.due_ms = uv_now(loop_) + delay_ms;
  if (d.armed()) {
    siftUp(d.slot);
    siftDown(d.slot);
  } else {
    heap_.push_back(&d);
    d.slot = static_cast<uint32_t>(heap_.size() - 1);
    siftUp(d.slot);
  }
  reschedule();
}

void DeadlineQueue::cancel(Deadline& d) {
  if (!d.armed()) return;
  remove(d.slot);
  reschedule();
}

void DeadlineQueue::close() {
  if (!open_) return;
  open_ = false;
  for (Deadline* d : heap_) d->slot = Deadline::kUnarmed;
  heap_.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
}

void DeadlineQueue::onTimer(uv_timer_t* timer) {
  auto* self = static_cast<DeadlineQueue*>(timer->data);
  self->timer_due_ms_ = UINT64_MAX;  // one-shot: it is stopped now
  self->fireDue();
}

void DeadlineQueue::fireDue() {
  const uint64_t now = uv_now(loop_);
  // A callback may arm, move or cancel any deadline, so the top is read again each time.
  while (!heap_.empty() && heap_.front()->due_ms <= now) {
    Deadline* d = heap_.front();
    remove(0);
    d->onDeadline();
  }
  reschedule();
}

void DeadlineQueue::place(Deadline* d, uint32_t slot) {
  heap_[slot] = d;
  d->slot = slot;
}

void DeadlineQueue::siftUp(uint32_t slot) {
  Deadline* d = heap_[slot];
  while (slot > 0) {
    const uint32_t parent = (slot - 1) / 2;
    if (heap_[parent]->due_ms <= d->due_ms) break;
    place(heap_[parent], slot);
    slot = parent;
  }
  place(d, slot);
}

void DeadlineQueue::siftDown(uint32_t slot) {
  Deadline* d = heap_[slot];
  const size_t n = heap_.size();
  for (;;) {
    size_t child = 2 * static_cast<size_t>(slot) + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->due_ms < heap_[child]->due_ms) ++child;
    if (d->due_ms <= heap_[child]->due_ms) break;
    place(heap_[child], slot);
    slot = static_cast<uint32_t>(child);
  }
  place(d, slot);
}

void DeadlineQueue::remove(uint32_t slot) {
  Deadline* gone = heap_[slot];
  Deadline* last = heap_.back();
  heap_.pop_back();
  gone->slot = Deadline::kUnarmed;
  if (gone == last) return;
  place(last, slot);
  siftUp(slot);
  siftDown(last->slot);
}

void DeadlineQueue::reschedule() {
  if (!open_) return;
  if (heap_.empty()) {
    if (timer_due_ms_ != UINT64_MAX) uv_timer_stop(&timer_);
    timer_due_ms_ = UINT64_MAX;
    return;
  }
  const uint64_t due = heap_.front()->due_ms;
  if (due == timer_due_ms_) return;
  const uint64_t now = uv_now(loop_);
  uv_timer_start(&timer_, onTimer, due > now ? due - now : 0, 0);
  timer_due_ms_ = due;
}

}  // namespace warren::network
