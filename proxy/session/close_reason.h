// Why a connection ended: recorded once per session, written to the access log and counted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace warren::session {

enum class CloseReason : uint8_t {
  ClientClosed,          // the client closed first (FIN), then the node finished
  NodeClosed,            // the node closed first, then the client finished
  ClientError,           // read/write error on the client side (reset, broken pipe)
  NodeError,             // read/write error on the node side
  IdleTimeout,           // no byte either way for listener.idle_timeout
  ConnectFailed,         // no node accepted the connection within the attempts
  NoNode,                // the cluster has no node to try
  ProxyHeaderInvalid,    // accept_proxy: malformed inbound PROXY header
  ProxyHeaderTimeout,    // accept_proxy: the header did not arrive in time
  ProxyPeerUntrusted,    // accept_proxy: the TCP peer is not in trusted_proxies (refused at accept)
  ClientClosedEarly,     // the client left before the relay started
  TlsHandshakeFailed,    // the client's TLS handshake failed or timed out (diagnosed in the log)
  TlsError,              // a TLS error after the handshake (bad record, …)
  NodeTlsFailed,         // the TLS handshake with the node failed
  ProtocolMismatch,      // the client spoke another protocol (e.g. TLS on a plaintext port)
  HeartbeatTimeout,      // AMQP: a direction stayed silent past heartbeat_multiplier × heartbeat
  AmqpHandshakeTimeout,  // AMQP: the handshake did not complete within amqp_handshake_timeout
  LimitReached,          // max_connections (global or listener) reached
  Shutdown,              // closed by a graceful stop that ran past its deadline
  InternalError,         // out of memory or a libuv call failed
  LocalResourceExhausted,  // Warren itself had no file descriptor (EMFILE/ENFILE), buffer or
                           // source port for the node socket: no fault of the node
  Count
};

inline constexpr size_t kCloseReasonCount = static_cast<size_t>(CloseReason::Count);

// Short snake_case token for logs and metrics: "client_closed", "idle_timeout", …
const char* toString(CloseReason reason);

}  // namespace warren::session
