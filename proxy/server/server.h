// Server: binds every listener, starts the workers, reloads the configuration, follows
// DNS, and stops the workers gracefully.
//
//   Server server(config);
//   if (auto err = server.bind()) { ...port in use... }
//   server.start();
//   server.runUntilStopped();   // SIGTERM/SIGINT → graceful stop; returns when workers are done
//
// Tests drive it without signals: bind(), start(), reload(), shutdown(), wait().
//
// Every configuration the workers see is a Snapshot (config, clusters, TLS contexts),
// published to each worker through its inbox; sessions keep the one they started with.
// A reload and a DNS change go through the same path (publishLocked()).
#pragma once

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/address.h"
#include "config/config.h"
#include "discovery/node_set.h"
#include "health/health_checker.h"
#include "limits/admission.h"
#include "discovery/resolver.h"
#include "server/listener_plan.h"
#include "server/takeover.h"
#include "server/tls_contexts.h"
#include "server/worker.h"
#include "session/session_stats.h"
#include "upstream/cluster.h"

namespace warren::server {

struct ReloadResult {
  bool ok = false;
  // ok: what changed ("listeners_kept=1 listeners_added=[b] ..."); else why nothing did.
  std::string message;
};

class Server {
 public:
  // `resolver` turns host-name nodes into addresses (default: getaddrinfo). Names are
  // resolved here, once; a name that does not resolve leaves its node absent (logged)
  // until a later resolution finds it.
  explicit Server(config::ConfigConstSharedPtr config, discovery::ResolverSharedPtr resolver = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS contexts (certificates, keys, CAs), then binds every listener (one
  // SO_REUSEPORT socket per worker). Returns an error message ("listener amqp:
  // 0.0.0.0:5672: Address already in use", or one "file:line:column: key: message" line
  // per certificate problem) or nullopt. Nothing is left bound on failure.
  // With `inherited` (a takeover: the sockets of the Warren being replaced), a listener of
  // the same name and configured address takes those sockets instead of binding (no port
  // probe: they are the same sockets); the others are bound as usual.
  std::optional<std::string> bind(InheritedSockets* inherited = nullptr);
  // Thread-safe. The bound address of a listener of the running config (port 0
  // resolved); an invalid Address when there is no such listener.
  Address listenerAddress(const std::string& name) const;
  uint32_t workerCount() const { return worker_count_; }

  void start();
  // Thread-safe; after start(). Applies `next` (already loaded and validated): builds its
  // TLS contexts, resolves its new host names, binds its new listeners, then swaps. On
  // any failure nothing changes. `global.workers` cannot change at runtime: such a
  // config is refused (restart to apply it).
  ReloadResult reload(config::ConfigConstSharedPtr next);
  // Thread-safe. New connections on a TLS listener use `tls` (certificates and SNI routes)
  // from now on; open connections keep the context they started with. Routes may name
  // any cluster of the running configuration. False if there is no such TLS listener.
  bool replaceListenerTls(const std::string& listener, std::shared_ptr<const tls::ServerContext> tls);
  // Thread-safe: stop accepting; open connections get global.shutdown_timeout to finish.
  // A second call closes what is left at once.
  void shutdown();
  // Joins the workers.
  void wait();
  // Thread-safe. `handler` gets every cluster set the workers are given from now on (at
  // start, after each reload and each DNS change), in order; e.g. the active health
  // checker's setClusters(). It runs with the server's lock held: it must not call back
  // into the Server.
  using ClustersHandler = std::function<void(const std::vector<upstream::ClusterSharedPtr>&)>;
  void setClustersHandler(ClustersHandler handler);
  // Called on SIGHUP by runUntilStopped(), on its thread. Set before runUntilStopped().
  void setReloadHandler(std::function<void()> handler) { reload_handler_ = std::move(handler); }
  // Call on the main thread before start() and before any other thread exists: SIGTERM,
  // SIGINT and SIGHUP stay pending (not fatal) until runUntilStopped() handles them, and the
  // threads started later (workers, admin, health checks, DNS) never receive them.
  static void blockStopSignals();
  // Runs the signal loop on the calling thread until every worker has stopped.
  void runUntilStopped();

  // Counters summed over the workers (the flat sums of snapshot()); exact after wait().
  session::Totals totals() const;
  // Thread-safe snapshots of the running state.
  std::vector<upstream::ClusterSharedPtr> clusters() const;
  config::ConfigConstSharedPtr config() const;
  // Active health checks (from start() to wait()); every published cluster set goes to it.
  health::HealthChecker& healthChecker() { return health_; }
  // Callable from any thread while the workers run (e.g. a /metrics scrape): every worker's
  // counters summed (see session/session_stats.h).
  session::Snapshot snapshot() const;
  // Thread-safe, after start(): duplicates of every listening socket the workers accept on,
  // for a takeover (the caller closes them). Empty with `refused` set when stopping.
  std::vector<ListenerSockets> listenersForTakeover(std::string& refused) const;
  // Thread-safe, after start(): true when every worker's loop ran a request within `timeout`.
  bool workersResponsive(std::chrono::milliseconds timeout);
  // Listeners bound and workers started (until shutdown() is called).
  bool serving() const { return serving_.load(); }

 private:
  // DNS: resolves every host name of `config` not resolved yet (blocking, lock held: a
  // reload validates its names before the swap).
  void resolveNewHostsLocked(const config::Config& config);
  static sigset_t stopSignals();
  std::vector<upstream::ClusterSharedPtr> buildClustersLocked(const config::Config& config) const;
  // Publishes config_/clusters_/tls_ to every worker, with the listeners to close and, per
  // worker, the new sockets to accept on.
  void publishLocked(std::vector<std::string> removed, std::vector<std::vector<std::pair<std::string, int>>> fds);
  std::atomic<uint32_t>* activeCounterLocked(const std::string& listener);
  std::shared_ptr<limits::ListenerLimits> limitsLocked(const config::Listener& listener);
  ReloadResult reloadLocked(config::ConfigConstSharedPtr next);
  void dnsLoop();
  // Resolves the names whose resolve_interval is up (lock released meanwhile) and
  // publishes new clusters when an address joined or left.
  void refreshDueHosts(std::unique_lock<std::mutex>& lock);

  const uint32_t worker_count_;
  discovery::ResolverSharedPtr resolver_;

  mutable std::mutex mutex_;  // guards the running state below (reload and DNS thread write it)
  config::ConfigConstSharedPtr config_;
  std::vector<upstream::ClusterSharedPtr> clusters_;  // by cluster index of config_
  TlsContexts tls_;
  std::vector<Address> bound_;         // by listener index of config_
  std::vector<std::vector<int>> fds_;  // bind() → start(): [listener][worker]
  // By listener name: the sockets the workers accept on (theirs; for listenersForTakeover()).
  std::map<std::string, ListenerSockets> accepting_;
  // By listener name; kept for the server's lifetime (sessions point at them), and
  // shared by a listener that is rebound under the same name.
  std::map<std::string, std::unique_ptr<std::atomic<uint32_t>>> listener_active_;
  // By listener name, with the settings it was built from: a reload that keeps the limits
  // keeps the table (open sessions hold tickets into its per-source counts).
  struct LimitsEntry {
    uint32_t per_source = 0, rate = 0, burst = 0;
    bool source_from_header = false;  // a table of peers must not become one of header sources
    std::shared_ptr<limits::ListenerLimits> limits;
  };
  std::map<std::string, LimitsEntry> listener_limits_;
  health::HealthChecker health_;
  ClustersHandler clusters_handler_;
  discovery::ResolvedHosts resolved_;
  std::map<std::string, std::chrono::steady_clock::time_point> next_resolve_;
  bool stopping_ = false;
  std::condition_variable dns_wake_;
  std::thread dns_thread_;

  std::atomic<uint32_t> global_active_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint32_t> workers_running_{0};
  std::function<void()> reload_handler_;
  void* exit_async_ = nullptr;  // uv_async_t of runUntilStopped's loop, while it runs
  std::mutex exit_mutex_;
  bool started_ = false;
  std::atomic<bool> serving_{false};
};

}  // namespace warren::server
