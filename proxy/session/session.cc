#include "session/session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <span>

#include "network/socket_options.h"
#include "proxy_protocol/parser.h"
#include "proxy_protocol/writer.h"

namespace warren::session {

namespace {

// What an early chunk may hold while the inbound PROXY header is read, leaving room in
// the first outbound chunk for our own header in front of those bytes.
constexpr uint32_t kEarlyCapacity = network::Chunk::kCapacity - 1024;

Address socketAddress(const uv_tcp_t* tcp, bool peer) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  int rc = peer ? uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len)
                : uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  return rc == 0 ? Address(reinterpret_cast<sockaddr*>(&ss)) : Address();
}

int fdOf(const uv_tcp_t* tcp) {
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<const uv_handle_t*>(tcp), &fd);
  return fd;
}

}  // namespace

Session::Session(SessionHost& host, const ListenerContext& listener) : host_(host), listener_(listener) {}

void Session::start(uv_stream_t* server) {
  uv_loop_t* loop = host_.loop();
  started_ms_ = uv_now(loop);
  touch();
  uv_tcp_init(loop, &client_);
  client_.data = this;
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  open_handles_ = 2;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&client_)) != 0) {
    close(CloseReason::InternalError);
    return;
  }
  client_address_ = socketAddress(&client_, /*peer=*/true);
  front_address_ = socketAddress(&client_, /*peer=*/false);
  peer_address_ = client_address_;

  // Limits: counted first, then checked, so that concurrent workers never overshoot.
  counted_ = true;
  uint32_t global = listener_.global_active->fetch_add(1, std::memory_order_relaxed) + 1;
  uint32_t local = listener_.active->fetch_add(1, std::memory_order_relaxed) + 1;
  uint32_t global_max = host_.global().max_connections;
  uint32_t local_max = listener_.listener->max_connections;
  if ((global_max != 0 && global > global_max) || (local_max != 0 && local > local_max)) {
    ++host_.stats().rejected_limit;
    close(CloseReason::LimitReached);
    return;
  }
  network::applyTcpOptions(fdOf(&client_), listener_.listener->tcp);

  if (listener_.listener->accept_proxy) {
    stage_ = Stage::ReadingProxyHeader;
    armTimer(listener_.listener->proxy_header_timeout);
    if (uv_read_start(reinterpret_cast<uv_stream_t*>(&client_), onHeaderAlloc, onHeaderRead) != 0) {
      close(CloseReason::ClientClosedEarly);
    }
    return;
  }
  stage_ = Stage::Connecting;
  connectNext();
}

// ---- Inbound PROXY header (accept_proxy) ----

void Session::onHeaderAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Session*>(handle->data);
  if (self->early_ == nullptr) self->early_ = self->host_.chunks().get();
  network::Chunk* c = self->early_;
  if (c == nullptr || c->length >= kEarlyCapacity) {
    *buf = uv_buf_init(nullptr, 0);
    return;
  }
  *buf = uv_buf_init(c->data + c->length, kEarlyCapacity - c->length);
}

void Session::onHeaderRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  static_cast<Session*>(stream->data)->handleHeaderRead(nread);
}

void Session::handleHeaderRead(ssize_t nread) {
  if (nread == 0) return;
  if (nread < 0) {
    close(nread == UV_ENOBUFS ? CloseReason::ProxyHeaderInvalid : CloseReason::ClientClosedEarly);
    return;
  }
  touch();
  early_->length += static_cast<uint32_t>(nread);
  proxy_protocol::Header header;
  auto result = proxy_protocol::parse(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(early_->data), early_->length), header);
  if (result.status == proxy_protocol::ParseStatus::NeedMore) return;
  if (result.status == proxy_protocol::ParseStatus::Error) {
    ++host_.stats().proxy_header_invalid;
    spdlog::warn("proxy_header_invalid peer={} listener={} error={}", peer_address_.toString(),
                 listener_.listener->name, proxy_protocol::toString(result.error));
    close(CloseReason::ProxyHeaderInvalid);
    return;
  }
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&client_));
  // A LOCAL header (the outer balancer's own health check) keeps the real addresses.
  if (header.has_addresses) {
    client_address_ = header.source;
    front_address_ = header.destination;
  }
  early_->offset = static_cast<uint32_t>(result.consumed);
  early_->length -= static_cast<uint32_t>(result.consumed);
  if (early_->length == 0) {
    host_.chunks().put(early_);
    early_ = nullptr;
  }
  stage_ = Stage::Connecting;
  connectNext();
}

// ---- Connecting ----

void Session::connectNext() {
  const config::Cluster& cluster = *listener_.cluster_config;
  upstream::Node* node = nullptr;
  if (tried_.size() < cluster.connect_attempts) {
    node = listener_.balancer->pick(static_cast<int64_t>(uv_now(host_.loop())), tried_);
  }
  if (node == nullptr) {
    if (tried_.empty()) {
      spdlog::warn("no_node client={} listener={} cluster={}", client_address_.toString(),
                   listener_.listener->name, cluster.name);
      close(CloseReason::NoNode);
    } else {
      spdlog::warn("connect_failed client={} listener={} cluster={} attempts={} last_error={}",
                   client_address_.toString(), listener_.listener->name, cluster.name, tried_.size(),
                   uv_err_name(last_connect_error_));
      close(CloseReason::ConnectFailed);
    }
    return;
  }
  tried_.push_back(node);
  node->acquire();
  node_choice_ = node;
  ++host_.stats().connect_attempts;

  uv_tcp_init(host_.loop(), &node_);
  node_.data = this;
  ++open_handles_;
  node_open_ = true;
  connecting_ = true;
  connect_req_.data = this;
  armTimer(cluster.connect_timeout);
  int rc = uv_tcp_connect(&connect_req_, &node_, node->address().sockAddr(), onConnect);
  if (rc != 0) {
    connecting_ = false;
    connectFailed(rc);
  }
}

void Session::onConnect(uv_connect_t* req, int status) {
  auto* self = static_cast<Session*>(req->data);
  if (!self->connecting_) return;  // cancelled by a timeout or a close
  self->connecting_ = false;
  if (status != 0) {
    self->connectFailed(status);
    return;
  }
  self->node_choice_->reportSuccess();
  network::applyTcpOptions(fdOf(&self->node_), self->listener_.cluster_config->tcp);
  self->startRelaying();
}

void Session::connectFailed(int error) {
  const config::Cluster& cluster = *listener_.cluster_config;
  int64_t now = static_cast<int64_t>(uv_now(host_.loop()));
  ++host_.stats().connect_failures;
  last_connect_error_ = error;
  node_choice_->reportFailure(now, cluster.down_backoff.count());
  spdlog::warn("node_connect_failed node={} cluster={} client={} attempt={} error={} down_for_ms={}",
               node_choice_->name(), cluster.name, client_address_.toString(), tried_.size(),
               uv_err_name(error), cluster.down_backoff.count());
  node_choice_->release();
  node_choice_ = nullptr;
  uv_timer_stop(&timer_);
  // The next node is tried once libuv has released this handle (see onHandleClosed).
  node_open_ = false;
  retry_pending_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&node_), onHandleClosed);
}

// ---- Relaying ----

void Session::startRelaying() {
  stage_ = Stage::Relaying;
  uv_timer_stop(&timer_);
  if (listener_.listener->idle_timeout.count() > 0) armTimer(listener_.listener->idle_timeout);
  up_.attach(&client_, &node_);
  down_.attach(&node_, &client_);

  // The PROXY header and any bytes the client already sent go out in ONE write: RabbitMQ
  // parses the header from a single recv().
  const config::ProxyProtocol pp = listener_.cluster_config->proxy_protocol;
  if (pp != config::ProxyProtocol::None || early_ != nullptr) {
    network::Chunk* first = host_.chunks().get();
    if (first == nullptr) {
      close(CloseReason::InternalError);
      return;
    }
    std::span<uint8_t> out(reinterpret_cast<uint8_t*>(first->data), network::Chunk::kCapacity);
    size_t n = 0;
    if (pp == config::ProxyProtocol::V1) {
      n = proxy_protocol::writeV1(client_address_, front_address_, out);
    } else if (pp == config::ProxyProtocol::V2) {
      n = proxy_protocol::writeV2(client_address_, front_address_, {}, out);
    }
    if (pp != config::ProxyProtocol::None && n == 0) {
      host_.chunks().put(first);
      spdlog::error("proxy_header_encode_failed client={} front={}", client_address_.toString(),
                    front_address_.toString());
      close(CloseReason::InternalError);
      return;
    }
    if (early_ != nullptr) {
      std::memcpy(first->data + n, early_->data + early_->offset, early_->length);
      n += early_->length;
      up_.bytes_ += early_->length;
      host_.chunks().put(early_);
      early_ = nullptr;
    }
    first->length = static_cast<uint32_t>(n);
    if (!up_.send(first)) return;
  }
  if (up_.startReading() != 0 || down_.startReading() != 0) close(CloseReason::InternalError);
}

void Session::noteEof(Relay::Side side) {
  const Relay& other = side == Relay::Side::Up ? down_ : up_;
  if (!other.eof()) first_eof_ = side == Relay::Side::Up ? CloseReason::ClientClosed : CloseReason::NodeClosed;
}

void Session::checkFinished() {
  if (up_.shut() && down_.shut()) close(first_eof_);
}

// ---- Timer ----

void Session::armTimer(config::Duration d) {
  uv_timer_start(&timer_, onTimer, static_cast<uint64_t>(d.count()), 0);
}

void Session::onTimer(uv_timer_t* timer) { static_cast<Session*>(timer->data)->handleTimeout(); }

void Session::handleTimeout() {
  switch (stage_) {
    case Stage::ReadingProxyHeader:
      ++host_.stats().proxy_header_timeout;
      spdlog::warn("proxy_header_timeout peer={} listener={} received_bytes={}", peer_address_.toString(),
                   listener_.listener->name, early_ != nullptr ? early_->length : 0);
      close(CloseReason::ProxyHeaderTimeout);
      return;
    case Stage::Connecting:
      connecting_ = false;
      connectFailed(UV_ETIMEDOUT);
      return;
    case Stage::Relaying: {
      // Reads only stamp the time; the timer is re-armed here, not on every read.
      uint64_t idle = static_cast<uint64_t>(listener_.listener->idle_timeout.count());
      uint64_t quiet = uv_now(host_.loop()) - last_activity_ms_;
      if (quiet >= idle) {
        close(CloseReason::IdleTimeout);
      } else {
        uv_timer_start(&timer_, onTimer, idle - quiet, 0);
      }
      return;
    }
    case Stage::Closing:
      return;
  }
}

// ---- Closing ----

void Session::close(CloseReason reason) {
  if (stage_ == Stage::Closing) return;
  stage_ = Stage::Closing;
  reason_ = reason;
  connecting_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&client_), onHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onHandleClosed);
  if (node_open_) {
    node_open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&node_), onHandleClosed);
  }
}

void Session::onHandleClosed(uv_handle_t* handle) {
  auto* self = static_cast<Session*>(handle->data);
  --self->open_handles_;
  if (handle == reinterpret_cast<uv_handle_t*>(&self->node_) && self->retry_pending_) {
    self->retry_pending_ = false;
    if (self->stage_ == Stage::Connecting) {
      self->connectNext();
      return;
    }
  }
  if (self->open_handles_ == 0 && self->stage_ == Stage::Closing) self->finish();
}

void Session::finish() {
  if (node_choice_ != nullptr) node_choice_->release();
  if (early_ != nullptr) host_.chunks().put(early_);
  if (counted_) {
    listener_.global_active->fetch_sub(1, std::memory_order_relaxed);
    listener_.active->fetch_sub(1, std::memory_order_relaxed);
  }
  stats::WorkerStats& stats = host_.stats();
  ++stats.closed_by_reason[static_cast<size_t>(reason_)];
  stats.bytes_up += up_.bytes();
  stats.bytes_down += down_.bytes();
  if (host_.global().access_log) {
    uint64_t now = uv_now(host_.loop());
    if (peer_address_ == client_address_) {
      spdlog::info("access client={} listener={} node={} attempts={} duration_ms={} bytes_up={} bytes_down={} reason={}",
                   client_address_.toString(), listener_.listener->name,
                   node_choice_ != nullptr ? node_choice_->name() : "-", tried_.size(), now - started_ms_,
                   up_.bytes(), down_.bytes(), toString(reason_));
    } else {
      spdlog::info("access client={} peer={} listener={} node={} attempts={} duration_ms={} bytes_up={} bytes_down={} reason={}",
                   client_address_.toString(), peer_address_.toString(), listener_.listener->name,
                   node_choice_ != nullptr ? node_choice_->name() : "-", tried_.size(), now - started_ms_,
                   up_.bytes(), down_.bytes(), toString(reason_));
    }
  }
  host_.onSessionClosed(*this);
  delete this;
}

}  // namespace warren::session
