// The bytes of an amqp health check, as pure functions: what the check sends first (the
// PROXY header, by cluster.proxy_protocol and health_check.proxy) and whether what the
// node sent back is a complete AMQP 0-9-1 Connection.Start frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/address.h"
#include "config/config.h"

namespace warren::health {

// Enough for any header written by checkProxyHeader (v1 at most 107 bytes, v2 52).
inline constexpr size_t kMaxCheckProxyHeader = 128;

// The PROXY header a check sends to a cluster with `protocol` (None: nothing, 0 bytes).
// OwnAddress: a PROXY command from `local` (the check socket's own address) to `node`;
// Local: v2 LOCAL, or v1 "PROXY UNKNOWN\r\n" (proxy_protocol's writeV2Local/writeV1Unknown).
// Returns the length written, 0 for None or when the addresses cannot be encoded.
size_t checkProxyHeader(config::ProxyProtocol protocol, config::HealthCheckProxy mode, const Address& local,
                        const Address& node, std::span<uint8_t> out);

// What the node sent so far, judged against "a Connection.Start frame": type 1 (method),
// channel 0, class 10 method 10, frame-end 0xCE.
struct StartVerdict {
  enum class Kind : uint8_t { NeedMore, Ok, Bad };
  Kind kind = Kind::NeedMore;
  std::string reason;  // Bad: what was wrong, for the log (e.g. "unexpected protocol header")
  size_t length = 0;   // Ok: bytes of the frame
};

// Largest Connection.Start frame accepted. RabbitMQ's is under 1 KiB; the spec's smallest
// frame-max before Tune is 4096 bytes, so anything far beyond that is not a broker.
inline constexpr size_t kMaxStartFrame = 64 * 1024;

StartVerdict checkStartFrame(std::span<const uint8_t> received);

}  // namespace warren::health
