#include "amqp/amqp091_handshake.h"

#include <optional>

#include "amqp/amqp091_constants.h"
#include "amqp/amqp091_frame.h"
#include "amqp/byte_reader.h"
#include "amqp/field_table.h"
#include "amqp/protocol_header.h"

namespace warren::amqp {

using namespace amqp091;

namespace {

bool readShortString(ByteReader& r, std::span<const uint8_t>& out) {
  uint8_t length = 0;
  return r.readU8(length) && r.readBytes(length, out);
}

bool readLongString(ByteReader& r, std::span<const uint8_t>& out) {
  uint32_t length = 0;
  return r.readU32(length) && r.readBytes(length, out);
}

}  // namespace

bool Amqp091Handshake::fail(Error e) {
  state_.fail(e);
  return false;
}

Measure Amqp091Handshake::measureFrame(std::span<const uint8_t> head) {
  if (!isKnownFrameType(head[0])) {
    state_.fail(Error::BadFrame);
    return Measure::stop();
  }
  const std::optional<FrameHeader> header = readFrameHeader(head);
  if (!header) return Measure::needMore(kFrameHeaderSize);
  const uint64_t total = header->frameLength();
  if (total > state_.max_buffered) {
    state_.fail(Error::FrameTooLarge);
    return Measure::stop();
  }
  return Measure::unit(static_cast<size_t>(total));
}

bool Amqp091Handshake::readFrame(std::span<const uint8_t> unit, uint64_t stream_offset,
                                 Method& method) {
  // measureFrame() made the unit exactly header + size + frame-end long.
  const FrameHeader header = *readFrameHeader(unit);
  const std::span<const uint8_t> payload = unit.subspan(kFrameHeaderSize, header.size);
  if (unit.back() != kFrameEnd) return fail(Error::BadFrame);
  if (header.type == kFrameHeartbeat) {
    if (header.channel != kConnectionChannel || header.size != 0) return fail(Error::BadFrame);
    method = {};
    return true;
  }
  if (header.type != kFrameMethod || header.channel != kConnectionChannel) {
    return fail(Error::UnexpectedFrame);
  }
  const std::optional<MethodIds> ids = readMethodIds(payload);
  if (!ids) return fail(Error::BadMethod);
  method.class_id = ids->class_id;
  method.method_id = ids->method_id;
  if (method.class_id != kClassConnection) return fail(Error::UnexpectedFrame);
  method.args = payload.subspan(kMethodIdsSize);
  method.args_offset = stream_offset + kFrameHeaderSize + kMethodIdsSize;
  return true;
}

// ---------------------------------------------------------------------------- client

Measure Amqp091Handshake::measureClient(std::span<const uint8_t> head) {
  if (client_ == ClientStep::Finished) return Measure::stop();
  return measureFrame(head);
}

bool Amqp091Handshake::onClientUnit(std::span<const uint8_t> unit, uint64_t stream_offset) {
  Method m;
  if (!readFrame(unit, stream_offset, m)) return false;
  if (m.class_id == 0) return true;  // heartbeat
  switch (m.method_id) {
    case kMethodStartOk:
      if (client_ == ClientStep::StartOk) return onStartOk(m);
      break;
    case kMethodSecureOk:
      if (client_ == ClientStep::SecureOkOrTuneOk) return onSecureOk(m);
      break;
    case kMethodTuneOk:
      if (client_ == ClientStep::SecureOkOrTuneOk) return onTuneOk(m);
      break;
    case kMethodOpen:
      if (client_ == ClientStep::Open) return onOpen(m);
      break;
    case kMethodClose: return onClose(m, Outcome::ClientClosed);
    default: break;
  }
  return fail(Error::UnexpectedFrame);
}

bool Amqp091Handshake::onStartOk(const Method& m) {
  ByteReader r(m.args);
  std::span<const uint8_t> table;
  if (!readLongString(r, table)) return fail(Error::BadMethod);
  HandshakeInfo& info = state_.info;
  WantedString wanted[] = {{"connection_name", &info.connection_name},
                           {"product", &info.client_product},
                           {"version", &info.client_version},
                           {"platform", &info.client_platform}};
  if (const Error e = readFieldTable(table, wanted); e != Error::None) return fail(e);
  std::span<const uint8_t> mechanism;
  if (!readShortString(r, mechanism)) return fail(Error::BadMethod);
  keepString(info.mechanism, mechanism);
  // response: the credential. Its bytes are skipped, never read; only where it lies is
  // noted.
  uint32_t response_length = 0;
  if (!r.readU32(response_length)) return fail(Error::BadMethod);
  const size_t response_at = r.offset();
  if (!r.skip(response_length)) return fail(Error::BadMethod);
  state_.credentials.add(m.args_offset + response_at, response_length);
  std::span<const uint8_t> locale;
  if (!readShortString(r, locale)) return fail(Error::BadMethod);
  client_ = ClientStep::SecureOkOrTuneOk;
  return true;
}

bool Amqp091Handshake::onSecureOk(const Method& m) {
  ByteReader r(m.args);
  // response: a credential, skipped like Start-Ok's.
  uint32_t response_length = 0;
  if (!r.readU32(response_length)) return fail(Error::BadMethod);
  const size_t response_at = r.offset();
  if (!r.skip(response_length)) return fail(Error::BadMethod);
  state_.credentials.add(m.args_offset + response_at, response_length);
  return true;
}

bool Amqp091Handshake::onTuneOk(const Method& m) {
  ByteReader r(m.args);
  uint16_t channel_max = 0;
  uint32_t frame_max = 0;
  uint16_t heartbeat = 0;
  if (!r.readU16(channel_max) || !r.readU32(frame_max) || !r.readU16(heartbeat)) {
    return fail(Error::BadMethod);
  }
  HandshakeInfo& info = state_.info;
  info.channel_max = channel_max;
  info.frame_max = frame_max;
  info.heartbeat = heartbeat;
  info.tuned = true;
  client_ = ClientStep::Open;
  return true;
}

bool Amqp091Handshake::onOpen(const Method& m) {
  ByteReader r(m.args);
  std::span<const uint8_t> vhost;
  std::span<const uint8_t> reserved;
  uint8_t bits = 0;
  if (!readShortString(r, vhost) || !readShortString(r, reserved) || !r.readU8(bits)) {
    return fail(Error::BadMethod);
  }
  keepString(state_.info.vhost, vhost);
  client_ = ClientStep::Finished;
  state_.finish(Outcome::Opened);
  return false;
}

bool Amqp091Handshake::onClose(const Method& m, Outcome outcome) {
  ByteReader r(m.args);
  HandshakeInfo& info = state_.info;
  uint16_t code = 0;
  std::span<const uint8_t> reply_text;  // not kept: it may quote the client's response
  uint16_t class_id = 0;
  uint16_t method_id = 0;
  if (!r.readU16(code) || !readShortString(r, reply_text) || !r.readU16(class_id) ||
      !r.readU16(method_id)) {
    return fail(Error::BadMethod);
  }
  info.close_code = code;
  info.close_class_id = class_id;
  info.close_method_id = method_id;
  state_.finish(outcome);
  return false;
}

// ---------------------------------------------------------------------------- server

Measure Amqp091Handshake::measureServer(std::span<const uint8_t> head) {
  if (server_ == ServerStep::Finished) return Measure::stop();
  if (!server_unit_seen_ && head[0] == kAmqp091Header[0]) {
    return head.size() < kProtocolHeaderSize ? Measure::needMore(kProtocolHeaderSize)
                                             : Measure::unit(kProtocolHeaderSize);
  }
  return measureFrame(head);
}

bool Amqp091Handshake::onServerHeader(std::span<const uint8_t> unit) {
  switch (identifyHeader(unit.first<kProtocolHeaderSize>())) {
    case HeaderKind::Amqp091: state_.info.server_protocol = Protocol::Amqp091; break;
    case HeaderKind::Amqp10:
    case HeaderKind::Amqp10Sasl: state_.info.server_protocol = Protocol::Amqp10; break;
    default: return fail(Error::BadProtocolHeader);
  }
  return fail(Error::ProtocolRejected);
}

bool Amqp091Handshake::onServerUnit(std::span<const uint8_t> unit, uint64_t stream_offset) {
  const bool first = !server_unit_seen_;
  server_unit_seen_ = true;
  if (first && unit[0] == kAmqp091Header[0]) return onServerHeader(unit);
  Method m;
  if (!readFrame(unit, stream_offset, m)) return false;
  if (m.class_id == 0) return true;  // heartbeat
  switch (m.method_id) {
    case kMethodStart:
      if (server_ == ServerStep::Start) return onStart(m);
      break;
    case kMethodSecure:
      if (server_ == ServerStep::SecureOrTune) return onSecure(m);
      break;
    case kMethodTune:
      if (server_ == ServerStep::SecureOrTune) return onTune(m);
      break;
    case kMethodOpenOk:
      if (server_ == ServerStep::OpenOk) {
        server_ = ServerStep::Finished;  // normally after the client's Open: already Done
        return false;
      }
      break;
    case kMethodClose: return onClose(m, Outcome::ServerClosed);
    default: break;
  }
  return fail(Error::UnexpectedFrame);
}

bool Amqp091Handshake::onStart(const Method& m) {
  ByteReader r(m.args);
  uint8_t version_major = 0;
  uint8_t version_minor = 0;
  std::span<const uint8_t> table;
  if (!r.readU8(version_major) || !r.readU8(version_minor) || !readLongString(r, table)) {
    return fail(Error::BadMethod);
  }
  HandshakeInfo& info = state_.info;
  WantedString wanted[] = {{"product", &info.server_product},
                           {"version", &info.server_version},
                           {"cluster_name", &info.cluster_name}};
  if (const Error e = readFieldTable(table, wanted); e != Error::None) return fail(e);
  std::span<const uint8_t> mechanisms;
  std::span<const uint8_t> locales;
  if (!readLongString(r, mechanisms) || !readLongString(r, locales)) {
    return fail(Error::BadMethod);
  }
  server_ = ServerStep::SecureOrTune;
  return true;
}

bool Amqp091Handshake::onSecure(const Method& m) {
  ByteReader r(m.args);
  std::span<const uint8_t> challenge;
  if (!readLongString(r, challenge)) return fail(Error::BadMethod);
  return true;
}

bool Amqp091Handshake::onTune(const Method& m) {
  ByteReader r(m.args);
  uint16_t channel_max = 0;
  uint32_t frame_max = 0;
  uint16_t heartbeat = 0;
  if (!r.readU16(channel_max) || !r.readU32(frame_max) || !r.readU16(heartbeat)) {
    return fail(Error::BadMethod);
  }
  HandshakeInfo& info = state_.info;
  info.server_channel_max = channel_max;
  info.server_frame_max = frame_max;
  info.server_heartbeat = heartbeat;
  server_ = ServerStep::OpenOk;
  return true;
}

}  // namespace warren::amqp
