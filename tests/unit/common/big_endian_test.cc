// common/big_endian.h against hand-written network-order bytes.
#include "common/big_endian.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace warren::big_endian {
namespace {

constexpr std::array<uint8_t, 8> kBytes = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};

TEST(BigEndianTest, LoadsReadTheFirstByteAsTheMostSignificant) {
  EXPECT_EQ(load16(kBytes.data()), 0x0123u);
  EXPECT_EQ(load24(kBytes.data()), 0x012345u);
  EXPECT_EQ(load32(kBytes.data()), 0x01234567u);
  EXPECT_EQ(load64(kBytes.data()), 0x0123456789ABCDEFull);
  EXPECT_EQ(load32(kBytes.data() + 3), 0x6789ABCDu);  // no alignment needed
}

TEST(BigEndianTest, HighBytesDoNotSignExtend) {
  constexpr std::array<uint8_t, 8> ff = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE};
  EXPECT_EQ(load16(ff.data()), 0xFFFFu);
  EXPECT_EQ(load24(ff.data()), 0xFFFFFFu);
  EXPECT_EQ(load32(ff.data()), 0xFFFFFFFFu);
  EXPECT_EQ(load64(ff.data()), 0xFFFFFFFFFFFFFFFEull);
}

TEST(BigEndianTest, StoresWriteNetworkOrder) {
  std::array<uint8_t, 8> out{};
  store16(out.data(), 0x0123);
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[1], 0x23);
  out = {};
  store32(out.data(), 0x01234567u);
  EXPECT_EQ(out, (std::array<uint8_t, 8>{0x01, 0x23, 0x45, 0x67, 0, 0, 0, 0}));
  out = {};
  store64(out.data(), 0x0123456789ABCDEFull);
  EXPECT_EQ(out, kBytes);
}

TEST(BigEndianTest, StoreThenLoadRoundTrips) {
  std::array<uint8_t, 8> out{};
  for (const uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x8000000000000000ull}, ~uint64_t{0},
                           uint64_t{0x00FF00FF00FF00FFull}}) {
    store64(out.data(), v);
    EXPECT_EQ(load64(out.data()), v);
    store32(out.data(), static_cast<uint32_t>(v));
    EXPECT_EQ(load32(out.data()), static_cast<uint32_t>(v));
    store16(out.data(), static_cast<uint16_t>(v));
    EXPECT_EQ(load16(out.data()), static_cast<uint16_t>(v));
  }
}

TEST(BigEndianTest, UsableAtCompileTime) {
  constexpr uint32_t v = load32(kBytes.data());
  static_assert(v == 0x01234567u);
  EXPECT_EQ(v, 0x01234567u);
}

}  // namespace
}  // namespace warren::big_endian
