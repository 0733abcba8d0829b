// Session: the AMQP handshake, read on its way through on AMQP listeners (amqp::Sniffer).
// A client that speaks another protocol is answered with the AMQP protocol header and
// closed; a finished handshake sets the idle policy from the negotiated heartbeat, and
// from then on the relays do no per-byte work for AMQP.
#include <spdlog/spdlog.h>

#include <cstring>
#include <span>

#include "amqp/protocol_header.h"
#include "common/logging.h"
#include "session/session.h"
#include "tls/diagnosis.h"

namespace warren::session {

namespace {

std::span<const uint8_t> bytesOf(const network::Chunk& c) {
  return {reinterpret_cast<const uint8_t*>(c.data + c.offset), c.length};
}

}  // namespace

void Session::setInspecting(bool on) {
  up_.setInspecting(on);
  down_.setInspecting(on);
}

bool Session::sniff(Relay::Side side, const network::Chunk& chunk) {
  const std::span<const uint8_t> bytes = bytesOf(chunk);
  const amqp::Status st = side == Relay::Side::Up ? sniffer_->onClientBytes(bytes) : sniffer_->onServerBytes(bytes);
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
  const amqp::Misdirected kind = sniffer_->misdirected();
  lstats().amqp_protocol[static_cast<size_t>(amqp::Protocol::NotAmqp)].add();
  lstats().amqp_misdirected[static_cast<size_t>(kind)].add();
  if (kind == amqp::Misdirected::Tls) {
    // An amqps:// client on the plaintext port: logged like a failed TLS handshake, with
    // what its ClientHello offered.
    lstats().tls_failures[static_cast<size_t>(tls::FailureReason::TlsOnPlaintext)].add();
    auto d = tls::diagnoseTlsOnPlaintext(bytesOf(first));
    if (auto suppressed = allowLog(limits::ConnectionEvent::TlsOnPlaintext)) {
      spdlog::warn("tls_on_plaintext client={} listener={} sni={} hint={} offered={} suppressed={}",
                   client_address_.toString(), listener_->listener->name,
                   d && !d->sni.empty() ? logging::quote(logging::capped(d->sni)) : std::string("-"),
                   logging::quote(d ? d->hint : std::string(amqp::hint(kind))),
                   logging::quote(d ? d->offered : std::string()), *suppressed);
    }
  } else {
    if (auto suppressed = allowLog(limits::ConnectionEvent::ProtocolMismatch)) {
      spdlog::warn("protocol_mismatch client={} listener={} sent={} hint={} suppressed={}", client_address_.toString(),
                   listener_->listener->name, amqp::toString(kind), logging::quote(amqp::hint(kind)), *suppressed);
    }
  }
  sniffer_.reset();
  setInspecting(false);
  answerAmqpHeader();
  close(CloseReason::ProtocolMismatch);
}

void Session::amqpHandshakeEnded() {
  const uint64_t now = uv_now(host().loop());
  amqp_ = std::make_unique<amqp::HandshakeInfo>(sniffer_->info());
  const bool ok = sniffer_->status() == amqp::Status::Done;
  if (!ok) {
    spdlog::debug("amqp_handshake_unreadable client={} listener={} error={}", client_address_.toString(),
                  listener_->listener->name, amqp::toString(sniffer_->error()));
  }
  sniffer_.reset();  // from here on the relays do no per-byte work for AMQP
  setInspecting(false);
  lstats().amqp_protocol[static_cast<size_t>(amqp_->protocol)].add();
  // Before relaying began (bytes read with the PROXY header or the node's TLS handshake) the
  // handshake took no relay time: counted as 0, never from time 0.
  const uint64_t started = relay_started_ms_ != 0 && relay_started_ms_ <= now ? relay_started_ms_ : now;
  if (ok) stats::observe(lstats().amqp_handshake_ms, now - started, kHandshakeMsBuckets);
  if (ok && amqp_->protocol == amqp::Protocol::Amqp091) {
    stats::observe(lstats().heartbeat_seconds, amqp_->heartbeat, kHeartbeatBuckets);
  }
  if (!ok) {
    // Unreadable is not finished: the handshake deadline holds (amqp_handshake_timeout from
    // relay start), so one bad frame cannot hold a connection and a node slot forever.
    idle_mode_ = IdleMode::AmqpHandshake;
    if (stage_ == Stage::Relaying) armRelayTimer();  // else startRelaying() arms it
    return;
  }
  IdleLimits negotiated;
  setHeartbeatLimits(negotiated, amqp_.get(), listener_->listener->heartbeat_multiplier);
  idle_mode_ = negotiated.mode;
  last_up_ms_ = last_down_ms_ = now;
  if (stage_ == Stage::Relaying) armRelayTimer();  // else startRelaying() arms it
}

void Session::answerAmqpHeader() {
  network::Chunk* answer = host().chunks().get();
  if (answer == nullptr) return;
  std::memcpy(answer->data, amqp::kAmqp091Header.data(), amqp::kProtocolHeaderSize);
  answer->length = amqp::kProtocolHeaderSize;
  down_.send(answer);
}

}  // namespace warren::session
