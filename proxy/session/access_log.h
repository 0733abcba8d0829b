// The access line: one per closed connection, written when the session finishes.
//
//   access client=… [peer=…] listener=… [sni=… tls=…] node=… attempts=… duration_ms=…
//          bytes_up=… bytes_down=… [protocol=… vhost=… connection_name=… client_product=…
//          client_version=… heartbeat=…] reason=…
#pragma once

#include <cstdint>
#include <string_view>

#include "amqp/handshake_info.h"
#include "common/address.h"
#include "session/close_reason.h"

namespace warren::session {

struct AccessRecord {
  const Address* client = nullptr;  // who the node was told the client is
  const Address* peer = nullptr;    // the socket peer (differs behind an outer balancer)
  std::string_view listener;
  // TLS: set once the client's handshake completed; sni already quoted ("-" for none).
  std::string_view sni;
  const char* tls_version = nullptr;
  std::string_view node = "-";
  size_t attempts = 0;
  uint64_t duration_ms = 0;
  uint64_t bytes_up = 0;
  uint64_t bytes_down = 0;
  const amqp::HandshakeInfo* amqp = nullptr;  // what the handshake said, if it was read
  uint32_t heartbeat_s = 0;
  CloseReason reason = CloseReason::InternalError;
};

// The 0-9-1 heartbeat, or for 1.0 the client's advertised idle-time-out, in seconds.
uint32_t heartbeatSeconds(const amqp::HandshakeInfo& info);

void writeAccessLine(const AccessRecord& record);

}  // namespace warren::session
