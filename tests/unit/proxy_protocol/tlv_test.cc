// TLVs (§2.2.1-2.2.7): helpers, SSL with sub-TLVs, CRC32C, layout validation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::addr;
using test::Bytes;
using test::concat;
using test::doneResult;
using test::errorResult;
using test::needMoreResult;
using test::parseBytes;
using test::tlvBytes;
using test::v2Fixed;

const Bytes kV4Block = {10, 0, 0, 1, 10, 0, 0, 2, 0x04, 0xD2, 0x16, 0x28};

// A PROXY TCP4 header whose TLV region is `tlvs` (raw bytes).
Bytes withTlvRegion(const Bytes& tlvs) {
  return concat({v2Fixed(0x21, 0x11, static_cast<uint16_t>(12 + tlvs.size())), kV4Block, tlvs});
}

TEST(TlvTest, MakeSslTlvIsByteExact) {
  const std::vector<Tlv> subs = {{kPp2SubtypeSslVersion, "TLSv1.3"},
                                 {kPp2SubtypeSslCn, "client.example"}};
  const Tlv ssl = makeSslTlv(kPp2ClientSsl | kPp2ClientCertConn, 0x01020304, subs);
  EXPECT_EQ(ssl.type, 0x20);
  const Bytes expected = concat({{0x03, 0x01, 0x02, 0x03, 0x04},
                                 tlvBytes(0x21, "TLSv1.3"),
                                 tlvBytes(0x22, "client.example")});
  EXPECT_EQ(Bytes(ssl.value.begin(), ssl.value.end()), expected);
}

TEST(TlvTest, ParseSslTlvRoundTrip) {
  const std::vector<Tlv> subs = {{kPp2SubtypeSslVersion, "TLSv1.2"},
                                 {kPp2SubtypeSslCipher, "ECDHE-RSA-AES128-GCM-SHA256"},
                                 {kPp2SubtypeSslSigAlg, "RSA-SHA256"},
                                 {kPp2SubtypeSslKeyAlg, "RSA2048"}};
  const Tlv tlv = makeSslTlv(kPp2ClientSsl, 0, subs);
  const auto ssl = parseSslTlv(tlv.value);
  ASSERT_TRUE(ssl.has_value());
  EXPECT_EQ(ssl->client, kPp2ClientSsl);
  EXPECT_EQ(ssl->verify, 0u);
  EXPECT_EQ(ssl->sub_tlvs, subs);

  EXPECT_FALSE(parseSslTlv(std::string("\x01\0\0\0", 4)).has_value());      // < 5 bytes
  EXPECT_FALSE(parseSslTlv(std::string("\x01\0\0\0\0\x21\0", 7)).has_value());  // stray
  EXPECT_FALSE(parseSslTlv(std::string("\x01\0\0\0\0\x21\0\x05xy", 10)).has_value());
  EXPECT_TRUE(parseSslTlv(std::string("\x07\0\0\0\x01", 5)).has_value());  // no subs
}

TEST(TlvTest, DecodeWriteAndFind) {
  const std::vector<Tlv> tlvs = {{0x01, "h2"}, {0x04, ""}, {0xEF, std::string("\0\1", 2)}};
  Bytes buf(encodedSize(tlvs));
  ASSERT_EQ(buf.size(), 5u + 3u + 5u);
  ASSERT_EQ(writeTlvs(tlvs, buf), buf.size());
  EXPECT_EQ(buf, concat({tlvBytes(0x01, "h2"), tlvBytes(0x04, ""),
                         tlvBytes(0xEF, std::string("\0\1", 2))}));
  EXPECT_EQ(decodeTlvs(buf), tlvs);
  EXPECT_EQ(writeTlvs(tlvs, std::span(buf).first(buf.size() - 1)), 0u);
  EXPECT_EQ(decodeTlvs(std::span(buf).first(buf.size() - 1)), std::nullopt);
  ASSERT_NE(findTlv(tlvs, 0x04), nullptr);
  EXPECT_EQ(findTlv(tlvs, 0x04), &tlvs[1]);
  EXPECT_EQ(findTlv(tlvs, 0x05), nullptr);
}

TEST(TlvTest, SslTlvRoundTripsThroughHeader) {
  const std::vector<Tlv> subs = {{kPp2SubtypeSslVersion, "TLSv1.3"},
                                 {kPp2SubtypeSslCn, "example.com"}};
  const std::vector<Tlv> tlvs = {{kPp2TypeAuthority, "rabbit.example.com"},
                                 makeSslTlv(kPp2ClientSsl | kPp2ClientCertSess, 7, subs),
                                 {kPp2TypeUniqueId, std::string(128, 'u')},
                                 {kPp2TypeNetns, "blue"}};
  Bytes buf(512);
  const Address src = addr("[2001:db8::10]:40000");
  const Address dst = addr("[2001:db8::20]:5671");
  buf.resize(writeV2(src, dst, tlvs, buf));
  ASSERT_GT(buf.size(), 0u);
  Header h;
  EXPECT_EQ(parseBytes(buf, h), doneResult(buf.size()));
  EXPECT_EQ(h.tlvs, tlvs);
  const Tlv* ssl = findTlv(h.tlvs, kPp2TypeSsl);
  ASSERT_NE(ssl, nullptr);
  const auto parsed = parseSslTlv(ssl->value);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->client, kPp2ClientSsl | kPp2ClientCertSess);
  EXPECT_EQ(parsed->verify, 7u);
  EXPECT_EQ(parsed->sub_tlvs, subs);
}

TEST(TlvTest, Crc32cValidIsAcceptedAndKept) {
  const std::vector<Tlv> tlvs = {{kPp2TypeAlpn, "amqp"}};
  Bytes buf(256);
  buf.resize(writeV2WithCrc32c(addr("10.0.0.1:1"), addr("10.0.0.2:2"), tlvs, buf));
  Header h;
  EXPECT_EQ(parseBytes(buf, h), doneResult(buf.size()));
  ASSERT_EQ(h.tlvs.size(), 2u);
  EXPECT_EQ(h.tlvs[0], tlvs[0]);
  EXPECT_EQ(h.tlvs[1].type, kPp2TypeCrc32c);
  EXPECT_EQ(h.tlvs[1].value.size(), 4u);
}

TEST(TlvTest, Crc32cInTheMiddleIsVerified) {
  // CRC TLV first, then another TLV: the checksum covers bytes after it too.
  Bytes header = withTlvRegion(concat({{0x03, 0x00, 0x04, 0, 0, 0, 0}, tlvBytes(0x02, "host")}));
  const uint32_t crc = crc32c(header);
  header[31] = static_cast<uint8_t>(crc >> 24);
  header[32] = static_cast<uint8_t>(crc >> 16);
  header[33] = static_cast<uint8_t>(crc >> 8);
  header[34] = static_cast<uint8_t>(crc);
  EXPECT_EQ(parseBytes(header), doneResult(header.size()));
  header.back() ^= 1;
  EXPECT_EQ(parseBytes(header), errorResult(ParseError::BadCrc32c));
}

TEST(TlvTest, Crc32cCorruptionAnywhereIsDetected) {
  const Address src = addr("[2001:db8::1]:1");
  const Address dst = addr("[2001:db8::2]:2");
  const std::vector<Tlv> tlvs = {{kPp2TypeAuthority, "example"}};
  Bytes good(256);
  good.resize(writeV2WithCrc32c(src, dst, tlvs, good));
  ASSERT_EQ(parseBytes(good).status, ParseStatus::Done);
  // Flip one bit in each address, port, TLV value and checksum byte (bytes 16 on,
  // excluding TLV type/length bytes, which would change the layout instead).
  for (size_t i = 16; i < good.size(); ++i) {
    const bool layout_byte = (i >= 52 && i < 55) || (i >= 62 && i < 65);
    if (layout_byte) continue;
    Bytes bad = good;
    bad[i] ^= 0x10;
    EXPECT_EQ(parseBytes(bad), errorResult(ParseError::BadCrc32c)) << i;
  }
}

TEST(TlvTest, Crc32cMustBeFourBytesAndUnique) {
  EXPECT_EQ(parseBytes(withTlvRegion({0x03, 0x00, 0x03, 0, 0, 0})),
            errorResult(ParseError::BadTlv));
  EXPECT_EQ(parseBytes(withTlvRegion({0x03, 0x00, 0x05, 0, 0, 0, 0, 0})),
            errorResult(ParseError::BadTlv));
  EXPECT_EQ(parseBytes(withTlvRegion({0x03, 0x00, 0x04, 0, 0, 0, 0, 0x03, 0x00, 0x04, 0, 0, 0, 0})),
            errorResult(ParseError::BadTlv));
}

TEST(TlvTest, UniqueIdUpTo128Bytes) {
  EXPECT_EQ(parseBytes(withTlvRegion(tlvBytes(kPp2TypeUniqueId, std::string(128, 'a')))).status,
            ParseStatus::Done);
  EXPECT_EQ(parseBytes(withTlvRegion(tlvBytes(kPp2TypeUniqueId, ""))).status, ParseStatus::Done);
  const Bytes too_long = withTlvRegion(tlvBytes(kPp2TypeUniqueId, std::string(129, 'a')));
  EXPECT_EQ(parseBytes(too_long), errorResult(ParseError::BadTlv));
  // Seen as soon as the TLV's length field arrives.
  EXPECT_EQ(parseBytes(Bytes(too_long.begin(), too_long.begin() + 31)),
            errorResult(ParseError::BadTlv));
}

TEST(TlvTest, MalformedSslTlvIsRejected) {
  EXPECT_EQ(parseBytes(withTlvRegion(tlvBytes(kPp2TypeSsl, "abcd"))),
            errorResult(ParseError::BadTlv));
  EXPECT_EQ(parseBytes(withTlvRegion(tlvBytes(kPp2TypeSsl, std::string("\x01\0\0\0\0\x21\0\x09x",
                                                                         9)))),
            errorResult(ParseError::BadTlv));
}

TEST(TlvTest, TlvsMustTileThePayload) {
  // 1 or 2 stray bytes.
  EXPECT_EQ(parseBytes(withTlvRegion({0x01})), errorResult(ParseError::BadTlv));
  EXPECT_EQ(parseBytes(withTlvRegion(concat({tlvBytes(0x01, "h2"), {0x01, 0x00}}))),
            errorResult(ParseError::BadTlv));
  // A value running past the end of the header.
  EXPECT_EQ(parseBytes(withTlvRegion({0x01, 0x00, 0x05, 'a', 'b'})),
            errorResult(ParseError::BadTlv));
  // Exactly tiled, including an empty value at the end.
  EXPECT_EQ(parseBytes(withTlvRegion(concat({tlvBytes(0x01, "h2"), tlvBytes(0x04, "")}))).status,
            ParseStatus::Done);
}

TEST(TlvTest, OverrunIsSeenBeforeTheHeaderIsComplete) {
  // len says 12 + 20, the TLV at offset 28 claims 100 bytes: impossible already.
  const Bytes header = concat({v2Fixed(0x21, 0x11, 32), kV4Block, {0x01, 0x00, 100}});
  EXPECT_EQ(parseBytes(header), errorResult(ParseError::BadTlv));
  EXPECT_EQ(parseBytes(Bytes(header.begin(), header.end() - 1)), needMoreResult());
}

}  // namespace
}  // namespace warren::proxy_protocol
