#include "support/tls_client.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace warren::test {

std::unique_ptr<TlsClient> TlsClient::connect(const Address& target, const TlsClientOptions& o, std::string* error) {
  std::unique_ptr<TlsClient> c(new TlsClient);
  c->ctx_.reset(SSL_CTX_new(TLS_method()));
  SSL_CTX* ctx = c->ctx_.get();
  if (o.min_version != 0) SSL_CTX_set_min_proto_version(ctx, o.min_version);
  if (o.max_version != 0) SSL_CTX_set_max_proto_version(ctx, o.max_version);
  if (!o.ciphers.empty()) SSL_CTX_set_strict_cipher_list(ctx, o.ciphers.c_str());
  if (!o.ca_file.empty()) {
    SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!o.cert_file.empty()) {
    SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str());
    SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM);
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
  SSL_CTX_sess_set_new_cb(ctx, onNewSession);
  c->socket_ = TestSocket::connect(target, o.source);
  c->ssl_.reset(SSL_new(ctx));
  SSL* ssl = c->ssl_.get();
  SSL_set_fd(ssl, c->socket_.fd());
  SSL_set_app_data(ssl, c.get());
  if (!o.sni.empty()) SSL_set_tlsext_host_name(ssl, o.sni.c_str());
  if (o.session != nullptr) SSL_set_session(ssl, o.session);
  if (SSL_connect(ssl) != 1) {
    if (error != nullptr) {
      uint32_t code = ERR_peek_error();
      const char* reason = ERR_reason_error_string(code);
      *error = reason != nullptr ? reason : "handshake failed";
    }
    ERR_clear_error();
    return nullptr;
  }
  return c;
}

TlsClient::~TlsClient() = default;

bool TlsClient::sendAll(std::string_view data) {
  while (!data.empty()) {
    int n = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string TlsClient::recvExact(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    int r = SSL_read(ssl_.get(), out.data() + got, static_cast<int>(n - got));
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

std::string TlsClient::recvUntilEof(bool* eof) {
  std::string out;
  char buf[16384];
  for (;;) {
    int r = SSL_read(ssl_.get(), buf, sizeof buf);
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
      continue;
    }
    int err = SSL_get_error(ssl_.get(), r);
    if (eof != nullptr) *eof = err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && r == 0);
    break;
  }
  ERR_clear_error();
  return out;
}

void TlsClient::closeNotify() { SSL_shutdown(ssl_.get()); }

int TlsClient::onNewSession(SSL* ssl, SSL_SESSION* session) {
  static_cast<TlsClient*>(SSL_get_app_data(ssl))->latest_session_.reset(session);
  return 1;  // we keep the reference
}

bssl::UniquePtr<SSL_SESSION> TlsClient::session() const {
  if (latest_session_) {
    SSL_SESSION_up_ref(latest_session_.get());
    return bssl::UniquePtr<SSL_SESSION>(latest_session_.get());
  }
  return bssl::UniquePtr<SSL_SESSION>(SSL_get1_session(ssl_.get()));
}

std::string peerCommonName(SSL* ssl) {
  bssl::UniquePtr<X509> cert(SSL_get_peer_certificate(ssl));
  if (!cert) return "";
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  return cn;
}

}  // namespace warren::test
