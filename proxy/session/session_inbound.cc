// Session stage: the inbound PROXY header (listeners with accept_proxy). The header is
// gathered in one chunk and parsed by proxy_protocol; what follows it in that chunk is the
// client's first bytes (ciphertext on a TLS listener).
#include <spdlog/spdlog.h>

#include <span>

#include "proxy_protocol/parser.h"
#include "session/session.h"

namespace warren::session {

void Session::startProxyHeader() {
  stage_ = Stage::ReadingProxyHeader;
  armTimer(listener_->listener->proxy_header_timeout);
  if (client_.startReading(*this) != 0) close(CloseReason::ClientClosedEarly);
}

void Session::allocHeader(uv_buf_t* buf) {
  if (setup_->header_in == nullptr) setup_->header_in = host().chunks().get();
  network::Chunk* c = setup_->header_in;
  if (c == nullptr || c->length >= network::Chunk::kCapacity) {
    *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS: the header is too long
    return;
  }
  *buf = uv_buf_init(c->data + c->length, network::Chunk::kCapacity - c->length);
}

void Session::handleHeaderRead(ssize_t nread) {
  if (nread == 0) return;
  if (nread < 0) {
    close(nread == UV_ENOBUFS ? CloseReason::ProxyHeaderInvalid : CloseReason::ClientClosedEarly);
    return;
  }
  touch();
  setup_->header_in->length += static_cast<uint32_t>(nread);
  proxy_protocol::Header header;
  const auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(setup_->header_in->data), setup_->header_in->length);
  const auto result = proxy_protocol::parse(bytes, header);
  if (result.status == proxy_protocol::ParseStatus::NeedMore) return;
  if (result.status == proxy_protocol::ParseStatus::Error) {
    lstats().proxy_header_failures[kHeaderInvalid].add();
    if (auto suppressed = allowLog(limits::ConnectionEvent::ProxyHeaderInvalid)) {
      spdlog::warn("proxy_header_invalid peer={} listener={} error={} suppressed={}", peer_address_.toString(),
                   listener_->listener->name, proxy_protocol::toString(result.error), *suppressed);
    }
    close(CloseReason::ProxyHeaderInvalid);
    return;
  }
  client_.stopReading();
  // A LOCAL header (the outer balancer's own health check) keeps the real addresses.
  if (header.has_addresses) {
    client_address_ = header.source;
    front_address_ = header.destination;
  }
  network::Chunk* rest = setup_->header_in;
  setup_->header_in = nullptr;
  rest->offset = static_cast<uint32_t>(result.consumed);
  rest->length -= static_cast<uint32_t>(result.consumed);
  if (listener_->tls) {
    startTlsHandshake();
    if (rest->length > 0 && stage_ == Stage::TlsHandshake) {
      handleClientHandshakeBytes(rest);  // ciphertext that followed the header
    } else {
      host().chunks().put(rest);
    }
    return;
  }
  if (rest->length > 0) {
    if (!earlySink()->push(rest)) return;
  } else {
    host().chunks().put(rest);
  }
  afterProxyHeader();
}

void Session::afterProxyHeader() {
  if (listener_->tls) {
    startTlsHandshake();
    return;
  }
  target_ = &listener_->default_route;
  countRoute(listener_->route_stats.size() - 1);
  stage_ = Stage::Connecting;
  startEarlyReading();
  connectNext();
}

}  // namespace warren::session
