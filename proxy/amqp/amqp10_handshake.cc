#include "amqp/amqp10_handshake.h"

#include "amqp/amqp10_constants.h"
#include "amqp/byte_reader.h"
#include "amqp/protocol_header.h"
#include "common/big_endian.h"

namespace warren::amqp {

using namespace amqp10;

namespace {

const char* saslCodeText(uint8_t code) {
  switch (code) {
    case kSaslCodeOk: return "ok";
    case kSaslCodeAuth: return "auth";
    case kSaslCodeSys: return "sys";
    case kSaslCodeSysPerm: return "sys-perm";
    case kSaslCodeSysTemp: return "sys-temp";
    default: return "unknown";
  }
}

}  // namespace

void Amqp10Handshake::start(bool sasl) {
  sasl_ = sasl;
  client_ = sasl ? Phase::Sasl : Phase::Amqp;
  server_ = Phase::Header;
}

bool Amqp10Handshake::fail(Error e) {
  state_.fail(e);
  return false;
}

bool Amqp10Handshake::headerExpected(Phase phase, bool client, uint8_t first_byte) const {
  if (phase == Phase::Header || phase == Phase::AmqpHeader) return true;
  return client && phase == Phase::Sasl && first_byte == kAmqp10Header[0];
}

Measure Amqp10Handshake::measure(Phase phase, bool client, std::span<const uint8_t> head) {
  if (phase == Phase::Finished) return Measure::stop();
  if (headerExpected(phase, client, head[0])) {
    return head.size() < kProtocolHeaderSize ? Measure::needMore(kProtocolHeaderSize)
                                             : Measure::unit(kProtocolHeaderSize);
  }
  if (head.size() < kFrameHeaderSize) return Measure::needMore(kFrameHeaderSize);
  const uint32_t size = big_endian::load32(head.data());
  const uint8_t doff = head[kDataOffsetOffset];
  const uint8_t type = head[kFrameTypeOffset];
  if (size < kFrameHeaderSize) {
    state_.fail(Error::BadFrame);
    return Measure::stop();
  }
  if (size > state_.max_buffered) {
    state_.fail(Error::FrameTooLarge);
    return Measure::stop();
  }
  if (doff < kMinDataOffset || size_t{doff} * kDataOffsetUnit > size ||
      (type != kFrameTypeAmqp && type != kFrameTypeSasl)) {
    state_.fail(Error::BadFrame);
    return Measure::stop();
  }
  return Measure::unit(size);
}

Amqp10Handshake::Frame Amqp10Handshake::splitFrame(std::span<const uint8_t> unit) {
  // measure() checked SIZE == unit.size(), DOFF and TYPE.
  const size_t body_at = size_t{unit[kDataOffsetOffset]} * kDataOffsetUnit;
  return {unit[kFrameTypeOffset], unit.subspan(body_at)};
}

bool Amqp10Handshake::readPerformative(std::span<const uint8_t> body, Performative& out) {
  ByteReader r(body);
  Value v;
  if (!readValue(r, v) || !v.described || !isList(v) || !out.fields.open(v)) {
    return fail(Error::BadPerformative);
  }
  out.descriptor = v.descriptor;
  // Only transfer carries a payload after its performative.
  if (out.descriptor != kTransfer && !r.empty()) return fail(Error::BadPerformative);
  return true;
}

bool Amqp10Handshake::finishFields(Performative& p) {
  Value ignored;
  while (p.fields.hasNext()) {
    if (!p.fields.next(ignored)) return fail(Error::BadPerformative);
  }
  if (!p.fields.atEnd()) return fail(Error::BadPerformative);
  return true;
}

void Amqp10Handshake::noteCredential(std::span<const uint8_t> content,
                                     std::span<const uint8_t> unit, uint64_t stream_offset) {
  state_.credentials.add(stream_offset + static_cast<uint64_t>(content.data() - unit.data()),
                         content.size());
}

// ---------------------------------------------------------------------------- client

Measure Amqp10Handshake::measureClient(std::span<const uint8_t> head) {
  return measure(client_, true, head);
}

bool Amqp10Handshake::onClientUnit(std::span<const uint8_t> unit, uint64_t stream_offset) {
  if (headerExpected(client_, true, unit[0])) {
    // The AMQP header after SASL.
    if (!sasl_init_seen_) return fail(Error::UnexpectedFrame);
    if (identifyHeader(unit.first<kProtocolHeaderSize>()) != HeaderKind::Amqp10) {
      return fail(Error::BadProtocolHeader);
    }
    client_ = Phase::Amqp;
    return true;
  }
  const Frame frame = splitFrame(unit);
  if (frame.body.empty()) return true;  // empty frame: heartbeat
  if (client_ == Phase::Sasl) {
    if (frame.type != kFrameTypeSasl) return fail(Error::UnexpectedFrame);
    return onClientSaslFrame(frame, unit, stream_offset);
  }
  if (frame.type != kFrameTypeAmqp) return fail(Error::UnexpectedFrame);
  return onAmqpFrame(frame, true);
}

bool Amqp10Handshake::onClientSaslFrame(const Frame& frame, std::span<const uint8_t> unit,
                                        uint64_t stream_offset) {
  Performative p;
  if (!readPerformative(frame.body, p)) return false;
  Value f;
  std::span<const uint8_t> bytes;
  if (p.descriptor == kSaslInit && !sasl_init_seen_) {
    // mechanism (mandatory symbol)
    if (!p.fields.next(f) || !asSymbol(f, bytes)) return fail(Error::BadPerformative);
    keepString(state_.info.mechanism, bytes);
    // initial-response (binary or null): the credential; skipped, its position noted.
    if (p.fields.hasNext()) {
      if (!p.fields.next(f)) return fail(Error::BadPerformative);
      if (!f.isNull()) {
        if (!asBinary(f, bytes)) return fail(Error::BadPerformative);
        noteCredential(bytes, unit, stream_offset);
      }
    }
    // hostname and anything after: checked, not kept.
    if (!finishFields(p)) return false;
    sasl_init_seen_ = true;
    return true;
  }
  if (p.descriptor == kSaslResponse && sasl_init_seen_) {
    // response (mandatory binary): a credential too.
    if (!p.fields.next(f) || !asBinary(f, bytes)) return fail(Error::BadPerformative);
    noteCredential(bytes, unit, stream_offset);
    return finishFields(p);
  }
  return fail(Error::UnexpectedFrame);
}

// ---------------------------------------------------------------------------- server

Measure Amqp10Handshake::measureServer(std::span<const uint8_t> head) {
  return measure(server_, false, head);
}

bool Amqp10Handshake::onServerUnit(std::span<const uint8_t> unit, uint64_t /*stream_offset*/) {
  if (server_ == Phase::Header) {
    const HeaderKind kind = identifyHeader(unit.first<kProtocolHeaderSize>());
    const HeaderKind expected = sasl_ ? HeaderKind::Amqp10Sasl : HeaderKind::Amqp10;
    if (kind == expected) {
      state_.info.sasl = sasl_;
      server_ = sasl_ ? Phase::Sasl : Phase::Amqp;
      return true;
    }
    if (kind == HeaderKind::Misdirected) return fail(Error::BadProtocolHeader);
    state_.info.server_protocol =
        kind == HeaderKind::Amqp091 ? Protocol::Amqp091 : Protocol::Amqp10;
    return fail(Error::ProtocolRejected);
  }
  if (server_ == Phase::AmqpHeader) {
    if (identifyHeader(unit.first<kProtocolHeaderSize>()) != HeaderKind::Amqp10) {
      return fail(Error::BadProtocolHeader);
    }
    server_ = Phase::Amqp;
    return true;
  }
  const Frame frame = splitFrame(unit);
  if (frame.body.empty()) return true;  // empty frame: heartbeat
  if (server_ == Phase::Sasl) {
    if (frame.type != kFrameTypeSasl) return fail(Error::UnexpectedFrame);
    return onServerSaslFrame(frame);
  }
  if (frame.type != kFrameTypeAmqp) return fail(Error::UnexpectedFrame);
  return onAmqpFrame(frame, false);
}

bool Amqp10Handshake::onServerSaslFrame(const Frame& frame) {
  Performative p;
  if (!readPerformative(frame.body, p)) return false;
  if (p.descriptor == kSaslMechanisms && !mechanisms_seen_) {
    if (!finishFields(p)) return false;
    mechanisms_seen_ = true;
    return true;
  }
  if (p.descriptor == kSaslChallenge && mechanisms_seen_) return finishFields(p);
  if (p.descriptor == kSaslOutcome && mechanisms_seen_) {
    Value f;
    uint8_t code = 0;
    if (!p.fields.next(f) || !asUbyte(f, code)) return fail(Error::BadPerformative);
    if (!finishFields(p)) return false;
    state_.info.sasl_outcome = saslCodeText(code);
    if (code != kSaslCodeOk) {
      state_.finish(Outcome::SaslFailed);
      return false;
    }
    server_ = Phase::AmqpHeader;
    return true;
  }
  return fail(Error::UnexpectedFrame);
}

// ---------------------------------------------------------------------------- both

bool Amqp10Handshake::onAmqpFrame(const Frame& frame, bool client) {
  Performative p;
  if (!readPerformative(frame.body, p)) return false;
  if (p.descriptor == kOpen) return onOpen(p, client);
  if (p.descriptor == kClose) return onClose(p, client);
  return fail(Error::UnexpectedFrame);
}

bool Amqp10Handshake::onOpen(Performative& p, bool client) {
  HandshakeInfo& info = state_.info;
  uint32_t idle_time_out = 0;
  bool have_container_id = false;
  for (uint32_t index = 0; p.fields.hasNext(); ++index) {
    Value f;
    if (!p.fields.next(f)) return fail(Error::BadPerformative);
    std::span<const uint8_t> text;
    uint32_t u32 = 0;
    uint16_t u16 = 0;
    bool ok = true;
    switch (index) {
      case kOpenContainerId:
        ok = asString(f, text);
        if (ok && client) keepString(info.container_id, text);
        have_container_id = ok;
        break;
      case kOpenHostname:
        ok = f.isNull() || asString(f, text);
        if (ok && client && !f.isNull()) keepString(info.hostname, text);
        break;
      case kOpenMaxFrameSize: ok = f.isNull() || asUint(f, u32); break;
      case kOpenChannelMax: ok = f.isNull() || asUshort(f, u16); break;
      case kOpenIdleTimeOut: ok = f.isNull() || asUint(f, idle_time_out); break;
      default: break;  // locales, capabilities, properties: decoded, not read
    }
    if (!ok) return fail(Error::BadPerformative);
  }
  if (!have_container_id || !p.fields.atEnd()) return fail(Error::BadPerformative);
  if (client) {
    info.client_idle_timeout_ms = idle_time_out;
    info.client_open_seen = true;
    client_ = Phase::Finished;
  } else {
    info.server_idle_timeout_ms = idle_time_out;
    info.server_open_seen = true;
    server_ = Phase::Finished;
  }
  if (info.client_open_seen && info.server_open_seen) state_.finish(Outcome::Opened);
  return false;  // this direction is done either way
}

bool Amqp10Handshake::onClose(Performative& p, bool client) {
  std::span<const uint8_t> condition;
  if (p.fields.hasNext()) {
    Value error;
    if (!p.fields.next(error)) return fail(Error::BadPerformative);
    if (!error.isNull()) {
      // error: described list (condition symbol, description, info). Only the condition
      // is kept: the description is free text from the peer.
      ListReader fields;
      Value f;
      if (!error.described || error.descriptor != kError || !fields.open(error) ||
          !fields.next(f) || !asSymbol(f, condition)) {
        return fail(Error::BadPerformative);
      }
      while (fields.hasNext()) {
        if (!fields.next(f)) return fail(Error::BadPerformative);
      }
      if (!fields.atEnd()) return fail(Error::BadPerformative);
    }
  }
  if (!finishFields(p)) return false;
  keepString(state_.info.close_condition, condition);
  state_.finish(client ? Outcome::ClientClosed : Outcome::ServerClosed);
  return false;
}

}  // namespace warren::amqp
