#include "tls/certificate_selector.h"

#include <openssl/nid.h>
#include <openssl/ssl.h>

#include <algorithm>

namespace warren::tls {
namespace {

bool contains(std::span<const uint16_t> values, uint16_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The TLS 1.3 signature scheme for an ECDSA key on `curve_nid` (RFC 8446 §4.2.3).
uint16_t tls13EcdsaScheme(int curve_nid) {
  switch (curve_nid) {
    case NID_X9_62_prime256v1: return SSL_SIGN_ECDSA_SECP256R1_SHA256;
    case NID_secp384r1: return SSL_SIGN_ECDSA_SECP384R1_SHA384;
    case NID_secp521r1: return SSL_SIGN_ECDSA_SECP521R1_SHA512;
    default: return 0;
  }
}

bool isEcdsaScheme(uint16_t scheme) {
  return scheme == SSL_SIGN_ECDSA_SHA1 || scheme == SSL_SIGN_ECDSA_SECP256R1_SHA256 ||
         scheme == SSL_SIGN_ECDSA_SECP384R1_SHA384 || scheme == SSL_SIGN_ECDSA_SECP521R1_SHA512;
}

bool ecdsaUsable(const LoadedCertificate& ecdsa, const HelloCapabilities& hello,
                 uint16_t max_version, std::span<const uint16_t> server_ecdsa_suites) {
  const bool tls13 = max_version >= TLS1_3_VERSION && hello.has_supported_versions &&
                     contains(hello.versions, TLS1_3_VERSION);
  if (tls13) {
    return hello.has_signature_algorithms &&
           contains(hello.signature_algorithms, tls13EcdsaScheme(ecdsa.curve_nid));
  }
  const bool suite = std::any_of(hello.ciphers.begin(), hello.ciphers.end(), [&](uint16_t s) {
    return contains(server_ecdsa_suites, s);
  });
  if (!suite) return false;
  if (!hello.has_signature_algorithms) return true;  // TLS ≤ 1.2 default: ECDSA with SHA-1
  return std::any_of(hello.signature_algorithms.begin(), hello.signature_algorithms.end(),
                     isEcdsaScheme);
}

}  // namespace

const LoadedCertificate* chooseCertificate(const CertificateSet& set, const HelloCapabilities& hello,
                                           uint16_t max_version,
                                           std::span<const uint16_t> server_ecdsa_suites) {
  if (!set.ecdsa) return set.rsa.get();
  if (!set.rsa) return set.ecdsa.get();
  return ecdsaUsable(*set.ecdsa, hello, max_version, server_ecdsa_suites) ? set.ecdsa.get()
                                                                          : set.rsa.get();
}

}  // namespace warren::tls
