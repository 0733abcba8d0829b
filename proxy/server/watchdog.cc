#include "server/watchdog.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "server/server.h"
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

std::unique_ptr<Watchdog> startWatchdog(Server& server) {
  const auto interval = systemd::watchdogInterval(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), getpid());
  if (interval.count() <= 0) return nullptr;
  const auto answer_within =
      std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(interval / 2));
  return std::make_unique<Watchdog>(interval,
                                    [&server, answer_within] { return server.workersResponsive(answer_within); });
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
