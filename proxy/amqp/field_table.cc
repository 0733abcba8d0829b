#include "amqp/field_table.h"

#include "amqp/byte_reader.h"
#include "amqp/sniff_state.h"

namespace warren::amqp::amqp091 {
namespace {

// RabbitMQ's field type letters.
inline constexpr uint8_t kBool = 't';
inline constexpr uint8_t kInt8 = 'b';
inline constexpr uint8_t kUint8 = 'B';
inline constexpr uint8_t kInt16 = 's';
inline constexpr uint8_t kUint16 = 'u';
inline constexpr uint8_t kInt32 = 'I';
inline constexpr uint8_t kUint32 = 'i';
inline constexpr uint8_t kInt64 = 'l';
inline constexpr uint8_t kInt64Alt = 'L';  // RabbitMQ decodes 'L' as signed 64-bit too
inline constexpr uint8_t kFloat = 'f';
inline constexpr uint8_t kDouble = 'd';
inline constexpr uint8_t kDecimal = 'D';
inline constexpr uint8_t kTimestamp = 'T';
inline constexpr uint8_t kVoid = 'V';
inline constexpr uint8_t kLongString = 'S';
inline constexpr uint8_t kByteArray = 'x';
inline constexpr uint8_t kTable = 'F';
inline constexpr uint8_t kArray = 'A';

inline constexpr size_t kDecimalSize = 5;  // scale octet + long-uint

// Fixed width of a scalar type letter, or -1 if the letter is not a fixed-width scalar.
int fixedWidth(uint8_t type) {
  switch (type) {
    case kVoid: return 0;
    case kBool:
    case kInt8:
    case kUint8: return 1;
    case kInt16:
    case kUint16: return 2;
    case kInt32:
    case kUint32:
    case kFloat: return 4;
    case kDecimal: return static_cast<int>(kDecimalSize);
    case kInt64:
    case kInt64Alt:
    case kDouble:
    case kTimestamp: return 8;
    default: return -1;
  }
}

bool readArray(std::span<const uint8_t> items, int depth);
bool readTable(std::span<const uint8_t> entries, int depth, std::span<WantedString> wanted);

// Reads one field-value of type `type`; `value` gets its bytes (for S/x/F/A the content
// after the length field).
bool readValue(ByteReader& r, uint8_t type, int depth, std::span<const uint8_t>& value) {
  const int width = fixedWidth(type);
  if (width >= 0) return r.readBytes(static_cast<size_t>(width), value);
  uint32_t length = 0;
  switch (type) {
    case kLongString:
    case kByteArray: return r.readU32(length) && r.readBytes(length, value);
    case kTable:
      return r.readU32(length) && r.readBytes(length, value) && readTable(value, depth + 1, {});
    case kArray:
      return r.readU32(length) && r.readBytes(length, value) && readArray(value, depth + 1);
    default: return false;  // unknown type letter
  }
}

bool readArray(std::span<const uint8_t> items, int depth) {
  if (depth > kMaxTableNesting) return false;
  ByteReader r(items);
  while (!r.empty()) {
    uint8_t type = 0;
    std::span<const uint8_t> value;
    if (!r.readU8(type) || !readValue(r, type, depth, value)) return false;
  }
  return true;
}

bool readTable(std::span<const uint8_t> entries, int depth, std::span<WantedString> wanted) {
  if (depth > kMaxTableNesting) return false;
  ByteReader r(entries);
  while (!r.empty()) {
    uint8_t name_length = 0;
    std::span<const uint8_t> name;
    uint8_t type = 0;
    std::span<const uint8_t> value;
    if (!r.readU8(name_length) || !r.readBytes(name_length, name) || !r.readU8(type) ||
        !readValue(r, type, depth, value)) {
      return false;
    }
    if (type != kLongString) continue;
    const std::string_view key(reinterpret_cast<const char*>(name.data()), name.size());
    for (WantedString& w : wanted) {
      if (!w.found && w.key == key) {
        keepString(*w.out, value);
        w.found = true;
      }
    }
  }
  return true;
}

}  // namespace

Error readFieldTable(std::span<const uint8_t> entries, std::span<WantedString> wanted) {
  return readTable(entries, 0, wanted) ? Error::None : Error::BadFieldTable;
}

}  // namespace warren::amqp::amqp091
