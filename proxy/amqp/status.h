// Progress and failure codes of the AMQP handshake sniffer.
#pragma once

#include <cstdint>

namespace warren::amqp {

enum class Status : uint8_t {
  InProgress,  // keep feeding bytes
  Done,        // the handshake is over (see HandshakeInfo::outcome); stop feeding
  Error,       // the bytes are not a handshake the sniffer accepts (see Error); stop feeding
};

enum class Error : uint8_t {
  None,
  Misdirected,        // the client's first bytes are not AMQP 0-9-1 or 1.0 (see Misdirected)
  ServerSpokeFirst,   // server bytes before the client's protocol header was complete
  BadProtocolHeader,  // a server header, or a 1.0 header after SASL, that is not an AMQP one
  ProtocolRejected,   // the server answered with a header for another protocol/layer
  BadFrame,           // framing: 0-9-1 frame-end not 0xCE, unknown frame type, heartbeat with
                      // payload or channel; 1.0 size < 8, doff < 2, doff past size, type
  FrameTooLarge,      // a frame longer than the sniffer's buffer bound (decided from its header)
  UnexpectedFrame,    // a well-formed frame that has no place in the handshake at this point
  BadMethod,          // 0-9-1 method arguments truncated
  BadFieldTable,      // 0-9-1 field table: truncated value, unknown type letter, too deep
  BadPerformative,    // 1.0 performative encoding: bad constructor, truncated, wrong type,
                      // list items not filling the list exactly, bytes after it
};

// Short snake_case tokens for logs and metrics, e.g. "frame_too_large".
const char* toString(Status status);
const char* toString(Error error);

}  // namespace warren::amqp
