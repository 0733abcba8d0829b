// AMQP protocol headers (0-9-1 spec §4.2.2, 1.0 spec part 2 §2.2 and part 5 §5.3.1) and
// the classification of a client's first bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "amqp/handshake_info.h"

namespace warren::amqp {

inline constexpr size_t kProtocolHeaderSize = 8;
using ProtocolHeader = std::array<uint8_t, kProtocolHeaderSize>;

// "AMQP" 0 0 9 1: AMQP 0-9-1. Also what to send back to a misdirected client before
// closing (0-9-1 §4.2.2: answer an unsupported header with a supported one, then close).
inline constexpr ProtocolHeader kAmqp091Header = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
// "AMQP" 0 1 0 0: AMQP 1.0, protocol id 0 (AMQP frames).
inline constexpr ProtocolHeader kAmqp10Header = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
// "AMQP" 3 1 0 0: AMQP 1.0, protocol id 3 (the SASL security layer).
inline constexpr ProtocolHeader kAmqp10SaslHeader = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};

// The 4 bytes every AMQP protocol header starts with.
inline constexpr size_t kAmqpMagicSize = 4;

enum class HeaderKind : uint8_t {
  Undecided,  // a prefix of a valid header or of a known misdirection: need more bytes
  Amqp091,
  Amqp10,
  Amqp10Sasl,
  Misdirected,  // see HeaderVerdict::misdirected
};

struct HeaderVerdict {
  HeaderKind kind = HeaderKind::Undecided;
  Misdirected misdirected = Misdirected::None;
};

// Classifies the first bytes a client sent (only the first kProtocolHeaderSize are looked
// at). Decides as early as the bytes allow and never later than 8 bytes:
//  - a prefix of one of the three valid headers is Undecided until all 8 bytes are there;
//  - "AMQP" then anything else is OtherAmqpVersion from the first differing byte;
//  - "<METHOD> " for an HTTP/1.x method, or "PRI " (the HTTP/2 preface), is Http;
//    0x16 0x03 (TLS handshake record, version 3.x) is Tls; "PROXY " or the first 8 bytes
//    of the PROXY v2 signature is ProxyProtocol; while the bytes are still a prefix of one
//    of these the verdict is Undecided ("G", "GE", "GET" are; "GET " is Http);
//  - anything else is Garbage as soon as it matches none of the above.
HeaderVerdict classifyClientHeader(std::span<const uint8_t> prefix);

// Names a complete 8-byte header: Amqp091, Amqp10, Amqp10Sasl, or Misdirected when it is
// none of those (used for what a server sends).
HeaderKind identifyHeader(std::span<const uint8_t, kProtocolHeaderSize> header);

}  // namespace warren::amqp
