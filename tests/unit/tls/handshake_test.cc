// In-memory handshakes between a BoringSSL client and ServerContext::newSsl(): SNI routes,
// ECDSA/RSA choice, versions, strict SNI, lifetime.
#include <gtest/gtest.h>

#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

const std::vector<uint16_t> kEcdsaOnly = {SSL_SIGN_ECDSA_SECP256R1_SHA256};
const std::vector<uint16_t> kRsaOnly = {SSL_SIGN_RSA_PSS_RSAE_SHA256, SSL_SIGN_RSA_PKCS1_SHA256};

class HandshakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = tlsListener();
    addRoutes(l);
    context_ = buildOk(l);
    ASSERT_TRUE(context_);
  }
  std::shared_ptr<const ServerContext> context_;
};

struct RouteCase {
  const char* sni;
  int route;
  const char* cluster;
  const char* subject_cn;  // of the certificate served
  bool unknown;
};

TEST_F(HandshakeTest, RoutesAndCertificatesByKeyType) {
  const RouteCase cases[] = {
      {"rabbit.example.com", 0, "rabbit", "rabbit.example.com", false},
      {"Rabbit.Example.Com", 0, "rabbit", "rabbit.example.com", false},
      {"node1.eu.example.com", 1, "eu", "*.eu.example.com", false},
      {"plain.example.com", 2, "plain", "localhost", false},   // route without certificates
      {"localhost", -1, "default", "localhost", true},         // no route: default
      {"", -1, "default", "localhost", false},                 // no SNI: default
  };
  for (const auto version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    for (const bool ecdsa : {true, false}) {
      for (const RouteCase& c : cases) {
        SCOPED_TRACE(std::string(c.sni) + (ecdsa ? " ECDSA " : " RSA ") + std::to_string(version));
        TestClient client("");  // names differ per route: no verification here
        client.versions(version, version);
        client.signatureAlgorithms(ecdsa ? kEcdsaOnly : kRsaOnly);
        Handshake h(client.ctx.get(), context_->newSsl(), c.sni);
        ASSERT_TRUE(h.run());
        EXPECT_EQ(SSL_version(h.client.get()), version);
        EXPECT_EQ(peerCommonName(h.client.get()), c.subject_cn);
        EXPECT_EQ(peerKeyType(h.client.get()), ecdsa ? EVP_PKEY_EC : EVP_PKEY_RSA);
        const HandshakeInfo* info = handshakeInfo(h.server.get());
        ASSERT_NE(info, nullptr);
        EXPECT_EQ(info->route, c.route);
        EXPECT_EQ(info->unknown_sni, c.unknown);
        EXPECT_EQ(info->sni, [&] { std::string s = c.sni; for (auto& ch : s) ch = static_cast<char>(std::tolower(ch)); return s; }());
        EXPECT_EQ(info->certificate, ecdsa ? KeyType::Ecdsa : KeyType::Rsa);
        EXPECT_EQ(context_->routeCluster(*info), c.cluster);
        // The offer is released once the handshake is done.
        EXPECT_EQ(info->offered_ciphers.capacity(), 0u);
      }
    }
  }
}

TEST_F(HandshakeTest, Tls12CipherSuiteDecidesTheCertificate) {
  // A TLS 1.2 client with ECDSA signature algorithms but only RSA suites gets the RSA chain.
  TestClient client;
  client.versions(TLS1_2_VERSION, TLS1_2_VERSION);
  client.ciphers("ECDHE-RSA-AES128-GCM-SHA256");
  Handshake h(client.ctx.get(), context_->newSsl(), "localhost");
  ASSERT_TRUE(h.run());
  EXPECT_EQ(peerKeyType(h.client.get()), EVP_PKEY_RSA);
  // And with only ECDSA suites, the ECDSA chain.
  TestClient client2;
  client2.versions(TLS1_2_VERSION, TLS1_2_VERSION);
  client2.ciphers("ECDHE-ECDSA-AES128-GCM-SHA256");
  Handshake h2(client2.ctx.get(), context_->newSsl(), "localhost");
  ASSERT_TRUE(h2.run());
  EXPECT_EQ(peerKeyType(h2.client.get()), EVP_PKEY_EC);
}

TEST_F(HandshakeTest, VerifiedByTheTestCa) {
  for (const auto version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TestClient client("ca.crt");
    client.versions(version, version);
    Handshake h(client.ctx.get(), context_->newSsl(), "localhost");
    X509_VERIFY_PARAM_set1_host(SSL_get0_param(h.client.get()), "localhost", 9);
    ASSERT_TRUE(h.run()) << version;
    EXPECT_EQ(SSL_get_verify_result(h.client.get()), X509_V_OK);
    EXPECT_EQ(std::string(SSL_get_version(h.client.get())), version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
  }
}

TEST_F(HandshakeTest, ChainWithIntermediateIsSent) {
  auto l = tlsListener();
  l.tls.certificates = {certFiles("chain")};
  auto context = buildOk(l);
  ASSERT_TRUE(context);
  TestClient client("ca.crt");
  Handshake h(client.ctx.get(), context->newSsl(), "chained.example.com");
  ASSERT_TRUE(h.run());
  EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(h.client.get())), 2u);
  EXPECT_EQ(SSL_get_verify_result(h.client.get()), X509_V_OK);
}

TEST(StrictSni, UnknownOrMissingNameGetsUnrecognizedName) {
  auto l = tlsListener();
  addRoutes(l);
  l.tls.strict_sni = true;
  auto context = buildOk(l);
  ASSERT_TRUE(context);
  for (const char* sni : {"unknown.example.org", ""}) {
    for (const auto version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
      SCOPED_TRACE(std::string(sni) + " " + std::to_string(version));
      TestClient client("");
      client.versions(version, version);
      Handshake h(client.ctx.get(), context->newSsl(), sni);
      EXPECT_FALSE(h.run());
      ASSERT_TRUE(h.c.failed);
      EXPECT_EQ(ERR_GET_REASON(h.c.err_code), SSL_R_TLSV1_ALERT_UNRECOGNIZED_NAME);
      ASSERT_TRUE(h.s.failed);
      const HandshakeInfo* info = handshakeInfo(h.server.get());
      EXPECT_TRUE(info->sni_rejected);
      EXPECT_EQ(info->unknown_sni, *sni != '\0');
    }
  }
  // A known name still works.
  TestClient client("");
  Handshake h(client.ctx.get(), context->newSsl(), "rabbit.example.com");
  EXPECT_TRUE(h.run());
}

TEST(Versions, ListenerRangeIsEnforced) {
  auto l = tlsListener();
  l.tls.min_version = config::TlsVersion::Tls13;
  auto context = buildOk(l);
  ASSERT_TRUE(context);
  TestClient client("");
  client.versions(TLS1_2_VERSION, TLS1_2_VERSION);
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  EXPECT_FALSE(h.run());
  EXPECT_TRUE(h.s.failed);
}

TEST(Lifetime, SslOutlivesTheContextObject) {
  auto context = buildOk(tlsListener());
  ASSERT_TRUE(context);
  bssl::UniquePtr<SSL> server = context->newSsl();
  context.reset();  // the SSL keeps its SSL_CTX, which owns the callbacks' state
  TestClient client("ca.crt");
  Handshake h(client.ctx.get(), std::move(server), "localhost");
  EXPECT_TRUE(h.run());
  EXPECT_EQ(handshakeInfo(h.server.get())->certificate, KeyType::Ecdsa);
}

TEST(Reload, NewContextDoesNotTouchOpenConnections) {
  auto l = tlsListener();
  auto old_context = buildOk(l);
  ASSERT_TRUE(old_context);
  TestClient client("");
  Handshake open(client.ctx.get(), old_context->newSsl(), "rabbit.example.com");
  ASSERT_TRUE(open.run());
  EXPECT_EQ(peerCommonName(open.client.get()), "localhost");
  // Reload with routes: new connections see them, the open one keeps its context.
  addRoutes(l);
  auto new_context = buildOk(l);
  ASSERT_TRUE(new_context);
  Handshake fresh(client.ctx.get(), new_context->newSsl(), "rabbit.example.com");
  ASSERT_TRUE(fresh.run());
  EXPECT_EQ(peerCommonName(fresh.client.get()), "rabbit.example.com");
  EXPECT_EQ(SSL_get_SSL_CTX(open.server.get()), old_context->sslCtx());
  EXPECT_EQ(handshakeInfo(open.server.get())->route, -1);
}

}  // namespace
}  // namespace warren::tls
