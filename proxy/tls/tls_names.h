// Names for what appears in TLS diagnostics and PROXY TLVs: protocol versions, cipher
// suites, alerts, and the config's TlsVersion.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "config/config.h"

namespace warren::tls {

// Wire value of a config version (TLS1_2_VERSION, …).
uint16_t protocolVersion(config::TlsVersion version);
// The config spelling: "1.0" … "1.3".
const char* versionNumber(config::TlsVersion version);

// OpenSSL-style name of a wire version: "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0", "SSLv3";
// anything else as hex ("0x7f1c").
std::string versionName(uint16_t version);
// The same for hints: "TLS 1.3" … "TLS 1.0", "SSL 3.0", else hex.
std::string versionLabel(uint16_t version);

// OpenSSL-style name of a cipher suite ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"):
// BoringSSL's own name when it knows the suite, a built-in table for common suites BoringSSL
// lacks (DHE-*, CCM, *-SHA384, SCSVs), else hex ("0xC0B4").
std::string cipherName(uint16_t suite);

// RFC 8446 §6 name of an alert description ("unknown_ca", "protocol_version"), or its number.
std::string alertName(uint8_t alert);

// "versions=TLSv1.1,TLSv1.0 ciphers=ECDHE-RSA-AES128-SHA,AES128-SHA" — what a client offered,
// for a log line. Either part is left out when its list is empty; at most `max_ciphers`
// suites are named, the rest counted ("…,+12").
std::string formatOffered(std::span<const uint16_t> versions, std::span<const uint16_t> ciphers,
                          size_t max_ciphers = 40);

}  // namespace warren::tls
