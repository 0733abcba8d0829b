#include "server/worker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "server/context_stats.h"

namespace warren::server {

Worker::Worker(uint32_t index, config::ConfigConstSharedPtr config, std::function<void()> on_exit)
    : index_(index), config_(std::move(config)), on_exit_(std::move(on_exit)) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &inbox_async_, onInbox);
  inbox_async_.data = this;
  uv_timer_init(&loop_, &shutdown_timer_);
  shutdown_timer_.data = this;
}

Worker::~Worker() {
  join();
  for (auto& l : listeners_) {
    if (!l->open && l->fd >= 0 && l->tcp.loop == nullptr) ::close(l->fd);  // never started
  }
}

void Worker::addListener(session::ListenerContextConstSharedPtr context, int fd) {
  auto handle = std::make_unique<ListenerHandle>();
  handle->worker = this;
  handle->context = std::move(context);
  handle->fd = fd;
  listeners_.push_back(std::move(handle));
}

void Worker::replaceListenerTls(size_t index, std::shared_ptr<const tls::ServerContext> tls) {
  post([this, index, tls = std::move(tls)] {
    if (index >= listeners_.size()) return;
    auto next = std::make_shared<session::ListenerContext>(*listeners_[index]->context);
    next->tls = tls;
    attachStats(*next, registry_);  // the new context's routes may differ
    listeners_[index]->context = std::move(next);
  });
}

upstream::LoadBalancer* Worker::balancerFor(const upstream::Cluster& cluster) {
  for (auto& [c, lb] : balancers_) {
    if (c == &cluster) return lb.get();
  }
  balancers_.emplace_back(&cluster, upstream::makeLoadBalancer(cluster, index_));
  return balancers_.back().second.get();
}

void Worker::start() { thread_ = std::thread([this] { run(); }); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::run() {
  startListening();
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Every handle is closed by now; a final pass runs their close callbacks.
  uv_run(&loop_, UV_RUN_NOWAIT);
  uv_loop_close(&loop_);
  if (on_exit_) on_exit_();
}

void Worker::startListening() {
  for (auto& l : listeners_) {
    uv_tcp_init(&loop_, &l->tcp);
    l->tcp.data = l.get();
    int rc = uv_tcp_open(&l->tcp, l->fd);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->tcp), l->context->listener->backlog, onConnection);
    if (rc != 0) {
      spdlog::error("listen_failed listener={} worker={} error={}", l->context->listener->name, index_, uv_strerror(rc));
    }
    l->open = true;
  }
}

void Worker::onConnection(uv_stream_t* server, int status) {
  auto* handle = static_cast<ListenerHandle*>(server->data);
  Worker& self = *handle->worker;
  if (status < 0) {
    spdlog::warn("accept_failed listener={} worker={} error={}", handle->context->listener->name, self.index_,
                 uv_strerror(status));
    return;
  }
  auto* s = new session::Session(self, handle->context);
  s->next = self.sessions_;
  if (self.sessions_ != nullptr) self.sessions_->prev = s;
  self.sessions_ = s;
  ++self.session_count_;
  ++self.stats_.accepted;
  ++self.stats_.active;
  s->start(server);
}

void Worker::onSessionClosed(session::Session& s) {
  if (s.prev != nullptr) s.prev->next = s.next;
  if (s.next != nullptr) s.next->prev = s.prev;
  if (sessions_ == &s) sessions_ = s.next;
  --session_count_;
  --stats_.active;
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
  for (auto& l : listeners_) {
    if (l->open) {
      l->open = false;
      uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp), nullptr);
    }
  }
}

void Worker::stopIfDrained() {
  if (stopped_ || session_count_ > 0) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    inbox_closed_ = true;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&inbox_async_), nullptr);
}

}  // namespace warren::server
