// The idle policy as a pure function (session/idle_policy.h): every mode, deadlines and
// closes, and the backpressure rule (a paused direction is not silent).
#include "session/idle_policy.h"

#include <gtest/gtest.h>

#include "amqp/handshake_info.h"

namespace warren::session {
namespace {

IdleLimits heartbeatLimits(uint64_t client_ms, uint64_t node_ms) {
  IdleLimits l;
  l.mode = IdleMode::Heartbeat;
  l.client_silence_ms = client_ms;
  l.node_silence_ms = node_ms;
  return l;
}

IdleClocks clocksAt(uint64_t t) { return IdleClocks{t, t, t, t, false, false}; }

TEST(IdlePolicy, NoneNeverCloses) {
  const IdleVerdict v = decideIdle(IdleLimits{}, clocksAt(0), 1'000'000'000);
  EXPECT_FALSE(v.close);
  EXPECT_EQ(v.deadline_ms, IdleVerdict::kNever);
}

TEST(IdlePolicy, TcpClosesAfterIdleTimeoutSinceLastActivity) {
  IdleLimits l;
  l.mode = IdleMode::Tcp;
  l.idle_ms = 1000;
  IdleClocks c = clocksAt(100);
  c.last_activity_ms = 500;
  IdleVerdict v = decideIdle(l, c, 1200);
  EXPECT_FALSE(v.close);
  EXPECT_EQ(v.deadline_ms, 1500u);
  v = decideIdle(l, c, 1500);
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.reason, CloseReason::IdleTimeout);
}

TEST(IdlePolicy, AmqpHandshakeCountsFromRelayStartWhateverTheTraffic) {
  IdleLimits l;
  l.mode = IdleMode::AmqpHandshake;
  l.handshake_ms = 10'000;
  IdleClocks c = clocksAt(0);
  c.last_activity_ms = c.last_client_ms = 9'999;  // bytes keep coming: no matter
  EXPECT_EQ(decideIdle(l, c, 9'999).deadline_ms, 10'000u);
  const IdleVerdict v = decideIdle(l, c, 10'000);
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.reason, CloseReason::AmqpHandshakeTimeout);
}

TEST(IdlePolicy, QuietWithoutLimitNeverCloses) {
  IdleLimits l;
  l.mode = IdleMode::Quiet;
  const IdleVerdict v = decideIdle(l, clocksAt(0), 86'400'000);
  EXPECT_FALSE(v.close);
  EXPECT_EQ(v.deadline_ms, IdleVerdict::kNever);
}

TEST(IdlePolicy, QuietWithLimitClosesAsIdle) {
  IdleLimits l;
  l.mode = IdleMode::Quiet;
  l.quiet_ms = 60'000;
  EXPECT_EQ(decideIdle(l, clocksAt(5), 100).deadline_ms, 60'005u);
  const IdleVerdict v = decideIdle(l, clocksAt(5), 60'005);
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.reason, CloseReason::IdleTimeout);
}

TEST(IdlePolicy, HeartbeatDeadlineIsTheEarlierDirection) {
  IdleClocks c = clocksAt(0);
  c.last_client_ms = 1000;
  c.last_node_ms = 2000;
  const IdleVerdict v = decideIdle(heartbeatLimits(30'000, 30'000), c, 5000);
  EXPECT_FALSE(v.close);
  EXPECT_EQ(v.deadline_ms, 31'000u);
}

TEST(IdlePolicy, HeartbeatNamesTheSilentClient) {
  IdleClocks c = clocksAt(0);
  c.last_node_ms = 30'000;  // the node keeps sending heartbeats; the client is gone
  const IdleVerdict v = decideIdle(heartbeatLimits(30'000, 30'000), c, 30'000);
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.reason, CloseReason::HeartbeatTimeout);
  EXPECT_TRUE(v.client_silent);
  EXPECT_EQ(v.silent_ms, 30'000u);
  EXPECT_EQ(v.limit_ms, 30'000u);
}

TEST(IdlePolicy, HeartbeatNamesTheSilentNode) {
  IdleClocks c = clocksAt(0);
  c.last_client_ms = 44'000;
  const IdleVerdict v = decideIdle(heartbeatLimits(60'000, 45'000), c, 45'000);
  EXPECT_TRUE(v.close);
  EXPECT_FALSE(v.client_silent);
  EXPECT_EQ(v.limit_ms, 45'000u);
}

TEST(IdlePolicy, APausedDirectionIsNotSilent) {
  // Warren stopped reading the client because the node does not drain (a blocked publisher):
  // however old the client's clock, it is not a dead client.
  IdleClocks c = clocksAt(0);
  c.last_node_ms = 100'000;
  c.client_paused = true;
  const IdleVerdict v = decideIdle(heartbeatLimits(30'000, 30'000), c, 100'000);
  EXPECT_FALSE(v.close);
  EXPECT_EQ(v.deadline_ms, 130'000u);
}

TEST(IdlePolicy, AnUnboundedDirectionIsNeverSilent) {
  // AMQP 1.0: a side that advertised no idle-time-out bounds nothing.
  IdleClocks c = clocksAt(0);
  c.last_client_ms = 1'000'000;
  const IdleVerdict v = decideIdle(heartbeatLimits(20'000, 0), c, 1'000'000);
  EXPECT_FALSE(v.close);
  EXPECT_EQ(v.deadline_ms, 1'020'000u);
}

// The node ended the connection: was it giving up on a silent client (2 × its heartbeat)?
IdleLimits afterHandshake(uint16_t heartbeat_s, uint64_t multiplier) {
  amqp::HandshakeInfo h;
  h.protocol = amqp::Protocol::Amqp091;
  h.heartbeat = heartbeat_s;
  IdleLimits l;
  setHeartbeatLimits(l, &h, multiplier);
  return l;
}

TEST(IdlePolicy, NodeEndAfterTwoSilentHeartbeatsIsTheClientsHeartbeatTimeout) {
  const IdleLimits l = afterHandshake(60, 3);  // Warren's own limit: 180 s
  EXPECT_EQ(l.client_heartbeat_ms, 60'000u);
  IdleClocks c = clocksAt(0);
  c.last_node_ms = 119'000;
  EXPECT_FALSE(attributeNodeEnd(l, c, 119'999).close);  // 1 ms short of 2 × H
  const IdleVerdict v = attributeNodeEnd(l, c, 120'000);
  EXPECT_TRUE(v.close);
  EXPECT_EQ(v.reason, CloseReason::HeartbeatTimeout);
  EXPECT_TRUE(v.client_silent);
  EXPECT_EQ(v.silent_ms, 120'000u);
  EXPECT_EQ(v.limit_ms, 120'000u);
}

TEST(IdlePolicy, NodeEndIsTheNodesWhenTheClientSpokeOrWasPausedOrBeatsAreOff) {
  IdleClocks c = clocksAt(0);
  c.last_client_ms = 100'000;
  EXPECT_FALSE(attributeNodeEnd(afterHandshake(60, 3), c, 200'000).close);  // heard 100 s ago
  c.last_client_ms = 0;
  c.client_paused = true;  // Warren stopped reading it: not silent
  EXPECT_FALSE(attributeNodeEnd(afterHandshake(60, 3), c, 200'000).close);
  c.client_paused = false;
  const IdleLimits off = afterHandshake(0, 3);  // heartbeat 0: Quiet, nothing to miss
  EXPECT_EQ(off.mode, IdleMode::Quiet);
  EXPECT_FALSE(attributeNodeEnd(off, c, 10'000'000).close);
  IdleLimits tcp;
  tcp.mode = IdleMode::Tcp;
  tcp.idle_ms = 1000;
  EXPECT_FALSE(attributeNodeEnd(tcp, c, 10'000'000).close);
}

TEST(IdlePolicy, Amqp10ClientHeartbeatIsTheNodesAdvertisedIdleTimeOut) {
  amqp::HandshakeInfo h;
  h.protocol = amqp::Protocol::Amqp10;
  h.server_idle_timeout_ms = 15'000;  // the client must send at least this often
  h.client_idle_timeout_ms = 0;
  IdleLimits l;
  setHeartbeatLimits(l, &h, 2);
  EXPECT_EQ(l.client_heartbeat_ms, 15'000u);
  EXPECT_EQ(l.client_silence_ms, 30'000u);
  EXPECT_EQ(l.node_silence_ms, 0u);
  EXPECT_TRUE(attributeNodeEnd(l, clocksAt(0), 30'000).close);
  EXPECT_FALSE(attributeNodeEnd(l, clocksAt(0), 29'999).close);
}

}  // namespace
}  // namespace warren::session
