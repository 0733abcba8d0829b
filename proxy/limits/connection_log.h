// Per-connection log lines a client (or a dead node) can trigger at will, each bounded to
// one line per second per listener, like limit_reached: a flood of garbage connections
// writes a few lines a second, each with "suppressed=N" for the ones skipped since the
// last. Every such connection is still counted in /metrics and has its access line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "limits/log_limiter.h"

namespace warren::limits {

enum class ConnectionEvent : uint8_t {
  ProxyHeaderInvalid,
  ProxyHeaderTimeout,
  TlsOnPlaintext,
  ProtocolMismatch,
  TlsHandshakeFailed,
  RouteUnknownCluster,
  AmqpHandshakeTimeout,
  HeartbeatTimeout,
  IdleTimeout,
  NoNode,
  ConnectFailed,
  NodeConnectFailed,
  NodeTlsFailed,
  AcceptFailed,
};
inline constexpr size_t kConnectionEventCount = static_cast<size_t>(ConnectionEvent::AcceptFailed) + 1;

// One listener's limiters, one per event; shared by the listener's workers (lock-free).
class ConnectionLog {
 public:
  // The lines suppressed since the last one when `event` may be logged now, else nullopt.
  std::optional<uint64_t> allow(ConnectionEvent event, int64_t now_ms) {
    return limiters_[static_cast<size_t>(event)].allow(now_ms);
  }

 private:
  std::array<LogLimiter, kConnectionEventCount> limiters_;
};

}  // namespace warren::limits
