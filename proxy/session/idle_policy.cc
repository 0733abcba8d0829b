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

// A paused direction counts as heard from now.
uint64_t lastClient(const IdleClocks& c, uint64_t now) { return c.client_paused ? now : c.last_client_ms; }

IdleVerdict heartbeat(const IdleLimits& l, const IdleClocks& c, uint64_t now) {
  const uint64_t last_client = lastClient(c, now);
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

IdleVerdict attributeNodeEnd(const IdleLimits& l, const IdleClocks& c, uint64_t now) {
  if (l.mode != IdleMode::Heartbeat || l.client_heartbeat_ms == 0) return {};
  const uint64_t limit = kNodeGivesUpAfterHeartbeats * l.client_heartbeat_ms;
  const uint64_t silent = now - lastClient(c, now);
  if (silent < limit) return {};
  IdleVerdict v = closeWith(CloseReason::HeartbeatTimeout);
  v.client_silent = true;
  v.silent_ms = silent;
  v.limit_ms = limit;
  return v;
}

void setHeartbeatLimits(IdleLimits& limits, const amqp::HandshakeInfo* handshake, uint64_t multiplier) {
  uint64_t client_ms = 0;  // how often each side must send
  uint64_t node_ms = 0;
  if (handshake != nullptr && handshake->protocol == amqp::Protocol::Amqp091) {
    client_ms = node_ms = uint64_t{handshake->heartbeat} * 1000;
  } else if (handshake != nullptr && handshake->protocol == amqp::Protocol::Amqp10) {
    client_ms = handshake->server_idle_timeout_ms;
    node_ms = handshake->client_idle_timeout_ms;
  }
  limits.client_heartbeat_ms = client_ms;
  limits.client_silence_ms = multiplier * client_ms;
  limits.node_silence_ms = multiplier * node_ms;
  limits.mode = (limits.client_silence_ms != 0 || limits.node_silence_ms != 0) ? IdleMode::Heartbeat : IdleMode::Quiet;
}

}  // namespace warren::session
