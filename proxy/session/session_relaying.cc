// Session stage: relaying. Two Relays move the bytes (relay.h); the session hears of
// activity, EOF, the sinks' shutdowns and failures, and keeps the idle policy's one deadline
// (idle_policy.h). EOF on one side becomes a shutdown of the other side's write half; the
// session ends when both halves are shut, or at the first error.
#include <spdlog/spdlog.h>

#include "session/access_log.h"
#include "session/session.h"
#include "tls/handshake_info.h"

namespace warren::session {

void Session::startRelaying() {
  stage_ = Stage::Relaying;
  relay_started_ms_ = last_up_ms_ = last_down_ms_ = uv_now(host().loop());
  const config::Listener& l = *listener_->listener;
  if (l.protocol == config::ListenerProtocol::Amqp) {
    // (The handshake may already have ended in the early bytes: keep the policy it set.)
    if (amqp_ == nullptr) idle_mode_ = IdleMode::AmqpHandshake;
  } else {
    idle_mode_ = l.idle_timeout.count() > 0 ? IdleMode::Tcp : IdleMode::None;
  }
  armRelayTimer();
  stopEarlyReading();
  // Route, PROXY TLVs and handshake diagnosis are behind us: what the TLS callbacks learned
  // is not needed any more (the access line's SNI comes from the SSL itself).
  attempts_.forgetTried();
  if (client_tls_ != nullptr) tls::releaseHandshakeInfo(client_tls_->ssl());
  if (node_tls_ != nullptr) tls::releaseHandshakeInfo(node_tls_->ssl());
  up_.setTls(client_tls_.get(), node_tls_.get());
  down_.setTls(node_tls_.get(), client_tls_.get());
  if (client_tls_ != nullptr) client_tls_->setPlaintextSink(up_.forwardSink());
  while (network::Chunk* e = setup_->early.pop()) {
    if (!up_.forward(e)) return;
  }
  setup_.reset();
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

// ---- Relay::Owner ----

bool Session::onRelayData(Relay& relay, const network::Chunk& chunk) {
  return sniffer_ == nullptr || sniff(relay.side(), chunk);
}

void Session::onRelayActivity(Relay& relay, bool from_source) {
  touch();
  // Bytes from a side (heartbeat policy: each direction has its own clock).
  if (from_source) (relay.side() == Relay::Side::Up ? last_up_ms_ : last_down_ms_) = last_activity_ms_;
}

void Session::onRelayEof(Relay& relay) {
  if (relay.side() == Relay::Side::Down && nodeGaveUpOnSilentClient()) return;
  const Relay& other = relay.side() == Relay::Side::Up ? down_ : up_;
  if (!other.eof()) first_eof_ = relay.side() == Relay::Side::Up ? CloseReason::ClientClosed : CloseReason::NodeClosed;
}

void Session::onRelayShut(Relay&) {
  if (up_.shut() && down_.shut()) close(first_eof_);
}

void Session::onRelayFailed(Relay&, CloseReason reason) {
  if (reason == CloseReason::NodeError && nodeGaveUpOnSilentClient()) return;
  fail(reason);
}

// The node closed or reset the connection. If the client had been silent long enough for the
// node to give up on it (idle_policy.h), it is the heartbeat timeout the node detected.
bool Session::nodeGaveUpOnSilentClient() {
  if (stage_ != Stage::Relaying) return false;
  const uint64_t now = uv_now(host().loop());
  const IdleVerdict v = attributeNodeEnd(idleLimits(), idleClocks(), now);
  if (!v.close) return false;
  logHeartbeatTimeout(v, "node");
  close(v.reason);
  return true;
}

// ---- The idle policy ----

uint32_t Session::heartbeatForLog() const { return amqp_ != nullptr ? heartbeatSeconds(*amqp_) : 0; }

// Computed when the deadline is due rather than kept: the listener's limits, and the
// negotiated heartbeat once the AMQP handshake is read.
IdleLimits Session::idleLimits() const {
  const config::Listener& l = *listener_->listener;
  IdleLimits limits;
  limits.idle_ms = static_cast<uint64_t>(l.idle_timeout.count());
  limits.handshake_ms = static_cast<uint64_t>(l.amqp_handshake_timeout.count());
  limits.quiet_ms = static_cast<uint64_t>(l.idle_timeout_without_heartbeat.count());
  if (idle_mode_ == IdleMode::Heartbeat) setHeartbeatLimits(limits, amqp_.get(), l.heartbeat_multiplier);
  limits.mode = idle_mode_;
  return limits;
}

IdleClocks Session::idleClocks() const {
  return IdleClocks{relay_started_ms_, last_activity_ms_, last_up_ms_, last_down_ms_, up_.paused(), down_.paused()};
}

// Reads only stamp times; the one deadline is re-armed when it fires, not on every read.
void Session::armRelayTimer() {
  const uint64_t now = uv_now(host().loop());
  const IdleVerdict v = decideIdle(idleLimits(), idleClocks(), now);
  if (!v.close && v.deadline_ms == IdleVerdict::kNever) {
    host().deadlines().cancel(*this);
    return;
  }
  const uint64_t deadline = v.close ? now : v.deadline_ms;
  host().deadlines().arm(*this, deadline > now ? deadline - now : 0);
}

void Session::handleRelayTimeout() {
  const uint64_t now = uv_now(host().loop());
  const IdleVerdict v = decideIdle(idleLimits(), idleClocks(), now);
  if (!v.close) {
    armRelayTimer();
    return;
  }
  logIdleClose(v, now);
  close(v.reason);
}

void Session::logIdleClose(const IdleVerdict& v, uint64_t now) {
  const config::Listener& l = *listener_->listener;
  switch (idle_mode_) {
    case IdleMode::Quiet:
      if (auto suppressed = allowLog(limits::ConnectionEvent::IdleTimeout)) {
        spdlog::info("idle_timeout client={} listener={} heartbeat=0 quiet_ms={} suppressed={}",
                     client_address_.toString(), l.name, now - last_activity_ms_, *suppressed);
      }
      return;
    case IdleMode::AmqpHandshake:
      if (auto suppressed = allowLog(limits::ConnectionEvent::AmqpHandshakeTimeout)) {
        spdlog::warn("amqp_handshake_timeout client={} listener={} after_ms={} client_bytes={} node_bytes={} suppressed={}",
                     client_address_.toString(), l.name, now - relay_started_ms_, up_.bytes(), down_.bytes(),
                     *suppressed);
      }
      return;
    case IdleMode::Heartbeat:
      logHeartbeatTimeout(v, "warren");
      return;
    case IdleMode::None:
    case IdleMode::Tcp:
      return;
  }
}

// `detected_by`: "warren" (its own deadline) or "node" (the node gave up first).
void Session::logHeartbeatTimeout(const IdleVerdict& v, const char* detected_by) {
  auto suppressed = allowLog(limits::ConnectionEvent::HeartbeatTimeout);
  if (!suppressed) return;
  const upstream::Node* node = attempts_.current();
  spdlog::warn("heartbeat_timeout client={} listener={} node={} silent={} silent_ms={} limit_ms={} heartbeat={} "
               "detected_by={} suppressed={}",
               client_address_.toString(), listener_->listener->name, node != nullptr ? node->name() : "-",
               v.client_silent ? "client" : "node", v.silent_ms, v.limit_ms, heartbeatForLog(), detected_by,
               *suppressed);
}

}  // namespace warren::session
