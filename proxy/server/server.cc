#include "server/server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <uv.h>

#include <csignal>
#include <cstring>
#include <thread>

#include "common/logging.h"
#include "network/listen_socket.h"
#include "server/context_stats.h"

namespace warren::server {

Server::Server(config::ConfigConstSharedPtr config) : config_(std::move(config)) {
  worker_count_ = config_->global.workers;
  if (worker_count_ == 0) worker_count_ = std::max(1u, std::thread::hardware_concurrency());
  for (const auto& c : config_->clusters) clusters_.push_back(std::make_shared<upstream::Cluster>(c));
  for (size_t i = 0; i < config_->listeners.size(); ++i) {
    listener_active_.push_back(std::make_unique<std::atomic<uint32_t>>(0));
  }
}

Server::~Server() {
  if (started_) {
    shutdown();
    wait();
  }
  for (auto& fds : fds_) network::closeAll(fds);
}

std::optional<std::string> Server::bind() {
  std::vector<config::ConfigError> warnings;
  auto tls_errors = buildTlsContexts(*config_, tls_, &warnings);
  for (const auto& w : warnings) spdlog::warn("config_warning {}", logging::quote(w.format()));
  if (!tls_errors.empty()) {
    std::string msg;
    for (const auto& e : tls_errors) msg += (msg.empty() ? "" : "\n") + e.format();
    return msg;
  }
  for (const auto& l : config_->listeners) {
    auto result = network::bindReusePort(l.address, worker_count_);
    if (auto* err = std::get_if<std::string>(&result)) {
      for (auto& fds : fds_) network::closeAll(fds);
      fds_.clear();
      bound_.clear();
      return "listener " + l.name + ": " + *err;
    }
    auto& bound = std::get<network::BoundSockets>(result);
    for (int fd : bound.fds) {
      if (::listen(fd, l.backlog) != 0) {
        std::string msg = "listener " + l.name + ": listen: " + std::strerror(errno);
        network::closeAll(bound.fds);
        for (auto& fds : fds_) network::closeAll(fds);
        fds_.clear();
        return msg;
      }
    }
    bound_.push_back(bound.address);
    fds_.push_back(std::move(bound.fds));
  }
  return std::nullopt;
}

session::RouteTarget Server::routeTarget(const std::string& cluster_name, Worker& worker) const {
  session::RouteTarget target;
  for (size_t c = 0; c < clusters_.size(); ++c) {
    if (clusters_[c]->name() != cluster_name) continue;
    target.cluster_config = &config_->clusters[c];
    target.cluster = clusters_[c];
    target.balancer = worker.balancerFor(*clusters_[c]);
    target.node_tls = tls_.clusters[c];
  }
  return target;
}

Address Server::listenerAddress(const std::string& name) const {
  for (size_t i = 0; i < config_->listeners.size() && i < bound_.size(); ++i) {
    if (config_->listeners[i].name == name) return bound_[i];
  }
  return Address();
}

void Server::start() {
  started_ = true;
  // A peer that vanished must be an error code from write(), not a process-killing signal.
  std::signal(SIGPIPE, SIG_IGN);
  for (uint32_t w = 0; w < worker_count_; ++w) {
    workers_.push_back(std::make_unique<Worker>(w, config_, [this] {
      workers_running_.fetch_sub(1);
      std::lock_guard<std::mutex> lock(exit_mutex_);
      if (exit_async_ != nullptr) uv_async_send(static_cast<uv_async_t*>(exit_async_));
    }));
  }
  for (size_t i = 0; i < config_->listeners.size(); ++i) {
    const config::Listener& l = config_->listeners[i];
    for (uint32_t w = 0; w < worker_count_; ++w) {
      auto ctx = std::make_shared<session::ListenerContext>();
      ctx->snapshot = config_;
      ctx->listener = &l;
      ctx->default_route = routeTarget(l.cluster, *workers_[w]);
      for (const auto& c : config_->clusters) ctx->clusters.push_back(routeTarget(c.name, *workers_[w]));
      ctx->tls = tls_.listeners[i];
      ctx->active = listener_active_[i].get();
      ctx->global_active = &global_active_;
      attachStats(*ctx, workers_[w]->registry());
      workers_[w]->addListener(std::move(ctx), fds_[i][w]);
    }
    fds_[i].clear();  // the workers own them now
    spdlog::info("listening listener={} address={} cluster={} workers={} accept_proxy={} tls={} routes={}", l.name,
                 bound_[i].toString(), l.cluster, worker_count_, l.accept_proxy, l.tls.enabled, l.routes.size());
  }
  workers_running_ = worker_count_;
  for (auto& w : workers_) w->start();
  serving_ = true;
}

bool Server::replaceListenerTls(const std::string& listener, std::shared_ptr<const tls::ServerContext> tls) {
  for (size_t i = 0; i < config_->listeners.size(); ++i) {
    if (config_->listeners[i].name != listener || !config_->listeners[i].tls.enabled || !tls) continue;
    for (auto& w : workers_) w->replaceListenerTls(i, tls);
    return true;
  }
  return false;
}

void Server::shutdown() {
  serving_ = false;
  for (auto& w : workers_) w->beginShutdown(config_->global.shutdown_timeout);
}

void Server::wait() {
  for (auto& w : workers_) w->join();
}

stats::WorkerStats Server::totals() const {
  stats::WorkerStats sum;
  for (const auto& w : workers_) sum += w->statsAfterJoin();
  return sum;
}

stats::Snapshot Server::snapshot() const {
  stats::Snapshot out;
  for (const auto& w : workers_) {
    out.totals += w->statsAfterJoin();
    w->registry().addTo(out);
  }
  return out;
}

void Server::runUntilStopped() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  struct Ctx {
    Server* server;
    uv_signal_t sigterm, sigint, sighup;
    uv_async_t exit_async;
    int signals_seen = 0;
  } ctx{};
  ctx.server = this;

  auto on_signal = [](uv_signal_t* handle, int signum) {
    auto* c = static_cast<Ctx*>(handle->data);
    if (signum == SIGHUP) {
      spdlog::warn("signal=SIGHUP: configuration reload is not available yet; ignored");
      return;
    }
    ++c->signals_seen;
    spdlog::info("shutdown signal={} graceful={} timeout_ms={}", signum == SIGTERM ? "SIGTERM" : "SIGINT",
                 c->signals_seen == 1, c->server->config_->global.shutdown_timeout.count());
    c->server->shutdown();
  };
  auto on_exit = [](uv_async_t* handle) {
    auto* c = static_cast<Ctx*>(handle->data);
    if (c->server->workers_running_.load() != 0) return;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->sighup), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->exit_async), nullptr);
  };
  for (uv_signal_t* s : {&ctx.sigterm, &ctx.sigint, &ctx.sighup}) {
    uv_signal_init(&loop, s);
    s->data = &ctx;
  }
  uv_signal_start(&ctx.sigterm, on_signal, SIGTERM);
  uv_signal_start(&ctx.sigint, on_signal, SIGINT);
  uv_signal_start(&ctx.sighup, on_signal, SIGHUP);
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
