#include "tls/peer_verifier.h"

#include <arpa/inet.h>
#include <openssl/err.h>

namespace warren::tls {

bool isIpLiteral(const std::string& name) {
  uint8_t buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

int verifyPeerChain(const SSL* ssl, X509_STORE* store, PeerRole role, const std::string& name) {
  const STACK_OF(CRYPTO_BUFFER)* buffers = SSL_get0_peer_certificates(ssl);
  if (buffers == nullptr || sk_CRYPTO_BUFFER_num(buffers) == 0) return X509_V_ERR_UNSPECIFIED;
  if (store == nullptr) return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;

  bssl::UniquePtr<X509> leaf(X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(buffers, 0)));
  bssl::UniquePtr<STACK_OF(X509)> intermediates(sk_X509_new_null());
  if (!leaf || !intermediates) {
    ERR_clear_error();
    return X509_V_ERR_UNSPECIFIED;
  }
  for (size_t i = 1; i < sk_CRYPTO_BUFFER_num(buffers); ++i) {
    bssl::UniquePtr<X509> x509(X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(buffers, i)));
    if (!x509 || !sk_X509_push(intermediates.get(), x509.get())) {
      ERR_clear_error();
      return X509_V_ERR_UNSPECIFIED;
    }
    x509.release();  // owned by the stack now
  }
  bssl::UniquePtr<X509_STORE_CTX> context(X509_STORE_CTX_new());
  if (!context ||
      !X509_STORE_CTX_init(context.get(), store, leaf.get(), intermediates.get()) ||
      !X509_STORE_CTX_set_default(context.get(), role == PeerRole::Client ? "ssl_client" : "ssl_server")) {
    ERR_clear_error();
    return X509_V_ERR_UNSPECIFIED;
  }
  if (!name.empty()) {
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context.get());
    const int ok = isIpLiteral(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                                     : X509_VERIFY_PARAM_set1_host(param, name.data(), name.size());
    if (!ok) {
      ERR_clear_error();
      return X509_V_ERR_UNSPECIFIED;
    }
  }
  const int verified = X509_verify_cert(context.get());
  const int error = X509_STORE_CTX_get_error(context.get());
  ERR_clear_error();
  if (verified == 1) return X509_V_OK;
  return error != X509_V_OK ? error : X509_V_ERR_UNSPECIFIED;
}

uint8_t alertForVerifyError(int verify_error) {
  switch (verify_error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return SSL_AD_CERTIFICATE_EXPIRED;
    case X509_V_ERR_CERT_REVOKED:
      return SSL_AD_CERTIFICATE_REVOKED;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_INVALID_CA:
      return SSL_AD_UNKNOWN_CA;
    case X509_V_ERR_INVALID_PURPOSE:
      return SSL_AD_UNSUPPORTED_CERTIFICATE;
    default:
      return SSL_AD_BAD_CERTIFICATE;
  }
}

}  // namespace warren::tls
