// TLS from Warren to the nodes (brokers on 5671): the PROXY header goes first in clear
// (RabbitMQ reads it before the handshake), then a verified TLS session with SNI.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "proxy_protocol/parser.h"
#include "support/running_server.h"
#include "support/test_backend.h"
#include "support/tls_client.h"

namespace warren::test {
namespace {

using session::CloseReason;

std::string fixture(const std::string& name) { return std::string(WARREN_SOURCE_DIR) + "/tests/fixtures/tls/" + name; }

// A TLS echo node: optional PROXY header in clear, then TLS (certificate `stem`).
struct TlsNode {
  bssl::UniquePtr<SSL_CTX> ctx{SSL_CTX_new(TLS_method())};
  std::mutex mutex;
  std::string header;   // the PROXY header bytes received, if any
  std::string sni;      // server name the client sent
  bool handshake_ok = false;
  // A slow node: waits this long before its TLS handshake (Warren meanwhile reads the client).
  std::chrono::milliseconds delay{0};
  // Instead of echoing: read everything until close_notify, then answer "got N".
  bool sink_then_report = false;
  // Speaks first: writes this right after its handshake, before reading anything.
  std::string greeting;
  std::string received;
  TestBackend backend{[this](TestSocket& s) { serve(s); }};

  explicit TlsNode(const std::string& stem) {
    SSL_CTX_use_certificate_chain_file(ctx.get(), fixture(stem + ".crt").c_str());
    SSL_CTX_use_PrivateKey_file(ctx.get(), fixture(stem + ".key").c_str(), SSL_FILETYPE_PEM);
    backend.start();
  }

  void serve(TestSocket& s) {
    // Peek at the PROXY header and take exactly its bytes: the TLS records follow it.
    char buf[512];
    ssize_t n = ::recv(s.fd(), buf, sizeof buf, MSG_PEEK);
    if (n <= 0) return;
    proxy_protocol::Header h;
    auto r = proxy_protocol::parse(std::span<const uint8_t>(reinterpret_cast<uint8_t*>(buf), static_cast<size_t>(n)), h);
    if (r.status == proxy_protocol::ParseStatus::Done) {
      std::string hdr = s.recvExact(r.consumed);
      std::lock_guard<std::mutex> lock(mutex);
      header = hdr;
    }
    std::this_thread::sleep_for(delay);
    bssl::UniquePtr<SSL> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), s.fd());
    // A greeting leaves in the same segment as the handshake's last flight (corked).
    int cork = greeting.empty() ? 0 : 1;
    setsockopt(s.fd(), IPPROTO_TCP, TCP_CORK, &cork, sizeof cork);
    if (SSL_accept(ssl.get()) != 1) {
      ERR_clear_error();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      handshake_ok = true;
      const char* name = SSL_get_servername(ssl.get(), TLSEXT_NAMETYPE_host_name);
      sni = name != nullptr ? name : "";
    }
    if (!greeting.empty()) {
      SSL_write(ssl.get(), greeting.data(), static_cast<int>(greeting.size()));
      cork = 0;
      setsockopt(s.fd(), IPPROTO_TCP, TCP_CORK, &cork, sizeof cork);
    }
    char data[16384];
    if (sink_then_report) {
      std::string got;
      for (int r2; (r2 = SSL_read(ssl.get(), data, sizeof data)) > 0;) got.append(data, static_cast<size_t>(r2));
      const bool clean = SSL_get_error(ssl.get(), 0) == SSL_ERROR_ZERO_RETURN ||
                         (SSL_get_shutdown(ssl.get()) & SSL_RECEIVED_SHUTDOWN) != 0;
      std::string reply = (clean ? "got " : "unclean ") + std::to_string(got.size());
      SSL_write(ssl.get(), reply.data(), static_cast<int>(reply.size()));
      SSL_shutdown(ssl.get());
      std::lock_guard<std::mutex> lock(mutex);
      received = std::move(got);
      return;
    }
    for (;;) {
      int r2 = SSL_read(ssl.get(), data, sizeof data);
      if (r2 <= 0) break;
      if (SSL_write(ssl.get(), data, r2) != r2) break;
    }
    SSL_shutdown(ssl.get());
  }
};

// TLS from the clients too (listener certificate localhost-ecdsa).
void withClientTls(config::Config& c) {
  auto& tls = c.listeners[0].tls;
  tls.enabled = true;
  config::CertificateFiles f;
  f.cert = fixture("localhost-ecdsa.crt");
  f.key = fixture("localhost-ecdsa.key");
  tls.certificates = {f};
}

std::shared_ptr<config::Config> nodeTlsConfig(const Address& node, const std::string& ca, const std::string& name) {
  auto c = makeConfig({node}, config::ProxyProtocol::V2);
  auto& t = c->clusters[0].tls;
  t.enabled = true;
  t.ca = ca;
  t.server_name = name;
  return c;
}

TEST(NodeTls, HeaderInClearThenVerifiedTls) {
  TlsNode node("rabbit-ecdsa");
  RunningServer warren(nodeTlsConfig(node.backend.address(), fixture("ca.crt"), "rabbit.example.com"));
  TestSocket client = TestSocket::connect(warren.address(), Address::parse("127.0.0.2:0"));
  std::string amqp("AMQP\0\0\x09\x01", 8);
  ASSERT_TRUE(client.sendAll(amqp));
  EXPECT_EQ(client.recvExact(8), amqp);
  std::string big(300000, 'z');
  ASSERT_TRUE(client.sendAll(big));
  EXPECT_EQ(client.recvExact(big.size()), big);
  std::lock_guard<std::mutex> lock(node.mutex);
  EXPECT_TRUE(node.handshake_ok);
  EXPECT_EQ(node.sni, "rabbit.example.com");
  proxy_protocol::Header h;
  auto r = proxy_protocol::parse(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(node.header.data()), node.header.size()), h);
  ASSERT_EQ(r.status, proxy_protocol::ParseStatus::Done);
  EXPECT_EQ(h.source, client.localAddress());
}

TEST(NodeTls, UntrustedNodeCertificateClosesTheClient) {
  TlsNode node("other-server");  // signed by the other CA
  RunningServer warren(nodeTlsConfig(node.backend.address(), fixture("ca.crt"), "localhost"));
  TestSocket client = TestSocket::connect(warren.address());
  client.sendAll(std::string("AMQP\0\0\x09\x01", 8));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::NodeTlsFailed)] == 1;
  }));
}

TEST(NodeTls, WrongNodeNameClosesTheClient) {
  TlsNode node("rabbit-ecdsa");
  RunningServer warren(nodeTlsConfig(node.backend.address(), fixture("ca.crt"), "other.example.com"));
  TestSocket client = TestSocket::connect(warren.address());
  client.sendAll(std::string("AMQP\0\0\x09\x01", 8));
  EXPECT_TRUE(client.waitClosed());
  EXPECT_TRUE(warren.waitFor([](const session::Totals& s) {
    return s.closed_by_reason[static_cast<size_t>(CloseReason::NodeTlsFailed)] == 1;
  }));
}

// TLS on both sides: decrypt from the client, encrypt to the node, and back.
TEST(NodeTls, TlsOnBothSides) {
  TlsNode node("rabbit-ecdsa");
  auto c = nodeTlsConfig(node.backend.address(), fixture("ca.crt"), "rabbit.example.com");
  withClientTls(*c);
  RunningServer warren(c);
  auto client = TlsClient::connect(warren.address(), {});
  ASSERT_NE(client, nullptr);
  std::string big(200000, 'q');
  ASSERT_TRUE(client->sendAll(big));
  EXPECT_EQ(client->recvExact(big.size()), big);
}

// A node that speaks right after its handshake (its first record can arrive in the same read
// as the end of its handshake): the client reads it through its own TLS session, never in
// clear (a plaintext byte would have made the client's TLS fail with WRONG_VERSION_NUMBER).
TEST(NodeTls, ANodeThatSpeaksFirstReachesATlsClientEncrypted) {
  for (uint16_t version : {uint16_t{TLS1_2_VERSION}, uint16_t{TLS1_3_VERSION}}) {
    for (int trial = 0; trial < 3; ++trial) {
      TlsNode node("rabbit-ecdsa");
      SSL_CTX_set_max_proto_version(node.ctx.get(), version);
      node.greeting = "hello from the node";
      auto c = nodeTlsConfig(node.backend.address(), fixture("ca.crt"), "rabbit.example.com");
      c->listeners[0].protocol = config::ListenerProtocol::Tcp;
      withClientTls(*c);
      RunningServer warren(c);
      auto client = TlsClient::connect(warren.address(), {});
      ASSERT_NE(client, nullptr);
      EXPECT_EQ(client->recvExact(node.greeting.size()), node.greeting)
          << "node TLS " << (version == TLS1_2_VERSION ? "1.2" : "1.3") << ", trial " << trial;
      ASSERT_TRUE(client->sendAll("ping"));
      EXPECT_EQ(client->recvExact(4), "ping");
    }
  }
}

// The client sends while the node is still being connected (here: a node slow to start its
// TLS handshake) and half-closes: what it sent is read meanwhile (reading pauses at the early
// limit; 1 MB is far over it), then delivered byte-exact, then the close_notify; the node's
// answer still reaches the client.
TEST(NodeTls, ClientBytesAndFinDuringTheNodeHandshakeArriveInOrder) {
  for (size_t size : {size_t{5}, size_t{1} << 20}) {
    TlsNode node("rabbit-ecdsa");
    node.delay = std::chrono::milliseconds(300);
    node.sink_then_report = true;
    RunningServer warren(nodeTlsConfig(node.backend.address(), fixture("ca.crt"), "rabbit.example.com"));
    TestSocket client = TestSocket::connect(warren.address());
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + i % 23);
    ASSERT_TRUE(client.sendAll(data));
    client.shutdownWrite();
    bool eof = false;
    EXPECT_EQ(client.recvUntilEof(&eof), "got " + std::to_string(size));
    EXPECT_TRUE(eof);
    std::lock_guard<std::mutex> lock(node.mutex);
    EXPECT_TRUE(node.received == data) << "node got " << node.received.size() << " of " << size << " bytes";
  }
}

}  // namespace
}  // namespace warren::test
