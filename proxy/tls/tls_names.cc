#include "tls/tls_names.h"

#include <openssl/ssl.h>

#include <cstdio>

namespace warren::tls {
namespace {

std::string hex16(uint16_t value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%04X", value);
  return buffer;
}

struct SuiteName {
  uint16_t suite;
  const char* name;
};

// Suites clients commonly offer that this BoringSSL does not implement (OpenSSL names).
constexpr SuiteName kExtraSuites[] = {
    {0x0004, "RC4-MD5"},
    {0x0005, "RC4-SHA"},
    {0x0009, "DES-CBC-SHA"},
    {0x0016, "DHE-RSA-DES-CBC3-SHA"},
    {0x0032, "DHE-DSS-AES128-SHA"},
    {0x0033, "DHE-RSA-AES128-SHA"},
    {0x0038, "DHE-DSS-AES256-SHA"},
    {0x0039, "DHE-RSA-AES256-SHA"},
    {0x003C, "AES128-SHA256"},
    {0x003D, "AES256-SHA256"},
    {0x0040, "DHE-DSS-AES128-SHA256"},
    {0x0067, "DHE-RSA-AES128-SHA256"},
    {0x006A, "DHE-DSS-AES256-SHA256"},
    {0x006B, "DHE-RSA-AES256-SHA256"},
    {0x009E, "DHE-RSA-AES128-GCM-SHA256"},
    {0x009F, "DHE-RSA-AES256-GCM-SHA384"},
    {0x00A2, "DHE-DSS-AES128-GCM-SHA256"},
    {0x00A3, "DHE-DSS-AES256-GCM-SHA384"},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xC008, "ECDHE-ECDSA-DES-CBC3-SHA"},
    {0xC012, "ECDHE-RSA-DES-CBC3-SHA"},
    {0xC023, "ECDHE-ECDSA-AES128-SHA256"},
    {0xC024, "ECDHE-ECDSA-AES256-SHA384"},
    {0xC027, "ECDHE-RSA-AES128-SHA256"},
    {0xC028, "ECDHE-RSA-AES256-SHA384"},
    {0xC09C, "AES128-CCM"},
    {0xC09D, "AES256-CCM"},
    {0xC09E, "DHE-RSA-AES128-CCM"},
    {0xC09F, "DHE-RSA-AES256-CCM"},
    {0xC0A0, "AES128-CCM8"},
    {0xC0A1, "AES256-CCM8"},
    {0xC0AC, "ECDHE-ECDSA-AES128-CCM"},
    {0xC0AD, "ECDHE-ECDSA-AES256-CCM"},
    {0xC0AE, "ECDHE-ECDSA-AES128-CCM8"},
    {0xC0AF, "ECDHE-ECDSA-AES256-CCM8"},
    {0xCCAA, "DHE-RSA-CHACHA20-POLY1305"},
};

struct AlertName {
  uint8_t alert;
  const char* name;
};

constexpr AlertName kAlerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

}  // namespace

uint16_t protocolVersion(config::TlsVersion version) {
  switch (version) {
    case config::TlsVersion::Tls10: return TLS1_VERSION;
    case config::TlsVersion::Tls11: return TLS1_1_VERSION;
    case config::TlsVersion::Tls12: return TLS1_2_VERSION;
    case config::TlsVersion::Tls13: return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

const char* versionNumber(config::TlsVersion version) {
  switch (version) {
    case config::TlsVersion::Tls10: return "1.0";
    case config::TlsVersion::Tls11: return "1.1";
    case config::TlsVersion::Tls12: return "1.2";
    case config::TlsVersion::Tls13: return "1.3";
  }
  return "?";
}

std::string versionName(uint16_t version) {
  switch (version) {
    case TLS1_3_VERSION: return "TLSv1.3";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_VERSION: return "TLSv1.0";
    case SSL3_VERSION: return "SSLv3";
    default: return hex16(version);
  }
}

std::string versionLabel(uint16_t version) {
  switch (version) {
    case TLS1_3_VERSION: return "TLS 1.3";
    case TLS1_2_VERSION: return "TLS 1.2";
    case TLS1_1_VERSION: return "TLS 1.1";
    case TLS1_VERSION: return "TLS 1.0";
    case SSL3_VERSION: return "SSL 3.0";
    default: return hex16(version);
  }
}

std::string cipherName(uint16_t suite) {
  if (const SSL_CIPHER* cipher = SSL_get_cipher_by_value(suite)) {
    return SSL_CIPHER_get_name(cipher);
  }
  for (const auto& entry : kExtraSuites) {
    if (entry.suite == suite) return entry.name;
  }
  return hex16(suite);
}

std::string alertName(uint8_t alert) {
  for (const auto& entry : kAlerts) {
    if (entry.alert == alert) return entry.name;
  }
  return std::to_string(alert);
}

std::string formatOffered(std::span<const uint16_t> versions, std::span<const uint16_t> ciphers,
                          size_t max_ciphers) {
  std::string out;
  if (!versions.empty()) {
    out += "versions=";
    for (size_t i = 0; i < versions.size(); ++i) {
      if (i > 0) out += ',';
      out += versionName(versions[i]);
    }
  }
  if (!ciphers.empty()) {
    if (!out.empty()) out += ' ';
    out += "ciphers=";
    const size_t named = ciphers.size() < max_ciphers ? ciphers.size() : max_ciphers;
    for (size_t i = 0; i < named; ++i) {
      if (i > 0) out += ',';
      out += cipherName(ciphers[i]);
    }
    if (named < ciphers.size()) out += ",+" + std::to_string(ciphers.size() - named);
  }
  return out;
}

}  // namespace warren::tls
