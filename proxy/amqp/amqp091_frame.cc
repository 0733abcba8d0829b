#include "amqp/amqp091_frame.h"

#include "common/big_endian.h"

namespace warren::amqp::amqp091 {

bool isKnownFrameType(uint8_t type) {
  return type == kFrameMethod || type == kFrameHeader || type == kFrameBody || type == kFrameHeartbeat;
}

std::optional<FrameHeader> readFrameHeader(std::span<const uint8_t> head) {
  if (head.size() < kFrameHeaderSize) return std::nullopt;
  return FrameHeader{head[0], big_endian::load16(&head[1]), big_endian::load32(&head[kFrameSizeOffset])};
}

std::optional<MethodIds> readMethodIds(std::span<const uint8_t> payload) {
  if (payload.size() < kMethodIdsSize) return std::nullopt;
  return MethodIds{big_endian::load16(&payload[0]), big_endian::load16(&payload[2])};
}

}  // namespace warren::amqp::amqp091
