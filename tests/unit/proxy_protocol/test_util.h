// Helpers shared by the proxy_protocol unit tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "proxy_protocol/proxy_protocol.h"

namespace warren::proxy_protocol {

// gtest printers (found by ADL) so that failures are readable.
inline void PrintTo(ParseError e, std::ostream* os) { *os << toString(e); }
inline void PrintTo(ParseStatus s, std::ostream* os) {
  *os << (s == ParseStatus::NeedMore ? "NeedMore" : s == ParseStatus::Done ? "Done" : "Error");
}
inline void PrintTo(const ParseResult& r, std::ostream* os) {
  *os << "{";
  PrintTo(r.status, os);
  *os << ", consumed=" << r.consumed << ", ";
  PrintTo(r.error, os);
  *os << "}";
}
inline void PrintTo(const Tlv& t, std::ostream* os) {
  *os << "Tlv{0x" << std::hex << int(t.type) << std::dec << ", " << t.value.size() << " bytes}";
}
inline void PrintTo(const Header& h, std::ostream* os) {
  *os << "Header{v" << int(h.version) << (h.command == Command::Proxy ? " PROXY" : " LOCAL")
      << (h.has_addresses ? " " + h.source.toString() + " -> " + h.destination.toString()
                          : std::string(" no-addresses"))
      << ", " << h.tlvs.size() << " tlvs}";
}

namespace test {

using Bytes = std::vector<uint8_t>;

inline Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The 12-byte v2 signature, spelled out here independently of kV2Signature.
inline Bytes v2Signature() {
  return {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
}

// 16-byte fixed v2 part.
inline Bytes v2Fixed(uint8_t ver_cmd, uint8_t fam, uint16_t len) {
  Bytes b = v2Signature();
  b.push_back(ver_cmd);
  b.push_back(fam);
  b.push_back(static_cast<uint8_t>(len >> 8));
  b.push_back(static_cast<uint8_t>(len & 0xFF));
  return b;
}

// Raw TLV bytes.
inline Bytes tlvBytes(uint8_t type, std::string_view value) {
  // Sized up front: GCC 12 warns (-Warray-bounds, a false positive) on insert here.
  Bytes b(3 + value.size());
  b[0] = type;
  b[1] = static_cast<uint8_t>(value.size() >> 8);
  b[2] = static_cast<uint8_t>(value.size() & 0xFF);
  std::copy(value.begin(), value.end(), b.begin() + 3);
  return b;
}

inline Address addr(std::string_view text) {
  auto a = Address::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(Address{});
}

inline ParseResult parseBytes(const Bytes& data, Header& header) {
  return parse(std::span<const uint8_t>(data.data(), data.size()), header);
}

inline ParseResult parseBytes(const Bytes& data) {
  Header header;
  return parseBytes(data, header);
}

inline ParseResult doneResult(size_t consumed) {
  return {ParseStatus::Done, consumed, ParseError::None};
}
inline ParseResult needMoreResult() { return {ParseStatus::NeedMore, 0, ParseError::None}; }
inline ParseResult errorResult(ParseError e) { return {ParseStatus::Error, 0, e}; }

}  // namespace test
}  // namespace warren::proxy_protocol
