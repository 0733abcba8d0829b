// The bytes of an amqp health check, as pure functions: what the check sends first (the
// PROXY header, by cluster.proxy_protocol and health_check.proxy) and whether what the
// node sent back is a complete AMQP 0-9-1 Connection.Start frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "amqp/start_frame_check.h"
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

// What the node sent so far, judged against "a Connection.Start frame" by amqp's own check
// (amqp/start_frame_check.h): NeedMore, Ok (with the frame's length) or Bad (with why).
using amqp::amqp091::checkStartFrame;
using amqp::amqp091::kMaxStartFrame;
using amqp::amqp091::StartVerdict;

}  // namespace warren::health
