// Worker: one thread, one libuv loop, its own SO_REUSEPORT socket per listener, and every
// session it accepts, from start to end. Nothing on its data path takes a lock; other
// threads reach it only through post(), a mutex-guarded inbox woken by uv_async.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "network/chunk_pool.h"
#include "session/session.h"
#include "session/session_host.h"
#include "stats/labeled_stats.h"
#include "stats/worker_stats.h"
#include "upstream/load_balancer.h"

namespace warren::server {

class Worker : public session::SessionHost {
 public:
  Worker(uint32_t index, config::ConfigConstSharedPtr config, std::function<void()> on_exit);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Before start(): hands over a bound, listening socket for one listener.
  void addListener(session::ListenerContextConstSharedPtr context, int fd);
  // Thread-safe. New connections on listener `index` use `tls` from now on; open ones keep
  // the context they started with.
  void replaceListenerTls(size_t index, std::shared_ptr<const tls::ServerContext> tls);
  // The balancer this worker uses for `cluster` (created on first use).
  upstream::LoadBalancer* balancerFor(const upstream::Cluster& cluster);

  void start();
  // Thread-safe. Stops accepting; open sessions get `deadline` to finish, then are closed.
  void beginShutdown(config::Duration deadline);
  void join();

  // Exact after join(); while the worker runs, a racy but harmless read of plain counters.
  const stats::WorkerStats& statsAfterJoin() const { return stats_; }
  size_t sessionCount() const { return session_count_; }
  // This worker's labeled counters (thread-safe registry; see stats/labeled_stats.h).
  stats::StatsRegistry& registry() { return registry_; }
  const stats::StatsRegistry& registry() const { return registry_; }

  // session::SessionHost
  uv_loop_t* loop() override { return &loop_; }
  network::ChunkPool& chunks() override { return chunks_; }
  stats::WorkerStats& stats() override { return stats_; }
  const config::Global& global() const override { return config_->global; }
  uint32_t workerIndex() const override { return index_; }
  void onSessionClosed(session::Session& session) override;

 private:
  struct ListenerHandle {
    uv_tcp_t tcp{};
    Worker* worker = nullptr;
    session::ListenerContextConstSharedPtr context;
    int fd = -1;
    bool open = false;
  };

  static void onConnection(uv_stream_t* server, int status);
  static void onInbox(uv_async_t* async);
  static void onShutdownDeadline(uv_timer_t* timer);

  void run();
  void post(std::function<void()> fn);
  void startListening();
  void closeListeners();
  void drain(config::Duration deadline);
  void closeAllSessions();
  void stopIfDrained();

  uint32_t index_;
  config::ConfigConstSharedPtr config_;
  std::function<void()> on_exit_;
  uv_loop_t loop_{};
  uv_async_t inbox_async_{};
  uv_timer_t shutdown_timer_{};
  std::mutex inbox_mutex_;
  std::vector<std::function<void()>> inbox_;
  bool inbox_closed_ = false;  // guarded by inbox_mutex_
  std::vector<std::unique_ptr<ListenerHandle>> listeners_;
  std::vector<std::pair<const upstream::Cluster*, std::unique_ptr<upstream::LoadBalancer>>> balancers_;
  network::ChunkPool chunks_;
  stats::WorkerStats stats_;
  stats::StatsRegistry registry_;
  session::Session* sessions_ = nullptr;  // intrusive list of open sessions
  size_t session_count_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace warren::server
