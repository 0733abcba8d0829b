#include "amqp/sniffer.h"

namespace warren::amqp {

Sniffer::Sniffer(size_t max_buffered) : state_(max_buffered) {}

Status Sniffer::onClientBytes(std::span<const uint8_t> data) {
  return feed(client_, client_handler_, data);
}

Status Sniffer::onServerBytes(std::span<const uint8_t> data) {
  return feed(server_, server_handler_, data);
}

Status Sniffer::feed(Direction& direction, UnitHandler& handler, std::span<const uint8_t> data) {
  if (!state_.active() || direction.stopped || data.empty()) return state_.status;
  if (!direction.splitter.feed(data, handler)) {
    direction.stopped = true;
    direction.splitter.release();
  }
  if (!state_.active()) releaseBuffers();
  return state_.status;
}

void Sniffer::releaseBuffers() {
  client_.splitter.release();
  server_.splitter.release();
}

// ---------------------------------------------------------------------------- client

Measure Sniffer::ClientHandler::measure(std::span<const uint8_t> head) {
  SniffState& state = sniffer_.state_;
  switch (state.info.protocol) {
    case Protocol::Amqp091: return sniffer_.amqp091_.measureClient(head);
    case Protocol::Amqp10: return sniffer_.amqp10_.measureClient(head);
    case Protocol::NotAmqp: return Measure::stop();
    case Protocol::Unknown: break;
  }
  const HeaderVerdict verdict = classifyClientHeader(head);
  switch (verdict.kind) {
    case HeaderKind::Undecided: return Measure::needMore(kProtocolHeaderSize);
    case HeaderKind::Misdirected:
      state.info.protocol = Protocol::NotAmqp;
      state.misdirected = verdict.misdirected;
      state.fail(Error::Misdirected);
      return Measure::stop();
    default: return Measure::unit(kProtocolHeaderSize);
  }
}

bool Sniffer::ClientHandler::onUnit(std::span<const uint8_t> unit, uint64_t stream_offset) {
  SniffState& state = sniffer_.state_;
  switch (state.info.protocol) {
    case Protocol::Amqp091: return sniffer_.amqp091_.onClientUnit(unit, stream_offset);
    case Protocol::Amqp10: return sniffer_.amqp10_.onClientUnit(unit, stream_offset);
    case Protocol::NotAmqp: return false;
    case Protocol::Unknown: break;
  }
  // The client's protocol header (measure() classified it).
  switch (classifyClientHeader(unit).kind) {
    case HeaderKind::Amqp091: state.info.protocol = Protocol::Amqp091; break;
    case HeaderKind::Amqp10:
      state.info.protocol = Protocol::Amqp10;
      sniffer_.amqp10_.start(false);
      break;
    case HeaderKind::Amqp10Sasl:
      state.info.protocol = Protocol::Amqp10;
      sniffer_.amqp10_.start(true);
      break;
    default: return false;  // not reached: measure() stopped on anything else
  }
  return true;
}

// ---------------------------------------------------------------------------- server

Measure Sniffer::ServerHandler::measure(std::span<const uint8_t> head) {
  SniffState& state = sniffer_.state_;
  switch (state.info.protocol) {
    case Protocol::Amqp091: return sniffer_.amqp091_.measureServer(head);
    case Protocol::Amqp10: return sniffer_.amqp10_.measureServer(head);
    case Protocol::NotAmqp: return Measure::stop();
    case Protocol::Unknown: break;
  }
  // AMQP servers speak only after the client's header: the client's bytes are fed as they
  // are read, so the header is complete before any server byte can be an answer to it.
  state.fail(Error::ServerSpokeFirst);
  return Measure::stop();
}

bool Sniffer::ServerHandler::onUnit(std::span<const uint8_t> unit, uint64_t stream_offset) {
  switch (sniffer_.state_.info.protocol) {
    case Protocol::Amqp091: return sniffer_.amqp091_.onServerUnit(unit, stream_offset);
    case Protocol::Amqp10: return sniffer_.amqp10_.onServerUnit(unit, stream_offset);
    default: return false;
  }
}

}  // namespace warren::amqp
