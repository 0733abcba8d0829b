// A blocking BoringSSL client for component tests (socket timeouts bound every wait).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "support/test_socket.h"

namespace warren::test {

struct TlsClientOptions {
  std::string sni;                 // empty: no SNI
  std::string ca_file;             // verify the server against this CA; empty: no verification
  uint16_t min_version = 0;        // TLS1_2_VERSION …; 0 = library default
  uint16_t max_version = 0;
  std::string ciphers;             // TLS 1.2 cipher list; empty = default
  std::string cert_file, key_file; // client certificate (mTLS)
  SSL_SESSION* session = nullptr;  // resume this session
  std::optional<Address> source;   // bind the client here first
};

class TlsClient {
 public:
  // Connects and completes the handshake. On failure returns nullptr and sets `error`
  // to BoringSSL's reason (and the alert the server sent, if any).
  static std::unique_ptr<TlsClient> connect(const Address& target, const TlsClientOptions& options,
                                            std::string* error = nullptr);
  ~TlsClient();

  bool sendAll(std::string_view data);
  std::string recvExact(size_t n);
  // Reads until close_notify/EOF (or timeout); `eof` tells whether the peer closed.
  std::string recvUntilEof(bool* eof = nullptr);
  void closeNotify();
  SSL* ssl() const { return ssl_.get(); }
  // The session to resume with (for TLS 1.3, after some application data was read).
  bssl::UniquePtr<SSL_SESSION> session() const;
  TestSocket& socket() { return socket_; }

 private:
  TlsClient() = default;
  static int onNewSession(SSL* ssl, SSL_SESSION* session);
  bssl::UniquePtr<SSL_CTX> ctx_;
  bssl::UniquePtr<SSL_SESSION> latest_session_;  // from the new-session callback (TLS 1.3 tickets)
  bssl::UniquePtr<SSL> ssl_;
  TestSocket socket_;
};

// The common name of the certificate the server presented ("" without one).
std::string peerCommonName(SSL* ssl);

}  // namespace warren::test
