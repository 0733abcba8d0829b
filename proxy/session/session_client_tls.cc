// Session stage: the client's TLS handshake. A TLS port that receives something else says
// what it was (tls::diagnoseFirstBytes); a failed handshake is diagnosed by cause and logged
// with the client; a finished one picks the route by SNI and moves on to connecting.
#include <spdlog/spdlog.h>

#include <span>

#include "common/logging.h"
#include "session/session.h"
#include "tls/connection_facts.h"
#include "tls/diagnosis.h"
#include "tls/handshake_info.h"

namespace warren::session {

namespace {

constexpr uint8_t kTlsHandshakeRecord = 0x16;

std::span<const uint8_t> bytesOf(const network::Chunk& c) {
  return {reinterpret_cast<const uint8_t*>(c.data + c.offset), c.length};
}

}  // namespace

void Session::startTlsHandshake() {
  if (stage_ == Stage::Closing) return;
  stage_ = Stage::TlsHandshake;
  setup_->tls_started_ms = uv_now(host().loop());
  armTimer(listener_->tls->handshakeTimeout());
  client_tls_ = std::make_unique<transport::TlsStream>(listener_->tls->newSsl(), host().chunks());
  client_tls_->setCiphertextSink(down_.sendSink());
  client_tls_->setPlaintextSink(earlySink());
  if (client_.startReading(*this) != 0) close(CloseReason::ClientClosedEarly);
}

void Session::handleClientTlsRead(ssize_t nread, network::Chunk* chunk) {
  if (nread > 0) {
    handleClientHandshakeBytes(chunk);
    return;
  }
  // A client that leaves without a word (a port scan, an L4 health check) is no TLS failure.
  if (!client_tls_->handshakeDone() && client_tls_->plaintextIn() == 0 && !client_saw_bytes_) {
    close(CloseReason::ClientClosedEarly);
  } else {
    clientHandshakeFailed(/*timeout=*/false);
  }
}

void Session::handleClientHandshakeBytes(network::Chunk* chunk) {
  if (!client_saw_bytes_) {
    client_saw_bytes_ = true;
    if (rejectNonTls(*chunk)) {
      host().chunks().put(chunk);
      return;
    }
  }
  const auto st = client_tls_->feed(chunk->data + chunk->offset, chunk->length);
  if (st == transport::TlsStream::Status::Failed) tls::notePlaintextAlert(client_tls_->ssl(), bytesOf(*chunk));
  host().chunks().put(chunk);
  if (stage_ == Stage::Closing) return;
  switch (st) {
    case transport::TlsStream::Status::Ok: return;
    case transport::TlsStream::Status::HandshakeDone: clientHandshakeDone(); return;
    case transport::TlsStream::Status::PeerClosed: close(CloseReason::ClientClosedEarly); return;
    case transport::TlsStream::Status::Failed: clientHandshakeFailed(/*timeout=*/false); return;
  }
}

// A TLS port that receives something other than a TLS handshake: say what it was, and
// answer a plaintext AMQP client with the protocol header so that its library reports a
// protocol mismatch instead of hanging.
bool Session::rejectNonTls(const network::Chunk& first) {
  if (first.length > 0 && static_cast<uint8_t>(first.data[first.offset]) == kTlsHandshakeRecord) return false;
  auto diagnosis = tls::diagnoseFirstBytes(bytesOf(first));
  tls::FailureReason reason = diagnosis ? diagnosis->reason : tls::FailureReason::Other;
  lstats().tls_failures[static_cast<size_t>(reason)].add();
  if (auto suppressed = allowLog(limits::ConnectionEvent::TlsHandshakeFailed)) {
    spdlog::warn("tls_handshake_failed client={} listener={} sni=- reason={} hint={} offered={} suppressed={}",
                 client_address_.toString(), listener_->listener->name, tls::toString(reason),
                 logging::quote(diagnosis ? diagnosis->hint : "the client did not start a TLS handshake"),
                 logging::quote(diagnosis ? diagnosis->offered : ""), *suppressed);
  }
  if (reason == tls::FailureReason::PlaintextAmqp) answerAmqpHeader();
  close(CloseReason::TlsHandshakeFailed);
  return true;
}

void Session::clientHandshakeDone() {
  // The client stays readable while the node is connected: what it sends now waits in the
  // early bytes and leaves with the PROXY header (see session_early.cc).
  early_reading_ = true;
  if (setup_->early.full()) stopEarlyReading();
  SSL* ssl = client_tls_->ssl();
  const tls::ConnectionFacts facts = tls::connectionFacts(ssl);
  lstats().tls_handshakes[facts.version_index].add();
  if (facts.resumed) lstats().tls_resumed.add();
  stats::observe(lstats().tls_handshake_ms, uv_now(host().loop()) - setup_->tls_started_ms, kHandshakeMsBuckets);
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
      if (auto suppressed = allowLog(limits::ConnectionEvent::RouteUnknownCluster)) {
        spdlog::warn("route_unknown_cluster client={} listener={} sni={} cluster={} suppressed={}",
                     client_address_.toString(), listener_->listener->name, sniForLog(), cluster, *suppressed);
      }
    }
  }
  spdlog::debug("tls_handshake client={} listener={} sni={} version={} cipher={} resumed={} cluster={}",
                client_address_.toString(), listener_->listener->name, sniForLog(), facts.version, facts.cipher,
                facts.resumed, target_->cluster_config->name);
  countRoute(route_index);
  stage_ = Stage::Connecting;
  connectNext();
}

void Session::clientHandshakeFailed(bool timeout) {
  const SSL* ssl = client_tls_->ssl();
  tls::Diagnosis d = timeout ? tls::diagnoseTimeout(ssl)
                             : tls::diagnoseHandshakeFailure(ssl, client_tls_->sslError(), client_tls_->errorCode(),
                                                             listener_->listener->tls);
  lstats().tls_failures[static_cast<size_t>(d.reason)].add();
  if (auto suppressed = allowLog(limits::ConnectionEvent::TlsHandshakeFailed)) {
    // No raw library code: the reason and hint say what happened, in words (the code of a
    // client's alert or an SNI refusal names the library's symptom, not the cause).
    spdlog::warn("tls_handshake_failed client={} listener={} sni={} reason={} hint={} offered={} suppressed={}",
                 client_address_.toString(), listener_->listener->name, sniForLog(), tls::toString(d.reason),
                 logging::quote(d.hint), logging::quote(d.offered), *suppressed);
  }
  close(CloseReason::TlsHandshakeFailed);
}

// route_stats is empty for a context built without attachStats (nothing counted by route).
void Session::countRoute(size_t index) {
  if (index < listener_->route_stats.size()) listener_->route_stats[index]->connections.add();
}

std::string Session::sniForLog() const {
  if (client_tls_ == nullptr) return "-";
  const std::string sni = tls::requestedServerName(client_tls_->ssl());
  return sni.empty() ? "-" : logging::quote(logging::capped(sni));
}

std::optional<uint64_t> Session::allowLog(limits::ConnectionEvent event) {
  limits::ConnectionLog* log = connectionLog();
  if (log == nullptr) return 0;
  return log->allow(event, static_cast<int64_t>(uv_now(host().loop())));
}

limits::ConnectionLog* Session::connectionLog() const {
  return listener_ != nullptr && listener_->limits != nullptr ? &listener_->limits->connectionLog() : nullptr;
}

}  // namespace warren::session
