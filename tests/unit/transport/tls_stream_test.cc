// TlsStream against another TlsStream, in memory: handshake, byte-exact data both ways in
// random sizes, close_notify, garbage, and no chunk held once idle.
#include "transport/tls_stream.h"

#include <gtest/gtest.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <deque>
#include <random>
#include <string>

namespace warren::transport {
namespace {

struct Credentials {
  bssl::UniquePtr<EVP_PKEY> key;
  bssl::UniquePtr<X509> cert;
};

Credentials selfSigned() {
  Credentials c;
  c.key.reset(EVP_PKEY_new());
  EC_KEY* ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EC_KEY_generate_key(ec);
  EVP_PKEY_assign_EC_KEY(c.key.get(), ec);
  c.cert.reset(X509_new());
  X509* x = c.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, c.key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const uint8_t*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_sign(x, c.key.get(), EVP_sha256());
  return c;
}

// Collects what a stream emits.
struct Collect : ChunkSink {
  network::ChunkPool& pool;
  std::string bytes;
  explicit Collect(network::ChunkPool& p) : pool(p) {}
  bool push(network::Chunk* c) override {
    bytes.append(c->data + c->offset, c->length);
    pool.put(c);
    return true;
  }
  std::string take() {
    std::string out;
    out.swap(bytes);
    return out;
  }
};

struct Pair {
  network::ChunkPool pool;
  bssl::UniquePtr<SSL_CTX> server_ctx{SSL_CTX_new(TLS_method())};
  bssl::UniquePtr<SSL_CTX> client_ctx{SSL_CTX_new(TLS_method())};
  Collect server_wire{pool}, server_plain{pool}, client_wire{pool}, client_plain{pool};
  std::unique_ptr<TlsStream> server, client;

  explicit Pair(uint16_t max_version = TLS1_3_VERSION) {
    Credentials cred = selfSigned();
    SSL_CTX_use_certificate(server_ctx.get(), cred.cert.get());
    SSL_CTX_use_PrivateKey(server_ctx.get(), cred.key.get());
    SSL_CTX_set_max_proto_version(client_ctx.get(), max_version);
    bssl::UniquePtr<SSL> s(SSL_new(server_ctx.get()));
    SSL_set_accept_state(s.get());
    bssl::UniquePtr<SSL> c(SSL_new(client_ctx.get()));
    SSL_set_connect_state(c.get());
    server = std::make_unique<TlsStream>(std::move(s), pool);
    client = std::make_unique<TlsStream>(std::move(c), pool);
    server->setCiphertextSink(&server_wire);
    server->setPlaintextSink(&server_plain);
    client->setCiphertextSink(&client_wire);
    client->setPlaintextSink(&client_plain);
  }

  // Moves bytes between the two until neither has anything to say (bounded).
  void pump(size_t piece = 1 << 20) {
    for (int round = 0; round < 100; ++round) {
      std::string to_server = client_wire.take();
      std::string to_client = server_wire.take();
      if (to_server.empty() && to_client.empty()) return;
      for (size_t i = 0; i < to_server.size(); i += piece) {
        server->feed(to_server.data() + i, std::min(piece, to_server.size() - i));
      }
      for (size_t i = 0; i < to_client.size(); i += piece) {
        client->feed(to_client.data() + i, std::min(piece, to_client.size() - i));
      }
    }
  }
};

TEST(TlsStream, HandshakeCompletesBothWays) {
  for (uint16_t version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    Pair p(version);
    ASSERT_EQ(p.client->start(), TlsStream::Status::Ok);
    p.pump();
    EXPECT_TRUE(p.server->handshakeDone());
    EXPECT_TRUE(p.client->handshakeDone());
    EXPECT_EQ(SSL_version(p.server->ssl()), version);
  }
}

TEST(TlsStream, HandshakeFedOneByteAtATime) {
  Pair p;
  p.client->start();
  p.pump(/*piece=*/1);
  EXPECT_TRUE(p.server->handshakeDone());
  EXPECT_TRUE(p.client->handshakeDone());
}

TEST(TlsStream, DataIsByteExactInRandomPieces) {
  Pair p;
  p.client->start();
  p.pump();
  std::mt19937 rng(7);
  std::string up, down;
  for (int i = 0; i < 200; ++i) {
    std::string a(1 + rng() % 70000, '\0'), b(1 + rng() % 5000, '\0');
    for (auto& ch : a) ch = static_cast<char>(rng());
    for (auto& ch : b) ch = static_cast<char>(rng());
    ASSERT_EQ(p.client->write(a.data(), a.size()), TlsStream::Status::Ok);
    ASSERT_EQ(p.server->write(b.data(), b.size()), TlsStream::Status::Ok);
    up += a;
    down += b;
    p.pump(1 + rng() % 20000);
  }
  EXPECT_EQ(p.server_plain.bytes, up);
  EXPECT_EQ(p.client_plain.bytes, down);
  EXPECT_EQ(p.server->plaintextIn(), up.size());
  // Idle: nothing held between calls.
  EXPECT_EQ(p.pool.inUse(), 0u);
}

// Records are gathered into full chunks: 48 KB sent as three 16 KB records come out as one
// chunk (one write to the other side), not one chunk per record.
TEST(TlsStream, RecordsAreGatheredIntoOneChunk) {
  struct Count : Collect {
    using Collect::Collect;
    int chunks = 0;
    bool push(network::Chunk* c) override {
      ++chunks;
      return Collect::push(c);
    }
  };
  Pair p;
  Count plain(p.pool);
  p.server->setPlaintextSink(&plain);
  p.client->start();
  p.pump();
  std::string data(48 * 1024, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ASSERT_EQ(p.client->write(data.data(), data.size()), TlsStream::Status::Ok);
  std::string wire = p.client_wire.take();
  ASSERT_GT(wire.size(), 3 * 16384u);  // three records at least
  ASSERT_EQ(p.server->feed(wire.data(), wire.size()), TlsStream::Status::Ok);
  EXPECT_EQ(plain.chunks, 1);
  EXPECT_EQ(plain.bytes, data);
}

TEST(TlsStream, CloseNotifyIsPeerClosed) {
  Pair p;
  p.client->start();
  p.pump();
  ASSERT_EQ(p.client->closeNotify(), TlsStream::Status::Ok);
  std::string wire = p.client_wire.take();
  EXPECT_EQ(p.server->feed(wire.data(), wire.size()), TlsStream::Status::PeerClosed);
}

TEST(TlsStream, GarbageFailsWithAnError) {
  Pair p;
  std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(p.server->feed(garbage.data(), garbage.size()), TlsStream::Status::Failed);
  EXPECT_EQ(p.server->sslError(), SSL_ERROR_SSL);
  EXPECT_NE(p.server->errorCode(), 0u);
}

TEST(TlsStream, RefusingSinkFailsTheStream) {
  struct Refuse : ChunkSink {
    network::ChunkPool& pool;
    explicit Refuse(network::ChunkPool& p) : pool(p) {}
    bool push(network::Chunk* c) override {
      pool.put(c);
      return false;
    }
  };
  Pair p;
  Refuse refuse(p.pool);
  p.client->setCiphertextSink(&refuse);
  EXPECT_EQ(p.client->start(), TlsStream::Status::Failed);
  EXPECT_EQ(p.pool.inUse(), 0u);
}

}  // namespace
}  // namespace warren::transport
