// Session stage: connecting to a node, with retry over the cluster's nodes (NodeAttempts),
// then TLS to the node when the cluster asks for it. The PROXY header goes first, before
// TLS: RabbitMQ reads it before the handshake.
#include <spdlog/spdlog.h>

#include "network/socket_options.h"
#include "common/logging.h"
#include "session/session.h"
#include "tls/diagnosis.h"

namespace warren::session {

void Session::connectNext() {
  const config::Cluster& cluster = *target_->cluster_config;
  const int64_t now = static_cast<int64_t>(uv_now(host().loop()));
  upstream::Node* node = attempts_.pick(*target_->balancer, cluster, now);
  if (node == nullptr) {
    if (attempts_.none()) {
      if (auto suppressed = allowLog(limits::ConnectionEvent::NoNode)) {
        spdlog::warn("no_node client={} listener={} cluster={} suppressed={}", client_address_.toString(),
                     listener_->listener->name, cluster.name, *suppressed);
      }
      close(CloseReason::NoNode);
    } else {
      if (auto suppressed = allowLog(limits::ConnectionEvent::ConnectFailed)) {
        spdlog::warn("connect_failed client={} listener={} cluster={} attempts={} last_error={} suppressed={}",
                     client_address_.toString(), listener_->listener->name, cluster.name, attempts_.count(),
                     uv_err_name(attempts_.lastError()), *suppressed);
      }
      close(CloseReason::ConnectFailed);
    }
    return;
  }
  if (NodeStats* stats = target_->nodeStats(node)) stats->connect_attempts.add();
  // The socket exists now (not at connect), so that buffer sizes are set before the SYN.
  const int opened = node_.open(host().loop(), node->address().family());
  if (opened == 0) network::applyBufferSizes(node_.fd(), cluster.tcp);
  armTimer(cluster.connect_timeout);
  const int rc = opened != 0 ? opened : node_.connect(node->address().sockAddr());
  if (rc == 0) return;
  if (isLocalExhaustion(rc)) {
    localResourceExhausted(rc);
    return;
  }
  connectFailed(rc);
}

// Errors that say Warren itself ran out (descriptors, kernel buffers, source ports): the node
// is not at fault, so it is neither backed off nor marked down.
bool Session::isLocalExhaustion(int error) {
  return error == UV_EMFILE || error == UV_ENFILE || error == UV_ENOBUFS || error == UV_ENOMEM ||
         error == UV_EADDRNOTAVAIL;
}

void Session::localResourceExhausted(int error) {
  if (auto suppressed = allowLog(limits::ConnectionEvent::LocalResourceExhausted)) {
    spdlog::error("local_resource_exhausted client={} listener={} cluster={} error={} hint={} suppressed={}",
                  client_address_.toString(), listener_->listener->name, target_->cluster_config->name,
                  uv_err_name(error),
                  logging::quote(error == UV_EMFILE || error == UV_ENFILE
                                     ? "no file descriptor for the node socket: raise LimitNOFILE or lower max_connections"
                                     : "the kernel refused a socket or a source port: see ip_local_port_range and memory"),
                  *suppressed);
  }
  close(CloseReason::LocalResourceExhausted);
}

void Session::onConnected(transport::TcpSocket&, int status) {
  if (stage_ != Stage::Connecting) return;
  if (isLocalExhaustion(status)) {
    localResourceExhausted(status);
    return;
  }
  if (status != 0) {
    connectFailed(status);
    return;
  }
  nodeConnected();
}

void Session::connectFailed(int error) {
  if (NodeStats* stats = target_->nodeStats(attempts_.current())) stats->connect_failures.add();
  attempts_.failed(error, *target_->cluster_config, client_address_.toString(),
                   static_cast<int64_t>(uv_now(host().loop())), connectionLog());
  host().deadlines().cancel(*this);
  // The next node is tried once libuv has released this socket (see onClosed).
  retry_pending_ = true;
  node_.close();
}

void Session::nodeConnected() {
  attempts_.connected(static_cast<int64_t>(uv_now(host().loop())));
  if (NodeStats* stats = target_->nodeStats(attempts_.current())) stats->connections.add();
  // Created before the first client byte goes out: early bytes coalesced with the PROXY
  // header below are read by it too.
  if (listener_->listener->protocol == config::ListenerProtocol::Amqp) {
    sniffer_ = std::make_unique<amqp::Sniffer>();
    setInspecting(true);
  }
  network::applyTcpOptions(node_.fd(), target_->cluster_config->tcp);
  // The PROXY header precedes TLS to the node: RabbitMQ reads it before the handshake.
  if (!sendProxyHeader()) return;
  if (!target_->node_tls) {
    startRelaying();
    return;
  }
  startNodeTls();
}

void Session::startNodeTls() {
  stage_ = Stage::NodeTlsHandshake;
  armTimer(target_->cluster_config->connect_timeout);
  node_tls_ = std::make_unique<transport::TlsStream>(target_->node_tls->newSsl(), host().chunks());
  node_tls_->setCiphertextSink(up_.sendSink());
  node_tls_->setPlaintextSink(down_.forwardSink());
  // The node may speak in the very read that ends its handshake: what it says goes to the
  // client through the client's TLS from the first byte, never in clear.
  down_.setTls(node_tls_.get(), client_tls_.get());
  if (node_.startReading(*this) != 0) {
    close(CloseReason::NodeError);
    return;
  }
  if (node_tls_->start() == transport::TlsStream::Status::Failed && stage_ != Stage::Closing) {
    nodeTlsFailed(tls::describeNodeHandshakeFailure(node_tls_->ssl(), node_tls_->sslError(), node_tls_->errorCode()));
  }
}

void Session::handleNodeTlsRead(ssize_t nread, network::Chunk* chunk) {
  if (nread < 0) {
    nodeTlsFailed(uv_err_name(static_cast<int>(nread)));
    return;
  }
  const auto st = node_tls_->feed(chunk->data + chunk->offset, chunk->length);
  host().chunks().put(chunk);
  if (stage_ == Stage::Closing || st == transport::TlsStream::Status::Ok) return;
  if (st == transport::TlsStream::Status::HandshakeDone) {
    node_.stopReading();
    startRelaying();
    return;
  }
  nodeTlsFailed(tls::describeNodeHandshakeFailure(node_tls_->ssl(), node_tls_->sslError(), node_tls_->errorCode()));
}

void Session::nodeTlsFailed(const std::string& error) {
  const upstream::Node* node = attempts_.current();
  if (auto suppressed = allowLog(limits::ConnectionEvent::NodeTlsFailed)) {
    spdlog::warn("node_tls_failed node={} cluster={} client={} error={} suppressed={}",
                 node != nullptr ? node->name() : "-", target_->cluster_config->name, client_address_.toString(),
                 logging::quote(error), *suppressed);
  }
  close(CloseReason::NodeTlsFailed);
}

}  // namespace warren::session
