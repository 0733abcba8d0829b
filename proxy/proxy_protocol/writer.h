// PROXY protocol encoders (§2.1 v1 text line, §2.2 v2 binary). Pure functions:
// each writes one complete header into a caller-owned buffer, no allocation
// beyond small stack buffers, no I/O.
//
// Common contract of the write* functions:
//  - Return the header length written into `out`, or 0 (and `out` content is
//    unspecified) when it does not fit, or when an argument cannot be encoded.
//  - `source` and `destination` must both be valid IP addresses (Address::valid()).
//    Same family → TCP4/TCP6 (v1) or TCP over INET/INET6 (v2). Mixed families
//    are written as IPv6 with the IPv4 one v4-mapped (::ffff:a.b.c.d), as haproxy
//    does; the decoder then returns both as IPv6.
//  - They never emit v1 "UNKNOWN" nor v2 AF_UNSPEC with the PROXY command.
//
// A connection that relays no client (a health check) says so explicitly with
// writeV1Unknown or writeV2Local: the receiver then uses the connection's own
// addresses. These are the only writers of v1 UNKNOWN and v2 LOCAL.
//
// Buffer sizes: kMaxV1HeaderLength (107) is always enough for writeV1;
// kMaxV2HeaderLengthWithoutTlvs (52) + encodedSize(tlvs) [+ 7 with CRC32C] for writeV2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/address.h"
#include "proxy_protocol/header.h"

namespace warren::proxy_protocol {

// "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" (TCP6 for IPv6 or mixed).
// Addresses are written in canonical form (inet_ntop: lowercase, "::" compressed).
size_t writeV1(const Address& source, const Address& destination, std::span<uint8_t> out);

// v2 PROXY, TCP over IPv4 (family 0x11, len 12 + TLVs) or IPv6 (0x21, 36 + TLVs),
// then `tlvs` verbatim in order. TLVs are not validated beyond size: 0 if a value
// exceeds 65535 bytes or the payload (addresses + TLVs) exceeds 65535. Note the
// decoder rejects headers longer than kMaxHeaderLength and invalid well-known
// TLVs (bad CRC32C, UNIQUE_ID > 128, malformed SSL); don't pass such TLVs unless
// the receiver is not us. A PP2_TYPE_CRC32C TLV in `tlvs` is copied as is, not
// recomputed: use writeV2WithCrc32c for that.
size_t writeV2(const Address& source, const Address& destination, std::span<const Tlv> tlvs,
               std::span<uint8_t> out);

// writeV2, plus a PP2_TYPE_CRC32C TLV appended after `tlvs` and filled per §2.2.3
// (CRC32C of the whole header with the checksum field zeroed, network order).
// `tlvs` must not already hold a CRC32C TLV (0 is returned if it does).
size_t writeV2WithCrc32c(const Address& source, const Address& destination,
                         std::span<const Tlv> tlvs, std::span<uint8_t> out);

// v1 "PROXY UNKNOWN\r\n" (§2.1: the sender does not know the addresses, or the
// connection is its own, e.g. a health check): kV1UnknownLine, 15 bytes.
size_t writeV1Unknown(std::span<uint8_t> out);

// v2 LOCAL with AF_UNSPEC and length 0 (§2.2: "the connection was established on
// purpose by the proxy without being relayed"): the 16-byte header for health checks.
size_t writeV2Local(std::span<uint8_t> out);

// The size writeV2 would need for these arguments (0 if they can't be encoded).
// Add kTlvHeaderLength + kCrc32cValueLength (7) for writeV2WithCrc32c.
size_t v2EncodedSize(const Address& source, const Address& destination,
                     std::span<const Tlv> tlvs);

}  // namespace warren::proxy_protocol
