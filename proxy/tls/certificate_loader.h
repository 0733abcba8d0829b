// Reading certificate chains, private keys and CA bundles from PEM files into the immutable
// objects that TLS contexts share between all their connections.
//
// Memory: certificates are CRYPTO_BUFFERs from one process-wide pool (sharedBufferPool()), so
// identical DER is held once however many contexts (listeners, reloads) and connections use
// it. Connections get references (SSL_set_chain_and_key), never copies.
#pragma once

#include <openssl/pool.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "tls/build_report.h"
#include "tls/handshake_info.h"

namespace warren::tls {

// The process-wide CRYPTO_BUFFER pool (internally locked, thread-safe). Created on first use
// and never freed, so that no buffer can outlive it.
CRYPTO_BUFFER_POOL* sharedBufferPool();

// One certificate chain with its private key, parsed once.
struct LoadedCertificate {
  KeyType type = KeyType::None;
  // DER certificates, leaf first, from sharedBufferPool().
  std::vector<bssl::UniquePtr<CRYPTO_BUFFER>> chain;
  // The same pointers, in the form SSL_set_chain_and_key() takes.
  std::vector<CRYPTO_BUFFER*> chain_view;
  bssl::UniquePtr<EVP_PKEY> key;
  int curve_nid = 0;  // ECDSA: NID of the key's curve (NID_X9_62_prime256v1, …)
  std::string cert_path;
  std::string subject;  // leaf subject, RFC 2253 ("CN=localhost,O=Warren tests")
};

// Reads and checks `files`. Errors (at files.cert_ref or files.key_ref): a missing or
// unreadable file, no PEM certificate, a PEM or DER parse failure, an encrypted or
// unparseable private key, a key type other than ECDSA P-256/P-384/P-521 or RSA, a key that
// does not match the leaf (first) certificate. Warnings: an expired or not yet valid leaf
// (relative to `now`), an RSA key shorter than 2048 bits. Returns nullptr when there was an
// error.
std::shared_ptr<const LoadedCertificate> loadCertificate(const config::CertificateFiles& files,
                                                         BuildReport& report, time_t now);

// A CA bundle: trust anchors for verifying peers, and their subject names (DER) for the
// certificate_authorities a server sends in its CertificateRequest.
struct CaBundle {
  bssl::UniquePtr<X509_STORE> store;
  std::vector<bssl::UniquePtr<CRYPTO_BUFFER>> names;
  // SHA-256 of the set of certificates (their DER, sorted, duplicates once): the same CAs in
  // another order, with other comments or PEM line breaks, give the same fingerprint.
  std::array<uint8_t, 32> fingerprint{};
};

// The fingerprint of a set of certificates (DER buffers), as CaBundle::fingerprint.
std::array<uint8_t, 32> certificateSetFingerprint(const std::vector<bssl::UniquePtr<CRYPTO_BUFFER>>& certificates);

// Reads a PEM bundle of CA certificates. Errors (at `ref`): missing or unreadable file, a
// parse failure, no certificate in it. nullopt when there was an error.
std::optional<CaBundle> loadCaBundle(const std::string& path, const config::SourceRef& ref,
                                     BuildReport& report);

// A fresh STACK_OF(CRYPTO_BUFFER) holding references to `names` (SSL_CTX_set0_client_CAs takes
// ownership of the stack). nullptr on allocation failure.
STACK_OF(CRYPTO_BUFFER)* newNameStack(const std::vector<bssl::UniquePtr<CRYPTO_BUFFER>>& names);

// Human-readable text for the most recent BoringSSL error on this thread ("bad base64
// decode"), and clears the error queue. `fallback` when the queue is empty.
std::string takeSslErrorText(const char* fallback);

}  // namespace warren::tls
