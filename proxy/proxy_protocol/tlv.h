// v2 TLV helpers (§2.2, §2.2.1-2.2.8): encoding, decoding a TLV sequence, and
// the PP2_TYPE_SSL value with its sub-TLVs. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "proxy_protocol/header.h"

namespace warren::proxy_protocol {

// Wire size of `tlvs` (3 + value size each). Does not check the 65535 limit.
size_t encodedSize(std::span<const Tlv> tlvs);

// Writes `tlvs` in order into `out`. Returns the bytes written, or 0 when `out`
// is too small or a value is longer than 65535 bytes (nothing useful is written
// then). An empty `tlvs` writes nothing and returns 0 as well.
size_t writeTlvs(std::span<const Tlv> tlvs, std::span<uint8_t> out);

// Decodes `bytes` as a sequence of TLVs that must tile it exactly (each one's
// declared length fits, no bytes left over). nullopt otherwise. No type-specific
// checks: used for SSL sub-TLVs and by callers that want a raw split.
std::optional<std::vector<Tlv>> decodeTlvs(std::span<const uint8_t> bytes);

// The first TLV of type `type` in `tlvs`, or nullptr.
const Tlv* findTlv(std::span<const Tlv> tlvs, uint8_t type);

// §2.2.6 PP2_TYPE_SSL value: client (kPp2Client* bits), verify (0 = client
// certificate presented and verified), then sub-TLVs
// (kPp2SubtypeSslVersion/Cn/Cipher/SigAlg/KeyAlg).
struct SslTlv {
  uint8_t client = 0;
  uint32_t verify = 0;
  std::vector<Tlv> sub_tlvs;

  bool operator==(const SslTlv&) const = default;
};

// Builds a PP2_TYPE_SSL TLV (verify in network order, sub-TLVs in order). The
// caller keeps each sub-TLV value and the whole value within 65535 bytes, else
// writeV2() will refuse the result.
Tlv makeSslTlv(uint8_t client_flags, uint32_t verify, std::span<const Tlv> sub_tlvs);

// Decodes a PP2_TYPE_SSL TLV value. nullopt if shorter than 5 bytes or the
// sub-TLVs do not tile the rest exactly.
std::optional<SslTlv> parseSslTlv(std::string_view value);

}  // namespace warren::proxy_protocol
