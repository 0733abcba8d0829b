// Session: the client's bytes before the node is ready, and the PROXY header they leave
// with. Reading the client while the node connection is set up lets its first bytes leave
// in the same write as the PROXY header (one wake-up of the node, not two; RabbitMQ parses
// the header from a single recv()) and keeps the loop from registering the client socket
// again when relaying starts.
#include <spdlog/spdlog.h>

#include <cstring>
#include <vector>

#include "proxy_protocol/writer.h"
#include "session/session.h"
#include "tls/proxy_tlvs.h"

namespace warren::session {

bool Session::keepEarly(network::Chunk* chunk) {
  if (setup_->early.push(chunk, host().chunks())) return true;
  close(CloseReason::InternalError);  // past the hard limit: reading should have paused
  return false;
}

void Session::startEarlyReading() {
  if (stage_ == Stage::Closing || early_reading_ || client_eof_early_ || setup_->early.full()) return;
  if (client_.startReading(*this) == 0) early_reading_ = true;
}

void Session::stopEarlyReading() {
  if (!early_reading_) return;
  early_reading_ = false;
  client_.stopReading();
}

void Session::handleEarlyRead(ssize_t nread, network::Chunk* chunk) {
  if (nread > 0) {
    if (client_tls_ == nullptr) {
      if (!earlySink()->push(chunk)) return;  // over the hard limit: closed
    } else {
      // Decrypted into the early sink.
      const auto st = client_tls_->feed(chunk->data + chunk->offset, chunk->length);
      host().chunks().put(chunk);
      if (stage_ == Stage::Closing) return;
      if (st == transport::TlsStream::Status::Failed) {
        close(CloseReason::TlsError);
        return;
      }
      if (st == transport::TlsStream::Status::PeerClosed) client_eof_early_ = true;
    }
    if (client_eof_early_ || setup_->early.full()) stopEarlyReading();
    return;
  }
  if (nread == UV_EOF) {
    client_eof_early_ = true;
    stopEarlyReading();
    return;
  }
  close(nread == UV_ENOBUFS ? CloseReason::InternalError : CloseReason::ClientError);
}

bool Session::sendProxyHeader() {
  const config::Cluster& cluster = *target_->cluster_config;
  const config::ProxyProtocol pp = cluster.proxy_protocol;
  // Without TLS to the node, the client's early bytes ride in the same write as the header.
  const bool coalesce = !target_->node_tls;
  if (pp == config::ProxyProtocol::None && (!coalesce || setup_->early.empty())) return true;
  network::Chunk* first = host().chunks().get();
  if (first == nullptr) {
    close(CloseReason::InternalError);
    return false;
  }
  std::span<uint8_t> out(reinterpret_cast<uint8_t*>(first->data), network::Chunk::kCapacity);
  size_t n = 0;
  if (pp == config::ProxyProtocol::V1) {
    n = proxy_protocol::writeV1(client_address_, front_address_, out);
  } else if (pp == config::ProxyProtocol::V2) {
    std::vector<proxy_protocol::Tlv> tlvs;
    if (client_tls_ != nullptr && cluster.proxy_protocol_tlvs) tlvs = tls::proxyTlvs(client_tls_->ssl());
    n = proxy_protocol::writeV2(client_address_, front_address_, tlvs, out);
  }
  if (pp != config::ProxyProtocol::None && n == 0) {
    host().chunks().put(first);
    spdlog::error("proxy_header_encode_failed client={} front={}", client_address_.toString(),
                  front_address_.toString());
    close(CloseReason::InternalError);
    return false;
  }
  while (coalesce && !setup_->early.empty() && n + setup_->early.front()->length <= network::Chunk::kCapacity) {
    if (sniffer_ != nullptr && !sniff(Relay::Side::Up, *setup_->early.front())) {  // closed: the client is not AMQP
      host().chunks().put(first);
      return false;
    }
    network::Chunk* e = setup_->early.pop();
    std::memcpy(first->data + n, e->data + e->offset, e->length);
    n += e->length;
    up_.addBytes(e->length);
    host().chunks().put(e);
  }
  first->length = static_cast<uint32_t>(n);
  return up_.send(first);
}

}  // namespace warren::session
