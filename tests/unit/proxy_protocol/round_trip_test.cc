// parse(write(x)) == x for random addresses and TLVs (seeded, bounded).
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstring>
#include <random>
#include <vector>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::Bytes;

constexpr int kIterations = 2000;

Address randomV4(std::mt19937& rng) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = static_cast<uint32_t>(rng());
  sa.sin_port = static_cast<uint16_t>(rng());
  return Address(reinterpret_cast<const sockaddr*>(&sa));
}

Address randomV6(std::mt19937& rng) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  // Runs of zeros sometimes, to exercise "::" compression.
  for (auto& byte : sa.sin6_addr.s6_addr) byte = rng() % 3 == 0 ? 0 : static_cast<uint8_t>(rng());
  sa.sin6_port = static_cast<uint16_t>(rng());
  return Address(reinterpret_cast<const sockaddr*>(&sa));
}

Address randomAddress(std::mt19937& rng) { return rng() % 2 ? randomV4(rng) : randomV6(rng); }

// What the decoder returns for an address written next to one of the other
// family: IPv4 becomes v4-mapped IPv6.
Address asWritten(const Address& a, bool v6) {
  if (!v6 || a.isV6()) return a;
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = a.v4().sin_port;
  sa.sin6_addr.s6_addr[10] = 0xFF;
  sa.sin6_addr.s6_addr[11] = 0xFF;
  std::memcpy(&sa.sin6_addr.s6_addr[12], &a.v4().sin_addr, 4);
  return Address(reinterpret_cast<const sockaddr*>(&sa));
}

std::vector<Tlv> randomTlvs(std::mt19937& rng) {
  static constexpr uint8_t kTypes[] = {kPp2TypeAlpn, kPp2TypeAuthority, kPp2TypeNoop,
                                       kPp2TypeUniqueId, kPp2TypeNetns, 0xE5, 0xF0, 0x00};
  std::vector<Tlv> tlvs;
  const size_t count = rng() % 5;
  for (size_t i = 0; i < count; ++i) {
    Tlv tlv;
    tlv.type = kTypes[rng() % std::size(kTypes)];
    tlv.value.resize(rng() % 129);
    for (char& c : tlv.value) c = static_cast<char>(rng());
    tlvs.push_back(std::move(tlv));
  }
  if (rng() % 4 == 0) {
    tlvs.push_back(makeSslTlv(static_cast<uint8_t>(rng() % 8), static_cast<uint32_t>(rng()),
                              std::vector<Tlv>{{kPp2SubtypeSslVersion, "TLSv1.3"}}));
  }
  return tlvs;
}

TEST(RoundTripTest, RandomHeaders) {
  std::mt19937 rng(20240501);
  Bytes buf(2048);
  for (int i = 0; i < kIterations; ++i) {
    const Address src = randomAddress(rng);
    const Address dst = randomAddress(rng);
    const bool v6 = src.isV6() || dst.isV6();
    const std::vector<Tlv> tlvs = randomTlvs(rng);
    SCOPED_TRACE(src.toString() + " -> " + dst.toString());

    Header expected;
    expected.command = Command::Proxy;
    expected.has_addresses = true;
    expected.source = asWritten(src, v6);
    expected.destination = asWritten(dst, v6);

    // v1
    size_t n = writeV1(src, dst, buf);
    ASSERT_GT(n, 0u);
    ASSERT_LE(n, kMaxV1HeaderLength);
    Header h;
    ASSERT_EQ(parse(std::span(buf).first(n), h), test::doneResult(n));
    expected.version = Version::V1;
    EXPECT_EQ(h, expected);

    // v2
    n = writeV2(src, dst, tlvs, buf);
    ASSERT_EQ(n, v2EncodedSize(src, dst, tlvs));
    ASSERT_EQ(parse(std::span(buf).first(n), h), test::doneResult(n));
    expected.version = Version::V2;
    expected.tlvs = tlvs;
    EXPECT_EQ(h, expected);

    // v2 + CRC32C
    n = writeV2WithCrc32c(src, dst, tlvs, buf);
    ASSERT_GT(n, 0u);
    ASSERT_EQ(parse(std::span(buf).first(n), h), test::doneResult(n));
    ASSERT_FALSE(h.tlvs.empty());
    EXPECT_EQ(h.tlvs.back().type, kPp2TypeCrc32c);
    h.tlvs.pop_back();
    EXPECT_EQ(h, expected);
  }
}

TEST(RoundTripTest, LocalHeader) {
  Bytes buf(16);
  ASSERT_EQ(writeV2Local(buf), 16u);
  Header h;
  ASSERT_EQ(test::parseBytes(buf, h), test::doneResult(16));
  Header expected;
  expected.version = Version::V2;
  expected.command = Command::Local;
  EXPECT_EQ(h, expected);
}

}  // namespace
}  // namespace warren::proxy_protocol
