// The AMQP 0-9-1 connection handshake, one frame at a time, for both directions.
// Internal to amqp; the Sniffer owns the framing and calls in here.
//
// Accepted sequence (amqp0-9-1.xml class connection; channel 0 method frames):
//   server: Start, Secure*, Tune, Open-Ok
//   client: Start-Ok, Secure-Ok*, Tune-Ok, Open
// Heartbeat frames (type 8, channel 0, empty) are accepted anywhere after the protocol
// header, in both directions. Connection.Close from either side, at any point, ends the
// handshake (Outcome::ServerClosed/ClientClosed, with reply-code and class/method ids; the
// reply-text is skipped). The client's Open ends it with Outcome::Opened. Any other frame
// (content frames, another channel, another class or method, a method out of order) is
// Error::UnexpectedFrame. Trailing bytes after a method's arguments are ignored.
//
// The server's first bytes may be a protocol header instead of a frame ('A' is no frame
// type): RabbitMQ answers a header it does not support with its own and closes. That is
// Error::ProtocolRejected (HandshakeInfo::server_protocol names the header) or, if the 8
// bytes are no AMQP header, Error::BadProtocolHeader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "amqp/frame_splitter.h"
#include "amqp/sniff_state.h"

namespace warren::amqp {

class Amqp091Handshake {
 public:
  explicit Amqp091Handshake(SniffState& state) : state_(state) {}

  // UnitHandler halves for each direction (after the client's protocol header).
  Measure measureClient(std::span<const uint8_t> head);
  bool onClientUnit(std::span<const uint8_t> unit, uint64_t stream_offset);
  Measure measureServer(std::span<const uint8_t> head);
  bool onServerUnit(std::span<const uint8_t> unit, uint64_t stream_offset);

 private:
  enum class ClientStep : uint8_t { StartOk, SecureOkOrTuneOk, Open, Finished };
  enum class ServerStep : uint8_t { Start, SecureOrTune, OpenOk, Finished };

  struct Method {
    uint16_t class_id = 0;
    uint16_t method_id = 0;
    std::span<const uint8_t> args;
    uint64_t args_offset = 0;  // stream offset of args[0]
  };

  Measure measureFrame(std::span<const uint8_t> head);
  // Checks framing and returns true with `method` set for a connection-class method frame;
  // returns true with `method.class_id == 0` for a heartbeat; false after recording an error.
  bool readFrame(std::span<const uint8_t> unit, uint64_t stream_offset, Method& method);
  bool onServerHeader(std::span<const uint8_t> unit);

  bool onStart(const Method& m);
  bool onSecure(const Method& m);
  bool onTune(const Method& m);
  bool onStartOk(const Method& m);
  bool onSecureOk(const Method& m);
  bool onTuneOk(const Method& m);
  bool onOpen(const Method& m);
  bool onClose(const Method& m, Outcome outcome);
  // Records `e` and returns false (stop).
  bool fail(Error e);

  SniffState& state_;
  ClientStep client_ = ClientStep::StartOk;
  ServerStep server_ = ServerStep::Start;
  bool server_unit_seen_ = false;
};

}  // namespace warren::amqp
