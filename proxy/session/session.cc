// Session: accept, admission, the deadline, the reads of the stages before relaying, close
// and finish. The stages themselves are in the session_*.cc files (see session.h).
#include "session/session.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>

#include "session/access_log.h"
#include "tls/connection_facts.h"

namespace warren::session {

namespace {

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Counts of sessions whose context has no counters (a context built without attachStats):
// kept apart per thread so that the single-writer rule still holds.
ListenerStats& Session::scratchStats() {
  thread_local ListenerStats scratch;
  return scratch;
}

Session::Session(ListenerContextConstSharedPtr listener) : listener_(std::move(listener)) {}

Session::~Session() {
  if (setup_ != nullptr) {
    setup_->early.clear(host().chunks());
    if (setup_->header_in != nullptr) host().chunks().put(setup_->header_in);
  }
}

void Session::start(uv_stream_t* server) {
  uv_loop_t* loop = host().loop();
  started_ms_ = uv_now(loop);
  touch();
  lstats().accepted.add();
  lstats().active.add();  // taken back in finish(), which every session reaches
  client_.open(loop);
  // The sinks exist from the start: TLS handshake records go to the client before the
  // node is connected.
  up_.attach(client_, node_);
  down_.attach(node_, client_);
  up_.setByteCounter(&lstats().bytes[kUp]);
  down_.setByteCounter(&lstats().bytes[kDown]);
  if (client_.accept(server) != 0) {
    close(CloseReason::InternalError);
    return;
  }
  client_address_ = client_.peerAddress();
  front_address_ = client_.localAddress();
  peer_address_ = client_address_;

  // Limits are checked on the TCP peer, before a byte is read (with accept_proxy too: the
  // PROXY header's source is not known yet, and an outer balancer is then one source).
  const limits::Gate gate{listener_->global_active, host().global().max_connections, listener_->active,
                          listener_->listener->max_connections, listener_->limits.get()};
  const int64_t now_ns = steadyNowNs();
  limits::Admission admission = limits::admit(gate, peer_address_, now_ns);
  if (admission.rejected) {
    rejectOverLimit(*admission.rejected, admission.max, now_ns);
    return;
  }
  ticket_ = std::move(admission.ticket);
  // TCP options: inherited from the listening socket (see bindListener in server.cc).
  if (listener_->listener->accept_proxy) {
    startProxyHeader();
    return;
  }
  afterProxyHeader();
}

void Session::rejectOverLimit(limits::LimitKind kind, uint32_t max, int64_t now_ns) {
  host().limitStats().rejected_by_limit[static_cast<size_t>(kind)].add();
  if (listener_->limits) {
    listener_->limits->logRejection(kind, listener_->listener->name, peer_address_, max, now_ns / 1'000'000);
  }
  // Bytes the client sent already (an AMQP header, a ClientHello) would make close() answer
  // with a RST; discarded unparsed, the close is a plain FIN. Bounded: a few reads at most.
  const int fd = client_.fd();
  char discard[2048];
  for (int i = 0; i < 4; ++i) {
    if (::recv(fd, discard, sizeof discard, MSG_DONTWAIT) < static_cast<ssize_t>(sizeof discard)) break;
  }
  close(CloseReason::LimitReached);
}

// ---- Reads before relaying: the stage that reads gets them ----

void Session::onAlloc(transport::TcpSocket&, uv_buf_t* buf) {
  if (stage_ == Stage::ReadingProxyHeader) {
    allocHeader(buf);
    return;
  }
  transport::TcpSocket::allocChunk(host().chunks(), network::Chunk::kCapacity, buf);
}

void Session::onRead(transport::TcpSocket& socket, ssize_t nread, const uv_buf_t* buf) {
  if (stage_ == Stage::ReadingProxyHeader) {
    handleHeaderRead(nread);
    return;
  }
  network::Chunk* chunk = transport::TcpSocket::chunkOf(buf);
  if (nread > 0) {
    chunk->length = static_cast<uint32_t>(nread);
    touch();
  } else if (chunk != nullptr) {
    host().chunks().put(chunk);
    chunk = nullptr;
  }
  if (nread == 0) return;
  if (&socket == &node_) {
    handleNodeTlsRead(nread, chunk);
  } else if (early_reading_) {
    handleEarlyRead(nread, chunk);
  } else {
    handleClientTlsRead(nread, chunk);
  }
}

// ---- Timer ----

void Session::armTimer(config::Duration d) { host().deadlines().arm(*this, static_cast<uint64_t>(d.count())); }

void Session::onDeadline() { handleTimeout(); }

void Session::handleTimeout() {
  switch (stage_) {
    case Stage::ReadingProxyHeader:
      lstats().proxy_header_failures[kHeaderTimeout].add();
      if (auto suppressed = allowLog(limits::ConnectionEvent::ProxyHeaderTimeout)) {
        spdlog::warn("proxy_header_timeout peer={} listener={} received_bytes={} suppressed={}",
                     peer_address_.toString(), listener_->listener->name,
                     setup_->header_in != nullptr ? setup_->header_in->length : 0, *suppressed);
      }
      close(CloseReason::ProxyHeaderTimeout);
      return;
    case Stage::TlsHandshake:
      clientHandshakeFailed(/*timeout=*/true);
      return;
    case Stage::Connecting:
      node_.cancelConnect();
      connectFailed(UV_ETIMEDOUT);
      return;
    case Stage::NodeTlsHandshake:
      nodeTlsFailed("handshake_timeout");
      return;
    case Stage::Relaying:
      handleRelayTimeout();
      return;
    case Stage::Closing:
      return;
  }
}

// ---- Closing ----

void Session::close(CloseReason reason) {
  if (stage_ == Stage::Closing) return;
  stage_ = Stage::Closing;
  reason_ = reason;
  up_.stop();
  down_.stop();
  client_.close();
  node_.close();
  host().deadlines().cancel(*this);
  // The client socket is open from start() on, so finish() runs from its close callback.
}

bool Session::handlesReleased() const {
  return !client_.isOpen() && !client_.closing() && !node_.isOpen() && !node_.closing();
}

void Session::onClosed(transport::TcpSocket& socket) {
  if (&socket == &node_ && retry_pending_) {
    retry_pending_ = false;
    if (stage_ == Stage::Connecting) {
      connectNext();
      return;
    }
  }
  if (stage_ == Stage::Closing && handlesReleased()) finish();
}

void Session::finish() {
  lstats().closed_by_reason[static_cast<size_t>(reason_)].add();
  lstats().active.sub();
  // Over-limit rejections have their own bounded log line (limit_reached), not one per connection.
  if (host().global().access_log && reason_ != CloseReason::LimitReached) writeAccessLine();
  attempts_.release();
  ticket_.release();
  host().onSessionClosed(*this);
  delete this;
}

void Session::writeAccessLine() {
  AccessRecord r;
  r.client = &client_address_;
  r.peer = &peer_address_;
  r.listener = listener_->listener->name;
  const std::string sni = sniForLog();
  if (client_tls_ != nullptr && client_tls_->handshakeDone()) {
    r.sni = sni;
    r.tls_version = tls::connectionFacts(client_tls_->ssl()).version;
  }
  const upstream::Node* node = attempts_.current();
  if (node != nullptr) r.node = node->name();
  r.attempts = attempts_.count();
  r.duration_ms = uv_now(host().loop()) - started_ms_;
  r.bytes_up = up_.bytes();
  r.bytes_down = down_.bytes();
  r.amqp = amqp_.get();
  r.heartbeat_s = heartbeatForLog();
  r.reason = reason_;
  session::writeAccessLine(r);
}

}  // namespace warren::session
