#include "server/watchdog.h"

#include <spdlog/spdlog.h>

#include "server/systemd_notify.h"

namespace warren::server {

Watchdog::Watchdog(std::chrono::microseconds interval, std::function<bool()> alive)
    : interval_(interval), alive_(std::move(alive)) {
  thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    if (alive_()) {
      systemd::notify("WATCHDOG=1");
    } else {
      spdlog::error("watchdog_missed hint=\"a worker did not answer within the watchdog interval\"");
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace warren::server
