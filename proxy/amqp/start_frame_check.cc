#include "amqp/start_frame_check.h"

#include <optional>

#include "amqp/amqp091_constants.h"
#include "amqp/amqp091_frame.h"

namespace warren::amqp::amqp091 {
namespace {

StartVerdict bad(std::string reason) { return {StartVerdict::Kind::Bad, std::move(reason), 0}; }

}  // namespace

StartVerdict checkStartFrame(std::span<const uint8_t> received) {
  if (received.empty()) return {};
  // A broker that refuses the version answers with its own protocol header ("AMQP"...).
  if (received[0] == 'A') return bad("a protocol header instead of Connection.Start (the node refused AMQP 0-9-1)");
  if (received[0] != kFrameMethod) return bad("not a method frame (type " + std::to_string(received[0]) + ")");
  const std::optional<FrameHeader> header = readFrameHeader(received);
  if (!header) return {};
  if (header->channel != kConnectionChannel) return bad("method frame on channel " + std::to_string(header->channel));
  if (header->size < kMethodIdsSize || header->size > kMaxStartFrame) {
    return bad("frame size " + std::to_string(header->size));
  }
  if (const std::optional<MethodIds> ids = readMethodIds(received.subspan(kFrameHeaderSize))) {
    if (ids->class_id != kClassConnection || ids->method_id != kMethodStart) {
      return bad("method " + std::to_string(ids->class_id) + "." + std::to_string(ids->method_id) +
                 " instead of Connection.Start (10.10)");
    }
  }
  const size_t total = static_cast<size_t>(header->frameLength());
  if (received.size() < total) return {};
  if (received[total - 1] != kFrameEnd) return bad("frame-end is not 0xCE");
  return {StartVerdict::Kind::Ok, "", total};
}

}  // namespace warren::amqp::amqp091
