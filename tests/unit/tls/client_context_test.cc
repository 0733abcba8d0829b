// ClientContext (TLS to the nodes) against a ServerContext: CA and name verification, SNI,
// client certificates, build errors.
#include "tls/client_context.h"

#include <gtest/gtest.h>

#include "proxy_protocol/tlv.h"
#include "tls/diagnosis.h"
#include "tls/proxy_tlvs.h"
#include "tls/server_context.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

config::ClusterTls clusterTls(const std::string& ca, const std::string& name) {
  config::ClusterTls tls;
  tls.enabled = true;
  tls.ca = ca.empty() ? "" : fixture(ca);
  tls.ca_ref = ref(50, 6, "cluster[0].tls.ca");
  tls.server_name = name;
  tls.ref = ref(49, 1, "cluster[0].tls");
  return tls;
}

std::shared_ptr<const ClientContext> buildClient(const config::ClusterTls& tls,
                                                 std::vector<config::ConfigError>* warnings = nullptr) {
  auto result = ClientContext::build(tls, "warren.toml", warnings);
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&result)) {
    ADD_FAILURE() << describe(*errors);
    return nullptr;
  }
  return std::get<std::shared_ptr<const ClientContext>>(result);
}

// Joins a ClientContext SSL and a ServerContext SSL.
struct NodeHandshake : Handshake {
  NodeHandshake(const ClientContext& client, const ServerContext& server)
      : Handshake(client.sslCtx(), server.newSsl()) {
    // Replace the plain SSL_new() client with the context's own.
    bssl::UniquePtr<SSL> ssl = client.newSsl();
    SSL_set_bio(ssl.get(), SSL_get_rbio(this->client.get()), SSL_get_wbio(this->client.get()));
    BIO_up_ref(SSL_get_rbio(this->client.get()));
    this->client = std::move(ssl);
  }
};

TEST(ClientContext, VerifiesCaAndName) {
  auto server = buildOk(tlsListener());
  auto client = buildClient(clusterTls("ca.crt", "localhost"));
  ASSERT_TRUE(server && client);
  NodeHandshake h(*client, *server);
  ASSERT_TRUE(h.run());
  EXPECT_EQ(handshakeInfo(h.server.get())->sni, "localhost");  // SNI was sent
  EXPECT_EQ(handshakeInfo(h.client.get())->verify_error, X509_V_OK);
}

TEST(ClientContext, IpAddressIsVerifiedButNotSentAsSni) {
  auto server = buildOk(tlsListener());
  auto client = buildClient(clusterTls("ca.crt", "127.0.0.1"));
  ASSERT_TRUE(server && client);
  NodeHandshake h(*client, *server);
  ASSERT_TRUE(h.run());
  EXPECT_EQ(handshakeInfo(h.server.get())->sni, "");
}

TEST(ClientContext, WrongNameIsRejected) {
  auto server = buildOk(tlsListener());
  auto client = buildClient(clusterTls("ca.crt", "rabbit.example.com"));
  NodeHandshake h(*client, *server);
  EXPECT_FALSE(h.run());
  ASSERT_TRUE(h.c.failed);
  EXPECT_EQ(describeNodeHandshakeFailure(h.client.get(), h.c.ssl_error, h.c.err_code),
            "node certificate not accepted: Hostname mismatch (expected name rabbit.example.com)");
}

TEST(ClientContext, UntrustedCaIsRejected) {
  auto server = buildOk(tlsListener());
  auto client = buildClient(clusterTls("other-ca.crt", "localhost"));
  NodeHandshake h(*client, *server);
  EXPECT_FALSE(h.run());
  ASSERT_TRUE(h.c.failed);
  EXPECT_EQ(handshakeInfo(h.client.get())->verify_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // And the server sees why.
  auto d = diagnoseHandshakeFailure(h.server.get(), h.s.ssl_error, h.s.err_code, tlsListener().tls);
  EXPECT_EQ(d.reason, FailureReason::ClientRejectedCertificate);
}

TEST(ClientContext, VerifyOffAcceptsAnything) {
  auto server = buildOk(tlsListener());
  auto tls = clusterTls("other-ca.crt", "wrong.example.com");
  tls.verify = false;
  auto client = buildClient(tls);
  NodeHandshake h(*client, *server);
  EXPECT_TRUE(h.run());
}

TEST(ClientContext, ClientCertificateForMtlsNodes) {
  auto l = tlsListener();
  l.tls.client_auth = config::ClientAuth::Required;
  l.tls.client_ca = fixture("ca.crt");
  auto server = buildOk(l);
  auto tls = clusterTls("ca.crt", "localhost");
  {
    auto client = buildClient(tls);
    NodeHandshake h(*client, *server);
    EXPECT_FALSE(h.run());
    ASSERT_TRUE(h.c.failed);
    EXPECT_TRUE(describeNodeHandshakeFailure(h.client.get(), h.c.ssl_error, h.c.err_code)
                    .starts_with("node sent alert certificate_required"))
        << describeNodeHandshakeFailure(h.client.get(), h.c.ssl_error, h.c.err_code);
  }
  tls.client_certificate = certFiles("client", "", 0, "cluster[0].tls.client_certificate");
  auto client = buildClient(tls);
  NodeHandshake h(*client, *server);
  ASSERT_TRUE(h.run());
  auto tlvs = proxyTlvs(h.server.get());
  auto ssl = proxy_protocol::parseSslTlv(proxy_protocol::findTlv(tlvs, proxy_protocol::kPp2TypeSsl)->value);
  ASSERT_TRUE(ssl.has_value());
  EXPECT_EQ(proxy_protocol::findTlv(ssl->sub_tlvs, proxy_protocol::kPp2SubtypeSslCn)->value, "test-client");
}

TEST(ClientContext, BuildErrorsAndWarnings) {
  {
    auto tls = clusterTls("", "localhost");
    tls.ca = "/nonexistent/ca.pem";
    auto result = ClientContext::build(tls, "warren.toml");
    auto* errors = std::get_if<std::vector<config::ConfigError>>(&result);
    ASSERT_NE(errors, nullptr);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ((*errors)[0].format(), "warren.toml:50:6: cluster[0].tls.ca: cannot read CA bundle "
                                     "/nonexistent/ca.pem: No such file or directory");
  }
  {
    auto tls = clusterTls("ca.crt", "localhost");
    tls.client_certificate = certFiles("client", fixture("mismatched.key"), 0, "cluster[0].tls.client_certificate");
    auto result = ClientContext::build(tls, "warren.toml");
    auto* errors = std::get_if<std::vector<config::ConfigError>>(&result);
    ASSERT_NE(errors, nullptr);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ((*errors)[0].key, "cluster[0].tls.client_certificate.certificate[0].key");
  }
  {
    std::vector<config::ConfigError> warnings;
    auto client = buildClient(clusterTls("ca.crt", ""), &warnings);
    EXPECT_TRUE(client);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].key, "cluster[0].tls.server_name");
  }
  {
    // The system store (Debian ca-certificates) when no ca is given.
    auto client = buildClient(clusterTls("", "localhost"));
    EXPECT_TRUE(client);
  }
}

}  // namespace
}  // namespace warren::tls
