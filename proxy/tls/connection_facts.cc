#include "tls/connection_facts.h"


#include "tls/handshake_info.h"

namespace warren::tls {

ConnectionFacts connectionFacts(const SSL* ssl) {
  ConnectionFacts f;
  switch (SSL_version(ssl)) {
    case TLS1_VERSION: f.version_index = 0; break;
    case TLS1_1_VERSION: f.version_index = 1; break;
    case TLS1_2_VERSION: f.version_index = 2; break;
    case TLS1_3_VERSION: f.version_index = 3; break;
    default: break;
  }
  f.version = SSL_get_version(ssl);
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  f.cipher = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
  f.resumed = SSL_session_reused(ssl) != 0;
  return f;
}

uint8_t plaintextAlert(std::span<const uint8_t> records) {
  constexpr uint8_t kAlertRecord = 0x15;
  size_t at = 0;
  while (at + 5 <= records.size()) {
    const size_t length = (static_cast<size_t>(records[at + 3]) << 8) | records[at + 4];
    if (records[at] == kAlertRecord && length == 2 && at + 7 <= records.size()) return records[at + 6];
    at += 5 + length;
  }
  return 0;
}

void notePlaintextAlert(const SSL* ssl, std::span<const uint8_t> records) {
  HandshakeInfo* info = handshakeInfo(ssl);
  if (info != nullptr && info->client_alert == 0) info->client_alert = plaintextAlert(records);
}

}  // namespace warren::tls
