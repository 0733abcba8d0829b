#include "server/server.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <uv.h>

#include <csignal>
#include <cstring>

#include "common/logging.h"
#include "config/warnings.h"
#include "network/listen_socket.h"
#include "server/listener_binding.h"
#include "server/log_options.h"
#include "server/context_stats.h"
#include "server/systemd_notify.h"

namespace warren::server {
namespace {

using Clock = std::chrono::steady_clock;

uint32_t workersFor(const config::Config& config) {
  return config.global.workers != 0 ? config.global.workers : std::max(1u, std::thread::hardware_concurrency());
}

std::string joinErrors(const std::vector<config::ConfigError>& errors) {
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e.format();
  return msg;
}

std::string namesOf(const std::vector<config::Listener>& listeners, const std::vector<size_t>& indexes) {
  std::string out = "[";
  for (size_t i = 0; i < indexes.size(); ++i) out += (i == 0 ? "" : ",") + listeners[indexes[i]].name;
  return out + "]";
}

}  // namespace

Server::Server(config::ConfigConstSharedPtr config, discovery::ResolverSharedPtr resolver)
    : worker_count_(workersFor(*config)),
      resolver_(resolver ? std::move(resolver) : std::make_shared<discovery::SystemResolver>()),
      config_(std::move(config)) {
  std::lock_guard<std::mutex> lock(mutex_);
  resolveNewHostsLocked(*config_);
  clusters_ = buildClustersLocked(*config_);
}

Server::~Server() {
  if (started_) {
    shutdown();
    wait();
  }
  for (auto& fds : fds_) network::closeAll(fds);
}

std::optional<std::string> Server::bind(InheritedSockets* inherited) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<config::ConfigError> warnings;
  auto tls_errors = buildTlsContexts(*config_, tls_, &warnings);
  for (const auto& w : warnings) spdlog::warn("config_warning {}", logging::quote(w.format()));
  if (!tls_errors.empty()) return joinErrors(tls_errors);
  for (const auto& l : config_->listeners) {
    std::vector<int> fds;
    Address bound;
    auto taken = inherited != nullptr ? inherited->take(l.name, l.address.toString()) : std::nullopt;
    if (taken) fds = std::move(*taken);
    if (auto err = taken ? adoptListener(l, worker_count_, fds, bound) : bindListener(l, worker_count_, fds, bound)) {
      network::closeAll(fds);
      for (auto& open : fds_) network::closeAll(open);
      fds_.clear();
      bound_.clear();
      return err;
    }
    bound_.push_back(bound);
    fds_.push_back(std::move(fds));
  }
  return std::nullopt;
}

Address Server::listenerAddress(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < config_->listeners.size() && i < bound_.size(); ++i) {
    if (config_->listeners[i].name == name) return bound_[i];
  }
  return Address();
}

std::vector<upstream::ClusterSharedPtr> Server::clusters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return clusters_;
}

void Server::setClustersHandler(ClustersHandler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  clusters_handler_ = std::move(handler);
}

config::ConfigConstSharedPtr Server::config() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return config_;
}

void Server::resolveNewHostsLocked(const config::Config& config) {
  for (const auto& key : discovery::hostKeys(config)) {
    if (resolved_.count(key) != 0) continue;
    const auto colon = key.rfind(':');
    const std::string host = key.substr(0, colon);
    auto result = resolver_->resolve(host, static_cast<uint16_t>(std::stoi(key.substr(colon + 1))));
    if (!result.ok()) {
      // Like Envoy's STRICT_DNS: start without the node rather than refuse to start; the
      // next resolution (resolve_interval) adds it.
      spdlog::warn("dns_resolve_failed host={} error={} nodes=absent", key, logging::quote(result.error));
      continue;
    }
    spdlog::info("dns_resolved host={} addresses={}", key, discovery::listText(result.addresses));
    resolved_[key] = std::move(result.addresses);
  }
}

std::vector<upstream::ClusterSharedPtr> Server::buildClustersLocked(const config::Config& config) const {
  std::vector<upstream::ClusterSharedPtr> out;
  for (const auto& c : config.clusters) {
    const upstream::Cluster* previous = nullptr;
    for (const auto& old : clusters_) {
      if (old->name() == c.name) previous = old.get();
    }
    out.push_back(std::make_shared<upstream::Cluster>(discovery::expandNodes(c, resolved_), previous));
  }
  return out;
}

std::shared_ptr<limits::ListenerLimits> Server::limitsLocked(const config::Listener& listener) {
  auto& entry = listener_limits_[listener.name];
  if (!entry.limits || entry.per_source != listener.max_connections_per_source ||
      entry.rate != listener.accept_rate || entry.burst != listener.accept_burst ||
      entry.source_from_header != listener.sourceFromHeader()) {
    entry = {listener.max_connections_per_source, listener.accept_rate, listener.accept_burst,
             listener.sourceFromHeader(), std::make_shared<limits::ListenerLimits>(listener)};
  }
  return entry.limits;
}

std::atomic<uint32_t>* Server::activeCounterLocked(const std::string& listener) {
  auto& counter = listener_active_[listener];
  if (!counter) counter = std::make_unique<std::atomic<uint32_t>>(0);
  return counter.get();
}

void Server::publishLocked(std::vector<std::string> removed,
                           std::vector<std::vector<std::pair<std::string, int>>> fds) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->config = config_;
  snapshot->clusters = clusters_;
  snapshot->tls = tls_;
  for (const auto& l : config_->listeners) {
    snapshot->active.push_back(activeCounterLocked(l.name));
    snapshot->limits.push_back(limitsLocked(l));
  }
  snapshot->global_active = &global_active_;
  fds.resize(worker_count_);
  for (uint32_t w = 0; w < worker_count_; ++w) {
    workers_[w]->apply(snapshot, removed, std::make_shared<SocketHandoff>(std::move(fds[w])));
  }
  health_.setClusters(clusters_);
  if (clusters_handler_) clusters_handler_(clusters_);
}

void Server::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  started_ = true;
  // A peer that vanished must be an error code from write(), not a process-killing signal.
  std::signal(SIGPIPE, SIG_IGN);
  for (uint32_t w = 0; w < worker_count_; ++w) {
    workers_.push_back(std::make_unique<Worker>(w, config_, [this] {
      workers_running_.fetch_sub(1);
      std::lock_guard<std::mutex> exit_lock(exit_mutex_);
      if (exit_async_ != nullptr) uv_async_send(static_cast<uv_async_t*>(exit_async_));
    }));
  }
  std::vector<std::vector<std::pair<std::string, int>>> fds(worker_count_);
  for (size_t i = 0; i < config_->listeners.size() && i < fds_.size(); ++i) {
    const config::Listener& l = config_->listeners[i];
    for (uint32_t w = 0; w < worker_count_; ++w) fds[w].emplace_back(l.name, fds_[i][w]);
    accepting_[l.name] = ListenerSockets{l.name, l.address.toString(), fds_[i]};
    spdlog::info("listening listener={} address={} cluster={} workers={} accept_proxy={} tls={} routes={}", l.name,
                 bound_[i].toString(), l.cluster, worker_count_, l.accept_proxy, l.tls.enabled, l.routes.size());
  }
  fds_.clear();  // the workers own them now
  publishLocked({}, std::move(fds));
  workers_running_ = worker_count_;
  for (auto& w : workers_) w->start();
  health_.start();
  dns_thread_ = std::thread([this] { dnsLoop(); });
  serving_ = true;
}


ReloadResult Server::reload(config::ConfigConstSharedPtr next) {
  std::lock_guard<std::mutex> lock(mutex_);
  return reloadLocked(std::move(next));
}

ReloadResult Server::reloadLocked(config::ConfigConstSharedPtr next) {
  if (!started_ || stopping_) return {false, "the server is not running"};
  if (next->global.workers != config_->global.workers) {
    auto shown = [](uint32_t n) { return n == 0 ? std::string("\"auto\"") : std::to_string(n); };
    return {false, "global.workers cannot change at runtime (running with " + shown(config_->global.workers) +
                       ", the file says " + shown(next->global.workers) + "): restart Warren to apply it"};
  }
  TlsContexts tls;
  std::vector<config::ConfigError> warnings;
  auto tls_errors = buildTlsContexts(*next, tls, &warnings);
  for (const auto& w : config::configWarnings(*next)) warnings.push_back(w);
  for (const auto& w : warnings) spdlog::warn("config_warning {}", logging::quote(w.format()));
  if (!tls_errors.empty()) return {false, joinErrors(tls_errors)};

  const ListenerPlan plan = planListeners(config_->listeners, next->listeners);
  std::vector<std::vector<int>> new_fds(next->listeners.size());
  std::vector<Address> bound(next->listeners.size());
  for (size_t n : plan.added) {
    if (auto err = bindListener(next->listeners[n], worker_count_, new_fds[n], bound[n])) {
      for (auto& fds : new_fds) network::closeAll(fds);
      return {false, *err};
    }
  }
  for (const auto& k : plan.kept) bound[k.new_index] = bound_[k.old_index];

  // Validated: swap. Names the new config no longer has are forgotten.
  resolveNewHostsLocked(*next);
  const auto keys = discovery::hostKeys(*next);
  std::erase_if(resolved_, [&](const auto& e) { return std::find(keys.begin(), keys.end(), e.first) == keys.end(); });
  std::erase_if(next_resolve_,
                [&](const auto& e) { return std::find(keys.begin(), keys.end(), e.first) == keys.end(); });
  const bool log_options_changed = !sameLogOptions(next->global, config_->global);
  std::vector<std::string> removed;
  for (size_t o : plan.removed) removed.push_back(config_->listeners[o].name);
  const std::string removed_text = namesOf(config_->listeners, plan.removed);
  std::vector<std::vector<std::pair<std::string, int>>> fds(worker_count_);
  for (const auto& name : removed) accepting_.erase(name);
  for (size_t n : plan.added) {
    for (uint32_t w = 0; w < worker_count_; ++w) fds[w].emplace_back(next->listeners[n].name, new_fds[n][w]);
    const config::Listener& l = next->listeners[n];
    accepting_[l.name] = ListenerSockets{l.name, l.address.toString(), new_fds[n]};
  }
  clusters_ = buildClustersLocked(*next);
  config_ = std::move(next);
  tls_ = std::move(tls);
  bound_ = std::move(bound);
  publishLocked(std::move(removed), std::move(fds));
  if (log_options_changed) {
    if (auto err = logging::configure(logOptions(config_->global)); !err.empty()) {
      spdlog::error("access_log_unavailable error={} hint={}", logging::quote(err),
                    logging::quote("access lines keep going where they went before"));
    }
  }
  for (size_t n : plan.added) {
    spdlog::info("listening listener={} address={} cluster={}", config_->listeners[n].name, bound_[n].toString(),
                 config_->listeners[n].cluster);
  }
  dns_wake_.notify_all();
  return {true, "listeners_kept=" + std::to_string(plan.kept.size()) +
                    " listeners_added=" + namesOf(config_->listeners, plan.added) +
                    " listeners_removed=" + removed_text + " clusters=" + std::to_string(clusters_.size())};
}

void Server::dnsLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const auto now = Clock::now();
    auto wake = now + std::chrono::seconds(1);
    for (const auto& c : config_->clusters) {
      for (const auto& n : c.nodes) {
        if (n.host.empty()) continue;
        auto [it, added] = next_resolve_.try_emplace(discovery::hostKey(n), now + c.resolve_interval);
        wake = std::min(wake, it->second);
      }
    }
    if (wake <= now) {
      refreshDueHosts(lock);
      continue;
    }
    dns_wake_.wait_until(lock, wake);
  }
}

void Server::refreshDueHosts(std::unique_lock<std::mutex>& lock) {
  const auto now = Clock::now();
  std::vector<std::string> due;
  for (const auto& c : config_->clusters) {
    for (const auto& n : c.nodes) {
      if (n.host.empty()) continue;
      auto& next = next_resolve_[discovery::hostKey(n)];
      if (next > now) continue;
      next = now + c.resolve_interval;  // the shortest interval of the clusters naming it wins
      due.push_back(discovery::hostKey(n));
    }
  }
  // getaddrinfo may take seconds: never with the lock held (reloads and clusters() wait on it).
  std::vector<std::pair<std::string, discovery::ResolveResult>> results;
  lock.unlock();
  for (const auto& key : due) {
    const auto colon = key.rfind(':');
    results.emplace_back(key, resolver_->resolve(key.substr(0, colon),
                                                 static_cast<uint16_t>(std::stoi(key.substr(colon + 1)))));
  }
  lock.lock();
  if (stopping_) return;
  bool changed = false;
  for (auto& [key, result] : results) {
    if (!result.ok()) {
      // Keep the last addresses: a DNS outage must not empty the pool.
      spdlog::warn("dns_resolve_failed host={} error={} nodes=unchanged", key, logging::quote(result.error));
      continue;
    }
    auto& known = resolved_[key];
    const auto diff = discovery::diffAddresses(known, result.addresses);
    if (diff.empty()) continue;
    spdlog::info("dns_changed host={} added={} removed={}", key, discovery::listText(diff.added),
                 discovery::listText(diff.removed));
    known = std::move(result.addresses);
    changed = true;
  }
  if (!changed) return;
  clusters_ = buildClustersLocked(*config_);
  publishLocked({}, {});
}

bool Server::replaceListenerTls(const std::string& listener, std::shared_ptr<const tls::ServerContext> tls) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& l : config_->listeners) {
    if (l.name != listener || !l.tls.enabled || !tls) continue;
    for (auto& w : workers_) w->replaceListenerTls(listener, tls);
    return true;
  }
  return false;
}

void Server::shutdown() {
  config::Duration timeout;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    serving_ = false;
    timeout = config_->global.shutdown_timeout;
  }
  dns_wake_.notify_all();
  systemd::notify("STOPPING=1");
  for (auto& w : workers_) w->beginShutdown(timeout);
}

std::vector<ListenerSockets> Server::listenersForTakeover(std::string& refused) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ListenerSockets> out;
  if (!started_ || stopping_) {
    refused = "it is stopping";
    return out;
  }
  // Under the lock: a reload that removes a listener erases it here before its workers close it.
  for (const auto& [name, sockets] : accepting_) {
    ListenerSockets copy{sockets.name, sockets.address, {}};
    for (int fd : sockets.fds) {
      const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (dup < 0) {
        for (auto& l : out) network::closeAll(l.fds);
        network::closeAll(copy.fds);
        refused = std::string("dup: ") + std::strerror(errno);
        return {};
      }
      copy.fds.push_back(dup);
    }
    out.push_back(std::move(copy));
  }
  return out;
}

bool Server::workersResponsive(std::chrono::milliseconds timeout) {
  struct Pending {
    std::mutex mutex;
    std::condition_variable cv;
    size_t left = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = workers_.size();
  for (auto& w : workers_) {
    w->ping([pending] {
      std::lock_guard<std::mutex> lock(pending->mutex);
      if (--pending->left == 0) pending->cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(pending->mutex);
  return pending->cv.wait_for(lock, timeout, [&] { return pending->left == 0; });
}

void Server::wait() {
  for (auto& w : workers_) w->join();
  if (dns_thread_.joinable()) dns_thread_.join();
  health_.stop();  // after the workers: draining connections still see health changes
}

session::Totals Server::totals() const { return snapshot().totals(); }

session::Snapshot Server::snapshot() const {
  session::Snapshot out;
  for (const auto& w : workers_) w->registry().addTo(out);
  return out;
}

sigset_t Server::stopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);  // reopen the access log (logrotate)
  sigaddset(&set, SIGUSR2);  // logged and ignored (its default action would kill the process)
  return set;
}

void Server::blockStopSignals() {
  sigset_t set = stopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void Server::runUntilStopped() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  struct Ctx {
    Server* server;
    uv_signal_t sigterm, sigint, sighup, sigusr1, sigusr2;
    uv_async_t exit_async;
    int signals_seen = 0;
  } ctx{};
  ctx.server = this;

  auto on_signal = [](uv_signal_t* handle, int signum) {
    auto* c = static_cast<Ctx*>(handle->data);
    if (signum == SIGUSR1) {
      logging::reopen();
      spdlog::info("log_reopen signal=SIGUSR1");
      return;
    }
    if (signum == SIGUSR2) {
      spdlog::info("signal_ignored signal=SIGUSR2");
      return;
    }
    if (signum == SIGHUP) {
      if (c->server->reload_handler_) {
        c->server->reload_handler_();
      } else {
        spdlog::warn("signal=SIGHUP: no configuration file to reload; ignored");
      }
      return;
    }
    ++c->signals_seen;
    spdlog::info("shutdown signal={} graceful={} timeout_ms={}", signum == SIGTERM ? "SIGTERM" : "SIGINT",
                 c->signals_seen == 1, c->server->config()->global.shutdown_timeout.count());
    c->server->shutdown();
  };
  auto on_exit = [](uv_async_t* handle) {
    auto* c = static_cast<Ctx*>(handle->data);
    if (c->server->workers_running_.load() != 0) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sighup), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sigusr1), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sigusr2), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->exit_async), nullptr);
  };
  for (uv_signal_t* s : {&ctx.sigterm, &ctx.sigint, &ctx.sighup, &ctx.sigusr1, &ctx.sigusr2}) {
    uv_signal_init(&loop, s);
    s->data = &ctx;
  }
  uv_signal_start(&ctx.sigterm, on_signal, SIGTERM);
  uv_signal_start(&ctx.sigint, on_signal, SIGINT);
  uv_signal_start(&ctx.sighup, on_signal, SIGHUP);
  uv_signal_start(&ctx.sigusr1, on_signal, SIGUSR1);
  uv_signal_start(&ctx.sigusr2, on_signal, SIGUSR2);
  // Blocked since before start() (blockStopSignals): one that came meanwhile is delivered now,
  // to this thread only (every other thread inherited the block).
  sigset_t stop_signals = stopSignals();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  uv_async_init(&loop, &ctx.exit_async, on_exit);
  ctx.exit_async.data = &ctx;
  {
    std::lock_guard<std::mutex> lock(exit_mutex_);
    exit_async_ = &ctx.exit_async;
  }
  if (workers_running_.load() == 0) uv_async_send(&ctx.exit_async);
  uv_run(&loop, UV_RUN_DEFAULT);
  {
    std::lock_guard<std::mutex> lock(exit_mutex_);
    exit_async_ = nullptr;
  }
  uv_loop_close(&loop);
  wait();
}

}  // namespace warren::server
