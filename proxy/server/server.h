// Server: binds every listener, starts the workers, and stops them gracefully.
//
//   Server server(config);
//   if (auto err = server.bind()) { ...port in use... }
//   server.start();
//   server.runUntilStopped();   // SIGTERM/SIGINT → graceful stop; returns when workers are done
//
// Tests drive it without signals: bind(), start(), shutdown(), wait().
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "config/config.h"
#include "server/tls_contexts.h"
#include "server/worker.h"
#include "stats/worker_stats.h"
#include "upstream/cluster.h"

namespace warren::server {

class Server {
 public:
  explicit Server(config::ConfigConstSharedPtr config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS contexts (certificates, keys, CAs), then binds every listener (one
  // SO_REUSEPORT socket per worker). Returns an error message ("listener amqp:
  // 0.0.0.0:5672: Address already in use", or one "file:line:column: key: message" line
  // per certificate problem) or nullopt. Nothing is left bound on failure.
  std::optional<std::string> bind();
  // The bound address of a listener (port 0 resolved). Valid after bind().
  Address listenerAddress(const std::string& name) const;
  uint32_t workerCount() const { return worker_count_; }

  void start();
  // Thread-safe. New connections on a TLS listener use `tls` (certificates and SNI routes)
  // from now on; open connections keep the context they started with. Routes may name
  // any cluster of the running configuration. False if there is no such TLS listener.
  bool replaceListenerTls(const std::string& listener, std::shared_ptr<const tls::ServerContext> tls);
  // Thread-safe: stop accepting; open connections get global.shutdown_timeout to finish.
  // A second call closes what is left at once.
  void shutdown();
  // Joins the workers.
  void wait();
  // Runs the signal loop on the calling thread until every worker has stopped.
  void runUntilStopped();

  // Counters summed over the workers; exact after wait(), approximate while they run.
  stats::WorkerStats totals() const;
  // Callable from any thread while the workers run (e.g. a /metrics scrape): the labeled
  // counters read race-free, the flat ones as a benign racy read (see worker_stats.h).
  stats::Snapshot snapshot() const;
  // Listeners bound and workers started (until shutdown() is called).
  bool serving() const { return serving_.load(); }
  const std::vector<upstream::ClusterSharedPtr>& clusters() const { return clusters_; }

 private:
  session::RouteTarget routeTarget(const std::string& cluster_name, Worker& worker) const;

  config::ConfigConstSharedPtr config_;
  uint32_t worker_count_;
  std::vector<upstream::ClusterSharedPtr> clusters_;
  TlsContexts tls_;
  std::vector<std::unique_ptr<std::atomic<uint32_t>>> listener_active_;
  std::atomic<uint32_t> global_active_{0};
  std::vector<Address> bound_;
  std::vector<std::vector<int>> fds_;  // [listener][worker]
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint32_t> workers_running_{0};
  void* exit_async_ = nullptr;  // uv_async_t of runUntilStopped's loop, while it runs
  std::mutex exit_mutex_;
  bool started_ = false;
  std::atomic<bool> serving_{false};
};

}  // namespace warren::server
