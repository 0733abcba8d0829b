// Incremental, stateless PROXY protocol decoder (v1 §2.1 and v2 §2.2).
//
// Usage: after each read, call parse() with ALL bytes received so far on the
// connection (from its first byte). It never keeps state between calls, never
// allocates on NeedMore/Error, never throws, and does no I/O.
//
//  - NeedMore: the bytes so far are a valid prefix of a header; read more (the
//    caller applies its own timeout). One byte "P" or "\r" is NeedMore.
//  - Error: the bytes can no longer become a valid header; drop the connection.
//    Errors are reported as early as possible (a wrong signature byte, a bad
//    version/command/family byte, a v2 length over the cap, a malformed v1 field
//    or TLV layout as soon as it is seen), and an Error is never contradicted
//    by more bytes: any longer input gives the same Error.
//  - Done: `header` is filled and `consumed` is the header length; the bytes
//    after it belong to the application. Once Done, any longer input gives Done
//    with the same `consumed` and header.
// `header` is written only on Done. `consumed` is 0 unless Done.
//
// Strictness (see DESIGN "Strict parsing"):
//  v1 — "PROXY " then TCP4|TCP6|UNKNOWN; for TCP4/6 exactly single spaces, the
//    addresses in the announced family (IPv4 dotted quad without leading zeros;
//    IPv6 as inet_pton accepts it, e.g. "::ffff:1.2.3.4"), decimal ports 0..65535
//    without sign or leading zeros, then CRLF; no lone CR or LF. The whole line
//    (CRLF included) must fit in kMaxV1HeaderLength bytes. For UNKNOWN anything up
//    to the first CRLF is ignored (has_addresses = false, command = Proxy).
//  v2 — signature; version nibble 2; command LOCAL(0)|PROXY(1); family nibble
//    0..3 and transport nibble 0..2 (else BadFamily); 16 + len <= kMaxHeaderLength.
//    PROXY with TCP/UDP over INET/INET6 or UNIX (0x11,0x12,0x21,0x22,0x31,0x32):
//    len must cover the address block (12/36/216, else AddressLengthMismatch) and
//    the rest must be TLVs tiling it exactly (else BadTlv); only 0x11/0x21 give
//    has_addresses. LOCAL, or an unspecified family or transport: the payload is
//    skipped unread (no TLVs, has_addresses = false), as the spec asks receivers
//    to ignore that address information.
//  TLVs — CRC32C must be 4 bytes, at most one, and match (BadCrc32c); UNIQUE_ID
//    at most 128 bytes; SSL at least 5 bytes with sub-TLVs tiling the rest. Other
//    types (NOOP, custom, unknown) are kept without checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "proxy_protocol/header.h"

namespace warren::proxy_protocol {

enum class ParseStatus { NeedMore, Done, Error };

enum class ParseError {
  None,
  NotProxyProtocol,       // signature mismatch: v1 needs "PROXY ", v2 the 12-byte signature
  BadV1Line,              // v1 line syntax: protocol token, spacing, ports, CR/LF misuse
  V1TooLong,              // no CRLF within kMaxV1HeaderLength bytes
  BadV2Version,           // v2 version nibble is not 2
  BadV2Command,           // v2 command nibble is not LOCAL or PROXY
  BadFamily,              // v2 family or transport nibble unassigned
  BadAddress,             // v1 address not valid in the announced family
  AddressLengthMismatch,  // v2 len shorter than the family's address block
  TooLarge,               // v2 16 + len > kMaxHeaderLength
  BadTlv,                 // v2 TLVs don't tile the payload, or a known TLV is malformed
  BadCrc32c,              // v2 CRC32C TLV doesn't match the header
};

// Short snake_case token for logs and metrics, e.g. "not_proxy_protocol".
const char* toString(ParseError error);

struct ParseResult {
  ParseStatus status = ParseStatus::NeedMore;
  size_t consumed = 0;  // header length when Done, else 0
  ParseError error = ParseError::None;

  bool operator==(const ParseResult&) const = default;
};

// Detects the version from the first byte ('P' → v1, '\r' → v2, anything else
// NotProxyProtocol; empty → NeedMore) and parses. See the file comment.
ParseResult parse(std::span<const uint8_t> data, Header& header);

// Parse only one version: the other version's signature is NotProxyProtocol.
// For listeners configured to accept a single version.
ParseResult parseV1(std::span<const uint8_t> data, Header& header);
ParseResult parseV2(std::span<const uint8_t> data, Header& header);

}  // namespace warren::proxy_protocol
