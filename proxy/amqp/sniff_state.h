// State shared by the sniffer and its protocol handshakes: the results being filled in and
// how the sniff ends. Internal to amqp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "amqp/credential_ranges.h"
#include "amqp/handshake_info.h"
#include "amqp/protocol_header.h"
#include "amqp/status.h"

namespace warren::amqp {

struct SniffState {
  // A bound below a protocol header's length is raised to it (headers are buffered too).
  explicit SniffState(size_t max_buffered_bytes)
      : max_buffered(std::max(max_buffered_bytes, kProtocolHeaderSize)) {}

  bool active() const { return status == Status::InProgress; }

  // The first end wins: later fail()/finish() calls change nothing.
  void fail(Error e) {
    if (!active()) return;
    status = Status::Error;
    error = e;
  }
  void finish(Outcome outcome) {
    if (!active()) return;
    status = Status::Done;
    info.outcome = outcome;
  }

  HandshakeInfo info;
  Status status = Status::InProgress;
  Error error = Error::None;
  Misdirected misdirected = Misdirected::None;
  CredentialRanges credentials;
  const size_t max_buffered;  // per direction: the longest unit that may be buffered
};

// Copies wire bytes into an info string, cut to kMaxInfoStringLength.
inline void keepString(std::string& out, std::span<const uint8_t> bytes) {
  const size_t n = std::min(bytes.size(), kMaxInfoStringLength);
  out.assign(reinterpret_cast<const char*>(bytes.data()), n);
}

}  // namespace warren::amqp
