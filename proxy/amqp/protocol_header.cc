#include "amqp/protocol_header.h"

#include <algorithm>
#include <string_view>

namespace warren::amqp {
namespace {

// Client first bytes we recognise, each at most kProtocolHeaderSize bytes long so that
// every verdict is reached within 8 bytes.
struct Signature {
  std::string_view bytes;
  Misdirected kind;
};

// TLS: record type 22 (handshake), then the major version byte 3 (SSL 3.0 .. TLS 1.3).
inline constexpr uint8_t kTlsHandshakeRecord = 0x16;
inline constexpr uint8_t kTlsMajorVersion = 0x03;
inline constexpr char kTlsPrefix[] = {static_cast<char>(kTlsHandshakeRecord),
                                      static_cast<char>(kTlsMajorVersion)};
// The first 8 of the 12 bytes of the PROXY protocol v2 signature.
inline constexpr char kProxyV2Prefix[] = {'\r', '\n', '\r', '\n', '\0', '\r', '\n', 'Q'};

constexpr Signature kSignatures[] = {
    {"GET ", Misdirected::Http},
    {"HEAD ", Misdirected::Http},
    {"POST ", Misdirected::Http},
    {"PUT ", Misdirected::Http},
    {"DELETE ", Misdirected::Http},
    {"CONNECT ", Misdirected::Http},
    {"OPTIONS ", Misdirected::Http},
    {"TRACE ", Misdirected::Http},
    {"PATCH ", Misdirected::Http},
    {"PRI ", Misdirected::Http},  // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    {std::string_view(kTlsPrefix, sizeof(kTlsPrefix)), Misdirected::Tls},
    {"PROXY ", Misdirected::ProxyProtocol},
    {std::string_view(kProxyV2Prefix, sizeof(kProxyV2Prefix)), Misdirected::ProxyProtocol},
};

constexpr const ProtocolHeader* kValidHeaders[] = {&kAmqp091Header, &kAmqp10Header,
                                                   &kAmqp10SaslHeader};

bool startsWith(std::span<const uint8_t> data, std::span<const uint8_t> prefix) {
  return data.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), data.begin());
}

std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

HeaderVerdict classifyClientHeader(std::span<const uint8_t> prefix) {
  const std::span<const uint8_t> p = prefix.first(std::min(prefix.size(), kProtocolHeaderSize));
  if (p.empty()) return {};

  bool valid_prefix = false;
  for (const ProtocolHeader* h : kValidHeaders) {
    if (startsWith(*h, p)) valid_prefix = true;
  }
  if (valid_prefix) {
    if (p.size() < kProtocolHeaderSize) return {};
    return {identifyHeader(p.first<kProtocolHeaderSize>()), Misdirected::None};
  }
  if (startsWith(p, std::span(kAmqp091Header).first(kAmqpMagicSize))) {
    return {HeaderKind::Misdirected, Misdirected::OtherAmqpVersion};
  }
  bool undecided = false;
  for (const Signature& s : kSignatures) {
    const std::span<const uint8_t> sig = bytesOf(s.bytes);
    if (startsWith(p, sig)) return {HeaderKind::Misdirected, s.kind};
    if (startsWith(sig, p)) undecided = true;
  }
  if (undecided) return {};
  return {HeaderKind::Misdirected, Misdirected::Garbage};
}

HeaderKind identifyHeader(std::span<const uint8_t, kProtocolHeaderSize> header) {
  if (std::equal(header.begin(), header.end(), kAmqp091Header.begin())) return HeaderKind::Amqp091;
  if (std::equal(header.begin(), header.end(), kAmqp10Header.begin())) return HeaderKind::Amqp10;
  if (std::equal(header.begin(), header.end(), kAmqp10SaslHeader.begin())) {
    return HeaderKind::Amqp10Sasl;
  }
  return HeaderKind::Misdirected;
}

}  // namespace warren::amqp
