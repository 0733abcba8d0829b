#include "common/command.h"

#include <gtest/gtest.h>

#include <array>

namespace warren::bench {
namespace {

std::optional<Command> decode(const std::array<uint8_t, kCommandLength>& bytes) {
  return decodeCommand(std::span<const uint8_t, kCommandLength>(bytes));
}

TEST(CommandTest, WireLayout) {
  const auto bytes = encodeCommand({Mode::Source, 0x0102030405060708});
  const std::array<uint8_t, kCommandLength> expected = {'W', 'B', 'C', 'H', 'O', 0, 0, 0,
                                                        1,   2,   3,   4,   5,   6, 7, 8};
  EXPECT_EQ(bytes, expected);
}

TEST(CommandTest, EveryModeRoundTrips) {
  for (const Mode mode : {Mode::Quick, Mode::Echo, Mode::Sink, Mode::Source, Mode::Hold}) {
    for (const uint64_t argument : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 30, ~uint64_t{0}}) {
      const Command command{mode, argument};
      EXPECT_EQ(decode(encodeCommand(command)), command);
    }
  }
}

TEST(CommandTest, RejectsWrongMagic) {
  auto bytes = encodeCommand({Mode::Quick, 0});
  bytes[3] = 'X';
  EXPECT_EQ(decode(bytes), std::nullopt);
}

TEST(CommandTest, RejectsUnknownMode) {
  auto bytes = encodeCommand({Mode::Quick, 0});
  bytes[4] = 'Z';
  EXPECT_EQ(decode(bytes), std::nullopt);
  bytes[4] = 'q';  // modes are case-sensitive
  EXPECT_EQ(decode(bytes), std::nullopt);
}

TEST(CommandTest, RejectsNonZeroPadding) {
  for (const size_t i : {5, 6, 7}) {
    auto bytes = encodeCommand({Mode::Echo, 0});
    bytes[i] = 1;
    EXPECT_EQ(decode(bytes), std::nullopt) << "padding byte " << i;
  }
}

TEST(CommandTest, Be64) {
  uint8_t out[8];
  putBe64(out, 0x1122334455667788);
  EXPECT_EQ(out[0], 0x11);
  EXPECT_EQ(out[7], 0x88);
  EXPECT_EQ(getBe64(out), 0x1122334455667788u);
}

}  // namespace
}  // namespace warren::bench
