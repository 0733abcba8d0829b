// Which certificate to serve, ECDSA or RSA, from what the ClientHello offers. BoringSSL of
// this vintage holds one certificate per SSL, so the choice is made in the ClientHello
// callback before the handshake continues. Pure function: testable without a handshake.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "tls/certificate_loader.h"

namespace warren::tls {

// The certificates served for one SNI decision: at most one of each key type, at least one.
struct CertificateSet {
  std::shared_ptr<const LoadedCertificate> ecdsa;
  std::shared_ptr<const LoadedCertificate> rsa;
};

// What the ClientHello says, as far as the choice cares.
struct HelloCapabilities {
  bool has_supported_versions = false;         // the supported_versions extension was sent
  std::span<const uint16_t> versions;          // offered versions (see HandshakeInfo)
  std::span<const uint16_t> ciphers;           // offered cipher suites
  bool has_signature_algorithms = false;       // the signature_algorithms extension was sent
  std::span<const uint16_t> signature_algorithms;
};

// The ECDSA certificate when the client can use it: for TLS 1.3 (offered by the client and
// allowed by `max_version`) an ecdsa_secp*_sha* scheme matching the key's curve; for TLS 1.2
// and older an ECDHE-ECDSA suite that is also in `server_ecdsa_suites` (the listener's TLS 1.2
// ECDSA suites) and, if signature_algorithms was sent, some ECDSA scheme. Otherwise RSA.
// With only one certificate in the set, that one. nullptr only for an empty set.
const LoadedCertificate* chooseCertificate(const CertificateSet& set, const HelloCapabilities& hello,
                                           uint16_t max_version,
                                           std::span<const uint16_t> server_ecdsa_suites);

}  // namespace warren::tls
