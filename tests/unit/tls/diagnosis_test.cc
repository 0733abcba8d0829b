// Every failed handshake is classified, with the client's offer and a hint.
#include "tls/diagnosis.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tls/server_context.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Failed {
  std::unique_ptr<Handshake> handshake;
  Diagnosis diagnosis;
};

Failed failHandshake(const config::Listener& l, TestClient& client, const std::string& sni = "localhost") {
  auto context = buildOk(l);
  Failed f;
  f.handshake = std::make_unique<Handshake>(client.ctx.get(), context->newSsl(), sni);
  EXPECT_FALSE(f.handshake->run());
  EXPECT_TRUE(f.handshake->s.failed);
  f.diagnosis = diagnoseHandshakeFailure(f.handshake->server.get(), f.handshake->s.ssl_error,
                                         f.handshake->s.err_code, l.tls);
  return f;
}

TEST(Diagnosis, Names) {
  EXPECT_STREQ(toString(FailureReason::ProtocolVersion), "protocol_version");
  EXPECT_STREQ(toString(FailureReason::NoSharedCipher), "no_shared_cipher");
  EXPECT_STREQ(toString(FailureReason::PlaintextAmqp), "plaintext_amqp");
  EXPECT_STREQ(toString(FailureReason::PlaintextHttp), "plaintext_http");
  EXPECT_STREQ(toString(FailureReason::UnknownSni), "unknown_sni");
  EXPECT_STREQ(toString(FailureReason::ClientRejectedCertificate), "client_rejected_certificate");
  EXPECT_STREQ(toString(FailureReason::ClientCertificateRejected), "client_certificate_rejected");
  EXPECT_STREQ(toString(FailureReason::HandshakeTimeout), "handshake_timeout");
  EXPECT_STREQ(toString(FailureReason::Other), "other");
  EXPECT_STREQ(toString(FailureReason::TlsOnPlaintext), "tls_on_plaintext");
}

TEST(Diagnosis, ClientOfferingOnlyTls11) {
  TestClient client("");
  client.versions(TLS1_VERSION, TLS1_1_VERSION);
  auto f = failHandshake(tlsListener(), client);
  EXPECT_EQ(f.diagnosis.reason, FailureReason::ProtocolVersion);
  EXPECT_EQ(f.diagnosis.hint, "client offered only TLS 1.1; listener requires ≥ 1.2");
  EXPECT_TRUE(f.diagnosis.offered.starts_with("versions=TLSv1.1 ciphers=")) << f.diagnosis.offered;
  EXPECT_TRUE(contains(f.diagnosis.offered, "ECDHE-RSA-AES128-SHA")) << f.diagnosis.offered;
  EXPECT_EQ(f.diagnosis.sni, "localhost");
}

TEST(Diagnosis, ClientRequiringTls13AgainstTls12Listener) {
  auto l = tlsListener();
  l.tls.max_version = config::TlsVersion::Tls12;
  TestClient client("");
  client.versions(TLS1_3_VERSION, TLS1_3_VERSION);
  auto f = failHandshake(l, client);
  EXPECT_EQ(f.diagnosis.reason, FailureReason::ProtocolVersion);
  EXPECT_EQ(f.diagnosis.hint, "client offered only TLS 1.3; listener allows ≤ 1.2");
}

TEST(Diagnosis, NoSharedCipher) {
  auto l = tlsListener();
  l.tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  TestClient client("");
  client.versions(TLS1_2_VERSION, TLS1_2_VERSION);
  client.ciphers("AES256-SHA");
  auto f = failHandshake(l, client);
  EXPECT_EQ(f.diagnosis.reason, FailureReason::NoSharedCipher);
  EXPECT_TRUE(contains(f.diagnosis.hint, "ciphers = \"ECDHE-ECDSA-AES128-GCM-SHA256\"")) << f.diagnosis.hint;
  EXPECT_EQ(f.diagnosis.offered, "versions=TLSv1.2 ciphers=AES256-SHA");
}

TEST(Diagnosis, ClientRejectsOurCertificate) {
  for (const auto version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TestClient client("other-ca.crt");  // does not trust the CA of our certificate
    client.versions(version, version);
    auto f = failHandshake(tlsListener(), client);
    EXPECT_EQ(f.diagnosis.reason, FailureReason::ClientRejectedCertificate) << version;
    EXPECT_TRUE(f.diagnosis.hint.starts_with("client rejected the server certificate (alert unknown_ca)"))
        << f.diagnosis.hint;
    EXPECT_EQ(handshakeInfo(f.handshake->server.get())->client_alert, SSL_AD_UNKNOWN_CA);
  }
}

TEST(Diagnosis, ClientCertificateFromWrongCa) {
  auto l = tlsListener();
  l.tls.client_auth = config::ClientAuth::Required;
  l.tls.client_ca = fixture("ca.crt");
  TestClient client;
  client.certificate("other-client");
  auto f = failHandshake(l, client);
  EXPECT_EQ(f.diagnosis.reason, FailureReason::ClientCertificateRejected);
  EXPECT_EQ(f.diagnosis.hint, "client certificate not accepted: unable to get local issuer "
                              "certificate (client_ca = " + fixture("ca.crt") + ")");
}

TEST(Diagnosis, NoClientCertificateWhenRequired) {
  auto l = tlsListener();
  l.tls.client_auth = config::ClientAuth::Required;
  l.tls.client_ca = fixture("ca.crt");
  TestClient client;
  auto f = failHandshake(l, client);
  EXPECT_EQ(f.diagnosis.reason, FailureReason::ClientCertificateRejected);
  EXPECT_EQ(f.diagnosis.hint, "client sent no certificate and client_auth = required");
}

TEST(Diagnosis, StrictSniUnknownName) {
  auto l = tlsListener();
  addRoutes(l);
  l.tls.strict_sni = true;
  TestClient client("");
  auto f = failHandshake(l, client, "nope.example.org");
  EXPECT_EQ(f.diagnosis.reason, FailureReason::UnknownSni);
  EXPECT_EQ(f.diagnosis.sni, "nope.example.org");
  EXPECT_TRUE(contains(f.diagnosis.hint, "unknown server name nope.example.org")) << f.diagnosis.hint;
  TestClient no_sni("");
  auto g = failHandshake(l, no_sni, "");
  EXPECT_EQ(g.diagnosis.reason, FailureReason::UnknownSni);
  EXPECT_TRUE(g.diagnosis.hint.starts_with("client sent no server name (SNI)")) << g.diagnosis.hint;
}

// Feeds raw bytes to a server SSL and diagnoses the failure.
Diagnosis feedServer(const std::string& bytes) {
  auto l = tlsListener();
  auto context = buildOk(l);
  bssl::UniquePtr<SSL> server = context->newSsl();
  BIO* server_bio = nullptr;
  BIO* peer = nullptr;
  EXPECT_TRUE(BIO_new_bio_pair(&server_bio, 0, &peer, 0));
  bssl::UniquePtr<BIO> peer_owner(peer);
  SSL_set_bio(server.get(), server_bio, server_bio);
  BIO_write(peer, bytes.data(), static_cast<int>(bytes.size()));
  BIO_shutdown_wr(peer);
  ERR_clear_error();
  const int ret = SSL_do_handshake(server.get());
  const int error = SSL_get_error(server.get(), ret);
  const uint32_t code = ERR_get_error();
  ERR_clear_error();
  return diagnoseHandshakeFailure(server.get(), error, code, l.tls);
}

TEST(Diagnosis, HttpRequestSeenByBoringSsl) {
  auto d = feedServer("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(d.reason, FailureReason::PlaintextHttp);
}

TEST(Diagnosis, GarbageAndEarlyClose) {
  auto amqp = feedServer(std::string("AMQP\0\0\x09\x01", 8));
  EXPECT_EQ(amqp.reason, FailureReason::Other);  // the session uses diagnoseFirstBytes() for this
  EXPECT_TRUE(amqp.hint.starts_with("client did not start with a TLS ClientHello")) << amqp.hint;
  auto closed = feedServer("");
  EXPECT_EQ(closed.reason, FailureReason::Other);
  EXPECT_EQ(closed.hint, "client closed the connection before sending a ClientHello");
}

TEST(Diagnosis, Timeout) {
  auto before = diagnoseTimeout(nullptr);
  EXPECT_EQ(before.reason, FailureReason::HandshakeTimeout);
  EXPECT_TRUE(before.hint.starts_with("no complete ClientHello")) << before.hint;

  // After a ClientHello: the offer is reported.
  auto context = buildOk(tlsListener());
  TestClient client("");
  Handshake h(client.ctx.get(), context->newSsl(), "localhost");
  Handshake::step(h.client.get(), h.c);
  Handshake::step(h.server.get(), h.s);
  auto after = diagnoseTimeout(h.server.get());
  EXPECT_EQ(after.reason, FailureReason::HandshakeTimeout);
  EXPECT_EQ(after.sni, "localhost");
  EXPECT_TRUE(after.offered.starts_with("versions=TLSv1.3,TLSv1.2,TLSv1.1,TLSv1.0 ciphers=")) << after.offered;
  EXPECT_TRUE(after.hint.starts_with("client did not complete the handshake")) << after.hint;
}

TEST(FirstBytes, PlaintextAmqp) {
  auto d = diagnoseFirstBytes(bytesOf(std::string_view("AMQP\0\0\x09\x01", 8)));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->reason, FailureReason::PlaintextAmqp);
  EXPECT_EQ(d->hint, "plaintext AMQP on the TLS port: use amqps:// or the plaintext listener");
  EXPECT_EQ(d->offered, "protocol=AMQP 0-9-1");
  auto amqp10 = diagnoseFirstBytes(bytesOf(std::string_view("AMQP\x03\x01\x00\x00", 8)));
  ASSERT_TRUE(amqp10.has_value());
  EXPECT_EQ(amqp10->offered, "protocol=AMQP 1.0 (SASL)");
  // Too few bytes to tell.
  EXPECT_FALSE(diagnoseFirstBytes(bytesOf("AM")).has_value());
  EXPECT_FALSE(diagnoseFirstBytes(bytesOf("AMQP")).has_value());
}

TEST(FirstBytes, PlaintextHttp) {
  auto d = diagnoseFirstBytes(bytesOf("GET / HTTP/1.1\r\n"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->reason, FailureReason::PlaintextHttp);
  EXPECT_EQ(d->offered, "protocol=HTTP method=GET");
  auto connect = diagnoseFirstBytes(bytesOf("CONNECT host:443 HTTP/1.1"));
  ASSERT_TRUE(connect.has_value());
  EXPECT_TRUE(connect->hint.starts_with("an HTTP proxy request (CONNECT)"));
  EXPECT_FALSE(diagnoseFirstBytes(bytesOf("GE")).has_value());
  EXPECT_FALSE(diagnoseFirstBytes(bytesOf("OPTIONS")).has_value());
  EXPECT_TRUE(diagnoseFirstBytes(bytesOf("OPTIONS * HTTP/1.1")).has_value());
}

TEST(FirstBytes, TlsAndOther) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  EXPECT_FALSE(diagnoseFirstBytes(captureClientHello(ctx.get(), "x.example")).has_value());
  EXPECT_FALSE(diagnoseFirstBytes(std::vector<uint8_t>{0x16}).has_value());
  EXPECT_FALSE(diagnoseFirstBytes({}).has_value());
  auto other = diagnoseFirstBytes(bytesOf("SSH-2.0-OpenSSH_9.2"));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->reason, FailureReason::Other);
  EXPECT_EQ(other->offered, "first_bytes=5353482d322e302d");  // the first 8 bytes only
  auto not_tls = diagnoseFirstBytes(std::vector<uint8_t>{0x16, 0x01, 0x00});
  ASSERT_TRUE(not_tls.has_value());
  EXPECT_EQ(not_tls->reason, FailureReason::Other);
}

TEST(TlsOnPlaintext, RealClientHello) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  const auto hello = captureClientHello(ctx.get(), "Rabbit.Example.com");
  auto d = diagnoseTlsOnPlaintext(hello);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->reason, FailureReason::TlsOnPlaintext);
  EXPECT_EQ(d->sni, "rabbit.example.com");
  EXPECT_TRUE(d->offered.starts_with("versions=TLSv1.3,TLSv1.2,TLSv1.1,TLSv1.0 ciphers=")) << d->offered;
  EXPECT_TRUE(contains(d->offered, "TLS_AES_128_GCM_SHA256")) << d->offered;
  EXPECT_TRUE(contains(d->hint, "plaintext listener")) << d->hint;
  // The first read may hold only part of it: still recognised.
  auto partial = diagnoseTlsOnPlaintext(std::span<const uint8_t>(hello.data(), 3));
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(partial->offered, "");
}

TEST(TlsOnPlaintext, OpenSslClientOfferingEveryCipher) {
  // Captured from `openssl s_client -tls1_2 -cipher ALL:@SECLEVEL=0` (a fuzz seed).
  std::ifstream file(std::string(WARREN_SOURCE_DIR) +
                         "/tests/fuzz/corpus/client_hello_fuzz/openssl_s_client_tls12_all_ciphers",
                     std::ios::binary);
  std::vector<uint8_t> hello((std::istreambuf_iterator<char>(file)), {});
  ASSERT_FALSE(hello.empty());
  auto d = diagnoseTlsOnPlaintext(hello);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->sni, "legacy.example.com");
  EXPECT_TRUE(d->offered.starts_with("versions=TLSv1.2 ciphers=ECDHE-ECDSA-AES256-GCM-SHA384,")) << d->offered;
  EXPECT_TRUE(contains(d->offered, ",DHE-RSA-AES256-GCM-SHA384,")) << d->offered;  // not in BoringSSL
  EXPECT_TRUE(contains(d->offered, ",0xC0A3,")) << d->offered;                     // unnamed: hex
  EXPECT_TRUE(contains(d->offered, ",+44")) << d->offered;                         // 40 named, rest counted
}

TEST(TlsOnPlaintext, NotTls) {
  EXPECT_FALSE(diagnoseTlsOnPlaintext(bytesOf(std::string_view("AMQP\0\0\x09\x01", 8))).has_value());
  EXPECT_FALSE(diagnoseTlsOnPlaintext(std::vector<uint8_t>{0x16, 0x03}).has_value());
  EXPECT_FALSE(diagnoseTlsOnPlaintext(std::vector<uint8_t>{0x16, 0x03, 0x01, 0x00, 0x10, 0x02}).has_value());
}

}  // namespace
}  // namespace warren::tls
