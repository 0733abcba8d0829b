#include "server/worker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <utility>

#include "server/context_stats.h"

namespace warren::server {

Worker::Worker(uint32_t index, config::ConfigConstSharedPtr config, std::function<void()> on_exit)
    : index_(index), config_(std::move(config)), on_exit_(std::move(on_exit)) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &inbox_async_, onInbox);
  inbox_async_.data = this;
  uv_timer_init(&loop_, &shutdown_timer_);
  shutdown_timer_.data = this;
  deadlines_.emplace(&loop_);
  relay_env_.pool = &chunks_;
  relay_env_.stats = &registry_.relay();
  setWatermarks();
}

void Worker::setWatermarks() {
  relay_env_.high_watermark = config_->global.buffer_high_watermark;
  relay_env_.low_watermark = config_->global.buffer_low_watermark;
}

SocketHandoff::~SocketHandoff() {
  for (auto& [name, fd] : fds_) {
    if (fd >= 0) ::close(fd);
  }
}

int SocketHandoff::take(const std::string& listener) {
  for (auto& [name, fd] : fds_) {
    if (name == listener) return std::exchange(fd, -1);
  }
  return -1;
}

Worker::~Worker() { join(); }

void Worker::apply(SnapshotConstSharedPtr snapshot, std::vector<std::string> removed,
                   std::shared_ptr<SocketHandoff> sockets) {
  post([this, snapshot = std::move(snapshot), removed = std::move(removed), sockets = std::move(sockets)] {
    applyNow(*snapshot, removed, *sockets);
  });
}

void Worker::applyNow(const Snapshot& snapshot, const std::vector<std::string>& removed, SocketHandoff& sockets) {
  config_ = snapshot.config;
  setWatermarks();  // open relays too
  for (const auto& name : removed) {
    if (ListenerHandle* handle = findListener(name)) closeListener(*handle);
  }
  for (size_t i = 0; i < snapshot.config->listeners.size(); ++i) {
    const std::string& name = snapshot.config->listeners[i].name;
    auto context = makeContext(snapshot, i);
    if (const int fd = sockets.take(name); fd >= 0) {
      auto handle = std::make_unique<ListenerHandle>();
      handle->worker = this;
      handle->context = std::move(context);
      handle->fd = fd;
      openListener(std::move(handle));
    } else if (ListenerHandle* handle = findListener(name)) {
      handle->context = std::move(context);
    }
  }
  // Balancers of clusters that no listener or session holds any more.
  std::erase_if(balancers_, [](const auto& entry) { return entry.first.expired(); });
}

session::ListenerContextConstSharedPtr Worker::makeContext(const Snapshot& snapshot, size_t listener) {
  const config::Config& config = *snapshot.config;
  auto context = std::make_shared<session::ListenerContext>();
  context->host = this;
  context->snapshot = snapshot.config;
  context->listener = &config.listeners[listener];
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    session::RouteTarget target;
    target.cluster_config = &config.clusters[c];
    target.cluster = snapshot.clusters[c];
    target.balancer = balancerFor(snapshot.clusters[c]);
    target.node_tls = snapshot.tls.clusters[c];
    if (config.clusters[c].name == context->listener->cluster) context->default_route = target;
    context->clusters.push_back(std::move(target));
  }
  context->tls = snapshot.tls.listeners[listener];
  context->active = snapshot.active[listener];
  context->limits = snapshot.limits[listener];
  context->global_active = snapshot.global_active;
  attachStats(*context, registry_);  // counters by listener/route name: they survive a reload
  return context;
}

void Worker::replaceListenerTls(const std::string& listener, std::shared_ptr<const tls::ServerContext> tls) {
  post([this, listener, tls = std::move(tls)] {
    ListenerHandle* handle = findListener(listener);
    if (handle == nullptr) return;
    auto next = std::make_shared<session::ListenerContext>(*handle->context);
    next->tls = tls;
    attachStats(*next, registry_);  // the new context's routes may differ
    handle->context = std::move(next);
  });
}

upstream::LoadBalancer* Worker::balancerFor(const upstream::ClusterSharedPtr& cluster) {
  for (auto& [c, lb] : balancers_) {
    if (c.lock() == cluster) return lb.get();
  }
  balancers_.emplace_back(cluster, upstream::makeLoadBalancer(*cluster, index_));
  return balancers_.back().second.get();
}

void Worker::start() { thread_ = std::thread([this] { run(); }); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Every handle is closed by now; a final pass runs their close callbacks.
  uv_run(&loop_, UV_RUN_NOWAIT);
  uv_loop_close(&loop_);
  if (on_exit_) on_exit_();
}

void Worker::openListener(std::unique_ptr<ListenerHandle> handle) {
  if (draining_) {
    ::close(handle->fd);  // a reload raced with the shutdown: nothing to accept any more
    return;
  }
  ListenerHandle& l = *handle;
  listeners_.push_back(std::move(handle));
  uv_tcp_init(&loop_, &l.tcp);
  l.tcp.data = &l;
  int rc = uv_tcp_open(&l.tcp, l.fd);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l.tcp), l.context->listener->backlog, onConnection);
  if (rc != 0) {
    spdlog::error("listen_failed listener={} worker={} error={}", l.context->listener->name, index_, uv_strerror(rc));
  }
  l.open = true;
}

Worker::ListenerHandle* Worker::findListener(const std::string& name) {
  for (auto& l : listeners_) {
    if (l->open && l->context->listener->name == name) return l.get();
  }
  return nullptr;
}

void Worker::closeListener(ListenerHandle& handle) {
  handle.open = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle.tcp), onListenerClosed);
}

void Worker::onListenerClosed(uv_handle_t* handle) {
  auto* closed = static_cast<ListenerHandle*>(handle->data);
  auto& listeners = closed->worker->listeners_;
  std::erase_if(listeners, [closed](const auto& l) { return l.get() == closed; });
}

void Worker::onConnection(uv_stream_t* server, int status) {
  auto* handle = static_cast<ListenerHandle*>(server->data);
  Worker& self = *handle->worker;
  if (status < 0) {
    const auto& listener_limits = handle->context->limits;
    const auto suppressed = listener_limits != nullptr ? listener_limits->connectionLog().allow(limits::ConnectionEvent::AcceptFailed,
                                                                              static_cast<int64_t>(uv_now(&self.loop_)))
                                              : std::optional<uint64_t>(0);
    if (suppressed) {
      spdlog::warn("accept_failed listener={} worker={} error={} suppressed={}", handle->context->listener->name,
                   self.index_, uv_strerror(status), *suppressed);
    }
    return;
  }
  auto* s = new session::Session(handle->context);
  s->next = self.sessions_;
  if (self.sessions_ != nullptr) self.sessions_->prev = s;
  self.sessions_ = s;
  ++self.session_count_;
  s->start(server);
}

void Worker::onSessionClosed(session::Session& s) {
  if (s.prev != nullptr) s.prev->next = s.next;
  if (s.next != nullptr) s.next->prev = s.prev;
  if (sessions_ == &s) sessions_ = s.next;
  --session_count_;
  if (draining_) stopIfDrained();
}

void Worker::post(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(inbox_mutex_);
  if (inbox_closed_) return;  // the worker has stopped: nothing left to tell it
  inbox_.push_back(std::move(fn));
  uv_async_send(&inbox_async_);
}

void Worker::onInbox(uv_async_t* async) {
  auto& self = *static_cast<Worker*>(async->data);
  std::vector<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> lock(self.inbox_mutex_);
    work.swap(self.inbox_);
  }
  for (auto& fn : work) fn();
}

void Worker::beginShutdown(config::Duration deadline) {
  post([this, deadline] { drain(deadline); });
}

void Worker::drain(config::Duration deadline) {
  if (stopped_) return;
  if (draining_) {
    // A second request (second SIGTERM) closes what is left at once.
    closeAllSessions();
    return;
  }
  draining_ = true;
  closeListeners();
  if (session_count_ > 0) {
    spdlog::info("draining worker={} open_connections={} deadline_ms={}", index_, session_count_, deadline.count());
    uv_timer_start(&shutdown_timer_, onShutdownDeadline, static_cast<uint64_t>(deadline.count()), 0);
  }
  stopIfDrained();
}

void Worker::onShutdownDeadline(uv_timer_t* timer) {
  auto& self = *static_cast<Worker*>(timer->data);
  spdlog::warn("shutdown_deadline worker={} closing_connections={}", self.index_, self.session_count_);
  self.closeAllSessions();
}

void Worker::closeAllSessions() {
  // close() only starts closing; sessions unlink themselves later, so walk a snapshot.
  std::vector<session::Session*> open;
  for (session::Session* s = sessions_; s != nullptr; s = s->next) open.push_back(s);
  for (session::Session* s : open) s->close(session::CloseReason::Shutdown);
}

void Worker::closeListeners() {
  // closeListener() erases from listeners_ later (close callback), so walk a snapshot.
  std::vector<ListenerHandle*> open;
  for (auto& l : listeners_) {
    if (l->open) open.push_back(l.get());
  }
  for (ListenerHandle* l : open) closeListener(*l);
}

void Worker::stopIfDrained() {
  if (stopped_ || session_count_ > 0) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    inbox_closed_ = true;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_timer_), nullptr);
  deadlines_->close();
  uv_close(reinterpret_cast<uv_handle_t*>(&inbox_async_), nullptr);
}

}  // namespace warren::server
