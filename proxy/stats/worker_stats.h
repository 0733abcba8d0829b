// Per-worker counters: plain integers written only by their worker's thread (no atomics
// on the hot path), summed when read. Reading another worker's counters while it runs
// is a benign race on aligned 64-bit words; exact totals are read after the workers stop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace warren::stats {

inline constexpr size_t kMaxCloseReasons = 24;
inline constexpr size_t kMaxTlsFailureReasons = 12;
// Connections turned away at accept, by limits::LimitKind (global, listener, source, rate).
inline constexpr size_t kLimitKinds = 4;
// Negotiated AMQP heartbeats (seconds), histogram upper bounds; the last bucket is +Inf.
inline constexpr std::array<uint32_t, 7> kHeartbeatBuckets = {0, 5, 15, 30, 60, 120, 600};

struct alignas(64) WorkerStats {
  uint64_t accepted = 0;                 // connections accepted
  uint64_t active = 0;                   // sessions open now
  uint64_t rejected_limit = 0;           // closed at once over a limit: the sum of rejected_by_limit
  std::array<uint64_t, kLimitKinds> rejected_by_limit{};  // by limits::LimitKind
  uint64_t proxy_header_invalid = 0;     // inbound PROXY headers rejected
  uint64_t proxy_header_timeout = 0;     // inbound PROXY headers that never came
  uint64_t connect_attempts = 0;         // connects started to nodes
  uint64_t connect_failures = 0;         // connects refused, failed or timed out
  uint64_t bytes_up = 0;                 // client → node, relayed
  uint64_t bytes_down = 0;               // node → client, relayed
  uint64_t buffered_bytes = 0;           // gauge: bytes read and waiting for the other side
  uint64_t backpressure_pauses = 0;      // reads paused because the other side was slow
  uint64_t backpressure_resumes = 0;
  uint64_t tls_handshakes = 0;           // client TLS handshakes completed
  uint64_t tls_resumed = 0;              // ... of which resumed a session
  uint64_t tls_on_plaintext = 0;         // TLS ClientHellos seen on a plaintext listener
  // AMQP awareness.
  std::array<uint64_t, 4> amqp_protocol{};      // handshakes seen by amqp::Protocol (Unknown, 0-9-1, 1.0, not AMQP)
  std::array<uint64_t, 8> amqp_misdirected{};   // wrong-protocol clients by amqp::Misdirected
  std::array<uint64_t, kHeartbeatBuckets.size() + 1> heartbeat_seconds{};  // negotiated heartbeats
  uint64_t heartbeat_seconds_sum = 0;
  uint64_t amqp_handshake_ms_sum = 0;           // time from first byte to Connection.Open, summed
  std::array<uint64_t, kMaxCloseReasons> closed_by_reason{};
  std::array<uint64_t, kMaxTlsFailureReasons> tls_failures{};  // by tls::FailureReason

  WorkerStats& operator+=(const WorkerStats& other);
};

}  // namespace warren::stats
