// Worker: one thread, one libuv loop, its own SO_REUSEPORT socket per listener, and every
// session it accepts, from start to end. Nothing on its data path takes a lock; other
// threads reach it only through post(), a mutex-guarded inbox woken by uv_async.
#pragma once

#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "network/chunk_pool.h"
#include "server/tls_contexts.h"
#include "session/session.h"
#include "session/session_host.h"
#include "session/session_stats.h"
#include "upstream/load_balancer.h"

namespace warren::server {

// One published configuration: what every worker builds its ListenerContexts from, at
// start and after each reload or DNS change. Immutable once published.
struct Snapshot {
  config::ConfigConstSharedPtr config;
  std::vector<upstream::ClusterSharedPtr> clusters;  // by cluster index of `config`
  TlsContexts tls;
  std::vector<std::atomic<uint32_t>*> active;        // by listener index: open connections
  std::vector<std::shared_ptr<limits::ListenerLimits>> limits;  // by listener index
  std::atomic<uint32_t>* global_active = nullptr;
};
using SnapshotConstSharedPtr = std::shared_ptr<const Snapshot>;

// Listening sockets handed to one worker (listener name → fd). A socket the worker did not
// take, because it had already stopped, is closed when the handoff goes away.
class SocketHandoff {
 public:
  explicit SocketHandoff(std::vector<std::pair<std::string, int>> fds) : fds_(std::move(fds)) {}
  ~SocketHandoff();
  SocketHandoff(const SocketHandoff&) = delete;
  SocketHandoff& operator=(const SocketHandoff&) = delete;
  // The fd for `listener` (now the caller's), or -1 when none was handed over.
  int take(const std::string& listener);

 private:
  std::vector<std::pair<std::string, int>> fds_;
};

class Worker : public session::SessionHost {
 public:
  Worker(uint32_t index, config::ConfigConstSharedPtr config, std::function<void()> on_exit);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Thread-safe (runs on the worker's loop, in order with every other request). Closes
  // the listeners named in `removed` (their open connections stay), starts accepting on
  // the sockets in `sockets`, and gives every listener of `snapshot` a new context: new
  // connections follow it, open ones keep the context they started with.
  void apply(SnapshotConstSharedPtr snapshot, std::vector<std::string> removed,
             std::shared_ptr<SocketHandoff> sockets);
  // Thread-safe. New connections on `listener` use `tls` from now on; open ones keep
  // the context they started with.
  void replaceListenerTls(const std::string& listener, std::shared_ptr<const tls::ServerContext> tls);

  void start();
  // Thread-safe. Runs `done` on the worker's loop, in order with every other request: the
  // proof that the loop turns (the systemd watchdog). Never runs once the worker stopped.
  void ping(std::function<void()> done) { post(std::move(done)); }
  // Thread-safe. Stops accepting; open sessions get `deadline` to finish, then are closed.
  void beginShutdown(config::Duration deadline);
  void join();

  size_t sessionCount() const { return session_count_; }
  // This worker's counters (thread-safe to sum; see session/session_stats.h).
  session::StatsRegistry& registry() { return registry_; }
  const session::StatsRegistry& registry() const { return registry_; }

  // session::SessionHost
  uv_loop_t* loop() override { return &loop_; }
  network::ChunkPool& chunks() override { return chunks_; }
  network::DeadlineQueue& deadlines() override { return *deadlines_; }
  const session::RelayEnv& relayEnv() const override { return relay_env_; }
  limits::LimitStats& limitStats() override { return registry_.limits(); }
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
  static void onListenerClosed(uv_handle_t* handle);
  static void onInbox(uv_async_t* async);
  static void onShutdownDeadline(uv_timer_t* timer);

  void run();
  void post(std::function<void()> fn);
  void applyNow(const Snapshot& snapshot, const std::vector<std::string>& removed, SocketHandoff& sockets);
  session::ListenerContextConstSharedPtr makeContext(const Snapshot& snapshot, size_t listener);
  // The balancer this worker uses for `cluster` (created on first use; dropped once no
  // session can reach the cluster any more).
  upstream::LoadBalancer* balancerFor(const upstream::ClusterSharedPtr& cluster);
  void openListener(std::unique_ptr<ListenerHandle> handle);
  ListenerHandle* findListener(const std::string& name);
  void closeListener(ListenerHandle& handle);
  void closeListeners();
  void drain(config::Duration deadline);
  void closeAllSessions();
  void stopIfDrained();
  void setWatermarks();

  uint32_t index_;
  config::ConfigConstSharedPtr config_;
  std::function<void()> on_exit_;
  uv_loop_t loop_{};
  uv_async_t inbox_async_{};
  uv_timer_t shutdown_timer_{};
  std::optional<network::DeadlineQueue> deadlines_;  // made once loop_ is initialised
  std::mutex inbox_mutex_;
  std::vector<std::function<void()>> inbox_;
  bool inbox_closed_ = false;  // guarded by inbox_mutex_
  std::vector<std::unique_ptr<ListenerHandle>> listeners_;
  std::vector<std::pair<std::weak_ptr<upstream::Cluster>, std::unique_ptr<upstream::LoadBalancer>>> balancers_;
  network::ChunkPool chunks_;
  session::StatsRegistry registry_;
  session::RelayEnv relay_env_;
  session::Session* sessions_ = nullptr;  // intrusive list of open sessions
  size_t session_count_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace warren::server
