// Verification of the peer's certificate chain for SSLs made with TLS_with_buffers_method()
// (which keeps certificates as CRYPTO_BUFFERs and parses nothing per connection unless asked):
// the custom-verify callbacks of both contexts call this. The chain is parsed into X509
// objects only for the duration of the check.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdint>
#include <string>

namespace warren::tls {

enum class PeerRole { Client, Server };

// Verifies SSL_get0_peer_certificates(ssl) (leaf first) against `store`, for a peer in `role`
// (purpose sslclient / sslserver). When `name` is not empty, the leaf must also match it
// (a DNS name, or an IP address literal). Returns X509_V_OK or the X509_V_ERR_* found.
int verifyPeerChain(const SSL* ssl, X509_STORE* store, PeerRole role, const std::string& name);

// The alert to send for a verification error (unknown_ca, certificate_expired, …).
uint8_t alertForVerifyError(int verify_error);

// True when `name` is an IPv4 or IPv6 address literal.
bool isIpLiteral(const std::string& name);

}  // namespace warren::tls
