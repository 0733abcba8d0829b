// The AMQP 1.0 connection opening (part 2 §2.4.1, part 5 §5.3 SASL), one unit at a time,
// for both directions. Internal to amqp; the Sniffer owns the framing and calls in here.
//
// Client, after its first header:
//   with SASL ("AMQP\x03\x01\0\0"): SASL frames sasl-init, then sasl-response*; then the
//     header "AMQP\0\x01\0\0" (recognised by its 'A': no SASL frame starts with it, SASL
//     frames being far shorter than 0x41000000 bytes); then AMQP frames;
//   without: AMQP frames straight away.
//   AMQP frames: open, which ends this direction (bytes after it are not read).
// Server:
//   a header equal to the client's (else ProtocolRejected, or BadProtocolHeader for no
//   AMQP header at all); with SASL: sasl-mechanisms, sasl-challenge*, sasl-outcome;
//   outcome ok: the header "AMQP\0\x01\0\0", then open, which ends this direction;
//   any other outcome: the handshake is over (Outcome::SaslFailed).
// Either side's close (before its open) ends the handshake (ServerClosed/ClientClosed,
// with the error condition). Empty frames (heartbeats) are accepted anywhere. Both opens
// seen: Outcome::Opened. Any other performative, or a frame of the wrong layer, is
// Error::UnexpectedFrame.
//
// Credentials: sasl-init initial-response and sasl-response response are skipped; only
// their positions are noted (SniffState::credentials). The sasl-init hostname and the
// close error's description are not kept either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "amqp/amqp10_decoder.h"
#include "amqp/frame_splitter.h"
#include "amqp/sniff_state.h"

namespace warren::amqp {

class Amqp10Handshake {
 public:
  explicit Amqp10Handshake(SniffState& state) : state_(state) {}

  // Called once the client's header is known: `sasl` if it was the SASL one.
  void start(bool sasl);

  // UnitHandler halves for each direction (after the client's first protocol header).
  Measure measureClient(std::span<const uint8_t> head);
  bool onClientUnit(std::span<const uint8_t> unit, uint64_t stream_offset);
  Measure measureServer(std::span<const uint8_t> head);
  bool onServerUnit(std::span<const uint8_t> unit, uint64_t stream_offset);

 private:
  enum class Phase : uint8_t {
    Header,      // server only: its first protocol header
    Sasl,        // SASL frames (client: or the AMQP header)
    AmqpHeader,  // server only: the AMQP header after a successful sasl-outcome
    Amqp,        // AMQP frames until open
    Finished,    // this direction's open seen
  };

  struct Frame {
    uint8_t type = 0;
    std::span<const uint8_t> body;  // empty: a heartbeat
  };

  struct Performative {
    uint64_t descriptor = 0;
    amqp10::ListReader fields;
  };

  bool headerExpected(Phase phase, bool client, uint8_t first_byte) const;
  Measure measure(Phase phase, bool client, std::span<const uint8_t> head);
  static Frame splitFrame(std::span<const uint8_t> unit);
  // Decodes the body's described list; false after recording an error.
  bool readPerformative(std::span<const uint8_t> body, Performative& out);
  // Every remaining field must decode and the list must be exactly filled.
  bool finishFields(Performative& p);

  bool onClientSaslFrame(const Frame& frame, std::span<const uint8_t> unit, uint64_t stream_offset);
  bool onServerSaslFrame(const Frame& frame);
  bool onAmqpFrame(const Frame& frame, bool client);
  bool onOpen(Performative& p, bool client);
  bool onClose(Performative& p, bool client);
  // Notes where a binary's content lies in the client stream.
  void noteCredential(std::span<const uint8_t> content, std::span<const uint8_t> unit,
                      uint64_t stream_offset);
  // Records `e` and returns false (stop).
  bool fail(Error e);

  SniffState& state_;
  bool sasl_ = false;
  Phase client_ = Phase::Amqp;
  Phase server_ = Phase::Header;
  bool sasl_init_seen_ = false;
  bool mechanisms_seen_ = false;
};

}  // namespace warren::amqp
