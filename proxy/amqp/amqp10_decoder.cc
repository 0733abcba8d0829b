#include "amqp/amqp10_decoder.h"

#include "amqp/amqp10_constants.h"

namespace warren::amqp::amqp10 {
namespace {

// How a constructor's data is laid out (§1.6: the high nibble is the subcategory).
enum class Layout : uint8_t { Invalid, Fixed, Variable8, Variable32 };

struct Shape {
  Layout layout = Layout::Invalid;
  size_t width = 0;  // Fixed: data bytes
};

Shape shapeOf(uint8_t code) {
  switch (code) {
    case kNull:
    case kTrue:
    case kFalse:
    case kUint0:
    case kUlong0:
    case kList0: return {Layout::Fixed, 0};
    case kUbyte:
    case kByte:
    case kSmallUint:
    case kSmallUlong:
    case kSmallInt:
    case kSmallLong:
    case kBoolean: return {Layout::Fixed, 1};
    case kUshort:
    case kShort: return {Layout::Fixed, 2};
    case kUint:
    case kInt:
    case kFloat:
    case kChar:
    case kDecimal32: return {Layout::Fixed, 4};
    case kUlong:
    case kLong:
    case kDouble:
    case kTimestamp:
    case kDecimal64: return {Layout::Fixed, 8};
    case kDecimal128:
    case kUuid: return {Layout::Fixed, 16};
    // 1-byte size/length: binary, string, symbol, list8, map8, array8.
    case kVbin8:
    case kStr8:
    case kSym8:
    case kList8:
    case kMap8:
    case kArray8: return {Layout::Variable8, 0};
    case kVbin32:
    case kStr32:
    case kSym32:
    case kList32:
    case kMap32:
    case kArray32: return {Layout::Variable32, 0};
    default: return {};
  }
}

bool readPlain(ByteReader& r, uint8_t code, Value& out) {
  const Shape shape = shapeOf(code);
  out.code = code;
  switch (shape.layout) {
    case Layout::Fixed: return r.readBytes(shape.width, out.payload);
    case Layout::Variable8: {
      uint8_t length = 0;
      return r.readU8(length) && r.readBytes(length, out.payload);
    }
    case Layout::Variable32: {
      uint32_t length = 0;
      return r.readU32(length) && r.readBytes(length, out.payload);
    }
    case Layout::Invalid: break;
  }
  return false;
}

bool descriptorCode(const Value& d, uint64_t& out) {
  ByteReader r(d.payload);
  switch (d.code) {
    case kUlong: return r.readU64(out);
    case kSmallUlong: {
      uint8_t small = 0;
      if (!r.readU8(small)) return false;
      out = small;
      return true;
    }
    case kUlong0: out = 0; return true;
    case kSym8:
    case kSym32: {
      const std::string_view symbol(reinterpret_cast<const char*>(d.payload.data()),
                                    d.payload.size());
      out = kUnknownDescriptor;
      for (const SymbolicDescriptor& s : kSymbolicDescriptors) {
        if (s.symbol == symbol) out = s.code;
      }
      return true;
    }
    default: return false;
  }
}

bool readValueAt(ByteReader& r, Value& out, int depth) {
  uint8_t code = 0;
  if (!r.readU8(code)) return false;
  if (code != kDescribed) {
    out.described = false;
    out.descriptor = 0;
    return readPlain(r, code, out);
  }
  if (depth >= kMaxDescribedNesting) return false;
  Value descriptor;
  uint64_t descriptor_code = 0;
  if (!readValueAt(r, descriptor, depth + 1) || descriptor.described ||
      !descriptorCode(descriptor, descriptor_code)) {
    return false;
  }
  if (!readValueAt(r, out, depth + 1)) return false;
  out.described = true;
  out.descriptor = descriptor_code;
  return true;
}

}  // namespace

bool readValue(ByteReader& r, Value& out) { return readValueAt(r, out, 0); }

bool asUint(const Value& v, uint32_t& out) {
  ByteReader r(v.payload);
  switch (v.code) {
    case kUint: return r.readU32(out);
    case kSmallUint: {
      uint8_t small = 0;
      if (!r.readU8(small)) return false;
      out = small;
      return true;
    }
    case kUint0: out = 0; return true;
    default: return false;
  }
}

bool asUshort(const Value& v, uint16_t& out) {
  ByteReader r(v.payload);
  return v.code == kUshort && r.readU16(out);
}

bool asUbyte(const Value& v, uint8_t& out) {
  ByteReader r(v.payload);
  return v.code == kUbyte && r.readU8(out);
}

bool asString(const Value& v, std::span<const uint8_t>& out) {
  if (v.code != kStr8 && v.code != kStr32) return false;
  out = v.payload;
  return true;
}

bool asSymbol(const Value& v, std::span<const uint8_t>& out) {
  if (v.code != kSym8 && v.code != kSym32) return false;
  out = v.payload;
  return true;
}

bool asBinary(const Value& v, std::span<const uint8_t>& out) {
  if (v.code != kVbin8 && v.code != kVbin32) return false;
  out = v.payload;
  return true;
}

bool isList(const Value& v) { return v.code == kList0 || v.code == kList8 || v.code == kList32; }

bool ListReader::open(const Value& list) {
  ByteReader r(list.payload);
  read_ = 0;
  switch (list.code) {
    case kList0: count_ = 0; break;
    case kList8: {
      uint8_t count = 0;
      if (!r.readU8(count)) return false;
      count_ = count;
      break;
    }
    case kList32:
      if (!r.readU32(count_)) return false;
      break;
    default: return false;
  }
  items_ = ByteReader(r.rest());
  return true;
}

bool ListReader::next(Value& out) {
  if (read_ == count_ || !readValue(items_, out)) return false;
  ++read_;
  return true;
}

}  // namespace warren::amqp::amqp10
