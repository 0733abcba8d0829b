// AMQP 0-9-1 wire constants used by the handshake sniffer (0-9-1 spec §4.2.3 framing,
// amqp0-9-1.xml class "connection"). Internal to amqp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace warren::amqp::amqp091 {

// §4.2.3 general frame: type (1), channel (2), size (4), payload (size), frame-end (1).
inline constexpr size_t kFrameHeaderSize = 7;
inline constexpr size_t kFrameSizeOffset = 3;  // the size field, after type and channel
inline constexpr size_t kFrameEndSize = 1;
inline constexpr uint8_t kFrameEnd = 0xCE;

// Frame types (amqp0-9-1.xml constants frame-method .. frame-heartbeat).
inline constexpr uint8_t kFrameMethod = 1;
inline constexpr uint8_t kFrameHeader = 2;
inline constexpr uint8_t kFrameBody = 3;
inline constexpr uint8_t kFrameHeartbeat = 8;

// The handshake happens on channel 0.
inline constexpr uint16_t kConnectionChannel = 0;

// Method frame payload: class-id (2), method-id (2), arguments.
inline constexpr size_t kMethodIdsSize = 4;

// class connection
inline constexpr uint16_t kClassConnection = 10;
inline constexpr uint16_t kMethodStart = 10;
inline constexpr uint16_t kMethodStartOk = 11;
inline constexpr uint16_t kMethodSecure = 20;
inline constexpr uint16_t kMethodSecureOk = 21;
inline constexpr uint16_t kMethodTune = 30;
inline constexpr uint16_t kMethodTuneOk = 31;
inline constexpr uint16_t kMethodOpen = 40;
inline constexpr uint16_t kMethodOpenOk = 41;
inline constexpr uint16_t kMethodClose = 50;
inline constexpr uint16_t kMethodCloseOk = 51;

}  // namespace warren::amqp::amqp091
