// v2 (§2.2) binary decoder, with TLV validation (§2.2.1-2.2.7).
//
// Each field is checked as soon as its bytes are present; the TLV layout is
// checked over the bytes received so far, and the CRC32C once the header is whole.
#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "common/big_endian.h"
#include "proxy_protocol/crc32c.h"
#include "proxy_protocol/parser.h"
#include "proxy_protocol/tlv.h"
#include "proxy_protocol/wire.h"

namespace warren::proxy_protocol {

namespace {

constexpr size_t kVersionCommandOffset = 12;
constexpr size_t kFamilyOffset = 13;
constexpr size_t kLengthOffset = 14;

ParseResult error(ParseError e) { return {ParseStatus::Error, 0, e}; }
ParseResult needMore() { return {ParseStatus::NeedMore, 0, ParseError::None}; }

// Length of the address block for PROXY with `family_byte`, or nullopt when the
// family or transport is unspecified (the payload is then skipped unread).
std::optional<size_t> addressBlockLength(uint8_t family_byte) {
  switch (family_byte) {
    case kV2TcpV4:
    case kV2UdpV4: return kV2AddressLengthInet;
    case kV2TcpV6:
    case kV2UdpV6: return kV2AddressLengthInet6;
    case kV2UnixStream:
    case kV2UnixDgram: return kV2AddressLengthUnix;
    default: return std::nullopt;
  }
}

// Type-specific checks on one TLV whose value is fully available.
bool checkTlvValue(uint8_t type, std::span<const uint8_t> value) {
  switch (type) {
    case kPp2TypeUniqueId: return value.size() <= kMaxUniqueIdLength;
    case kPp2TypeSsl: return parseSslTlv(wire::asChars(value)).has_value();
    default: return true;
  }
}

struct TlvScan {
  ParseError error = ParseError::None;
  size_t crc_offset = 0;  // offset of the CRC32C value within the scanned region
  bool has_crc = false;
};

// Walks the TLV region, of which `available` (a prefix of `region_length` bytes)
// has been received. Reports layout errors visible in those bytes; appends the
// TLVs to `out` when given (only call with out when the region is whole).
TlvScan scanTlvs(std::span<const uint8_t> available, size_t region_length,
                 std::vector<Tlv>* out) {
  TlvScan scan;
  size_t offset = 0;
  while (offset < region_length) {
    if (region_length - offset < kTlvHeaderLength) {
      scan.error = ParseError::BadTlv;  // 1 or 2 stray bytes at the end
      return scan;
    }
    if (available.size() - offset < kTlvHeaderLength) return scan;  // need more
    const uint8_t type = available[offset];
    const size_t length = big_endian::load16(available.data() + offset + 1);
    const size_t value_offset = offset + kTlvHeaderLength;
    if (length > region_length - value_offset) {
      scan.error = ParseError::BadTlv;  // overruns the header
      return scan;
    }
    if (type == kPp2TypeCrc32c) {
      if (length != kCrc32cValueLength || scan.has_crc) {
        scan.error = ParseError::BadTlv;
        return scan;
      }
      scan.has_crc = true;
      scan.crc_offset = value_offset;
    }
    if (type == kPp2TypeUniqueId && length > kMaxUniqueIdLength) {
      scan.error = ParseError::BadTlv;
      return scan;
    }
    if (length > available.size() - value_offset) return scan;  // need more
    const auto value = available.subspan(value_offset, length);
    if (!checkTlvValue(type, value)) {
      scan.error = ParseError::BadTlv;
      return scan;
    }
    if (out != nullptr) out->push_back(Tlv{type, wire::toString(value)});
    offset = value_offset + length;
  }
  return scan;
}

// §2.2.3: CRC32C of the whole header with the 4 checksum bytes taken as zero.
bool crcMatches(std::span<const uint8_t> header, size_t value_offset) {
  static constexpr uint8_t kZero[kCrc32cValueLength] = {};
  uint32_t crc = crc32c(header.first(value_offset));
  crc = crc32c(kZero, crc);
  crc = crc32c(header.subspan(value_offset + kCrc32cValueLength), crc);
  return crc == big_endian::load32(header.data() + value_offset);
}

}  // namespace

ParseResult parseV2(std::span<const uint8_t> data, Header& header) {
  if (data.empty()) return needMore();  // (memcmp on a null data() is UB even for 0 bytes)
  const size_t signature = std::min(data.size(), kV2Signature.size());
  if (std::memcmp(data.data(), kV2Signature.data(), signature) != 0) {
    return error(ParseError::NotProxyProtocol);
  }
  if (data.size() <= kVersionCommandOffset) return needMore();

  const uint8_t version_command = data[kVersionCommandOffset];
  if ((version_command >> 4) != kV2Version) return error(ParseError::BadV2Version);
  const uint8_t command = version_command & 0x0F;
  if (command != kV2CommandLocal && command != kV2CommandProxy) {
    return error(ParseError::BadV2Command);
  }
  if (data.size() <= kFamilyOffset) return needMore();

  const uint8_t family_byte = data[kFamilyOffset];
  if ((family_byte >> 4) > kV2FamilyUnix || (family_byte & 0x0F) > kV2TransportDgram) {
    return error(ParseError::BadFamily);
  }
  if (data.size() < kV2FixedLength) return needMore();

  const size_t payload = big_endian::load16(data.data() + kLengthOffset);
  const size_t total = kV2FixedLength + payload;
  if (total > kMaxHeaderLength) return error(ParseError::TooLarge);

  // LOCAL: "discard the protocol block including the family" (§2.2).
  const std::optional<size_t> block =
      command == kV2CommandProxy ? addressBlockLength(family_byte) : std::nullopt;
  if (block && payload < *block) return error(ParseError::AddressLengthMismatch);

  const size_t tlv_start = kV2FixedLength + block.value_or(payload);
  const size_t received = std::min(data.size(), total);
  if (received < total) {
    if (block && received > tlv_start) {
      const TlvScan scan =
          scanTlvs(data.subspan(tlv_start, received - tlv_start), total - tlv_start, nullptr);
      if (scan.error != ParseError::None) return error(scan.error);
    }
    return needMore();
  }

  Header parsed;
  parsed.version = Version::V2;
  parsed.command = command == kV2CommandProxy ? Command::Proxy : Command::Local;
  if (block) {
    const auto region = data.subspan(tlv_start, total - tlv_start);
    const TlvScan scan = scanTlvs(region, region.size(), &parsed.tlvs);
    if (scan.error != ParseError::None) return error(scan.error);
    if (scan.has_crc && !crcMatches(data.first(total), tlv_start + scan.crc_offset)) {
      return error(ParseError::BadCrc32c);
    }
    const uint8_t* a = data.data() + kV2FixedLength;
    if (family_byte == kV2TcpV4) {
      parsed.has_addresses = true;
      parsed.source = wire::makeV4(a, big_endian::load16(a + 8));
      parsed.destination = wire::makeV4(a + 4, big_endian::load16(a + 10));
    } else if (family_byte == kV2TcpV6) {
      parsed.has_addresses = true;
      parsed.source = wire::makeV6(a, big_endian::load16(a + 32));
      parsed.destination = wire::makeV6(a + 16, big_endian::load16(a + 34));
    }
  }
  header = std::move(parsed);
  return {ParseStatus::Done, total, ParseError::None};
}

}  // namespace warren::proxy_protocol
