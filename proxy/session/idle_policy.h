// The idle policy of a relaying connection, as a pure function: the times, the pause state
// and the negotiated limits in; the next deadline, or a close with its reason, out. The
// session keeps one timer, re-armed for the deadline when it fires (reads only stamp times).
//
//   Tcp:           no byte either way for `idle_timeout` → idle_timeout
//   AmqpHandshake: the handshake not over `amqp_handshake_timeout` after relaying began
//   Heartbeat:     a direction silent for its limit (heartbeat_multiplier × heartbeat) →
//                  heartbeat_timeout; a direction Warren stopped reading (backpressure: the
//                  other side is not draining, as when RabbitMQ blocks a publisher) is not
//                  silent, whatever its clock says
//   Quiet:         heartbeats off: `idle_timeout_without_heartbeat`, if set, else never
//   None:          never
#pragma once

#include <cstdint>

#include "session/close_reason.h"

namespace warren::amqp {
struct HandshakeInfo;
}

namespace warren::session {

enum class IdleMode : uint8_t { None, Tcp, AmqpHandshake, Heartbeat, Quiet };

struct IdleLimits {
  IdleMode mode = IdleMode::None;
  uint64_t idle_ms = 0;            // Tcp: listener.idle_timeout
  uint64_t handshake_ms = 0;       // AmqpHandshake: listener.amqp_handshake_timeout
  uint64_t quiet_ms = 0;           // Quiet: listener.idle_timeout_without_heartbeat (0 = never)
  uint64_t client_silence_ms = 0;  // Heartbeat: most silence allowed from the client (0 = unbounded)
  uint64_t node_silence_ms = 0;    // ... and from the node
  uint64_t client_heartbeat_ms = 0;  // Heartbeat: how often the client must send (0 = never)
};

struct IdleClocks {
  uint64_t relay_started_ms = 0;
  uint64_t last_activity_ms = 0;  // any byte either way
  uint64_t last_client_ms = 0;    // last byte from the client
  uint64_t last_node_ms = 0;      // last byte from the node
  bool client_paused = false;     // Warren stopped reading the client (backpressure)
  bool node_paused = false;
};

struct IdleVerdict {
  static constexpr uint64_t kNever = UINT64_MAX;
  bool close = false;
  CloseReason reason = CloseReason::IdleTimeout;  // when close
  uint64_t deadline_ms = kNever;                  // when not close: when to look again
  // Heartbeat closes: who was silent, for how long, against which limit.
  bool client_silent = false;
  uint64_t silent_ms = 0;
  uint64_t limit_ms = 0;
};

IdleVerdict decideIdle(const IdleLimits& limits, const IdleClocks& clocks, uint64_t now_ms);

// RabbitMQ gives up on a client it has not heard from for about two heartbeats; Warren waits
// heartbeat_multiplier. A node that ends the connection while the client has been silent for
// this many of its heartbeats detected a heartbeat timeout: the node is not at fault.
inline constexpr uint64_t kNodeGivesUpAfterHeartbeats = 2;

// The node ended a relaying connection (FIN or error) at `now_ms`. Heartbeat mode, and the
// client silent (not paused) for kNodeGivesUpAfterHeartbeats × its heartbeat: a
// heartbeat_timeout verdict naming the client; otherwise no close.
IdleVerdict attributeNodeEnd(const IdleLimits& limits, const IdleClocks& clocks, uint64_t now_ms);

// After the AMQP handshake (null: it ended unreadably): Heartbeat with each direction's
// silence limit from what was negotiated, times `multiplier`, or Quiet when heartbeats are
// off. AMQP 0-9-1: one heartbeat for both directions. AMQP 1.0: each side advertises the
// idle time-out it tolerates (half its real threshold); the other side must send at least
// that often.
void setHeartbeatLimits(IdleLimits& limits, const amqp::HandshakeInfo* handshake, uint64_t multiplier);

}  // namespace warren::session
