#include "loadgen/tls_client.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <vector>

namespace warren::bench {

namespace {

int sessionIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int onNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* store = static_cast<SessionStore*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), sessionIndex()));
  store->latest.reset(session);  // returning 1 takes the reference
  ++store->received;
  return 1;
}

}  // namespace

bssl::UniquePtr<SSL_CTX> makeClientContext(const Options& options, SessionStore* sessions) {
  if (options.tls == TlsVersion::None) return nullptr;
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return nullptr;
  const uint16_t version = options.tls == TlsVersion::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx.get(), version);
  SSL_CTX_set_max_proto_version(ctx.get(), version);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  std::vector<uint16_t> prefs;
  if (options.sig == SigKind::Ecdsa) prefs = {SSL_SIGN_ECDSA_SECP256R1_SHA256};
  // TLS 1.3 signs with RSA-PSS only; TLS 1.2 servers may also pick PKCS#1 v1.5.
  if (options.sig == SigKind::Rsa) prefs = {SSL_SIGN_RSA_PSS_RSAE_SHA256, SSL_SIGN_RSA_PKCS1_SHA256};
  if (!prefs.empty() && !SSL_CTX_set_verify_algorithm_prefs(ctx.get(), prefs.data(), prefs.size())) {
    return nullptr;
  }

  if (sessions != nullptr) {
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_set_ex_data(ctx.get(), sessionIndex(), sessions);
    SSL_CTX_sess_set_new_cb(ctx.get(), onNewSession);
  } else {
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  }
  return ctx;
}

bool peerKeyMatches(const SSL* ssl, SigKind sig) {
  if (sig == SigKind::Any) return true;
  bssl::UniquePtr<X509> cert(SSL_get_peer_certificate(ssl));
  if (!cert) return false;
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(cert.get()));
  if (!key) return false;
  const int type = EVP_PKEY_id(key.get());
  return sig == SigKind::Ecdsa ? type == EVP_PKEY_EC : type == EVP_PKEY_RSA;
}

}  // namespace warren::bench
