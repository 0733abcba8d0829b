// PROXY v2 TLVs of a completed handshake, byte for byte.
#include "tls/proxy_tlvs.h"

#include <gtest/gtest.h>

#include "proxy_protocol/tlv.h"
#include "tls/handshake_info.h"
#include "tls/server_context.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;
using proxy_protocol::Tlv;

// type, 2-byte length, value
std::string tlv(uint8_t type, const std::string& value) {
  std::string out;
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(value.size() >> 8));
  out.push_back(static_cast<char>(value.size() & 0xFF));
  return out + value;
}

std::string encode(const std::vector<Tlv>& tlvs) {
  std::string out(proxy_protocol::encodedSize(tlvs), '\0');
  proxy_protocol::writeTlvs(tlvs, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  return out;
}

std::shared_ptr<const ServerContext> context(config::ClientAuth auth) {
  auto l = tlsListener();
  addRoutes(l);
  l.tls.client_auth = auth;
  if (auth != config::ClientAuth::None) l.tls.client_ca = fixture("ca.crt");
  return buildOk(l);
}

TEST(ProxyTlvs, Tls13WithClientCertificate) {
  auto server = context(config::ClientAuth::Required);
  TestClient client("");
  client.versions(TLS1_3_VERSION, TLS1_3_VERSION);
  client.certificate("client");
  Handshake h(client.ctx.get(), server->newSsl(), "rabbit.example.com");
  ASSERT_TRUE(h.run());
  const std::string cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(h.client.get()));
  EXPECT_TRUE(cipher.starts_with("TLS_")) << cipher;  // e.g. TLS_AES_128_GCM_SHA256

  const std::string expected =
      tlv(0x02, "rabbit.example.com") +
      tlv(0x20, std::string("\x07\x00\x00\x00\x00", 5) +  // SSL | CERT_CONN | CERT_SESS, verify 0
                    tlv(0x21, "TLSv1.3") + tlv(0x23, cipher) + tlv(0x22, "test-client") +
                    tlv(0x24, "ecdsa-with-SHA256") + tlv(0x25, "EC256"));
  EXPECT_EQ(encode(proxyTlvs(h.server.get())), expected);
}

TEST(ProxyTlvs, Tls12WithoutClientCertificate) {
  auto server = context(config::ClientAuth::None);
  TestClient client("");
  client.versions(TLS1_2_VERSION, TLS1_2_VERSION);
  client.ciphers("ECDHE-ECDSA-AES128-GCM-SHA256");
  Handshake h(client.ctx.get(), server->newSsl(), "node1.eu.example.com");
  ASSERT_TRUE(h.run());
  const std::string expected =
      tlv(0x02, "node1.eu.example.com") +
      tlv(0x20, std::string("\x01\x00\x00\x00\x01", 5) +  // SSL only, verify 1 (no certificate)
                    tlv(0x21, "TLSv1.2") + tlv(0x23, "ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_EQ(encode(proxyTlvs(h.server.get())), expected);
}

// A session frees the HandshakeInfo once relaying starts; the server name (lower-cased, as
// routing saw it) and the TLVs stay the same, from the completed handshake.
TEST(ProxyTlvs, SameAfterTheHandshakeInfoIsReleased) {
  auto server = context(config::ClientAuth::None);
  TestClient client("");
  Handshake h(client.ctx.get(), server->newSsl(), "Rabbit.Example.COM");
  ASSERT_TRUE(h.run());
  ASSERT_NE(handshakeInfo(h.server.get()), nullptr);
  EXPECT_EQ(requestedServerName(h.server.get()), "rabbit.example.com");
  const std::string before = encode(proxyTlvs(h.server.get()));

  releaseHandshakeInfo(h.server.get());
  EXPECT_EQ(handshakeInfo(h.server.get()), nullptr);
  releaseHandshakeInfo(h.server.get());  // nothing attached: nothing happens
  EXPECT_EQ(requestedServerName(h.server.get()), "rabbit.example.com");
  EXPECT_EQ(encode(proxyTlvs(h.server.get())), before);
  EXPECT_EQ(before.substr(0, 3 + 18), tlv(0x02, "rabbit.example.com"));
}

TEST(ProxyTlvs, NoServerNameAfterRelease) {
  auto server = context(config::ClientAuth::None);
  TestClient client("");
  Handshake h(client.ctx.get(), server->newSsl());
  ASSERT_TRUE(h.run());
  releaseHandshakeInfo(h.server.get());
  EXPECT_EQ(requestedServerName(h.server.get()), "");
}

TEST(ProxyTlvs, NoSniNoAuthority) {
  auto server = context(config::ClientAuth::None);
  TestClient client("");
  Handshake h(client.ctx.get(), server->newSsl());
  ASSERT_TRUE(h.run());
  auto tlvs = proxyTlvs(h.server.get());
  ASSERT_EQ(tlvs.size(), 1u);
  EXPECT_EQ(tlvs[0].type, proxy_protocol::kPp2TypeSsl);
}

TEST(ProxyTlvs, RsaClientCertificateAndResumption) {
  auto server = context(config::ClientAuth::Optional);
  // The RSA client certificate: localhost-rsa is a server certificate, but the client_ca check
  // uses purpose sslclient; use the test client certificate and check RSA via the server key.
  TestClient client("");
  client.versions(TLS1_3_VERSION, TLS1_3_VERSION);
  client.certificate("client");
  Handshake first(client.ctx.get(), server->newSsl(), "localhost");
  ASSERT_TRUE(first.run());
  ASSERT_FALSE(client.sessions.empty());
  Handshake resumed(client.ctx.get(), server->newSsl(), "localhost", client.sessions.back().get());
  ASSERT_TRUE(resumed.run());
  ASSERT_TRUE(SSL_session_reused(resumed.server.get()));
  auto tlvs = proxyTlvs(resumed.server.get());
  const Tlv* ssl = proxy_protocol::findTlv(tlvs, proxy_protocol::kPp2TypeSsl);
  ASSERT_NE(ssl, nullptr);
  auto parsed = proxy_protocol::parseSslTlv(ssl->value);
  ASSERT_TRUE(parsed.has_value());
  // Certificate from the session, not sent on this connection; verified when first sent.
  EXPECT_EQ(parsed->client, proxy_protocol::kPp2ClientSsl | proxy_protocol::kPp2ClientCertSess);
  EXPECT_EQ(parsed->verify, 0u);
  const Tlv* cn = proxy_protocol::findTlv(parsed->sub_tlvs, proxy_protocol::kPp2SubtypeSslCn);
  ASSERT_NE(cn, nullptr);
  EXPECT_EQ(cn->value, "test-client");
  // Only the sub-types RabbitMQ knows.
  for (const Tlv& sub : parsed->sub_tlvs) {
    EXPECT_GE(sub.type, proxy_protocol::kPp2SubtypeSslVersion);
    EXPECT_LE(sub.type, proxy_protocol::kPp2SubtypeSslKeyAlg);
  }
}

TEST(ProxyTlvs, UnfinishedHandshakeGivesNothing) {
  auto server = context(config::ClientAuth::None);
  bssl::UniquePtr<SSL> ssl = server->newSsl();
  EXPECT_TRUE(proxyTlvs(ssl.get()).empty());
  EXPECT_TRUE(proxyTlvs(nullptr).empty());
}

}  // namespace
}  // namespace warren::tls
