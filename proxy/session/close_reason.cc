#include "session/close_reason.h"

namespace warren::session {

const char* toString(CloseReason reason) {
  switch (reason) {
    case CloseReason::ClientClosed: return "client_closed";
    case CloseReason::NodeClosed: return "node_closed";
    case CloseReason::ClientError: return "client_error";
    case CloseReason::NodeError: return "node_error";
    case CloseReason::IdleTimeout: return "idle_timeout";
    case CloseReason::ConnectFailed: return "connect_failed";
    case CloseReason::NoNode: return "no_node";
    case CloseReason::ProxyHeaderInvalid: return "proxy_header_invalid";
    case CloseReason::ProxyHeaderTimeout: return "proxy_header_timeout";
    case CloseReason::ProxyPeerUntrusted: return "proxy_peer_untrusted";
    case CloseReason::ClientClosedEarly: return "client_closed_early";
    case CloseReason::TlsHandshakeFailed: return "tls_handshake_failed";
    case CloseReason::TlsError: return "tls_error";
    case CloseReason::NodeTlsFailed: return "node_tls_failed";
    case CloseReason::ProtocolMismatch: return "protocol_mismatch";
    case CloseReason::HeartbeatTimeout: return "heartbeat_timeout";
    case CloseReason::AmqpHandshakeTimeout: return "amqp_handshake_timeout";
    case CloseReason::LimitReached: return "limit_reached";
    case CloseReason::Shutdown: return "shutdown";
    case CloseReason::InternalError: return "internal_error";
    case CloseReason::LocalResourceExhausted: return "local_resource_exhausted";
    case CloseReason::Count: break;
  }
  return "unknown";
}

}  // namespace warren::session
