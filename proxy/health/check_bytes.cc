#include "health/check_bytes.h"

#include "amqp/amqp091_constants.h"
#include "proxy_protocol/writer.h"

namespace warren::health {

namespace a = amqp::amqp091;

size_t checkProxyHeader(config::ProxyProtocol protocol, config::HealthCheckProxy mode, const Address& local,
                        const Address& node, std::span<uint8_t> out) {
  using config::HealthCheckProxy;
  using config::ProxyProtocol;
  switch (protocol) {
    case ProxyProtocol::None:
      return 0;
    case ProxyProtocol::V1:
      if (mode == HealthCheckProxy::OwnAddress) return proxy_protocol::writeV1(local, node, out);
      return proxy_protocol::writeV1Unknown(out);
    case ProxyProtocol::V2:
      if (mode == HealthCheckProxy::OwnAddress) return proxy_protocol::writeV2(local, node, {}, out);
      return proxy_protocol::writeV2Local(out);
  }
  return 0;
}

namespace {

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t u32(const uint8_t* p) { return static_cast<uint32_t>(u16(p)) << 16 | u16(p + 2); }

StartVerdict bad(std::string reason) { return {StartVerdict::Kind::Bad, std::move(reason), 0}; }

}  // namespace

StartVerdict checkStartFrame(std::span<const uint8_t> received) {
  if (received.empty()) return {};
  // A broker that refuses the version answers with its own protocol header ("AMQP"...).
  if (received[0] == 'A') return bad("a protocol header instead of Connection.Start (the node refused AMQP 0-9-1)");
  if (received[0] != a::kFrameMethod) return bad("not a method frame (type " + std::to_string(received[0]) + ")");
  if (received.size() < a::kFrameHeaderSize) return {};
  const uint16_t channel = u16(&received[1]);
  if (channel != a::kConnectionChannel) return bad("method frame on channel " + std::to_string(channel));
  const uint32_t size = u32(&received[a::kFrameSizeOffset]);
  if (size < a::kMethodIdsSize || size > kMaxStartFrame) return bad("frame size " + std::to_string(size));
  const size_t total = a::kFrameHeaderSize + size + a::kFrameEndSize;
  if (received.size() >= a::kFrameHeaderSize + a::kMethodIdsSize) {
    const uint16_t class_id = u16(&received[a::kFrameHeaderSize]);
    const uint16_t method_id = u16(&received[a::kFrameHeaderSize + 2]);
    if (class_id != a::kClassConnection || method_id != a::kMethodStart) {
      return bad("method " + std::to_string(class_id) + "." + std::to_string(method_id) +
                 " instead of Connection.Start (10.10)");
    }
  }
  if (received.size() < total) return {};
  if (received[total - 1] != a::kFrameEnd) return bad("frame-end is not 0xCE");
  return {StartVerdict::Kind::Ok, "", total};
}

}  // namespace warren::health
