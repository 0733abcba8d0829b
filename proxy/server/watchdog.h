// Watchdog: sends WATCHDOG=1 to systemd every `interval` (WATCHDOG_USEC/2) while `alive()`
// says the workers answer; a missed answer sends nothing, so systemd restarts a process
// whose workers hang (WatchdogSec=). Its own thread; stops when destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace warren::server {

class Watchdog {
 public:
  Watchdog(std::chrono::microseconds interval, std::function<bool()> alive);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void run();

  const std::chrono::microseconds interval_;
  const std::function<bool()> alive_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

class Server;
// The watchdog systemd asked for (WATCHDOG_USEC for this process), or nullptr: every worker
// must answer a ping within half the interval.
std::unique_ptr<Watchdog> startWatchdog(Server& server);

}  // namespace warren::server
