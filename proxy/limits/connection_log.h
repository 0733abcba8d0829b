// Per-connection log lines a client (or a dead node) can trigger at will, each bounded to
// a burst of ten lines, then one per second, per listener (like limit_reached): a flood of garbage connections
// writes a few lines a second, each with "suppressed=N" for the ones skipped since the
// last. Every such connection is still counted in /metrics and has its access line, except
// those refused at accept (limit_reached, proxy_peer_untrusted): their line is the only one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

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
  LocalResourceExhausted,
  ProxyPeerUntrusted,
};
inline constexpr size_t kConnectionEventCount = static_cast<size_t>(ConnectionEvent::ProxyPeerUntrusted) + 1;

// One listener's limiters, one per event; shared by the listener's workers (lock-free).
class ConnectionLog {
 public:
  // The lines suppressed since the last one when `event` may be logged now, else nullopt.
  std::optional<uint64_t> allow(ConnectionEvent event, int64_t now_ms) {
    return limiters_[static_cast<size_t>(event)].allow(now_ms);
  }

 private:
  static constexpr int64_t kBurst = 10;  // lines at once before one per second
  static std::array<LogLimiter, kConnectionEventCount> makeLimiters() {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::array<LogLimiter, kConnectionEventCount>{((void)I, LogLimiter(1000, kBurst))...};
    }(std::make_index_sequence<kConnectionEventCount>{});
  }
  std::array<LogLimiter, kConnectionEventCount> limiters_ = makeLimiters();
};

}  // namespace warren::limits
