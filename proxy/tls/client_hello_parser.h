// A small parser for a raw TLS ClientHello, from the first bytes a client sent. Used where no
// SSL object sees the bytes (a TLS client on a plaintext listener) and, for the extension
// bodies, by the server's ClientHello callback. Pure functions over untrusted bytes: never
// read out of bounds, never throw, never allocate more than the input justifies.
//
// Wire format: RFC 8446 §4.1.2 (ClientHello), §5.1 (records), §4.2.1 (supported_versions),
// §4.2.3 (signature_algorithms); RFC 6066 §3 (server_name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace warren::tls {

inline constexpr uint8_t kRecordTypeHandshake = 0x16;
inline constexpr uint8_t kHandshakeTypeClientHello = 0x01;
inline constexpr size_t kRecordHeaderLength = 5;
inline constexpr uint16_t kExtensionServerName = 0;
inline constexpr uint16_t kExtensionSignatureAlgorithms = 13;
inline constexpr uint16_t kExtensionSupportedVersions = 43;

struct ParsedClientHello {
  uint16_t record_version = 0;  // from the first record header
  uint16_t legacy_version = 0;  // ClientHello.legacy_version (0 if cut before it)
  // server_name (host_name entry), lower-cased; empty if absent or cut off.
  std::string sni;
  // supported_versions if present, else {legacy_version} (empty if cut before it).
  // GREASE values are left out.
  std::vector<uint16_t> versions;
  // Offered cipher suites, GREASE left out (those that fit in the bytes given).
  std::vector<uint16_t> ciphers;
  // signature_algorithms, if present and complete.
  std::vector<uint16_t> signature_algorithms;
  // The bytes ended before the ClientHello did: fields after the cut are missing.
  bool truncated = false;
  // A length inside the ClientHello is inconsistent: parsing stopped there, fields after it
  // are missing.
  bool malformed = false;
};

// Parses the start of a TLS stream: handshake records (type 0x16, version 0x03xx) carrying a
// ClientHello, possibly fragmented over several records and possibly truncated. nullopt
// when the bytes are not that (wrong record type or version, another handshake message, a
// malformed length) or are fewer than the 6 bytes needed to tell. A well-formed prefix gives
// what it contains with `truncated` set.
std::optional<ParsedClientHello> parseClientHello(std::span<const uint8_t> bytes);

// Extension bodies (the extension_data, without type and length). Malformed → empty result.
// server_name: the first host_name entry, lower-cased; empty if none or malformed (a name
// with a NUL byte is malformed).
std::string parseServerNameExtension(std::span<const uint8_t> body);
// supported_versions (ClientHello form: 1-byte length, then uint16 versions), GREASE removed.
std::vector<uint16_t> parseSupportedVersionsExtension(std::span<const uint8_t> body);
// signature_algorithms (2-byte length, then uint16 SignatureSchemes), GREASE removed.
std::vector<uint16_t> parseSignatureAlgorithmsExtension(std::span<const uint8_t> body);
// Cipher suite list body (uint16 values), GREASE removed; an odd trailing byte is ignored.
std::vector<uint16_t> parseUint16List(std::span<const uint8_t> body);

// RFC 8701 GREASE values: 0x0A0A, 0x1A1A, …, 0xFAFA.
constexpr bool isGrease(uint16_t value) {
  return (value & 0x0F0F) == 0x0A0A && (value >> 12) == ((value >> 4) & 0x0F);
}

}  // namespace warren::tls
