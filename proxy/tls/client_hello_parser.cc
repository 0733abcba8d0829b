#include "tls/client_hello_parser.h"

#include <algorithm>

#include "common/ascii.h"
#include "common/big_endian.h"

namespace warren::tls {
namespace {

// Largest plaintext record (RFC 8446 §5.1).
constexpr size_t kMaxPlaintextRecord = 1 << 14;
constexpr size_t kRandomLength = 32;
constexpr size_t kMaxSessionIdLength = 32;

// Bounds-checked big-endian reader over a span.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  bool u8(uint8_t& out) {
    if (bytes_.empty()) return false;
    out = bytes_[0];
    bytes_ = bytes_.subspan(1);
    return true;
  }
  bool u16(uint16_t& out) {
    if (bytes_.size() < 2) return false;
    out = big_endian::load16(bytes_.data());
    bytes_ = bytes_.subspan(2);
    return true;
  }
  bool u24(uint32_t& out) {
    if (bytes_.size() < 3) return false;
    out = big_endian::load24(bytes_.data());
    bytes_ = bytes_.subspan(3);
    return true;
  }
  bool take(size_t n, std::span<const uint8_t>& out) {
    if (bytes_.size() < n) return false;
    out = bytes_.first(n);
    bytes_ = bytes_.subspan(n);
    return true;
  }
  // Takes min(n, remaining) bytes; returns whether all n were there.
  bool takeUpTo(size_t n, std::span<const uint8_t>& out) {
    const size_t k = std::min(n, bytes_.size());
    out = bytes_.first(k);
    bytes_ = bytes_.subspan(k);
    return k == n;
  }
  std::span<const uint8_t> rest() const { return bytes_; }

 private:
  std::span<const uint8_t> bytes_;
};

bool isRecordHeader(std::span<const uint8_t> bytes) {
  return bytes.size() >= 3 && bytes[0] == kRecordTypeHandshake && bytes[1] == 0x03 &&
         bytes[2] <= 0x04;
}

using ascii::lower;

// Collects the handshake-layer bytes of consecutive handshake records, stopping once a whole
// ClientHello is there, at the first cut, or at the first record that is not a handshake
// record. A message cut short shows as fewer bytes than its header announces.
// nullopt: the first record header is not a handshake record or has a bad length.
std::optional<std::vector<uint8_t>> gatherHandshake(std::span<const uint8_t> bytes,
                                                    uint16_t& record_version) {
  std::vector<uint8_t> out;
  Reader reader(bytes);
  bool first = true;
  while (true) {
    // Bytes ended between records, or something other than a handshake record follows.
    if (!first && !isRecordHeader(reader.rest())) break;
    uint8_t type = 0;
    uint16_t version = 0, length = 0;
    if (!reader.u8(type) || !reader.u16(version) || !reader.u16(length)) break;
    if (length == 0 || length > kMaxPlaintextRecord) {
      if (first) return std::nullopt;
      break;
    }
    if (first) record_version = version;
    first = false;
    std::span<const uint8_t> fragment;
    const bool whole = reader.takeUpTo(length, fragment);
    out.insert(out.end(), fragment.begin(), fragment.end());
    if (!whole) break;
    if (out.size() >= 4) {
      const size_t message_length = big_endian::load24(&out[1]);
      if (out.size() >= 4 + message_length) break;
    }
  }
  return out;
}

void parseExtensions(Reader& body, ParsedClientHello& hello) {
  uint16_t extensions_length = 0;
  if (!body.u16(extensions_length)) {
    hello.truncated = true;
    return;
  }
  std::span<const uint8_t> block;
  if (!body.takeUpTo(extensions_length, block)) hello.truncated = true;
  Reader extensions(block);
  while (!extensions.empty()) {
    uint16_t type = 0, length = 0;
    std::span<const uint8_t> data;
    if (!extensions.u16(type) || !extensions.u16(length) || !extensions.take(length, data)) {
      // A cut inside the extension block is a truncation when the block itself was cut;
      // otherwise the declared lengths do not add up.
      if (!hello.truncated) hello.malformed = true;
      return;
    }
    switch (type) {
      case kExtensionServerName:
        hello.sni = parseServerNameExtension(data);
        break;
      case kExtensionSupportedVersions: {
        auto versions = parseSupportedVersionsExtension(data);
        if (!versions.empty()) hello.versions = std::move(versions);
        break;
      }
      case kExtensionSignatureAlgorithms:
        hello.signature_algorithms = parseSignatureAlgorithmsExtension(data);
        break;
      default:
        break;
    }
  }
}

}  // namespace

std::vector<uint16_t> parseUint16List(std::span<const uint8_t> body) {
  std::vector<uint16_t> values;
  values.reserve(body.size() / 2);
  for (size_t i = 0; i + 1 < body.size(); i += 2) {
    const auto value = big_endian::load16(&body[i]);
    if (!isGrease(value)) values.push_back(value);
  }
  return values;
}

std::string parseServerNameExtension(std::span<const uint8_t> body) {
  Reader reader(body);
  uint16_t list_length = 0;
  std::span<const uint8_t> list;
  if (!reader.u16(list_length) || !reader.take(list_length, list) || !reader.empty()) return {};
  Reader entries(list);
  while (!entries.empty()) {
    uint8_t name_type = 0;
    uint16_t name_length = 0;
    std::span<const uint8_t> name;
    if (!entries.u8(name_type) || !entries.u16(name_length) || !entries.take(name_length, name)) {
      return {};
    }
    if (name_type != 0) continue;  // only host_name (0) is defined
    if (name.empty()) return {};
    std::string host;
    host.reserve(name.size());
    for (uint8_t c : name) {
      if (c == 0) return {};
      host.push_back(lower(static_cast<char>(c)));
    }
    return host;
  }
  return {};
}

std::vector<uint16_t> parseSupportedVersionsExtension(std::span<const uint8_t> body) {
  Reader reader(body);
  uint8_t length = 0;
  std::span<const uint8_t> list;
  if (!reader.u8(length) || !reader.take(length, list) || !reader.empty() || length % 2 != 0) {
    return {};
  }
  return parseUint16List(list);
}

std::vector<uint16_t> parseSignatureAlgorithmsExtension(std::span<const uint8_t> body) {
  Reader reader(body);
  uint16_t length = 0;
  std::span<const uint8_t> list;
  if (!reader.u16(length) || !reader.take(length, list) || !reader.empty() || length % 2 != 0) {
    return {};
  }
  return parseUint16List(list);
}

std::optional<ParsedClientHello> parseClientHello(std::span<const uint8_t> bytes) {
  if (bytes.size() < kRecordHeaderLength + 1 || !isRecordHeader(bytes) ||
      bytes[kRecordHeaderLength] != kHandshakeTypeClientHello) {
    return std::nullopt;
  }
  ParsedClientHello hello;
  auto handshake = gatherHandshake(bytes, hello.record_version);
  if (!handshake) return std::nullopt;

  Reader message(*handshake);
  uint8_t message_type = 0;
  uint32_t message_length = 0;
  if (!message.u8(message_type) || message_type != kHandshakeTypeClientHello) return std::nullopt;
  if (!message.u24(message_length)) {
    hello.truncated = true;
    return hello;
  }
  std::span<const uint8_t> body_bytes;
  if (!message.takeUpTo(message_length, body_bytes)) hello.truncated = true;
  Reader body(body_bytes);

  std::span<const uint8_t> skipped;
  if (!body.u16(hello.legacy_version)) {
    hello.truncated = true;
    return hello;
  }
  if (!isGrease(hello.legacy_version)) hello.versions.push_back(hello.legacy_version);
  uint8_t session_id_length = 0;
  if (!body.take(kRandomLength, skipped) || !body.u8(session_id_length)) {
    hello.truncated = true;
    return hello;
  }
  if (session_id_length > kMaxSessionIdLength) {
    hello.malformed = true;
    return hello;
  }
  uint16_t ciphers_length = 0;
  if (!body.take(session_id_length, skipped) || !body.u16(ciphers_length)) {
    hello.truncated = true;
    return hello;
  }
  if (ciphers_length % 2 != 0) {
    hello.malformed = true;
    return hello;
  }
  std::span<const uint8_t> ciphers;
  const bool ciphers_whole = body.takeUpTo(ciphers_length, ciphers);
  hello.ciphers = parseUint16List(ciphers);
  if (!ciphers_whole) {
    hello.truncated = true;
    return hello;
  }
  uint8_t compression_length = 0;
  if (!body.u8(compression_length) || !body.take(compression_length, skipped)) {
    hello.truncated = true;
    return hello;
  }
  if (body.empty()) {
    // No extensions: legal (TLS 1.2 and older) when the message is complete.
    return hello;
  }
  parseExtensions(body, hello);
  return hello;
}

}  // namespace warren::tls
