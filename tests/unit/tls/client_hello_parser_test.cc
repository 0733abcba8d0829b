// The raw ClientHello parser: real ClientHellos from a BoringSSL client, fragmented over
// records, truncated at every length, and malformed lengths.
#include "tls/client_hello_parser.h"

#include <gtest/gtest.h>

#include "tls_test_util.h"

namespace warren::tls {
namespace {

using testing::bytesOf;
using testing::captureClientHello;

std::vector<uint8_t> tls13Hello(const std::string& sni = "Rabbit.Example.COM") {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  return captureClientHello(ctx.get(), sni);
}

TEST(ClientHelloParser, RealTls13HelloWithSni) {
  const auto bytes = tls13Hello();
  auto hello = parseClientHello(bytes);
  ASSERT_TRUE(hello.has_value());
  EXPECT_FALSE(hello->truncated);
  EXPECT_FALSE(hello->malformed);
  EXPECT_EQ(hello->sni, "rabbit.example.com");  // lower-cased
  EXPECT_EQ(hello->legacy_version, TLS1_2_VERSION);
  // This BoringSSL's client default range is TLS 1.0–1.3.
  EXPECT_EQ(hello->versions, (std::vector<uint16_t>{TLS1_3_VERSION, TLS1_2_VERSION, TLS1_1_VERSION, TLS1_VERSION}));
  EXPECT_FALSE(hello->ciphers.empty());
  EXPECT_NE(std::find(hello->ciphers.begin(), hello->ciphers.end(), 0x1301), hello->ciphers.end());
  EXPECT_FALSE(hello->signature_algorithms.empty());
}

TEST(ClientHelloParser, Tls11HelloHasLegacyVersionOnly) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_1_VERSION);
  auto hello = parseClientHello(captureClientHello(ctx.get()));
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->versions, std::vector<uint16_t>{TLS1_1_VERSION});
  EXPECT_TRUE(hello->sni.empty());
}

TEST(ClientHelloParser, GreaseIsLeftOut) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  SSL_CTX_set_grease_enabled(ctx.get(), 1);
  auto hello = parseClientHello(captureClientHello(ctx.get(), "a.example"));
  ASSERT_TRUE(hello.has_value());
  for (uint16_t v : hello->versions) EXPECT_FALSE(isGrease(v)) << v;
  for (uint16_t c : hello->ciphers) EXPECT_FALSE(isGrease(c)) << c;
  EXPECT_EQ(hello->sni, "a.example");
}

TEST(ClientHelloParser, FragmentedOverRecords) {
  const auto bytes = tls13Hello();
  const size_t body = bytes.size() - kRecordHeaderLength;
  // Split the handshake message into three records of sizes 7, 50, rest.
  std::vector<uint8_t> split;
  size_t offset = kRecordHeaderLength;
  for (size_t size : {size_t{7}, size_t{50}, body - 57}) {
    split.insert(split.end(), {0x16, 0x03, 0x01, static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)});
    split.insert(split.end(), bytes.begin() + static_cast<long>(offset), bytes.begin() + static_cast<long>(offset + size));
    offset += size;
  }
  auto whole = parseClientHello(bytes);
  auto fragmented = parseClientHello(split);
  ASSERT_TRUE(fragmented.has_value());
  EXPECT_FALSE(fragmented->truncated);
  EXPECT_EQ(fragmented->sni, whole->sni);
  EXPECT_EQ(fragmented->ciphers, whole->ciphers);
  EXPECT_EQ(fragmented->versions, whole->versions);
}

TEST(ClientHelloParser, EveryTruncationIsSafeAndMonotonic) {
  const auto bytes = tls13Hello();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto hello = parseClientHello(std::span<const uint8_t>(bytes.data(), n));
    if (n < 6) {
      EXPECT_FALSE(hello.has_value()) << n;
      continue;
    }
    ASSERT_TRUE(hello.has_value()) << n;
    EXPECT_TRUE(hello->truncated) << n;
    EXPECT_FALSE(hello->malformed) << n;
  }
  // The cipher list is complete once its bytes are in: 5 + 4 + 2 + 32 + 1 + 32 (session id).
  auto cut = parseClientHello(std::span<const uint8_t>(bytes.data(), 200));
  ASSERT_TRUE(cut.has_value());
  EXPECT_FALSE(cut->ciphers.empty());
}

TEST(ClientHelloParser, NotAClientHello) {
  EXPECT_FALSE(parseClientHello(bytesOf("AMQP\x00\x00\x09\x01")).has_value());
  EXPECT_FALSE(parseClientHello(bytesOf("GET / HTTP/1.1\r\n")).has_value());
  // A ServerHello (type 2).
  EXPECT_FALSE(parseClientHello(std::vector<uint8_t>{0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0, 0, 0}).has_value());
  // Record length 0 or over 2^14.
  EXPECT_FALSE(parseClientHello(std::vector<uint8_t>{0x16, 0x03, 0x01, 0x00, 0x00, 0x01}).has_value());
  EXPECT_FALSE(parseClientHello(std::vector<uint8_t>{0x16, 0x03, 0x01, 0x40, 0x01, 0x01}).has_value());
  // Record version 3.9.
  EXPECT_FALSE(parseClientHello(std::vector<uint8_t>{0x16, 0x03, 0x09, 0x00, 0x04, 0x01}).has_value());
}

TEST(ClientHelloParser, MalformedSessionIdLength) {
  std::vector<uint8_t> bytes = {0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03};
  bytes.insert(bytes.end(), 32, 0xAA);  // random
  bytes.push_back(33);                  // session id length > 32
  auto hello = parseClientHello(bytes);
  ASSERT_TRUE(hello.has_value());
  EXPECT_TRUE(hello->malformed);
  EXPECT_EQ(hello->versions, std::vector<uint16_t>{TLS1_2_VERSION});
}

TEST(ClientHelloParser, NoExtensionsIsComplete) {
  // TLS 1.0-style hello: version, random, empty session id, one suite, null compression.
  std::vector<uint8_t> body = {0x03, 0x01};
  body.insert(body.end(), 32, 0x11);
  body.insert(body.end(), {0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00});
  std::vector<uint8_t> bytes = {0x16, 0x03, 0x01, 0x00, static_cast<uint8_t>(body.size() + 4), 0x01,
                                0x00, 0x00, static_cast<uint8_t>(body.size())};
  bytes.insert(bytes.end(), body.begin(), body.end());
  auto hello = parseClientHello(bytes);
  ASSERT_TRUE(hello.has_value());
  EXPECT_FALSE(hello->truncated);
  EXPECT_FALSE(hello->malformed);
  EXPECT_EQ(hello->versions, std::vector<uint16_t>{TLS1_VERSION});
  EXPECT_EQ(hello->ciphers, std::vector<uint16_t>{0x002f});
}

TEST(ClientHelloParser, ServerNameExtension) {
  // list length 14, host_name, length 11, "Example.ORG"
  std::vector<uint8_t> ext = {0x00, 0x0e, 0x00, 0x00, 0x0b};
  for (char c : std::string("Example.ORG")) ext.push_back(static_cast<uint8_t>(c));
  EXPECT_EQ(parseServerNameExtension(ext), "example.org");
  ext.back() = 0;  // a NUL inside the name
  EXPECT_EQ(parseServerNameExtension(ext), "");
  EXPECT_EQ(parseServerNameExtension(std::vector<uint8_t>{0x00, 0x05, 0x00}), "");  // short
  EXPECT_EQ(parseServerNameExtension({}), "");
}

TEST(ClientHelloParser, SupportedVersionsAndSignatureAlgorithms) {
  EXPECT_EQ(parseSupportedVersionsExtension(std::vector<uint8_t>{0x06, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03}),
            (std::vector<uint16_t>{0x0304, 0x0303}));
  EXPECT_TRUE(parseSupportedVersionsExtension(std::vector<uint8_t>{0x03, 0x03, 0x04, 0x03}).empty());
  EXPECT_EQ(parseSignatureAlgorithmsExtension(std::vector<uint8_t>{0x00, 0x04, 0x04, 0x03, 0x08, 0x04}),
            (std::vector<uint16_t>{0x0403, 0x0804}));
  EXPECT_TRUE(parseSignatureAlgorithmsExtension(std::vector<uint8_t>{0x00, 0x06, 0x04, 0x03}).empty());
}

TEST(ClientHelloParser, Grease) {
  EXPECT_TRUE(isGrease(0x0A0A));
  EXPECT_TRUE(isGrease(0xFAFA));
  EXPECT_FALSE(isGrease(0x0A1A));
  EXPECT_FALSE(isGrease(0x0304));
}

}  // namespace
}  // namespace warren::tls
