#include "session/session.h"

#include "session/access_log.h"

#include <openssl/err.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <span>

#include "network/socket_options.h"
#include "proxy_protocol/parser.h"
#include "proxy_protocol/writer.h"
#include "tls/diagnosis.h"
#include "tls/handshake_info.h"
#include "tls/proxy_tlvs.h"

namespace warren::session {

namespace {

// Application bytes held before the node connection is ready (see EarlySink): reading the
// client pauses at kEarlyLimit; one more read's worth may arrive (a chunk, or what one
// chunk of ciphertext decrypts to), so kEarlyHardLimit is never reached by a sane session.
constexpr uint32_t kEarlyLimit = 64 * 1024;
constexpr uint32_t kEarlyHardLimit = kEarlyLimit + 2 * network::Chunk::kCapacity;
// The AMQP 0-9-1 protocol header: the answer to a client that speaks the wrong protocol.
constexpr char kAmqp091Header[] = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
constexpr uint8_t kTlsHandshakeRecord = 0x16;

Address socketAddress(const uv_tcp_t* tcp, bool peer) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  int rc = peer ? uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len)
                : uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  return rc == 0 ? Address(reinterpret_cast<sockaddr*>(&ss)) : Address();
}

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

using network::fdOf;

std::span<const uint8_t> bytesOf(const network::Chunk& c) {
  return {reinterpret_cast<const uint8_t*>(c.data + c.offset), c.length};
}

std::string tlsErrorString(uint32_t code) {
  if (code == 0) return "-";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : std::to_string(code);
}

// A TLS 1.3 client that rejects our certificate sends its alert before it has switched to
// the handshake keys: a plaintext alert record, which BoringSSL refuses as too short to be
// encrypted (BAD_PACKET_LENGTH) before looking at it. Find it in the raw bytes so that the
// diagnosis names the alert (e.g. unknown_ca) instead of a packet-length error.
uint8_t plaintextAlert(std::span<const uint8_t> bytes) {
  constexpr uint8_t kAlertRecord = 0x15;
  size_t at = 0;
  while (at + 5 <= bytes.size()) {
    const size_t length = (static_cast<size_t>(bytes[at + 3]) << 8) | bytes[at + 4];
    if (bytes[at] == kAlertRecord && length == 2 && at + 7 <= bytes.size()) return bytes[at + 6];
    at += 5 + length;
  }
  return 0;
}

// Counts of sessions whose context has no labeled counters (a context built without
// attachStats): kept apart per thread so that the single-writer rule still holds.
stats::ListenerStats* scratchStats() {
  thread_local stats::ListenerStats scratch;
  return &scratch;
}

size_t tlsVersionIndex(const SSL* ssl) {
  switch (SSL_version(ssl)) {
    case TLS1_VERSION: return 0;
    case TLS1_1_VERSION: return 1;
    case TLS1_2_VERSION: return 2;
    case TLS1_3_VERSION: return 3;
    default: return stats::kTlsVersionCount - 1;
  }
}

}  // namespace

Session::Session(SessionHost& host, ListenerContextConstSharedPtr listener)
    : host_(host),
      listener_(std::move(listener)),
      lstats_(listener_->stats != nullptr ? listener_->stats : scratchStats()) {}

Session::~Session() {
  network::ChunkPool& pool = host_.chunks();
  while (early_head_ != nullptr) {
    network::Chunk* c = early_head_;
    early_head_ = c->next;
    pool.put(c);
  }
  if (header_in_ != nullptr) pool.put(header_in_);
}

void Session::start(uv_stream_t* server) {
  uv_loop_t* loop = host_.loop();
  started_ms_ = uv_now(loop);
  touch();
  lstats().accepted.add();
  lstats().active.add();  // taken back in finish(), which every session reaches
  uv_tcp_init(loop, &client_);
  client_.data = this;
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  open_handles_ = 2;
  // The sinks exist from the start: TLS handshake records go to the client before the
  // node is connected.
  up_.attach(&client_, &node_);
  down_.attach(&node_, &client_);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&client_)) != 0) {
    close(CloseReason::InternalError);
    return;
  }
  client_address_ = socketAddress(&client_, /*peer=*/true);
  front_address_ = socketAddress(&client_, /*peer=*/false);
  peer_address_ = client_address_;

  // Limits are checked on the TCP peer, before a byte is read (with accept_proxy too: the
  // PROXY header's source is not known yet, and an outer balancer is then one source).
  const limits::Gate gate{listener_->global_active, host_.global().max_connections, listener_->active,
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
    stage_ = Stage::ReadingProxyHeader;
    armTimer(listener_->listener->proxy_header_timeout);
    if (uv_read_start(reinterpret_cast<uv_stream_t*>(&client_), onHeaderAlloc, onHeaderRead) != 0) {
      close(CloseReason::ClientClosedEarly);
    }
    return;
  }
  afterProxyHeader();
}

void Session::rejectOverLimit(limits::LimitKind kind, uint32_t max, int64_t now_ns) {
  stats::WorkerStats& stats = host_.stats();
  ++stats.rejected_limit;
  ++stats.rejected_by_limit[static_cast<size_t>(kind)];
  if (listener_->limits) {
    listener_->limits->logRejection(kind, listener_->listener->name, peer_address_, max, now_ns / 1'000'000);
  }
  // Bytes the client sent already (an AMQP header, a ClientHello) would make close() answer
  // with a RST; discarded unparsed, the close is a plain FIN. Bounded: a few reads at most.
  const int fd = fdOf(&client_);
  char discard[2048];
  for (int i = 0; i < 4; ++i) {
    if (::recv(fd, discard, sizeof discard, MSG_DONTWAIT) < static_cast<ssize_t>(sizeof discard)) break;
  }
  close(CloseReason::LimitReached);
}

// ---- Inbound PROXY header (accept_proxy) ----

void Session::onHeaderAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Session*>(handle->data);
  if (self->header_in_ == nullptr) self->header_in_ = self->host_.chunks().get();
  network::Chunk* c = self->header_in_;
  if (c == nullptr || c->length >= network::Chunk::kCapacity) {
    *buf = uv_buf_init(nullptr, 0);
    return;
  }
  *buf = uv_buf_init(c->data + c->length, network::Chunk::kCapacity - c->length);
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
  header_in_->length += static_cast<uint32_t>(nread);
  proxy_protocol::Header header;
  auto result = proxy_protocol::parse(bytesOf(*header_in_), header);
  if (result.status == proxy_protocol::ParseStatus::NeedMore) return;
  if (result.status == proxy_protocol::ParseStatus::Error) {
    ++host_.stats().proxy_header_invalid;
    lstats().proxy_header_invalid.add();
    spdlog::warn("proxy_header_invalid peer={} listener={} error={}", peer_address_.toString(),
                 listener_->listener->name, proxy_protocol::toString(result.error));
    close(CloseReason::ProxyHeaderInvalid);
    return;
  }
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&client_));
  // A LOCAL header (the outer balancer's own health check) keeps the real addresses.
  if (header.has_addresses) {
    client_address_ = header.source;
    front_address_ = header.destination;
  }
  network::Chunk* rest = header_in_;
  header_in_ = nullptr;
  rest->offset = static_cast<uint32_t>(result.consumed);
  rest->length -= static_cast<uint32_t>(result.consumed);
  if (listener_->tls) {
    startTlsHandshake();
    if (rest->length > 0 && stage_ == Stage::TlsHandshake) {
      handleClientHandshakeBytes(rest);  // ciphertext that followed the header
    } else {
      host_.chunks().put(rest);
    }
    return;
  }
  if (rest->length > 0) {
    if (!early_sink_.push(rest)) return;
  } else {
    host_.chunks().put(rest);
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

bool Session::EarlySink::push(network::Chunk* chunk) {
  Session& s = *session;
  if (s.early_bytes_ + chunk->length > kEarlyHardLimit) {
    s.host_.chunks().put(chunk);
    s.close(CloseReason::InternalError);
    return false;
  }
  s.early_bytes_ += chunk->length;
  chunk->next = nullptr;
  if (s.early_tail_ != nullptr) {
    s.early_tail_->next = chunk;
  } else {
    s.early_head_ = chunk;
  }
  s.early_tail_ = chunk;
  return true;
}

// ---- Client TLS handshake ----

void Session::startTlsHandshake() {
  if (stage_ == Stage::Closing) return;
  stage_ = Stage::TlsHandshake;
  tls_started_ms_ = uv_now(host_.loop());
  armTimer(listener_->tls->handshakeTimeout());
  client_tls_ = std::make_unique<TlsStream>(listener_->tls->newSsl(), host_.chunks());
  client_tls_->setCiphertextSink(down_.sendSink());
  client_tls_->setPlaintextSink(&early_sink_);
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&client_), onHandshakeAlloc, onHandshakeRead) != 0) {
    close(CloseReason::ClientClosedEarly);
  }
}

void Session::onHandshakeAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Session*>(handle->data);
  network::Chunk* c = self->host_.chunks().get();
  *buf = c != nullptr ? uv_buf_init(c->data, network::Chunk::kCapacity) : uv_buf_init(nullptr, 0);
}

void Session::onHandshakeRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Session*>(stream->data);
  network::Chunk* chunk = buf->base != nullptr ? network::Chunk::fromData(buf->base) : nullptr;
  bool from_client = stream == reinterpret_cast<uv_stream_t*>(&self->client_);
  if (from_client && self->early_reading_) {
    self->handleEarlyRead(nread, chunk);
    return;
  }
  if (nread > 0) {
    chunk->length = static_cast<uint32_t>(nread);
    self->touch();
    if (from_client) {
      self->handleClientHandshakeBytes(chunk);
    } else {
      self->handleNodeHandshakeBytes(chunk);
    }
    return;
  }
  if (chunk != nullptr) self->host_.chunks().put(chunk);
  if (nread == 0) return;
  if (from_client) {
    // A client that leaves without a word (a port scan, an L4 health check) is no TLS failure.
    if (self->client_tls_ != nullptr && SSL_in_init(self->client_tls_->ssl()) &&
        self->client_tls_->plaintextIn() == 0 && !self->client_saw_bytes_) {
      self->close(CloseReason::ClientClosedEarly);
    } else {
      self->clientHandshakeFailed(/*timeout=*/false);
    }
  } else {
    spdlog::warn("node_tls_failed node={} client={} error={}", self->node_choice_->name(),
                 self->client_address_.toString(), uv_err_name(static_cast<int>(nread)));
    self->close(CloseReason::NodeTlsFailed);
  }
}


void Session::handleClientHandshakeBytes(network::Chunk* chunk) {
  if (!client_saw_bytes_) {
    client_saw_bytes_ = true;
    if (rejectNonTls(*chunk)) {
      host_.chunks().put(chunk);
      return;
    }
  }
  TlsStream::Status st = client_tls_->feed(chunk->data + chunk->offset, chunk->length);
  if (st == TlsStream::Status::Failed) {
    tls::HandshakeInfo* info = tls::handshakeInfo(client_tls_->ssl());
    if (info != nullptr && info->client_alert == 0) info->client_alert = plaintextAlert(bytesOf(*chunk));
  }
  host_.chunks().put(chunk);
  if (stage_ == Stage::Closing) return;
  switch (st) {
    case TlsStream::Status::Ok: return;
    case TlsStream::Status::HandshakeDone: clientHandshakeDone(); return;
    case TlsStream::Status::PeerClosed: close(CloseReason::ClientClosedEarly); return;
    case TlsStream::Status::Failed: clientHandshakeFailed(/*timeout=*/false); return;
  }
}

// A TLS port that receives something other than a TLS handshake: say what it was, and
// answer a plaintext AMQP client with the protocol header so that its library reports a
// protocol mismatch instead of hanging.
bool Session::rejectNonTls(const network::Chunk& first) {
  if (first.length > 0 && static_cast<uint8_t>(first.data[first.offset]) == kTlsHandshakeRecord) return false;
  auto diagnosis = tls::diagnoseFirstBytes(bytesOf(first));
  tls::FailureReason reason = diagnosis ? diagnosis->reason : tls::FailureReason::Other;
  ++host_.stats().tls_failures[static_cast<size_t>(reason)];
  lstats().tls_failures[static_cast<size_t>(reason)].add();
  spdlog::warn("tls_handshake_failed client={} listener={} sni=- reason={} hint={} offered={}",
               client_address_.toString(), listener_->listener->name, tls::toString(reason),
               logging::quote(diagnosis ? diagnosis->hint : "the client did not start a TLS handshake"),
               logging::quote(diagnosis ? diagnosis->offered : ""));
  if (reason == tls::FailureReason::PlaintextAmqp) answerAmqpHeader();
  close(CloseReason::TlsHandshakeFailed);
  return true;
}

// ---- AMQP awareness ----

bool Session::sniff(Relay::Side side, const network::Chunk& chunk) {
  std::span<const uint8_t> bytes = bytesOf(chunk);
  amqp::Status st = side == Relay::Side::Up ? sniffer_->onClientBytes(bytes) : sniffer_->onServerBytes(bytes);
  if (st == amqp::Status::InProgress) return true;
  if (st == amqp::Status::Error && sniffer_->error() == amqp::Error::Misdirected) {
    rejectMisdirected(chunk);
    return false;
  }
  amqpHandshakeEnded();
  return true;
}

// The client does not speak AMQP (HTTP, a TLS client on the plaintext port, …): answer
// with the AMQP 0-9-1 protocol header as the spec asks, count, log with a hint, close.
void Session::rejectMisdirected(const network::Chunk& first) {
  amqp::Misdirected kind = sniffer_->misdirected();
  stats::WorkerStats& stats = host_.stats();
  ++stats.amqp_protocol[static_cast<size_t>(amqp::Protocol::NotAmqp)];
  ++stats.amqp_misdirected[static_cast<size_t>(kind)];
  lstats().amqp_protocol[static_cast<size_t>(amqp::Protocol::NotAmqp)].add();
  lstats().amqp_misdirected[static_cast<size_t>(kind)].add();
  if (kind == amqp::Misdirected::Tls) {
    // An amqps:// client on the plaintext port: logged like a failed TLS handshake, with
    // what its ClientHello offered.
    ++stats.tls_on_plaintext;
    ++stats.tls_failures[static_cast<size_t>(tls::FailureReason::TlsOnPlaintext)];
    lstats().tls_failures[static_cast<size_t>(tls::FailureReason::TlsOnPlaintext)].add();
    auto d = tls::diagnoseTlsOnPlaintext(bytesOf(first));
    spdlog::warn("tls_on_plaintext client={} listener={} sni={} hint={} offered={}", client_address_.toString(),
                 listener_->listener->name, d && !d->sni.empty() ? logging::quote(d->sni) : std::string("-"),
                 logging::quote(d ? d->hint : std::string(amqp::hint(kind))),
                 logging::quote(d ? d->offered : std::string()));
  } else {
    spdlog::warn("protocol_mismatch client={} listener={} sent={} hint={}", client_address_.toString(),
                 listener_->listener->name, amqp::toString(kind), logging::quote(amqp::hint(kind)));
  }
  sniffer_.reset();
  answerAmqpHeader();
  close(CloseReason::ProtocolMismatch);
}

void Session::amqpHandshakeEnded() {
  stats::WorkerStats& stats = host_.stats();
  const uint64_t now = uv_now(host_.loop());
  amqp_ = std::make_unique<amqp::HandshakeInfo>(sniffer_->info());
  const bool ok = sniffer_->status() == amqp::Status::Done;
  if (!ok) {
    spdlog::debug("amqp_handshake_unreadable client={} listener={} error={}", client_address_.toString(),
                  listener_->listener->name, amqp::toString(sniffer_->error()));
  }
  sniffer_.reset();  // from here on the relay does no per-byte work for AMQP
  ++stats.amqp_protocol[static_cast<size_t>(amqp_->protocol)];
  stats.amqp_handshake_ms_sum += now - relay_started_ms_;
  lstats().amqp_protocol[static_cast<size_t>(amqp_->protocol)].add();
  if (ok) stats::observe(lstats().amqp_handshake_ms, now - relay_started_ms_, stats::kHandshakeMsBuckets);

  const config::Listener& l = *listener_->listener;
  const uint64_t k = l.heartbeat_multiplier;
  idle_.client_silence_ms = idle_.node_silence_ms = 0;
  if (ok && amqp_->protocol == amqp::Protocol::Amqp091) {
    ++stats.heartbeat_seconds[stats::bucketOf(amqp_->heartbeat, stats::kHeartbeatBuckets)];
    stats.heartbeat_seconds_sum += amqp_->heartbeat;
    stats::observe(lstats().heartbeat_seconds, amqp_->heartbeat, stats::kHeartbeatBuckets);
    idle_.client_silence_ms = idle_.node_silence_ms = k * amqp_->heartbeat * 1000;
  } else if (ok && amqp_->protocol == amqp::Protocol::Amqp10) {
    // Each side advertises the idle time-out it tolerates (half its real threshold); the
    // other side must send at least that often.
    idle_.client_silence_ms = k * amqp_->server_idle_timeout_ms;
    idle_.node_silence_ms = k * amqp_->client_idle_timeout_ms;
  }
  idle_.mode = (idle_.client_silence_ms != 0 || idle_.node_silence_ms != 0) ? IdleMode::Heartbeat : IdleMode::Quiet;
  last_up_ms_ = last_down_ms_ = now;
  armRelayTimer();
}

void Session::answerAmqpHeader() {
  network::Chunk* answer = host_.chunks().get();
  if (answer == nullptr) return;
  std::memcpy(answer->data, kAmqp091Header, sizeof kAmqp091Header);
  answer->length = sizeof kAmqp091Header;
  down_.send(answer);
}

void Session::clientHandshakeDone() {
  // The client stays readable while the node is connected: what it sends now waits in the
  // early sink and leaves with the PROXY header (see startEarlyReading).
  early_reading_ = true;
  if (early_bytes_ >= kEarlyLimit) stopEarlyReading();
  SSL* ssl = client_tls_->ssl();
  stats::WorkerStats& stats = host_.stats();
  ++stats.tls_handshakes;
  if (SSL_session_reused(ssl)) ++stats.tls_resumed;
  lstats().tls_handshakes[tlsVersionIndex(ssl)].add();
  if (SSL_session_reused(ssl)) lstats().tls_resumed.add();
  stats::observe(lstats().tls_handshake_ms, uv_now(host_.loop()) - tls_started_ms_, stats::kHandshakeMsBuckets);
  const tls::HandshakeInfo* info = tls::handshakeInfo(ssl);
  target_ = &listener_->default_route;
  size_t route_index = listener_->route_stats.size() - 1;  // the default route
  if (info != nullptr && info->route >= 0) {
    const std::string& cluster = listener_->tls->routeCluster(*info);
    const RouteTarget* routed = listener_->findCluster(cluster);
    if (routed != nullptr) {
      target_ = routed;
      route_index = static_cast<size_t>(info->route);
    } else {
      spdlog::warn("route_unknown_cluster client={} listener={} sni={} cluster={}", client_address_.toString(),
                   listener_->listener->name, sniForLog(), cluster);
    }
  }
  spdlog::debug("tls_handshake client={} listener={} sni={} version={} cipher={} resumed={} cluster={}",
                client_address_.toString(), listener_->listener->name, sniForLog(), SSL_get_version(ssl),
                SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)), SSL_session_reused(ssl) != 0,
                target_->cluster_config->name);
  countRoute(route_index);
  stage_ = Stage::Connecting;
  connectNext();
}

void Session::clientHandshakeFailed(bool timeout) {
  const SSL* ssl = client_tls_->ssl();
  tls::Diagnosis d = timeout ? tls::diagnoseTimeout(ssl)
                             : tls::diagnoseHandshakeFailure(ssl, client_tls_->sslError(), client_tls_->errorCode(),
                                                             listener_->listener->tls);
  ++host_.stats().tls_failures[static_cast<size_t>(d.reason)];
  lstats().tls_failures[static_cast<size_t>(d.reason)].add();
  spdlog::warn("tls_handshake_failed client={} listener={} sni={} reason={} hint={} offered={} error={}",
               client_address_.toString(), listener_->listener->name, sniForLog(), tls::toString(d.reason),
               logging::quote(d.hint), logging::quote(d.offered), logging::quote(tlsErrorString(client_tls_->errorCode())));
  close(CloseReason::TlsHandshakeFailed);
}

// route_stats is empty for a context built without attachStats (nothing counted by route).
void Session::countRoute(size_t index) {
  if (index < listener_->route_stats.size()) listener_->route_stats[index]->connections.add();
}

void Session::countNode(bool connected) {
  stats::NodeStats* node = target_->nodeStats(node_choice_);
  if (node == nullptr) return;
  (connected ? node->connections : node->connect_failures).add();
}

std::string Session::sniForLog() const {
  if (client_tls_ == nullptr) return "-";
  const tls::HandshakeInfo* info = tls::handshakeInfo(client_tls_->ssl());
  return info != nullptr && !info->sni.empty() ? logging::quote(info->sni) : "-";
}

// ---- Connecting ----

void Session::connectNext() {
  const config::Cluster& cluster = *target_->cluster_config;
  upstream::Node* node = nullptr;
  if (tried_.size() < cluster.connect_attempts) {
    node = target_->balancer->pick(static_cast<int64_t>(uv_now(host_.loop())), tried_);
  }
  if (node == nullptr) {
    if (tried_.empty()) {
      spdlog::warn("no_node client={} listener={} cluster={}", client_address_.toString(),
                   listener_->listener->name, cluster.name);
      close(CloseReason::NoNode);
    } else {
      spdlog::warn("connect_failed client={} listener={} cluster={} attempts={} last_error={}",
                   client_address_.toString(), listener_->listener->name, cluster.name, tried_.size(),
                   uv_err_name(last_connect_error_));
      close(CloseReason::ConnectFailed);
    }
    return;
  }
  tried_.push_back(node);
  node->acquire();
  node_choice_ = node;
  ++host_.stats().connect_attempts;

  // The socket exists now (not at connect), so that buffer sizes are set before the SYN.
  if (uv_tcp_init_ex(host_.loop(), &node_, node->address().family()) == 0) {
    network::applyBufferSizes(fdOf(&node_), cluster.tcp);
  } else {
    uv_tcp_init(host_.loop(), &node_);  // no socket (EMFILE…): uv_tcp_connect reports it below
  }
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
  self->nodeConnected();
}

void Session::connectFailed(int error) {
  const config::Cluster& cluster = *target_->cluster_config;
  int64_t now = static_cast<int64_t>(uv_now(host_.loop()));
  ++host_.stats().connect_failures;
  countNode(/*connected=*/false);
  last_connect_error_ = error;
  node_choice_->reportFailure(now, cluster.down_backoff.count());
  spdlog::warn("node_connect_failed node={} cluster={} client={} attempt={} error={} down_for_ms={}",
               node_choice_->name(), cluster.name, client_address_.toString(), tried_.size(),
               uv_err_name(error), cluster.down_backoff.count());
  // Passive marking: with active checks, `fall` refused connects in a row from traffic mark
  // the node Down at once; the checks bring it back after `rise` successes.
  const config::HealthCheck& check = cluster.health_check;
  if (check.enabled && node_choice_->consecutiveFailures() >= check.fall) {
    const upstream::Health before = node_choice_->setHealth(upstream::Health::Down, now);
    if (before != upstream::Health::Down) {
      node_choice_->countPassiveDown();
      spdlog::info("node_health cluster={} node={} from={} to=down reason={}", cluster.name, node_choice_->name(),
                   upstream::toString(before),
                   logging::quote(std::to_string(node_choice_->consecutiveFailures()) +
                                  " consecutive connect failures from traffic, last " + uv_err_name(error)));
    }
  }
  node_choice_->release();
  node_choice_ = nullptr;
  uv_timer_stop(&timer_);
  // The next node is tried once libuv has released this handle (see onHandleClosed).
  node_open_ = false;
  retry_pending_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&node_), onHandleClosed);
}

void Session::nodeConnected() {
  node_choice_->reportSuccess(static_cast<int64_t>(uv_now(host_.loop())));
  countNode(/*connected=*/true);
  // Created before the first client byte goes out: early bytes coalesced with the PROXY
  // header below are read by it too.
  if (listener_->listener->protocol == config::ListenerProtocol::Amqp) sniffer_ = std::make_unique<amqp::Sniffer>();
  network::applyTcpOptions(fdOf(&node_), target_->cluster_config->tcp);
  // The PROXY header precedes TLS to the node: RabbitMQ reads it before the handshake.
  if (!sendProxyHeader()) return;
  if (!target_->node_tls) {
    startRelaying();
    return;
  }
  stage_ = Stage::NodeTlsHandshake;
  armTimer(target_->cluster_config->connect_timeout);
  node_tls_ = std::make_unique<TlsStream>(target_->node_tls->newSsl(), host_.chunks());
  node_tls_->setCiphertextSink(up_.sendSink());
  node_tls_->setPlaintextSink(down_.forwardSink());
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&node_), onHandshakeAlloc, onHandshakeRead) != 0) {
    close(CloseReason::NodeError);
    return;
  }
  TlsStream::Status st = node_tls_->start();
  if (stage_ != Stage::Closing && st == TlsStream::Status::Failed) handleNodeHandshakeBytes(nullptr);
}

void Session::handleNodeHandshakeBytes(network::Chunk* chunk) {
  TlsStream::Status st = TlsStream::Status::Failed;
  if (chunk != nullptr) {
    st = node_tls_->feed(chunk->data + chunk->offset, chunk->length);
    host_.chunks().put(chunk);
  }
  if (stage_ == Stage::Closing) return;
  if (st == TlsStream::Status::Ok) return;
  if (st == TlsStream::Status::HandshakeDone) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&node_));
    startRelaying();
    return;
  }
  spdlog::warn("node_tls_failed node={} cluster={} client={} error={}", node_choice_->name(),
               target_->cluster_config->name, client_address_.toString(),
               logging::quote(tls::describeNodeHandshakeFailure(node_tls_->ssl(), node_tls_->sslError(),
                                                                node_tls_->errorCode())));
  close(CloseReason::NodeTlsFailed);
}

bool Session::sendProxyHeader() {
  const config::Cluster& cluster = *target_->cluster_config;
  const config::ProxyProtocol pp = cluster.proxy_protocol;
  // Without TLS to the node, the client's early bytes ride in the same write as the header.
  bool coalesce = !target_->node_tls;
  if (pp == config::ProxyProtocol::None && (!coalesce || early_head_ == nullptr)) return true;
  network::Chunk* first = host_.chunks().get();
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
    host_.chunks().put(first);
    spdlog::error("proxy_header_encode_failed client={} front={}", client_address_.toString(),
                  front_address_.toString());
    close(CloseReason::InternalError);
    return false;
  }
  // RabbitMQ parses the header from a single recv(): header and early bytes in one write.
  while (coalesce && early_head_ != nullptr && n + early_head_->length <= network::Chunk::kCapacity) {
    network::Chunk* e = early_head_;
    if (sniffer_ != nullptr && !sniff(Relay::Side::Up, *e)) {  // closed: the client is not AMQP
      host_.chunks().put(first);
      return false;
    }
    std::memcpy(first->data + n, e->data + e->offset, e->length);
    n += e->length;
    up_.bytes_ += e->length;
    lstats().bytes_up.add(e->length);
    early_bytes_ -= e->length;
    early_head_ = e->next;
    if (early_head_ == nullptr) early_tail_ = nullptr;
    host_.chunks().put(e);
  }
  first->length = static_cast<uint32_t>(n);
  return up_.send(first);
}

// ---- Relaying ----

void Session::startRelaying() {
  stage_ = Stage::Relaying;
  relay_started_ms_ = last_up_ms_ = last_down_ms_ = uv_now(host_.loop());
  const config::Listener& l = *listener_->listener;
  idle_.idle_ms = static_cast<uint64_t>(l.idle_timeout.count());
  idle_.handshake_ms = static_cast<uint64_t>(l.amqp_handshake_timeout.count());
  idle_.quiet_ms = static_cast<uint64_t>(l.idle_timeout_without_heartbeat.count());
  if (l.protocol == config::ListenerProtocol::Amqp) {
    // (The handshake may already have ended unreadably in the early bytes: keep that policy.)
    if (amqp_ == nullptr) idle_.mode = IdleMode::AmqpHandshake;
  } else {
    idle_.mode = idle_.idle_ms > 0 ? IdleMode::Tcp : IdleMode::None;
  }
  armRelayTimer();
  stopEarlyReading();
  up_.setTls(client_tls_.get(), node_tls_.get());
  down_.setTls(node_tls_.get(), client_tls_.get());
  if (client_tls_ != nullptr) client_tls_->setPlaintextSink(up_.forwardSink());
  while (early_head_ != nullptr) {
    network::Chunk* e = early_head_;
    early_head_ = e->next;
    if (early_head_ == nullptr) early_tail_ = nullptr;
    early_bytes_ -= e->length;
    if (!up_.forward(e)) return;
  }
  if (down_.startReading() != 0) {
    close(CloseReason::InternalError);
    return;
  }
  if (client_eof_early_) {
    up_.handleEof();  // the client finished before the node was ready: pass the FIN on now
    return;
  }
  if (up_.startReading() != 0) close(CloseReason::InternalError);
}

// ---- Early reading: the client while the node is being connected ----

// Reading the client while the node connection is set up lets the client's first bytes
// leave in the same write as the PROXY header (one wake-up of the node, not two) and keeps
// the loop from registering the client socket again when relaying starts.
void Session::startEarlyReading() {
  if (stage_ == Stage::Closing || early_reading_ || client_eof_early_ || early_bytes_ >= kEarlyLimit) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&client_), onHandshakeAlloc, onHandshakeRead) == 0) {
    early_reading_ = true;
  }
}

void Session::stopEarlyReading() {
  if (!early_reading_) return;
  early_reading_ = false;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&client_));
}

void Session::handleEarlyRead(ssize_t nread, network::Chunk* chunk) {
  if (nread > 0) {
    chunk->length = static_cast<uint32_t>(nread);
    touch();
    if (client_tls_ == nullptr) {
      if (!early_sink_.push(chunk)) return;  // over the hard limit: closed
    } else {
      // Decrypted into the early sink.
      TlsStream::Status st = client_tls_->feed(chunk->data + chunk->offset, chunk->length);
      host_.chunks().put(chunk);
      if (stage_ == Stage::Closing) return;
      if (st == TlsStream::Status::Failed) {
        close(CloseReason::TlsError);
        return;
      }
      if (st == TlsStream::Status::PeerClosed) client_eof_early_ = true;
    }
    if (client_eof_early_ || early_bytes_ >= kEarlyLimit) stopEarlyReading();
    return;
  }
  if (chunk != nullptr) host_.chunks().put(chunk);
  if (nread == 0) return;
  if (nread == UV_EOF) {
    client_eof_early_ = true;
    stopEarlyReading();
    return;
  }
  close(nread == UV_ENOBUFS ? CloseReason::InternalError : CloseReason::ClientError);
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
      lstats().proxy_header_timeout.add();
      spdlog::warn("proxy_header_timeout peer={} listener={} received_bytes={}", peer_address_.toString(),
                   listener_->listener->name, header_in_ != nullptr ? header_in_->length : 0);
      close(CloseReason::ProxyHeaderTimeout);
      return;
    case Stage::TlsHandshake:
      clientHandshakeFailed(/*timeout=*/true);
      return;
    case Stage::Connecting:
      connecting_ = false;
      connectFailed(UV_ETIMEDOUT);
      return;
    case Stage::NodeTlsHandshake:
      spdlog::warn("node_tls_failed node={} cluster={} client={} error=handshake_timeout", node_choice_->name(),
                   target_->cluster_config->name, client_address_.toString());
      close(CloseReason::NodeTlsFailed);
      return;
    case Stage::Relaying:
      handleRelayTimeout();
      return;
    case Stage::Closing:
      return;
  }
}

uint32_t Session::heartbeatForLog() const { return amqp_ != nullptr ? heartbeatSeconds(*amqp_) : 0; }

IdleClocks Session::idleClocks() const {
  return IdleClocks{relay_started_ms_, last_activity_ms_, last_up_ms_, last_down_ms_, up_.paused_, down_.paused_};
}

// Reads only stamp times; the one timer is re-armed when it fires, not on every read.
void Session::armRelayTimer() {
  const uint64_t now = uv_now(host_.loop());
  const IdleVerdict v = decideIdle(idle_, idleClocks(), now);
  if (!v.close && v.deadline_ms == IdleVerdict::kNever) {
    uv_timer_stop(&timer_);
    return;
  }
  const uint64_t deadline = v.close ? now : v.deadline_ms;
  uv_timer_start(&timer_, onTimer, deadline > now ? deadline - now : 0, 0);
}

void Session::handleRelayTimeout() {
  const uint64_t now = uv_now(host_.loop());
  const IdleVerdict v = decideIdle(idle_, idleClocks(), now);
  if (!v.close) {
    armRelayTimer();
    return;
  }
  logIdleClose(v, now);
  close(v.reason);
}

void Session::logIdleClose(const IdleVerdict& v, uint64_t now) {
  const config::Listener& l = *listener_->listener;
  switch (idle_.mode) {
    case IdleMode::Quiet:
      spdlog::info("idle_timeout client={} listener={} heartbeat=0 quiet_ms={}", client_address_.toString(),
                   l.name, now - last_activity_ms_);
      return;
    case IdleMode::AmqpHandshake:
      spdlog::warn("amqp_handshake_timeout client={} listener={} after_ms={} client_bytes={} node_bytes={}",
                   client_address_.toString(), l.name, now - relay_started_ms_, up_.bytes(), down_.bytes());
      return;
    case IdleMode::Heartbeat:
      spdlog::warn("heartbeat_timeout client={} listener={} node={} silent={} silent_ms={} limit_ms={} heartbeat={}",
                   client_address_.toString(), l.name, node_choice_ != nullptr ? node_choice_->name() : "-",
                   v.client_silent ? "client" : "node", v.silent_ms, v.limit_ms, heartbeatForLog());
      return;
    case IdleMode::None:
    case IdleMode::Tcp:
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
  ticket_.release();
  stats::WorkerStats& stats = host_.stats();
  ++stats.closed_by_reason[static_cast<size_t>(reason_)];
  lstats().closed_by_reason[static_cast<size_t>(reason_)].add();
  lstats().active.sub();
  stats.bytes_up += up_.bytes();
  stats.bytes_down += down_.bytes();
  // Over-limit rejections have their own bounded log line (limit_reached), not one per connection.
  if (host_.global().access_log && reason_ != CloseReason::LimitReached) {
    AccessRecord r;
    r.client = &client_address_;
    r.peer = &peer_address_;
    r.listener = listener_->listener->name;
    const std::string sni = sniForLog();
    if (client_tls_ != nullptr && client_tls_->handshakeDone()) {
      r.sni = sni;
      r.tls_version = SSL_get_version(client_tls_->ssl());
    }
    if (node_choice_ != nullptr) r.node = node_choice_->name();
    r.attempts = tried_.size();
    r.duration_ms = uv_now(host_.loop()) - started_ms_;
    r.bytes_up = up_.bytes();
    r.bytes_down = down_.bytes();
    r.amqp = amqp_.get();
    r.heartbeat_s = heartbeatForLog();
    r.reason = reason_;
    writeAccessLine(r);
  }
  host_.onSessionClosed(*this);
  delete this;
}

}  // namespace warren::session
