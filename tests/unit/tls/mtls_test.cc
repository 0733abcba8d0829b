// Client certificates: required / optional, verified against client_ca; the CA names are sent.
#include <gtest/gtest.h>

#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

std::shared_ptr<const ServerContext> mtlsContext(config::ClientAuth auth) {
  auto l = tlsListener();
  l.tls.client_auth = auth;
  l.tls.client_ca = fixture("ca.crt");
  return buildOk(l);
}

class MtlsTest : public ::testing::TestWithParam<uint16_t> {};

TEST_P(MtlsTest, RequiredWithCertificate) {
  auto context = mtlsContext(config::ClientAuth::Required);
  ASSERT_TRUE(context);
  TestClient client;
  client.versions(GetParam(), GetParam());
  client.certificate("client");
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  ASSERT_TRUE(h.run());
  const HandshakeInfo* info = handshakeInfo(h.server.get());
  EXPECT_TRUE(info->client_cert_presented);
  EXPECT_EQ(info->verify_error, X509_V_OK);
  EXPECT_EQ(SSL_get_verify_result(h.server.get()), X509_V_OK);
  // The CertificateRequest named our CA.
  EXPECT_EQ(client.requested_ca_names, std::vector<std::string>{"Warren Test CA"});
}

TEST_P(MtlsTest, RequiredWithoutCertificateFails) {
  auto context = mtlsContext(config::ClientAuth::Required);
  ASSERT_TRUE(context);
  TestClient client;
  client.versions(GetParam(), GetParam());
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  EXPECT_FALSE(h.run());
  ASSERT_TRUE(h.s.failed);
  EXPECT_EQ(ERR_GET_REASON(h.s.err_code), SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
  EXPECT_FALSE(handshakeInfo(h.server.get())->client_cert_presented);
}

TEST_P(MtlsTest, RequiredWithCertificateFromAnotherCaFails) {
  auto context = mtlsContext(config::ClientAuth::Required);
  ASSERT_TRUE(context);
  TestClient client;
  client.versions(GetParam(), GetParam());
  client.certificate("other-client");
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  EXPECT_FALSE(h.run());
  ASSERT_TRUE(h.s.failed);
  EXPECT_EQ(ERR_GET_REASON(h.s.err_code), SSL_R_CERTIFICATE_VERIFY_FAILED);
  const HandshakeInfo* info = handshakeInfo(h.server.get());
  EXPECT_TRUE(info->client_cert_presented);
  EXPECT_EQ(info->verify_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // The client was told why.
  ASSERT_TRUE(h.c.failed);
  EXPECT_EQ(ERR_GET_REASON(h.c.err_code), SSL_R_TLSV1_ALERT_UNKNOWN_CA);
}

TEST_P(MtlsTest, OptionalWithAndWithoutCertificate) {
  auto context = mtlsContext(config::ClientAuth::Optional);
  ASSERT_TRUE(context);
  {
    TestClient client;
    client.versions(GetParam(), GetParam());
    Handshake h(client.ctx.get(), context->newSsl(), "localhost");
    ASSERT_TRUE(h.run());
    EXPECT_FALSE(handshakeInfo(h.server.get())->client_cert_presented);
    EXPECT_EQ(SSL_get0_peer_certificates(h.server.get()), nullptr);
  }
  {
    TestClient client;
    client.versions(GetParam(), GetParam());
    client.certificate("client");
    Handshake h(client.ctx.get(), context->newSsl(), "localhost");
    ASSERT_TRUE(h.run());
    EXPECT_TRUE(handshakeInfo(h.server.get())->client_cert_presented);
  }
  {
    // Optional still refuses a certificate it cannot verify.
    TestClient client;
    client.versions(GetParam(), GetParam());
    client.certificate("other-client");
    Handshake h(client.ctx.get(), context->newSsl(), "localhost");
    EXPECT_FALSE(h.run());
  }
}

TEST(Mtls, NoCertificateRequestWithoutClientAuth) {
  auto context = buildOk(tlsListener());
  TestClient client;
  client.certificate("client");
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  ASSERT_TRUE(h.run());
  EXPECT_EQ(SSL_get0_peer_certificates(h.server.get()), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Versions, MtlsTest, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "Tls13" : "Tls12"; });

}  // namespace
}  // namespace warren::tls
