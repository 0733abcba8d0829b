// Whether the first bytes an AMQP 0-9-1 server sends back (after the client's protocol
// header) are a Connection.Start frame: the judgment of an `amqp` health check. Pure.
//
// Looser than the Sniffer on purpose: the frame is judged (type 1 method, channel 0,
// class 10 method 10, a size within kMaxStartFrame, frame-end 0xCE), not Start's
// arguments; a broker is up when it greets. Call it with all bytes received so far, in
// any split: the verdict depends only on them, and is Bad as soon as the bytes decide it
// (the first byte for a protocol header or another frame type, the header for the channel
// and size, the ids before the payload has arrived).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace warren::amqp::amqp091 {

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

}  // namespace warren::amqp::amqp091
