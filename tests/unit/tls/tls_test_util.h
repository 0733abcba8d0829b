// Helpers shared by the TLS tests: fixture paths, config builders, and in-memory handshakes
// between a plain BoringSSL client and a ServerContext SSL over a BIO pair.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"
#include "tls/server_context.h"

namespace warren::tls::testing {

inline std::string fixture(const std::string& name) {
  return std::string(WARREN_SOURCE_DIR) + "/tests/fixtures/tls/" + name;
}

inline config::SourceRef ref(uint32_t line, uint32_t column, std::string key) {
  config::SourceRef r;
  r.line = line;
  r.column = column;
  r.key = std::move(key);
  return r;
}

// A certificate entry for fixture `<stem>.crt` / `<stem>.key`, positioned like a config value.
inline config::CertificateFiles certFiles(const std::string& stem, const std::string& key_path = "",
                                          int index = 0, const std::string& owner = "listener[0].tls") {
  config::CertificateFiles f;
  f.cert = fixture(stem + ".crt");
  f.key = key_path.empty() ? fixture(stem + ".key") : key_path;
  const std::string base = owner + ".certificate[" + std::to_string(index) + "]";
  f.cert_ref = ref(10 + static_cast<uint32_t>(index) * 2, 8, base + ".cert");
  f.key_ref = ref(11 + static_cast<uint32_t>(index) * 2, 7, base + ".key");
  return f;
}

// A TLS listener "amqps" → cluster "default" with the localhost ECDSA + RSA certificates.
inline config::Listener tlsListener() {
  config::Listener l;
  l.name = "amqps";
  l.cluster = "default";
  l.ref = ref(1, 1, "listener[0]");
  l.tls.enabled = true;
  l.tls.ref = ref(5, 1, "listener[0].tls");
  l.tls.certificates = {certFiles("localhost-ecdsa", "", 0), certFiles("localhost-rsa", "", 1)};
  return l;
}

// Routes: [0] rabbit.example.com → "rabbit" (own certificates), [1] *.eu.example.com → "eu"
// (own certificates), [2] plain.example.com → "plain" (default certificates).
inline void addRoutes(config::Listener& l) {
  config::Route rabbit;
  rabbit.server_names = {"rabbit.example.com"};
  rabbit.cluster = "rabbit";
  rabbit.ref = ref(20, 1, "listener[0].route[0]");
  rabbit.certificates = {certFiles("rabbit-ecdsa", "", 0, "listener[0].route[0]"),
                         certFiles("rabbit-rsa", "", 1, "listener[0].route[0]")};
  config::Route eu;
  eu.server_names = {"*.eu.example.com"};
  eu.cluster = "eu";
  eu.ref = ref(30, 1, "listener[0].route[1]");
  eu.certificates = {certFiles("wildcard-eu-ecdsa", "", 0, "listener[0].route[1]"),
                     certFiles("wildcard-eu-rsa", "", 1, "listener[0].route[1]")};
  config::Route plain;
  plain.server_names = {"plain.example.com"};
  plain.cluster = "plain";
  plain.ref = ref(40, 1, "listener[0].route[2]");
  l.routes = {rabbit, eu, plain};
}

inline std::string describe(const std::vector<config::ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.format() + "\n";
  return out;
}

// Builds, failing the test (and returning null) on errors.
inline std::shared_ptr<const ServerContext> buildOk(const config::Listener& l,
                                                    const ServerContextOptions& options = {}) {
  auto result = ServerContext::build(l, "warren.toml", options);
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&result)) {
    ADD_FAILURE() << describe(*errors);
    return nullptr;
  }
  return std::get<std::shared_ptr<const ServerContext>>(result);
}

inline std::vector<config::ConfigError> buildErrors(const config::Listener& l,
                                                    std::vector<config::ConfigError>* warnings = nullptr) {
  ServerContextOptions options;
  options.warnings = warnings;
  auto result = ServerContext::build(l, "warren.toml", options);
  if (std::holds_alternative<std::shared_ptr<const ServerContext>>(result)) return {};
  return std::get<std::vector<config::ConfigError>>(result);
}

// A test clock: the real time plus an adjustable offset.
struct TestClock {
  std::shared_ptr<std::atomic<int64_t>> offset_seconds = std::make_shared<std::atomic<int64_t>>(0);
  std::function<std::chrono::system_clock::time_point()> function() const {
    auto offset = offset_seconds;
    return [offset] { return std::chrono::system_clock::now() + std::chrono::seconds(offset->load()); };
  }
  void advance(std::chrono::seconds by) { offset_seconds->fetch_add(by.count()); }
};

// A client SSL_CTX (X509-based, the ordinary OpenSSL-style API) that trusts `ca` (a fixture
// name; empty = verify nothing) and keeps the sessions it gets (for resumption tests).
struct TestClient {
  bssl::UniquePtr<SSL_CTX> ctx;
  std::vector<bssl::UniquePtr<SSL_SESSION>> sessions;  // newest last
  std::vector<std::string> requested_ca_names;          // CNs from the server's CertificateRequest

  explicit TestClient(const std::string& ca = "ca.crt") : ctx(SSL_CTX_new(TLS_method())) {
    if (!ca.empty()) {
      EXPECT_TRUE(SSL_CTX_load_verify_locations(ctx.get(), fixture(ca).c_str(), nullptr));
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    }
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_set_app_data(ctx.get(), this);
    SSL_CTX_sess_set_new_cb(ctx.get(), [](SSL* ssl, SSL_SESSION* session) {
      auto* self = static_cast<TestClient*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
      self->sessions.emplace_back(session);  // takes the reference
      return 1;
    });
    SSL_CTX_set_cert_cb(
        ctx.get(),
        [](SSL* ssl, void* arg) {
          auto* self = static_cast<TestClient*>(arg);
          if (const STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(ssl)) {
            for (size_t i = 0; i < sk_X509_NAME_num(names); ++i) {
              char cn[256] = {};
              X509_NAME_get_text_by_NID(sk_X509_NAME_value(names, i), NID_commonName, cn, sizeof cn);
              self->requested_ca_names.emplace_back(cn);
            }
          }
          return 1;
        },
        this);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;
  void versions(uint16_t min, uint16_t max) {
    SSL_CTX_set_min_proto_version(ctx.get(), min);
    SSL_CTX_set_max_proto_version(ctx.get(), max);
  }
  void ciphers(const char* list) { EXPECT_TRUE(SSL_CTX_set_strict_cipher_list(ctx.get(), list)); }
  void certificate(const std::string& stem) {
    EXPECT_TRUE(SSL_CTX_use_certificate_chain_file(ctx.get(), fixture(stem + ".crt").c_str()));
    EXPECT_TRUE(SSL_CTX_use_PrivateKey_file(ctx.get(), fixture(stem + ".key").c_str(), SSL_FILETYPE_PEM));
  }
  // Only ECDSA (or only RSA) signature algorithms in the ClientHello.
  void signatureAlgorithms(std::vector<uint16_t> prefs) {
    EXPECT_TRUE(SSL_CTX_set_verify_algorithm_prefs(ctx.get(), prefs.data(), prefs.size()));
  }
};

struct SideResult {
  bool done = false;
  bool failed = false;
  int ssl_error = 0;
  uint32_t err_code = 0;
};

// A client and a server SSL joined by a BIO pair, driven alternately until both finish.
struct Handshake {
  bssl::UniquePtr<SSL> client;
  bssl::UniquePtr<SSL> server;
  SideResult c, s;

  Handshake(SSL_CTX* client_ctx, bssl::UniquePtr<SSL> server_ssl, const std::string& sni = "",
            SSL_SESSION* resume = nullptr)
      : client(SSL_new(client_ctx)), server(std::move(server_ssl)) {
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    EXPECT_TRUE(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0));
    SSL_set_bio(client.get(), client_bio, client_bio);
    SSL_set_bio(server.get(), server_bio, server_bio);
    SSL_set_connect_state(client.get());
    if (!sni.empty()) SSL_set_tlsext_host_name(client.get(), sni.c_str());
    if (resume != nullptr) SSL_set_session(client.get(), resume);
  }

  static void step(SSL* ssl, SideResult& r) {
    if (r.done || r.failed) return;
    ERR_clear_error();
    const int ret = SSL_do_handshake(ssl);
    if (ret == 1) {
      r.done = true;
      return;
    }
    const int error = SSL_get_error(ssl, ret);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    r.failed = true;
    r.ssl_error = error;
    r.err_code = ERR_get_error();
    ERR_clear_error();
  }

  // Runs the handshake; true when both sides completed.
  bool run() {
    for (int i = 0; i < 20; ++i) {
      step(client.get(), c);
      step(server.get(), s);
      if ((c.done || c.failed) && (s.done || s.failed)) break;
    }
    // TLS 1.3: the client finishes before the server has read its Finished (and certificate),
    // so a server-side failure reaches the client as an alert on its next read.
    if (c.done && s.failed) {
      uint8_t byte;
      ERR_clear_error();
      const int ret = SSL_read(client.get(), &byte, 1);
      c.failed = true;
      c.ssl_error = SSL_get_error(client.get(), ret);
      c.err_code = ERR_get_error();
      ERR_clear_error();
    }
    // TLS 1.3 tickets arrive after the handshake: let the client read them.
    if (c.done && s.done) {
      for (int i = 0; i < 3; ++i) {
        uint8_t byte;
        SSL_read(client.get(), &byte, 1);
        SSL_write(server.get(), "", 0);
        ERR_clear_error();
      }
    }
    return c.done && s.done;
  }
};

// The CN of the certificate the client received.
inline std::string peerCommonName(const SSL* ssl) {
  bssl::UniquePtr<X509> peer(SSL_get_peer_certificate(ssl));
  if (!peer) return "";
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer.get()), NID_commonName, cn, sizeof cn);
  return cn;
}

inline int peerKeyType(const SSL* ssl) {
  bssl::UniquePtr<X509> peer(SSL_get_peer_certificate(ssl));
  if (!peer) return 0;
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(peer.get()));
  return key ? EVP_PKEY_id(key.get()) : 0;
}

// The bytes of the ClientHello `client_ctx` sends (first flight), with `sni` if not empty.
inline std::vector<uint8_t> captureClientHello(SSL_CTX* client_ctx, const std::string& sni = "") {
  bssl::UniquePtr<SSL> client(SSL_new(client_ctx));
  BIO* client_bio = nullptr;
  BIO* other = nullptr;
  EXPECT_TRUE(BIO_new_bio_pair(&client_bio, 0, &other, 0));
  bssl::UniquePtr<BIO> other_owner(other);
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_connect_state(client.get());
  if (!sni.empty()) SSL_set_tlsext_host_name(client.get(), sni.c_str());
  SSL_do_handshake(client.get());
  ERR_clear_error();
  std::vector<uint8_t> bytes(BIO_pending(other));
  if (!bytes.empty()) BIO_read(other, bytes.data(), static_cast<int>(bytes.size()));
  return bytes;
}

inline std::vector<uint8_t> bytesOf(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace warren::tls::testing
