// The AMQP 0-9-1 general frame header (§4.2.3: type u8, channel u16, size u32) and a method
// frame's class and method ids, read from the first bytes of a frame. Shared by the
// handshake sniffer (amqp091_handshake.h) and the Connection.Start check of health checks
// (start_frame_check.h), so that the framing is read in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "amqp/amqp091_constants.h"

namespace warren::amqp::amqp091 {

struct FrameHeader {
  uint8_t type = 0;
  uint16_t channel = 0;
  uint32_t size = 0;  // payload bytes, frame-end not included

  // The whole frame: header, payload and frame-end.
  uint64_t frameLength() const { return uint64_t{kFrameHeaderSize} + size + kFrameEndSize; }
};

// Method, header, body or heartbeat (amqp0-9-1.xml frame-* constants).
bool isKnownFrameType(uint8_t type);

// The header at the start of `head`; nullopt while `head` holds fewer than kFrameHeaderSize
// bytes. The type is not checked (see isKnownFrameType).
std::optional<FrameHeader> readFrameHeader(std::span<const uint8_t> head);

struct MethodIds {
  uint16_t class_id = 0;
  uint16_t method_id = 0;
};

// The ids at the start of a method frame's payload; nullopt if it has fewer than
// kMethodIdsSize bytes.
std::optional<MethodIds> readMethodIds(std::span<const uint8_t> payload);

}  // namespace warren::amqp::amqp091
