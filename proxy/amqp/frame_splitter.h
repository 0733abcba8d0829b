// Cuts one direction of a byte stream into units (a protocol header or a frame) and hands
// each complete unit to a UnitHandler. Internal to amqp.
//
// The handler says, from the first bytes of the next unit, how long it is (measure()).
// A unit that lies wholly inside the bytes passed to feed() is handed over in place, without
// a copy. Only a unit that is cut by the end of a feed() is copied into the buffer, and only
// up to the length measure() announced, which the handler keeps within its bound: so the
// buffer never holds more than that bound (its capacity is reserved to exactly the needed
// length, never grown past it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace warren::amqp {

struct Measure {
  enum class Kind : uint8_t {
    NeedMore,  // `length` bytes (more than the head has) are needed to measure the unit
    Unit,      // the unit is `length` bytes long (at least as many as were needed to say so)
    Stop,      // stop consuming this direction (the handler recorded why)
  };
  Kind kind = Kind::Stop;
  size_t length = 0;

  static Measure needMore(size_t length) { return {Kind::NeedMore, length}; }
  static Measure unit(size_t length) { return {Kind::Unit, length}; }
  static Measure stop() { return {Kind::Stop, 0}; }
};

class UnitHandler {
 public:
  virtual ~UnitHandler() = default;
  // `head` is the start of the next unit: all bytes available of it, possibly fewer than a
  // unit, possibly (in place) more.
  virtual Measure measure(std::span<const uint8_t> head) = 0;
  // A complete unit that starts `stream_offset` bytes after the first byte of the
  // direction. Returns false to stop consuming this direction.
  virtual bool onUnit(std::span<const uint8_t> unit, uint64_t stream_offset) = 0;
};

class FrameSplitter {
 public:
  FrameSplitter() = default;

  // Consumes `data` unit by unit until it is used up (a partial unit is buffered) or the
  // handler stops. Returns false if the handler stopped: the rest of `data` is left unread,
  // nothing is buffered, and the direction must not be fed again.
  bool feed(std::span<const uint8_t> data, UnitHandler& handler);

  // Bytes of a partial unit held between feed() calls, and the memory reserved for them.
  size_t buffered() const { return buffer_.size(); }
  size_t capacity() const { return buffer_.capacity(); }
  // Frees the buffer (partial unit included).
  void release();

 private:
  std::vector<uint8_t> buffer_;
  uint64_t offset_ = 0;  // stream offset of the next unit's first byte
};

}  // namespace warren::amqp
