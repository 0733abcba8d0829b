// writeV1Unknown / writeV2Local: the headers of a connection that relays no client (health
// checks), against the spec's bytes (haproxy doc/proxy-protocol.txt) and our own parser.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::Bytes;

// §2.1, "unknown connection (short form)": "PROXY UNKNOWN\r\n" => 5 + 1 + 7 + 2 = 15 chars.
const std::string kSpecV1Unknown = "PROXY UNKNOWN\r\n";

// §2.2: the 12-byte signature \x0D \x0A \x0D \x0A \x00 \x0D \x0A \x51 \x55 \x49 \x54 \x0A,
// then 0x20 (version 2 in the high nibble, \x0 LOCAL in the low one), 0x00 (AF_UNSPEC,
// UNSPEC), and a length of 0: the receiver uses the real connection endpoints.
const Bytes kSpecV2Local = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51,
                            0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};

TEST(WriterLocalTest, V1UnknownIsTheSpecShortForm) {
  std::array<uint8_t, kMaxV1HeaderLength> buf{};
  const size_t n = writeV1Unknown(buf);
  ASSERT_EQ(n, 15u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n), kSpecV1Unknown);
}

TEST(WriterLocalTest, V2LocalIsTheSpecBytes) {
  std::array<uint8_t, 64> buf{};
  const size_t n = writeV2Local(buf);
  ASSERT_EQ(n, 16u);
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + n), kSpecV2Local);
}

TEST(WriterLocalTest, RefuseBufferTooSmallAtEverySize) {
  std::array<uint8_t, 16> buf{};
  for (size_t size = 0; size < 15; ++size) EXPECT_EQ(writeV1Unknown(std::span(buf).first(size)), 0u) << size;
  EXPECT_EQ(writeV1Unknown(std::span(buf).first(15)), 15u);
  for (size_t size = 0; size < 16; ++size) EXPECT_EQ(writeV2Local(std::span(buf).first(size)), 0u) << size;
  EXPECT_EQ(writeV2Local(std::span(buf).first(16)), 16u);
}

TEST(WriterLocalTest, OurParserReadsThemAsHeadersWithoutAddresses) {
  std::array<uint8_t, 16> buf{};
  Header v1;
  const size_t v1_length = writeV1Unknown(buf);
  EXPECT_EQ(parse(std::span(buf).first(v1_length), v1), (ParseResult{ParseStatus::Done, 15, ParseError::None}));
  EXPECT_EQ(v1.version, Version::V1);
  EXPECT_FALSE(v1.has_addresses);

  Header v2;
  const size_t v2_length = writeV2Local(buf);
  EXPECT_EQ(parse(std::span(buf).first(v2_length), v2), (ParseResult{ParseStatus::Done, 16, ParseError::None}));
  EXPECT_EQ(v2.version, Version::V2);
  EXPECT_EQ(v2.command, Command::Local);
  EXPECT_FALSE(v2.has_addresses);
  EXPECT_TRUE(v2.tlvs.empty());
}

}  // namespace
}  // namespace warren::proxy_protocol
