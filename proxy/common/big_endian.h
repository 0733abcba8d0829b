// Big-endian (network order) loads and stores of 16, 24, 32 and 64-bit integers at a byte
// pointer: the one place in proxy/ that assembles or splits multi-byte wire fields (AMQP
// frames, PROXY v2 headers and TLVs, TLS records).
//
// No bounds checks: the caller has checked that the bytes are there. No alignment needed.
// (htons/ntohs stay where a sockaddr field is filled or read: those are not byte buffers.)
#pragma once

#include <cstdint>

namespace warren::big_endian {

constexpr uint16_t load16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | uint16_t{p[1]});
}

// TLS handshake message lengths (RFC 8446 §4: uint24).
constexpr uint32_t load24(const uint8_t* p) {
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | uint32_t{p[2]};
}

constexpr uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

constexpr uint64_t load64(const uint8_t* p) { return (uint64_t{load32(p)} << 32) | load32(p + 4); }

constexpr void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

constexpr void store32(uint8_t* p, uint32_t v) {
  store16(p, static_cast<uint16_t>(v >> 16));
  store16(p + 2, static_cast<uint16_t>(v));
}

constexpr void store64(uint8_t* p, uint64_t v) {
  store32(p, static_cast<uint32_t>(v >> 32));
  store32(p + 4, static_cast<uint32_t>(v));
}

}  // namespace warren::big_endian
