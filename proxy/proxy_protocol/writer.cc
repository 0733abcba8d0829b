#include "proxy_protocol/writer.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "common/big_endian.h"
#include "proxy_protocol/crc32c.h"
#include "proxy_protocol/tlv.h"
#include "proxy_protocol/wire.h"

namespace warren::proxy_protocol {

namespace {

bool bothValid(const Address& a, const Address& b) { return a.valid() && b.valid(); }

// True when the pair is written as IPv6 (either side is IPv6).
bool useV6(const Address& a, const Address& b) { return a.isV6() || b.isV6(); }

// The 16 bytes of an IPv6 address; IPv4 ones v4-mapped (::ffff:a.b.c.d).
in6_addr asV6(const Address& address) {
  if (address.isV6()) return address.v6().sin6_addr;
  in6_addr mapped{};
  mapped.s6_addr[10] = 0xFF;
  mapped.s6_addr[11] = 0xFF;
  std::memcpy(&mapped.s6_addr[12], &address.v4().sin_addr, 4);
  return mapped;
}

// Appends `text` at `pos` in `buf` (of `cap` bytes). False if it doesn't fit.
bool append(char* buf, size_t cap, size_t& pos, std::string_view text) {
  if (text.size() > cap - pos) return false;
  std::memcpy(buf + pos, text.data(), text.size());
  pos += text.size();
  return true;
}

bool appendIp(char* buf, size_t cap, size_t& pos, const Address& address, bool v6) {
  char ip[INET6_ADDRSTRLEN] = {0};
  const char* ok = nullptr;
  if (v6) {
    const in6_addr a = asV6(address);
    ok = inet_ntop(AF_INET6, &a, ip, sizeof ip);
  } else {
    ok = inet_ntop(AF_INET, &address.v4().sin_addr, ip, sizeof ip);
  }
  return ok != nullptr && append(buf, cap, pos, ip);
}

bool appendPort(char* buf, size_t cap, size_t& pos, uint16_t port) {
  char digits[8];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, port);
  if (ec != std::errc()) return false;
  return append(buf, cap, pos, std::string_view(digits, static_cast<size_t>(end - digits)));
}

// Writes the 16 fixed bytes and the address block; returns its length.
size_t writeV2Addresses(const Address& source, const Address& destination, uint16_t payload,
                        uint8_t* out) {
  std::memcpy(out, kV2Signature.data(), kV2Signature.size());
  out[12] = static_cast<uint8_t>((kV2Version << 4) | kV2CommandProxy);
  big_endian::store16(out + 14, payload);
  uint8_t* p = out + kV2FixedLength;
  if (useV6(source, destination)) {
    out[13] = kV2TcpV6;
    const in6_addr src = asV6(source);
    const in6_addr dst = asV6(destination);
    std::memcpy(p, &src, 16);
    std::memcpy(p + 16, &dst, 16);
    p += 32;
  } else {
    out[13] = kV2TcpV4;
    std::memcpy(p, &source.v4().sin_addr, 4);
    std::memcpy(p + 4, &destination.v4().sin_addr, 4);
    p += 8;
  }
  big_endian::store16(p, source.port());
  big_endian::store16(p + 2, destination.port());
  return static_cast<size_t>(p + 4 - out);
}

size_t addressBlockLength(const Address& source, const Address& destination) {
  return useV6(source, destination) ? kV2AddressLengthInet6 : kV2AddressLengthInet;
}

}  // namespace

size_t writeV1(const Address& source, const Address& destination, std::span<uint8_t> out) {
  if (!bothValid(source, destination)) return 0;
  const bool v6 = useV6(source, destination);
  char line[kMaxV1HeaderLength];
  const size_t cap = sizeof line;
  size_t pos = 0;
  const bool ok = append(line, cap, pos, kV1Prefix) &&
                  append(line, cap, pos, v6 ? "TCP6 " : "TCP4 ") &&
                  appendIp(line, cap, pos, source, v6) && append(line, cap, pos, " ") &&
                  appendIp(line, cap, pos, destination, v6) && append(line, cap, pos, " ") &&
                  appendPort(line, cap, pos, source.port()) && append(line, cap, pos, " ") &&
                  appendPort(line, cap, pos, destination.port()) &&
                  append(line, cap, pos, "\r\n");
  if (!ok || pos > out.size()) return 0;
  std::memcpy(out.data(), line, pos);
  return pos;
}

size_t v2EncodedSize(const Address& source, const Address& destination,
                     std::span<const Tlv> tlvs) {
  if (!bothValid(source, destination)) return 0;
  for (const Tlv& tlv : tlvs) {
    if (tlv.value.size() > 0xFFFF) return 0;
  }
  const size_t payload = addressBlockLength(source, destination) + encodedSize(tlvs);
  if (payload > 0xFFFF) return 0;
  return kV2FixedLength + payload;
}

size_t writeV2(const Address& source, const Address& destination, std::span<const Tlv> tlvs,
               std::span<uint8_t> out) {
  const size_t total = v2EncodedSize(source, destination, tlvs);
  if (total == 0 || total > out.size()) return 0;
  const size_t address_end = writeV2Addresses(source, destination,
                                               static_cast<uint16_t>(total - kV2FixedLength),
                                               out.data());
  if (!tlvs.empty() && writeTlvs(tlvs, out.subspan(address_end)) != total - address_end) {
    return 0;
  }
  return total;
}

size_t writeV2WithCrc32c(const Address& source, const Address& destination,
                         std::span<const Tlv> tlvs, std::span<uint8_t> out) {
  if (findTlv(tlvs, kPp2TypeCrc32c) != nullptr) return 0;
  const size_t base = v2EncodedSize(source, destination, tlvs);
  constexpr size_t kCrcTlvLength = kTlvHeaderLength + kCrc32cValueLength;
  if (base == 0 || base - kV2FixedLength + kCrcTlvLength > 0xFFFF) return 0;
  const size_t total = base + kCrcTlvLength;
  if (total > out.size()) return 0;
  size_t pos = writeV2Addresses(source, destination,
                                static_cast<uint16_t>(total - kV2FixedLength), out.data());
  if (!tlvs.empty()) pos += writeTlvs(tlvs, out.subspan(pos));
  out[pos] = kPp2TypeCrc32c;
  big_endian::store16(&out[pos + 1], static_cast<uint16_t>(kCrc32cValueLength));
  uint8_t* value = &out[pos + kTlvHeaderLength];
  std::memset(value, 0, kCrc32cValueLength);
  big_endian::store32(value, crc32c(out.first(total)));
  return total;
}

size_t writeV1Unknown(std::span<uint8_t> out) {
  if (out.size() < kV1UnknownLine.size()) return 0;
  std::memcpy(out.data(), kV1UnknownLine.data(), kV1UnknownLine.size());
  return kV1UnknownLine.size();
}

size_t writeV2Local(std::span<uint8_t> out) {
  if (out.size() < kV2FixedLength) return 0;
  std::memcpy(out.data(), kV2Signature.data(), kV2Signature.size());
  out[12] = static_cast<uint8_t>((kV2Version << 4) | kV2CommandLocal);
  out[13] = kV2Unspec;
  out[14] = 0;
  out[15] = 0;
  return kV2FixedLength;
}

}  // namespace warren::proxy_protocol
