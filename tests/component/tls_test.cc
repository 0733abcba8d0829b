// TLS termination over real loopback sockets: SNI routing and certificate choice, TLS 1.2
// and 1.3, resumption, byte-exact relay through TLS, mTLS, PROXY v2 TLS TLVs at the node,
// and the diagnosis of every kind of failed handshake (counter + reason).
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <mutex>
#include <random>
#include <thread>

#include "proxy_protocol/header.h"
#include "proxy_protocol/parser.h"
#include "proxy_protocol/tlv.h"
#include "support/checks.h"
#include "support/log_capture.h"
#include "support/running_server.h"
#include "support/test_backend.h"
#include "support/tls_client.h"
#include "tls/diagnosis.h"
#include "tls/server_context.h"

namespace warren::test {
namespace {

using session::CloseReason;
using tls::FailureReason;

std::string fixture(const std::string& name) { return tlsFixture(name); }
config::CertificateFiles certs(const std::string& stem) { return fixtureCertificate(stem); }

// Listener "front" with TLS (localhost ECDSA + RSA) → cluster "backend"; routes are added by tests.
std::shared_ptr<config::Config> tlsConfig(const std::vector<Address>& nodes,
                                          config::ProxyProtocol pp = config::ProxyProtocol::None) {
  auto c = makeConfig(nodes, pp);
  auto& tls = c->listeners[0].tls;
  tls.enabled = true;
  tls.certificates = {certs("localhost-ecdsa"), certs("localhost-rsa")};
  tls.handshake_timeout = std::chrono::milliseconds(500);
  return c;
}

void addCluster(config::Config& c, const std::string& name, const Address& node) {
  config::Cluster cl;
  cl.name = name;
  cl.nodes.push_back(config::Node{node, 1});
  c.clusters.push_back(cl);
}

int peerKeyType(SSL* ssl) {
  bssl::UniquePtr<X509> cert(SSL_get_peer_certificate(ssl));
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(cert.get()));
  return EVP_PKEY_id(key.get());
}

uint64_t failures(const RunningServer& w, FailureReason r) { return w.totals().tls_failures[static_cast<size_t>(r)]; }

void expectEcho(TlsClient& c, const std::string& text) {
  ASSERT_TRUE(c.sendAll(text));
  EXPECT_EQ(c.recvExact(text.size()), text);
}

TEST(Tls, SniRoutesToClustersAndChoosesTheCertificate) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo), eu(TestBackend::echo);
  a.start();
  b.start();
  eu.start();
  auto c = tlsConfig({a.address()});
  addCluster(*c, "rabbit-b", b.address());
  addCluster(*c, "rabbit-eu", eu.address());
  config::Route exact;
  exact.server_names = {"rabbit.example.com"};
  exact.cluster = "rabbit-b";
  exact.certificates = {certs("rabbit-ecdsa"), certs("rabbit-rsa")};
  config::Route wildcard;
  wildcard.server_names = {"*.eu.example.com"};
  wildcard.cluster = "rabbit-eu";
  wildcard.certificates = {certs("wildcard-eu-ecdsa")};
  c->listeners[0].routes = {exact, wildcard};
  RunningServer warren(c);

  struct Case {
    std::string sni, expected_cn;
    TestBackend* backend;
  };
  for (const Case& k : {Case{"rabbit.example.com", "rabbit.example.com", &b},
                        Case{"node1.eu.example.com", "*.eu.example.com", &eu},
                        Case{"", "localhost", &a},
                        Case{"a.b.eu.example.com", "localhost", &a},  // wildcard = one label only
                        Case{"unknown.example.org", "localhost", &a}}) {
    int before = k.backend->accepted();
    TlsClientOptions o;
    o.sni = k.sni;
    o.ca_file = fixture("ca.crt");
    std::string error;
    auto client = TlsClient::connect(warren.address(), o, &error);
    ASSERT_NE(client, nullptr) << k.sni << ": " << error;
    EXPECT_EQ(peerCommonName(client->ssl()), k.expected_cn) << k.sni;
    expectEcho(*client, "hello " + k.sni);
    EXPECT_EQ(k.backend->accepted(), before + 1) << k.sni;
  }
  // The labeled counters behind /metrics: route by first server name, TLS version, duration.
  const session::Snapshot snap = warren.server().snapshot();
  EXPECT_EQ(snap.routes.at({"front", "rabbit.example.com", "rabbit-b"}).connections, 1u);
  EXPECT_EQ(snap.routes.at({"front", "*.eu.example.com", "rabbit-eu"}).connections, 1u);
  EXPECT_EQ(snap.routes.at({"front", "default", "backend"}).connections, 3u);
  const session::ListenerTotals& front = snap.listeners.at("front");
  EXPECT_EQ(front.tls_handshakes[3], 5u);  // TLS 1.3
  uint64_t timed = 0;
  for (uint64_t n : front.tls_handshake_ms.buckets) timed += n;
  EXPECT_EQ(timed, 5u);
  EXPECT_EQ(snap.nodes.at({"rabbit-b", b.address().toString()}).connections, 1u);
}

TEST(Tls, EcdsaOrRsaByWhatTheClientSupports) {
  TestBackend a(TestBackend::echo);
  a.start();
  RunningServer warren(tlsConfig({a.address()}));
  TlsClientOptions modern;
  auto ecdsa = TlsClient::connect(warren.address(), modern);
  ASSERT_NE(ecdsa, nullptr);
  EXPECT_EQ(peerKeyType(ecdsa->ssl()), EVP_PKEY_EC);

  TlsClientOptions rsa_only;
  rsa_only.max_version = TLS1_2_VERSION;
  rsa_only.ciphers = "ECDHE-RSA-AES128-GCM-SHA256";
  auto rsa = TlsClient::connect(warren.address(), rsa_only);
  ASSERT_NE(rsa, nullptr);
  EXPECT_EQ(peerKeyType(rsa->ssl()), EVP_PKEY_RSA);
  expectEcho(*rsa, "rsa");
}

class TlsVersions : public ::testing::TestWithParam<uint16_t> {};

// 4 connections × 4 MiB each way through TLS, in random write and read sizes.
TEST_P(TlsVersions, BulkRelayIsByteExact) {
  TestBackend a(TestBackend::echo);
  a.start();
  RunningServer warren(tlsConfig({a.address()}));
  constexpr size_t kBytes = 4 << 20;
  std::atomic<int> exact{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      TlsClientOptions o;
      o.min_version = o.max_version = GetParam();
      auto client = TlsClient::connect(warren.address(), o);
      if (!client) return;
      std::mt19937 rng(t);
      std::string payload(kBytes, '\0');
      for (auto& ch : payload) ch = static_cast<char>(rng());
      // One thread: SSL objects are not to be shared, so interleave writes and reads.
      std::string got;
      size_t sent = 0;
      while (got.size() < kBytes) {
        if (sent < kBytes) {
          size_t n = std::min<size_t>(kBytes - sent, 1 + rng() % 40000);
          if (!client->sendAll(std::string_view(payload).substr(sent, n))) return;
          sent += n;
        }
        size_t want = std::min<size_t>(sent - got.size(), 1 + rng() % 40000);
        if (want == 0) continue;
        std::string part = client->recvExact(want);
        if (part.empty()) return;
        got += part;
      }
      if (got == payload) ++exact;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(exact.load(), 4);
  EXPECT_EQ(warren.totals().tlsHandshakes(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Versions, TlsVersions, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_2_VERSION ? "TLS12" : "TLS13"; });

TEST(Tls, SessionResumption) {
  TestBackend a(TestBackend::echo);
  a.start();
  RunningServer warren(tlsConfig({a.address()}));
  for (uint16_t version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsClientOptions o;
    o.min_version = o.max_version = version;
    auto first = TlsClient::connect(warren.address(), o);
    ASSERT_NE(first, nullptr);
    expectEcho(*first, "ticket please");  // TLS 1.3 tickets arrive after the handshake
    auto session = first->session();
    ASSERT_NE(session, nullptr);
    o.session = session.get();
    auto second = TlsClient::connect(warren.address(), o);
    ASSERT_NE(second, nullptr);
    EXPECT_TRUE(SSL_session_reused(second->ssl())) << version;
    expectEcho(*second, "resumed");
  }
  EXPECT_EQ(warren.totals().tls_resumed, 2u);
}

TEST(Tls, CloseNotifyIsPassedOnAsHalfClose) {
  std::string node_got;
  TestBackend a([&](TestSocket& s) {
    bool eof = false;
    node_got = s.recvUntilEof(&eof);
    if (eof) s.sendAll("bye");
  });
  a.start();
  RunningServer warren(tlsConfig({a.address()}));
  auto client = TlsClient::connect(warren.address(), {});
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->sendAll("last words"));
  client->closeNotify();
  bool eof = false;
  EXPECT_EQ(client->recvUntilEof(&eof), "bye");
  EXPECT_TRUE(eof);
  EXPECT_EQ(node_got, "last words");
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::ClientClosed), 1u);
}

TEST(Tls, MutualTls) {
  TestBackend a(TestBackend::echo);
  a.start();
  auto c = tlsConfig({a.address()});
  c->listeners[0].tls.client_ca = fixture("ca.crt");
  c->listeners[0].tls.client_auth = config::ClientAuth::Required;
  RunningServer warren(c);

  TlsClientOptions with_cert;
  with_cert.cert_file = fixture("client.crt");
  with_cert.key_file = fixture("client.key");
  auto ok = TlsClient::connect(warren.address(), with_cert);
  ASSERT_NE(ok, nullptr);
  expectEcho(*ok, "mtls");

  for (const char* stem : {"", "other-client"}) {
    TlsClientOptions o;
    if (*stem != 0) {
      o.cert_file = fixture(std::string(stem) + ".crt");
      o.key_file = fixture(std::string(stem) + ".key");
    }
    auto rejected = TlsClient::connect(warren.address(), o);
    // TLS 1.3: the client learns of the rejection on its first read.
    if (rejected) {
      EXPECT_TRUE(!rejected->sendAll("x") || rejected->recvExact(1).empty()) << stem;
    }
  }
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.tls_failures[static_cast<size_t>(FailureReason::ClientCertificateRejected)] == 2;
  })) << failures(warren, FailureReason::ClientCertificateRejected);
}

TEST(Tls, OptionalClientCertificate) {
  TestBackend a(TestBackend::echo);
  a.start();
  auto c = tlsConfig({a.address()});
  c->listeners[0].tls.client_ca = fixture("ca.crt");
  c->listeners[0].tls.client_auth = config::ClientAuth::Optional;
  RunningServer warren(c);
  auto without = TlsClient::connect(warren.address(), {});
  ASSERT_NE(without, nullptr);
  expectEcho(*without, "anonymous");
}

// The node receives PROXY v2 with AUTHORITY (SNI) and SSL (VERSION, CIPHER, CN) TLVs.
TEST(Tls, ProxyV2TlvsArriveAtTheNode) {
  std::mutex mutex;
  std::string first;
  TestBackend a([&](TestSocket& s) {
    std::string seg = s.recvSome();
    {
      std::lock_guard<std::mutex> lock(mutex);
      first = seg;
    }
    proxy_protocol::Header h;
    auto r = proxy_protocol::parse(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(seg.data()), seg.size()), h);
    if (r.status == proxy_protocol::ParseStatus::Done) s.sendAll(seg.substr(r.consumed));
    TestBackend::echo(s);
  });
  a.start();
  auto c = tlsConfig({a.address()}, config::ProxyProtocol::V2);
  c->listeners[0].tls.client_ca = fixture("ca.crt");
  c->listeners[0].tls.client_auth = config::ClientAuth::Optional;
  RunningServer warren(c);
  TlsClientOptions o;
  o.sni = "localhost";
  o.cert_file = fixture("client.crt");
  o.key_file = fixture("client.key");
  auto client = TlsClient::connect(warren.address(), o, nullptr);
  ASSERT_NE(client, nullptr);
  expectEcho(*client, "AMQP");
  std::string cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(client->ssl()));

  std::lock_guard<std::mutex> lock(mutex);
  proxy_protocol::Header h;
  auto r = proxy_protocol::parse(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(first.data()), first.size()), h);
  ASSERT_EQ(r.status, proxy_protocol::ParseStatus::Done);
  EXPECT_EQ(h.source, client->socket().localAddress());
  const proxy_protocol::Tlv* authority = proxy_protocol::findTlv(h.tlvs, proxy_protocol::kPp2TypeAuthority);
  ASSERT_NE(authority, nullptr);
  EXPECT_EQ(authority->value, "localhost");
  const proxy_protocol::Tlv* ssl_tlv = proxy_protocol::findTlv(h.tlvs, proxy_protocol::kPp2TypeSsl);
  ASSERT_NE(ssl_tlv, nullptr);
  auto parsed = proxy_protocol::parseSslTlv(ssl_tlv->value);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->client & proxy_protocol::kPp2ClientSsl, proxy_protocol::kPp2ClientSsl);
  EXPECT_EQ(parsed->verify, 0u);
  auto sub = [&](uint8_t type) {
    const proxy_protocol::Tlv* t = proxy_protocol::findTlv(parsed->sub_tlvs, type);
    return t != nullptr ? t->value : std::string("<absent>");
  };
  EXPECT_EQ(sub(proxy_protocol::kPp2SubtypeSslVersion), "TLSv1.3");
  EXPECT_EQ(sub(proxy_protocol::kPp2SubtypeSslCipher), cipher);
  EXPECT_EQ(sub(proxy_protocol::kPp2SubtypeSslCn), "test-client");
  for (const auto& t : parsed->sub_tlvs) {
    EXPECT_TRUE(t.type >= proxy_protocol::kPp2SubtypeSslVersion && t.type <= proxy_protocol::kPp2SubtypeSslKeyAlg)
        << "RabbitMQ rejects SSL sub-TLV type " << int(t.type);
  }
}

// Certificates and SNI routes are replaced for new connections; open ones keep theirs.
TEST(Tls, ContextIsSwappedForNewConnectionsOnly) {
  TestBackend a(TestBackend::echo), b(TestBackend::echo);
  a.start();
  b.start();
  auto c = tlsConfig({a.address()});
  addCluster(*c, "rabbit-b", b.address());
  RunningServer warren(c);
  TlsClientOptions o;
  o.sni = "rabbit.example.com";
  auto before = TlsClient::connect(warren.address(), o);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(peerCommonName(before->ssl()), "localhost");
  expectEcho(*before, "old");

  config::Listener next = c->listeners[0];
  config::Route r;
  r.server_names = {"rabbit.example.com"};
  r.cluster = "rabbit-b";
  r.certificates = {certs("rabbit-ecdsa")};
  next.routes = {r};
  auto built = tls::ServerContext::build(next, "test");
  ASSERT_TRUE(std::holds_alternative<tls::ServerContextConstSharedPtr>(built));
  ASSERT_TRUE(warren.server().replaceListenerTls("front", std::get<tls::ServerContextConstSharedPtr>(built)));

  std::unique_ptr<TlsClient> after;
  for (int i = 0; i < 100; ++i) {  // every worker applies it from its inbox: bounded wait
    after = TlsClient::connect(warren.address(), o);
    ASSERT_NE(after, nullptr);
    if (peerCommonName(after->ssl()) == "rabbit.example.com") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(peerCommonName(after->ssl()), "rabbit.example.com");
  expectEcho(*after, "new");
  EXPECT_TRUE(b.waitAccepted(1));  // the new route's cluster
  expectEcho(*before, "old still works");
}

// ---- Diagnosis: each failure reproduced the way RabbitMQ's TLS troubleshooting guide does ----

class TlsDiagnosis : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.start();
    auto c = tlsConfig({backend_.address()});
    c->listeners[0].tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
    config::Route r;
    r.server_names = {"rabbit.example.com"};
    r.cluster = "backend";
    tweak(*c);
    warren_ = std::make_unique<RunningServer>(c);
  }
  virtual void tweak(config::Config&) {}
  bool waitFailure(FailureReason r, uint64_t n = 1) {
    return warren_->waitFor(
        [&](const session::Totals& s) { return s.tls_failures[static_cast<size_t>(r)] >= n; });
  }
  // The one tls_handshake_failed line: the reason and hint in words, no raw library code.
  std::string failureLine() {
    auto lines = log_.lines("tls_handshake_failed client=");
    for (int i = 0; i < 200 && lines.empty(); ++i) {  // counted just before it is logged
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      lines = log_.lines("tls_handshake_failed client=");
    }
    if (lines.size() != 1) return "(" + std::to_string(lines.size()) + " tls_handshake_failed lines)";
    EXPECT_EQ(lines[0].find("error="), std::string::npos) << lines[0];
    return lines[0];
  }
  LogCapture log_;  // before the server: installed first, removed last
  TestBackend backend_{TestBackend::echo};
  std::unique_ptr<RunningServer> warren_;
};

TEST_F(TlsDiagnosis, ClientWithOnlyTls11IsProtocolVersion) {
  TlsClientOptions o;
  o.min_version = TLS1_1_VERSION;
  o.max_version = TLS1_1_VERSION;
  EXPECT_EQ(TlsClient::connect(warren_->address(), o), nullptr);
  EXPECT_TRUE(waitFailure(FailureReason::ProtocolVersion));
}

TEST_F(TlsDiagnosis, NoCommonCipherIsNoSharedCipher) {
  TlsClientOptions o;
  o.max_version = TLS1_2_VERSION;
  o.ciphers = "AES256-SHA";
  EXPECT_EQ(TlsClient::connect(warren_->address(), o), nullptr);
  EXPECT_TRUE(waitFailure(FailureReason::NoSharedCipher));
}

TEST_F(TlsDiagnosis, PlaintextAmqpGetsTheProtocolHeaderBack) {
  TestSocket s = TestSocket::connect(warren_->address());
  ASSERT_TRUE(s.sendAll(std::string("AMQP\0\0\x09\x01", 8)));
  EXPECT_EQ(s.recvExact(8), std::string("AMQP\0\0\x09\x01", 8));
  EXPECT_TRUE(s.waitClosed());
  EXPECT_TRUE(waitFailure(FailureReason::PlaintextAmqp));
  EXPECT_EQ(backend_.accepted(), 0);
}

TEST_F(TlsDiagnosis, HttpIsPlaintextHttp) {
  TestSocket s = TestSocket::connect(warren_->address());
  ASSERT_TRUE(s.sendAll("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_TRUE(s.waitClosed());
  EXPECT_TRUE(waitFailure(FailureReason::PlaintextHttp));
}

TEST_F(TlsDiagnosis, ClientTrustingAnotherCaRejectsOurCertificate) {
  TlsClientOptions o;
  o.ca_file = fixture("other-ca.crt");
  EXPECT_EQ(TlsClient::connect(warren_->address(), o), nullptr);
  EXPECT_TRUE(waitFailure(FailureReason::ClientRejectedCertificate));
}

// OpenSSL clients (s_client, pika) rejecting a TLS 1.3 server certificate send their alert
// in clear, before switching keys: 15 03 03 00 02 02 30 (fatal unknown_ca).
TEST_F(TlsDiagnosis, PlaintextAlertFromATls13ClientIsClientRejectedCertificate) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);
  SSL_set_connect_state(ssl.get());
  SSL_do_handshake(ssl.get());
  const uint8_t* hello = nullptr;
  size_t hello_len = 0;
  BIO_mem_contents(out, &hello, &hello_len);
  TestSocket s = TestSocket::connect(warren_->address());
  ASSERT_TRUE(s.sendAll(std::string_view(reinterpret_cast<const char*>(hello), hello_len)));
  ASSERT_FALSE(s.recvSome().empty());  // the server's flight
  ASSERT_TRUE(s.sendAll(std::string("\x15\x03\x03\x00\x02\x02\x30", 7)));
  EXPECT_TRUE(s.waitClosed());
  EXPECT_TRUE(waitFailure(FailureReason::ClientRejectedCertificate));
  // BoringSSL fails the 2-byte plaintext record as BAD_PACKET_LENGTH: not what happened.
  const std::string line = failureLine();
  EXPECT_NE(line.find("alert unknown_ca"), std::string::npos) << line;
  EXPECT_EQ(line.find("BAD_PACKET_LENGTH"), std::string::npos) << line;
}

TEST_F(TlsDiagnosis, StallingClientIsHandshakeTimeout) {
  TestSocket s = TestSocket::connect(warren_->address());
  ASSERT_TRUE(s.sendAll(std::string("\x16\x03\x01\x00\x50", 5)));  // a record header, then nothing
  EXPECT_TRUE(s.waitClosed());
  EXPECT_TRUE(waitFailure(FailureReason::HandshakeTimeout));
}

TEST_F(TlsDiagnosis, ConnectAndLeaveIsNoFailure) {
  { TestSocket s = TestSocket::connect(warren_->address()); }
  EXPECT_TRUE(warren_->waitFor([](const session::Totals& s) { return s.active == 0 && s.accepted == 1; }));
  uint64_t total = 0;
  for (uint64_t v : warren_->totals().tls_failures) total += v;
  EXPECT_EQ(total, 0u);
  EXPECT_EQ(warren_->closed(CloseReason::ClientClosedEarly), 1u);
}

// `openssl s_client` to the plaintext port: the ClientHello is recognised, counted, and
// answered with the AMQP protocol header.
TEST(TlsOnPlaintext, ClientHelloOnPlaintextListenerIsRecognised) {
  TestBackend a(TestBackend::echo);
  a.start();
  auto c = makeConfig({a.address()});
  c->listeners[0].protocol = config::ListenerProtocol::Amqp;
  RunningServer warren(c);
  TlsClientOptions o;
  o.sni = "rabbit.example.com";
  std::string error;
  EXPECT_EQ(TlsClient::connect(warren.address(), o, &error), nullptr);
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) { return s.tls_failures[static_cast<size_t>(FailureReason::TlsOnPlaintext)] == 1 && s.active == 0; }));
  EXPECT_EQ(warren.closed(CloseReason::ProtocolMismatch), 1u);
  EXPECT_EQ(failures(warren, FailureReason::TlsOnPlaintext), 1u);
  // A plaintext client on the same listener is relayed as always.
  TestSocket s = TestSocket::connect(warren.address());
  ASSERT_TRUE(s.sendAll(std::string("AMQP\0\0\x09\x01", 8)));
  EXPECT_EQ(s.recvExact(8), std::string("AMQP\0\0\x09\x01", 8));
}

class StrictSni : public TlsDiagnosis {
  void tweak(config::Config& c) override {
    c.listeners[0].tls.strict_sni = true;
    config::Route r;
    r.server_names = {"rabbit.example.com"};
    r.cluster = "backend";
    r.certificates = {certs("rabbit-ecdsa")};
    c.listeners[0].routes = {r};
  }
};

TEST_F(StrictSni, UnknownNameGetsUnrecognizedName) {
  TlsClientOptions o;
  o.sni = "wrong.example";
  std::string error;
  EXPECT_EQ(TlsClient::connect(warren_->address(), o, &error), nullptr);
  EXPECT_NE(error.find("UNRECOGNIZED_NAME"), std::string::npos) << error;
  EXPECT_TRUE(waitFailure(FailureReason::UnknownSni));
  const std::string line = failureLine();  // not BoringSSL's CLIENTHELLO_TLSEXT
  EXPECT_NE(line.find("reason=unknown_sni"), std::string::npos) << line;
  EXPECT_EQ(line.find("CLIENTHELLO_TLSEXT"), std::string::npos) << line;
  o.sni = "rabbit.example.com";
  auto ok = TlsClient::connect(warren_->address(), o);
  ASSERT_NE(ok, nullptr);
  expectEcho(*ok, "known");
}

}  // namespace
}  // namespace warren::test
