// A small AMQP 1.0 type decoder (part 1 §1.6): enough to walk a performative's list and
// read the scalars the sniffer wants, skipping everything else by its encoded size.
// Internal to amqp. Nothing is copied: values point into the frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "amqp/amqp10_constants.h"
#include "amqp/byte_reader.h"

namespace warren::amqp::amqp10 {

// Described values nested deeper than this (a descriptor that is itself described, ...)
// are malformed for our purposes.
inline constexpr int kMaxDescribedNesting = 4;

struct Value {
  uint8_t code = 0;  // the constructor of the value (after the descriptor, if any)
  // Fixed-width types: their bytes. Variable-width (binary, string, symbol): the content.
  // Compound and array types: everything after the size field (count first).
  std::span<const uint8_t> payload;
  bool described = false;
  uint64_t descriptor = 0;  // when described: the numeric code, or kUnknownDescriptor

  bool isNull() const { return code == kNull; }
};

// Reads one complete encoded value at the cursor. Only constructors defined in §1.6 are
// accepted; a descriptor must be a ulong or a symbol. Returns false (cursor unspecified)
// if the bytes are not a value.
bool readValue(ByteReader& r, Value& out);

// Typed views; each returns false if `v` is not of that type (null included).
bool asUint(const Value& v, uint32_t& out);                    // uint, smalluint, uint0
bool asUshort(const Value& v, uint16_t& out);                  // ushort
bool asUbyte(const Value& v, uint8_t& out);                    // ubyte
bool asString(const Value& v, std::span<const uint8_t>& out);  // str8, str32
bool asSymbol(const Value& v, std::span<const uint8_t>& out);  // sym8, sym32
bool asBinary(const Value& v, std::span<const uint8_t>& out);  // vbin8, vbin32
bool isList(const Value& v);                                   // list0, list8, list32

// Iterates the items of a list value.
class ListReader {
 public:
  // false if `list` is not a list or its count field is truncated.
  bool open(const Value& list);
  uint32_t count() const { return count_; }
  // Items left to read.
  bool hasNext() const { return read_ < count_; }
  // The next item; false if the items run out before `count` or one is malformed.
  // After `count` items it returns false too: check atEnd().
  bool next(Value& out);
  // Every item read and no bytes left over (the list is exactly filled).
  bool atEnd() const { return read_ == count_ && items_.empty(); }

 private:
  ByteReader items_{{}};
  uint32_t count_ = 0;
  uint32_t read_ = 0;
};

}  // namespace warren::amqp::amqp10
