// A minimal single-threaded epoll loop for the bench tools. Handlers are registered
// with the events they want (usually edge-triggered EPOLLIN|EPOLLOUT|EPOLLRDHUP), and a
// handler that closes itself inside a callback is handed to retire(): it is deleted
// after the current batch of events, so a later event of the same batch still finds
// a live object (that then sees it is closed and does nothing).
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace warren::bench {

class EventLoop {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void onEvents(uint32_t events) = 0;
  };

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epfd_ >= 0; }
  bool add(int fd, uint32_t events, Handler* handler);
  void remove(int fd);

  // Waits until an event arrives or until `deadline_ns` (monotonic, see clock.h;
  // negative = no deadline), dispatches the batch, then deletes retired handlers.
  void runOnce(int64_t deadline_ns);

  void retire(std::unique_ptr<Handler> handler) { retired_.push_back(std::move(handler)); }

 private:
  int epfd_ = -1;
  std::vector<epoll_event> events_;
  std::vector<std::unique_ptr<Handler>> retired_;
};

}  // namespace warren::bench
