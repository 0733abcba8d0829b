// Incremental, passive AMQP handshake sniffer for one proxied connection. Pure: no I/O, no
// event loop, no logging, no exceptions; it never changes the bytes it is shown.
//
// Feed the plaintext bytes exactly as they cross the proxy, per direction, in order, in
// any split: onClientBytes() with what the client sent (before or as it is forwarded to
// the server), onServerBytes() with what the server sent. It reads
//  - the client's protocol header: AMQP 0-9-1, AMQP 1.0, or 1.0 with SASL; anything else
//    is Error::Misdirected, decided from the client's first 8 bytes or fewer (see
//    classifyClientHeader()): answer such a client with kAmqp091Header, close, count it and
//    log toString(misdirected()) with hint(misdirected());
//  - 0-9-1: Connection.Start, Start-Ok, Secure/Secure-Ok, Tune, Tune-Ok, Open (see
//    amqp091_handshake.h for the accepted sequence);
//  - 1.0: the SASL exchange and both open performatives (see amqp10_handshake.h);
// and fills HandshakeInfo. Credentials are skipped, never copied (see handshake_info.h).
//
// Ends (status() leaves InProgress, for good):
//  - Done: 0-9-1 after the client's Connection.Open; 1.0 after both opens; or earlier when
//    either side closes or the 1.0 SASL outcome is a failure (HandshakeInfo::outcome).
//  - Error: see Error. After Misdirected the caller closes; after other errors the sniffer
//    just gives up (the connection may go on: the broker is the judge).
// After the end every further call returns at once without looking at the bytes, and the
// buffers are freed: stop calling it, so that the relay's per-byte cost is what it was
// without a sniffer. Bytes after the end-of-handshake frame in the same call are not read.
//
// Buffering: a frame that lies wholly inside one call's span is parsed in place. Only a
// frame cut by the end of a span is copied, into a per-direction buffer of at most
// `max_buffered` bytes: a frame announcing more (header included) is Error::FrameTooLarge,
// decided from its header. Memory per sniffer: sizeof(Sniffer) (~700 bytes) plus, per
// direction, once a frame has been cut, a buffer of that frame's length (reused, kept until
// the sniffer ends, never over max_buffered; typically a few hundred bytes: RabbitMQ's
// Connection.Start is ~520).
//
// Order between the directions: feed the client's bytes when they are read, before the
// server can have answered them. Server bytes while the client's protocol header is not
// complete are Error::ServerSpokeFirst (an AMQP server never speaks first). With an inbound
// PROXY protocol header, feed only what follows it.
//
// The result does not depend on how the bytes of one direction are split. It can depend
// on how the two directions interleave only where the handshake does (e.g. server bytes
// after the client's Open are never read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "amqp/amqp091_handshake.h"
#include "amqp/amqp10_handshake.h"
#include "amqp/credential_ranges.h"
#include "amqp/frame_splitter.h"
#include "amqp/handshake_info.h"
#include "amqp/protocol_header.h"
#include "amqp/sniff_state.h"
#include "amqp/status.h"

namespace warren::amqp {

class Sniffer {
 public:
  static constexpr size_t kDefaultMaxBuffered = 64 * 1024;

  // `max_buffered`: per direction, the longest frame (or header) that may be buffered
  // (at least kProtocolHeaderSize; a smaller value is raised to it). Before Tune a 0-9-1
  // peer may send frames of up to 4096 bytes (frame-min-size): keep it at least that.
  explicit Sniffer(size_t max_buffered = kDefaultMaxBuffered);
  Sniffer(const Sniffer&) = delete;
  Sniffer& operator=(const Sniffer&) = delete;

  // Bytes from the client / from the server, in stream order. Return status().
  Status onClientBytes(std::span<const uint8_t> data);
  Status onServerBytes(std::span<const uint8_t> data);

  Status status() const { return state_.status; }
  Error error() const { return state_.error; }
  Misdirected misdirected() const { return state_.misdirected; }
  const HandshakeInfo& info() const { return state_.info; }
  // The handshake is complete (status() == Done).
  bool done() const { return state_.status == Status::Done; }
  // Done or Error: stop feeding.
  bool finished() const { return state_.status != Status::InProgress; }

  // Frees both buffers (a partial frame included). Called by the sniffer itself when it
  // ends; call it when abandoning a sniffer that is still in progress (e.g. on a handshake
  // timeout) to free memory before destroying it. Further bytes for a direction whose
  // buffer held a partial frame would then be misread: stop feeding after this.
  void releaseBuffers();

  // Bytes currently buffered and reserved, both directions together (for tests, metrics).
  size_t bufferedBytes() const { return client_.splitter.buffered() + server_.splitter.buffered(); }
  size_t bufferCapacity() const {
    return client_.splitter.capacity() + server_.splitter.capacity();
  }

  // Where credential fields lie in the client stream (positions only). See
  // credential_ranges.h.
  const CredentialRanges& credentialRanges() const { return state_.credentials; }

 private:
  class ClientHandler : public UnitHandler {
   public:
    explicit ClientHandler(Sniffer& sniffer) : sniffer_(sniffer) {}
    Measure measure(std::span<const uint8_t> head) override;
    bool onUnit(std::span<const uint8_t> unit, uint64_t stream_offset) override;

   private:
    Sniffer& sniffer_;
  };

  class ServerHandler : public UnitHandler {
   public:
    explicit ServerHandler(Sniffer& sniffer) : sniffer_(sniffer) {}
    Measure measure(std::span<const uint8_t> head) override;
    bool onUnit(std::span<const uint8_t> unit, uint64_t stream_offset) override;

   private:
    Sniffer& sniffer_;
  };

  struct Direction {
    FrameSplitter splitter;
    bool stopped = false;  // this direction needs no more bytes
  };

  Status feed(Direction& direction, UnitHandler& handler, std::span<const uint8_t> data);

  SniffState state_;
  Amqp091Handshake amqp091_{state_};
  Amqp10Handshake amqp10_{state_};
  ClientHandler client_handler_{*this};
  ServerHandler server_handler_{*this};
  Direction client_;
  Direction server_;
};

}  // namespace warren::amqp
