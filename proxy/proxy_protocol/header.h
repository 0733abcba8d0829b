// PROXY protocol (v1 text, v2 binary) constants and the decoded header type.
//
// Reference: haproxy doc/proxy-protocol.txt ("The PROXY protocol, Versions 1 & 2",
// 2020/03/05). Section numbers in comments refer to that document.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.h"

namespace warren::proxy_protocol {

// §2.1: the longest legal v1 line, CRLF included ("PROXY UNKNOWN" + two full
// IPv6 addresses and ports). A v1 header is never longer than this.
inline constexpr size_t kMaxV1HeaderLength = 107;
// §2.2: the fixed part of a v2 header (signature, ver/cmd, fam, len).
inline constexpr size_t kV2FixedLength = 16;
// Our cap on an inbound v2 header (16 + len). A longer one is ParseError::TooLarge.
inline constexpr size_t kMaxHeaderLength = 4096;

// §2.1: what every v1 header starts with ("PROXY" and exactly one space).
inline constexpr std::string_view kV1Prefix = "PROXY ";
// The whole v1 line of a sender that does not relay a client (writeV1Unknown).
inline constexpr std::string_view kV1UnknownLine = "PROXY UNKNOWN\r\n";
// §2.2: the 12-byte v2 signature. Contains a NUL: never treat it as a C string.
inline constexpr std::array<uint8_t, 12> kV2Signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                         0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

// §2.2 byte 13: version (high nibble, always 2) and command (low nibble).
inline constexpr uint8_t kV2Version = 0x2;
inline constexpr uint8_t kV2CommandLocal = 0x0;
inline constexpr uint8_t kV2CommandProxy = 0x1;

// §2.2 byte 14: address family (high nibble) and transport protocol (low nibble).
inline constexpr uint8_t kV2FamilyUnspec = 0x0;
inline constexpr uint8_t kV2FamilyInet = 0x1;
inline constexpr uint8_t kV2FamilyInet6 = 0x2;
inline constexpr uint8_t kV2FamilyUnix = 0x3;
inline constexpr uint8_t kV2TransportUnspec = 0x0;
inline constexpr uint8_t kV2TransportStream = 0x1;
inline constexpr uint8_t kV2TransportDgram = 0x2;
// The whole byte for the combinations the spec lists.
inline constexpr uint8_t kV2Unspec = 0x00;
inline constexpr uint8_t kV2TcpV4 = 0x11;
inline constexpr uint8_t kV2UdpV4 = 0x12;
inline constexpr uint8_t kV2TcpV6 = 0x21;
inline constexpr uint8_t kV2UdpV6 = 0x22;
inline constexpr uint8_t kV2UnixStream = 0x31;
inline constexpr uint8_t kV2UnixDgram = 0x32;

// §2.2: address block sizes (addresses, then ports for INET/INET6).
inline constexpr size_t kV2AddressLengthInet = 12;
inline constexpr size_t kV2AddressLengthInet6 = 36;
inline constexpr size_t kV2AddressLengthUnix = 216;
// Longest v2 header writeV2() produces without TLVs (IPv6): 16 + 36.
inline constexpr size_t kMaxV2HeaderLengthWithoutTlvs = kV2FixedLength + kV2AddressLengthInet6;

// §2.2: a TLV is type (1 byte), length (2 bytes, network order), value.
inline constexpr size_t kTlvHeaderLength = 3;

// §2.2 registered TLV types (spec names in comments).
inline constexpr uint8_t kPp2TypeAlpn = 0x01;             // PP2_TYPE_ALPN
inline constexpr uint8_t kPp2TypeAuthority = 0x02;        // PP2_TYPE_AUTHORITY
inline constexpr uint8_t kPp2TypeCrc32c = 0x03;           // PP2_TYPE_CRC32C
inline constexpr uint8_t kPp2TypeNoop = 0x04;             // PP2_TYPE_NOOP
inline constexpr uint8_t kPp2TypeUniqueId = 0x05;         // PP2_TYPE_UNIQUE_ID
inline constexpr uint8_t kPp2TypeSsl = 0x20;              // PP2_TYPE_SSL
inline constexpr uint8_t kPp2SubtypeSslVersion = 0x21;    // PP2_SUBTYPE_SSL_VERSION
inline constexpr uint8_t kPp2SubtypeSslCn = 0x22;         // PP2_SUBTYPE_SSL_CN
inline constexpr uint8_t kPp2SubtypeSslCipher = 0x23;     // PP2_SUBTYPE_SSL_CIPHER
inline constexpr uint8_t kPp2SubtypeSslSigAlg = 0x24;     // PP2_SUBTYPE_SSL_SIG_ALG
inline constexpr uint8_t kPp2SubtypeSslKeyAlg = 0x25;     // PP2_SUBTYPE_SSL_KEY_ALG
inline constexpr uint8_t kPp2TypeNetns = 0x30;            // PP2_TYPE_NETNS
// §2.2.8 reserved ranges.
inline constexpr uint8_t kPp2TypeMinCustom = 0xE0;        // PP2_TYPE_MIN_CUSTOM
inline constexpr uint8_t kPp2TypeMaxCustom = 0xEF;        // PP2_TYPE_MAX_CUSTOM
inline constexpr uint8_t kPp2TypeMinExperiment = 0xF0;    // PP2_TYPE_MIN_EXPERIMENT
inline constexpr uint8_t kPp2TypeMaxExperiment = 0xF7;    // PP2_TYPE_MAX_EXPERIMENT
inline constexpr uint8_t kPp2TypeMinFuture = 0xF8;        // PP2_TYPE_MIN_FUTURE
inline constexpr uint8_t kPp2TypeMaxFuture = 0xFF;        // PP2_TYPE_MAX_FUTURE

// §2.2.6 bits of the <client> field of a PP2_TYPE_SSL value.
inline constexpr uint8_t kPp2ClientSsl = 0x01;            // PP2_CLIENT_SSL
inline constexpr uint8_t kPp2ClientCertConn = 0x02;       // PP2_CLIENT_CERT_CONN
inline constexpr uint8_t kPp2ClientCertSess = 0x04;       // PP2_CLIENT_CERT_SESS

// §2.2.3: a CRC32C value is 4 bytes, network order.
inline constexpr size_t kCrc32cValueLength = 4;
// §2.2.5: a UNIQUE_ID value is at most 128 bytes.
inline constexpr size_t kMaxUniqueIdLength = 128;
// §2.2.6: a PP2_TYPE_SSL value starts with client (1 byte) and verify (4 bytes).
inline constexpr size_t kSslTlvFixedLength = 5;

enum class Version : uint8_t { V1 = 1, V2 = 2 };
enum class Command : uint8_t { Local, Proxy };

// One type-length-value entry. `value` holds raw bytes (may contain NULs) and is
// at most 65535 bytes on the wire.
struct Tlv {
  uint8_t type = 0;
  std::string value;

  bool operator==(const Tlv&) const = default;
};

// A decoded PROXY protocol header.
struct Header {
  Version version = Version::V2;
  // v1 is always Proxy (including "UNKNOWN"); v2 is what the wire says.
  Command command = Command::Local;
  // True only for v1 TCP4/TCP6 and for v2 PROXY with TCP over IPv4/IPv6
  // (family byte 0x11 or 0x21). When false, `source`/`destination` are default
  // (invalid) Addresses and the caller uses the real connection endpoints — this
  // covers v1 "UNKNOWN", v2 LOCAL, AF_UNSPEC, UDP and UNIX.
  bool has_addresses = false;
  // Same family as each other (v1 TCP4/TCP6 and v2 say which).
  Address source;
  Address destination;
  // v2 only, in wire order, all kept (NOOP and CRC32C included). Empty for v1
  // and for v2 headers whose address block has no known length (LOCAL, or an
  // unspecified family/transport): their whole payload is skipped.
  std::vector<Tlv> tlvs;

  bool operator==(const Header&) const = default;
};

}  // namespace warren::proxy_protocol
