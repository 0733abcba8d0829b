#include "session/idle_policy.h"

#include <algorithm>

#include "amqp/handshake_info.h"

namespace warren::session {

namespace {

IdleVerdict closeWith(CloseReason reason) {
  IdleVerdict v;
  v.close = true;
  v.reason = reason;
  return v;
}

IdleVerdict waitUntil(uint64_t deadline_ms) {
  IdleVerdict v;
  v.deadline_ms = deadline_ms;
  return v;
}

// Quiet for `limit` since `since`: close, else look again when it would be.
IdleVerdict quietFor(uint64_t since, uint64_t limit, uint64_t now, CloseReason reason) {
  if (now - since >= limit) return closeWith(reason);
  return waitUntil(since + limit);
}

IdleVerdict heartbeat(const IdleLimits& l, const IdleClocks& c, uint64_t now) {
  // A paused direction counts as heard from now.
  const uint64_t last_client = c.client_paused ? now : c.last_client_ms;
  const uint64_t last_node = c.node_paused ? now : c.last_node_ms;
  const bool client_silent = l.client_silence_ms != 0 && now - last_client >= l.client_silence_ms;
  const bool node_silent = l.node_silence_ms != 0 && now - last_node >= l.node_silence_ms;
  if (client_silent || node_silent) {
    IdleVerdict v = closeWith(CloseReason::HeartbeatTimeout);
    v.client_silent = client_silent;
    v.silent_ms = client_silent ? now - last_client : now - last_node;
    v.limit_ms = client_silent ? l.client_silence_ms : l.node_silence_ms;
    return v;
  }
  uint64_t deadline = IdleVerdict::kNever;
  if (l.client_silence_ms != 0) deadline = std::min(deadline, last_client + l.client_silence_ms);
  if (l.node_silence_ms != 0) deadline = std::min(deadline, last_node + l.node_silence_ms);
  return waitUntil(deadline);
}

}  // namespace

IdleVerdict decideIdle(const IdleLimits& l, const IdleClocks& c, uint64_t now) {
  switch (l.mode) {
    case IdleMode::None:
      return {};
    case IdleMode::Tcp:
      return quietFor(c.last_activity_ms, l.idle_ms, now, CloseReason::IdleTimeout);
    case IdleMode::AmqpHandshake:
      return quietFor(c.relay_started_ms, l.handshake_ms, now, CloseReason::AmqpHandshakeTimeout);
    case IdleMode::Quiet:
      if (l.quiet_ms == 0) return {};
      return quietFor(c.last_activity_ms, l.quiet_ms, now, CloseReason::IdleTimeout);
    case IdleMode::Heartbeat:
      return heartbeat(l, c, now);
  }
  return {};
}

void setHeartbeatLimits(IdleLimits& limits, const amqp::HandshakeInfo* handshake, uint64_t multiplier) {
  limits.client_silence_ms = limits.node_silence_ms = 0;
  if (handshake != nullptr && handshake->protocol == amqp::Protocol::Amqp091) {
    limits.client_silence_ms = limits.node_silence_ms = multiplier * handshake->heartbeat * 1000;
  } else if (handshake != nullptr && handshake->protocol == amqp::Protocol::Amqp10) {
    limits.client_silence_ms = multiplier * handshake->server_idle_timeout_ms;
    limits.node_silence_ms = multiplier * handshake->client_idle_timeout_ms;
  }
  limits.mode = (limits.client_silence_ms != 0 || limits.node_silence_ms != 0) ? IdleMode::Heartbeat : IdleMode::Quiet;
}

}  // namespace warren::session
