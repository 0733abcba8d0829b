// HandlerPool: a few threads that run the admin requests which may take a while (a reload
// reads files and certificates; the cluster API takes locks), away from the thread that
// owns the admin connections, so a slow handler never stops it accepting and answering
// probes. The queue is bounded: submit() says no when it is full.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace warren::admin {

class HandlerPool {
 public:
  HandlerPool(size_t threads, size_t max_waiting);
  ~HandlerPool();
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Thread-safe. false (and `job` dropped) when max_waiting jobs are already waiting or the
  // pool is stopping.
  bool submit(std::function<void()> job);
  // Runs no job that has not started, waits for those running; idempotent.
  void stop();

 private:
  void run();

  const size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> waiting_;  // guarded by mutex_
  bool stopping_ = false;                      // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace warren::admin
