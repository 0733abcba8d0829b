#include "common/event_loop.h"

#include <errno.h>
#include <unistd.h>

#include "common/clock.h"

namespace warren::bench {

EventLoop::EventLoop() : epfd_(epoll_create1(EPOLL_CLOEXEC)), events_(1024) {}

EventLoop::~EventLoop() {
  if (epfd_ >= 0) close(epfd_);
}

bool EventLoop::add(int fd, uint32_t events, Handler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::runOnce(int64_t deadline_ns) {
  // epoll_pwait2 takes a timespec, so timers are as precise as the scheduler allows
  // (epoll_wait's milliseconds would bunch the latency mode's sends together).
  timespec timeout{};
  timespec* timeout_ptr = nullptr;
  if (deadline_ns >= 0) {
    const int64_t wait = deadline_ns - nowNs();
    if (wait > 0) {
      timeout.tv_sec = wait / kNsPerSecond;
      timeout.tv_nsec = wait % kNsPerSecond;
    }
    timeout_ptr = &timeout;
  }
  const int n = epoll_pwait2(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ptr,
                             nullptr);
  for (int i = 0; i < n; ++i) {
    static_cast<Handler*>(events_[i].data.ptr)->onEvents(events_[i].events);
  }
  retired_.clear();
}

}  // namespace warren::bench
