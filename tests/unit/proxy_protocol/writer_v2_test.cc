// writeV2 / writeV2Local / writeV2WithCrc32c against hand-built bytes (§2.2).
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::addr;
using test::Bytes;
using test::concat;
using test::tlvBytes;
using test::v2Fixed;

Bytes write(const Address& src, const Address& dst, std::vector<Tlv> tlvs = {}) {
  Bytes buf(1024);
  buf.resize(writeV2(src, dst, tlvs, buf));
  return buf;
}

TEST(WriterV2Test, TcpOverIpv4) {
  const Bytes expected = concat({
      v2Fixed(0x21, 0x11, 12),
      {192, 168, 0, 1},     // source
      {192, 168, 0, 11},    // destination
      {0xDC, 0x04},         // 56324
      {0x01, 0xBB},         // 443
  });
  EXPECT_EQ(expected.size(), 28u);
  EXPECT_EQ(write(addr("192.168.0.1:56324"), addr("192.168.0.11:443")), expected);
}

TEST(WriterV2Test, TcpOverIpv6) {
  const Bytes expected = concat({
      v2Fixed(0x21, 0x21, 36),
      {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01},  // 2001:db8::1
      {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd},     // fe80::abcd
      {0xFF, 0xFF},  // 65535
      {0x16, 0x28},  // 5672
  });
  EXPECT_EQ(expected.size(), kMaxV2HeaderLengthWithoutTlvs);
  EXPECT_EQ(write(addr("[2001:db8::1]:65535"), addr("[fe80::abcd]:5672")), expected);
}

TEST(WriterV2Test, MixedFamiliesAreV4MappedIpv6) {
  const Bytes expected = concat({
      v2Fixed(0x21, 0x21, 36),
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 1},  // ::ffff:10.0.0.1
      {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02},
      {0x00, 0x01},
      {0x00, 0x02},
  });
  EXPECT_EQ(write(addr("10.0.0.1:1"), addr("[2001:db8::2]:2")), expected);
}

TEST(WriterV2Test, Local) {
  std::array<uint8_t, 16> buf{};
  ASSERT_EQ(writeV2Local(buf), 16u);
  EXPECT_EQ(Bytes(buf.begin(), buf.end()), v2Fixed(0x20, 0x00, 0));
  std::array<uint8_t, 15> small{};
  EXPECT_EQ(writeV2Local(small), 0u);
}

TEST(WriterV2Test, TlvsFollowAddressesInOrder) {
  const Bytes expected = concat({
      v2Fixed(0x21, 0x11, static_cast<uint16_t>(12 + 5 + 15 + 3)),
      {127, 0, 0, 1},
      {127, 0, 0, 2},
      {0x30, 0x39},  // 12345
      {0x16, 0x28},  // 5672
      tlvBytes(0x01, "h2"),
      tlvBytes(0x02, "rabbit.local"),
      tlvBytes(0x04, ""),
  });
  EXPECT_EQ(write(addr("127.0.0.1:12345"), addr("127.0.0.2:5672"),
                  {{kPp2TypeAlpn, "h2"}, {kPp2TypeAuthority, "rabbit.local"}, {kPp2TypeNoop, ""}}),
            expected);
}

TEST(WriterV2Test, Crc32cIsComputedOverHeaderWithZeroedField) {
  const Address src = addr("192.0.2.1:1000");
  const Address dst = addr("192.0.2.2:2000");
  Bytes expected = concat({
      v2Fixed(0x21, 0x11, static_cast<uint16_t>(12 + 5 + 7)),
      {192, 0, 2, 1},
      {192, 0, 2, 2},
      {0x03, 0xE8},
      {0x07, 0xD0},
      tlvBytes(0x01, "h2"),
      {0x03, 0x00, 0x04, 0, 0, 0, 0},
  });
  const uint32_t crc = crc32c(expected);
  const size_t at = expected.size() - 4;
  expected[at] = static_cast<uint8_t>(crc >> 24);
  expected[at + 1] = static_cast<uint8_t>(crc >> 16);
  expected[at + 2] = static_cast<uint8_t>(crc >> 8);
  expected[at + 3] = static_cast<uint8_t>(crc);

  const std::vector<Tlv> tlvs = {{kPp2TypeAlpn, "h2"}};
  Bytes buf(256);
  buf.resize(writeV2WithCrc32c(src, dst, tlvs, buf));
  EXPECT_EQ(buf, expected);
  EXPECT_EQ(v2EncodedSize(src, dst, tlvs) + 7, expected.size());
}

TEST(WriterV2Test, Crc32cRefusesExistingCrcTlv) {
  Bytes buf(256);
  const std::vector<Tlv> tlvs = {{kPp2TypeCrc32c, std::string(4, '\0')}};
  EXPECT_EQ(writeV2WithCrc32c(addr("1.1.1.1:1"), addr("2.2.2.2:2"), tlvs, buf), 0u);
}

TEST(WriterV2Test, RefusesBufferTooSmallAtEverySize) {
  const Address src = addr("[2001:db8::1]:1");
  const Address dst = addr("[2001:db8::2]:2");
  const std::vector<Tlv> tlvs = {{kPp2TypeAuthority, "example.com"}};
  const size_t needed = v2EncodedSize(src, dst, tlvs);
  ASSERT_EQ(needed, 16u + 36 + 3 + 11);
  Bytes buf(needed);
  for (size_t size = 0; size < needed; ++size) {
    EXPECT_EQ(writeV2(src, dst, tlvs, std::span(buf).first(size)), 0u) << size;
    EXPECT_EQ(writeV2WithCrc32c(src, dst, tlvs, std::span(buf).first(size)), 0u) << size;
  }
  EXPECT_EQ(writeV2(src, dst, tlvs, buf), needed);
  EXPECT_EQ(writeV2WithCrc32c(src, dst, tlvs, buf), 0u);  // needs 7 more
}

TEST(WriterV2Test, RefusesOversizedTlvsAndInvalidAddresses) {
  Bytes buf(70000);
  const Address a = addr("1.2.3.4:5");
  const std::vector<Tlv> too_long_value = {{kPp2TypeNoop, std::string(65536, 'x')}};
  EXPECT_EQ(writeV2(a, a, too_long_value, buf), 0u);
  // Each value fits, but the payload (12 + 2 * (3 + 32760)) exceeds 65535.
  const std::vector<Tlv> too_long_payload = {{kPp2TypeNoop, std::string(32760, 'x')},
                                             {kPp2TypeNoop, std::string(32760, 'y')}};
  EXPECT_EQ(writeV2(a, a, too_long_payload, buf), 0u);
  EXPECT_EQ(writeV2(Address{}, a, {}, buf), 0u);
  EXPECT_EQ(writeV2(a, Address{}, {}, buf), 0u);
  EXPECT_EQ(v2EncodedSize(Address{}, a, {}), 0u);
}

}  // namespace
}  // namespace warren::proxy_protocol
