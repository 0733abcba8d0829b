// What a session records of a finished client TLS handshake (metrics, logs, the access
// line), read from the SSL here so that no module above tls/ reads BoringSSL itself.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace warren::tls {

// Protocol versions by metric index: 1.0, 1.1, 1.2, 1.3, anything else.
inline constexpr std::array<const char*, 5> kVersionLabels = {"1.0", "1.1", "1.2", "1.3", "other"};

struct ConnectionFacts {
  size_t version_index = kVersionLabels.size() - 1;  // into kVersionLabels
  const char* version = "";                          // as BoringSSL names it ("TLSv1.3")
  const char* cipher = "";
  bool resumed = false;
};

ConnectionFacts connectionFacts(const SSL* ssl);

// A TLS 1.3 client that rejects our certificate sends its alert before it has switched to
// the handshake keys: a plaintext alert record, which BoringSSL refuses as too short to be
// encrypted (BAD_PACKET_LENGTH) before looking at it. This finds it in the raw records so
// that the diagnosis names the alert (e.g. unknown_ca): the alert description, or 0.
uint8_t plaintextAlert(std::span<const uint8_t> records);

// Records such an alert in the SSL's HandshakeInfo unless an alert is already known.
void notePlaintextAlert(const SSL* ssl, std::span<const uint8_t> records);

}  // namespace warren::tls
