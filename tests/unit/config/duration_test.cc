// parseDuration / parseSize / formatDuration / formatSize.
#include "config/duration.h"

#include <gtest/gtest.h>

namespace warren::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct ValidDuration {
  const char* text;
  Duration expected;
};

class ValidDurationTest : public ::testing::TestWithParam<ValidDuration> {};

TEST_P(ValidDurationTest, Parses) {
  auto parsed = parseDuration(GetParam().text);
  ASSERT_TRUE(parsed) << parsed.error;
  EXPECT_EQ(*parsed.value, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Durations, ValidDurationTest,
    ::testing::Values(ValidDuration{"0s", Duration(0)}, ValidDuration{"0ms", Duration(0)},
                      ValidDuration{"0h", Duration(0)}, ValidDuration{"250ms", milliseconds(250)},
                      ValidDuration{"10s", seconds(10)}, ValidDuration{"1.5s", milliseconds(1500)},
                      ValidDuration{"2m", minutes(2)}, ValidDuration{"1h", hours(1)},
                      ValidDuration{"0.5m", seconds(30)}, ValidDuration{"1.25h", minutes(75)},
                      ValidDuration{"1.000s", seconds(1)}, ValidDuration{"0.001s", milliseconds(1)},
                      ValidDuration{"0.0001h", milliseconds(360)},
                      ValidDuration{"1.5000000000000000000000s", milliseconds(1500)},
                      ValidDuration{"007s", seconds(7)}, ValidDuration{"8760h", hours(8760)},
                      ValidDuration{"525600m", hours(8760)}));

struct InvalidText {
  const char* text;
  const char* message;
};

class InvalidDurationTest : public ::testing::TestWithParam<InvalidText> {};

TEST_P(InvalidDurationTest, IsRejectedWithMessage) {
  auto parsed = parseDuration(GetParam().text);
  EXPECT_FALSE(parsed);
  EXPECT_EQ(parsed.error, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Durations, InvalidDurationTest,
    ::testing::Values(
        InvalidText{
            "",
            "empty duration: expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""},
        InvalidText{"10", "missing unit in duration \"10\": use ms, s, m or h, e.g. \"10s\""},
        InvalidText{"1.5", "missing unit in duration \"1.5\": use ms, s, m or h, e.g. \"10s\""},
        InvalidText{"10x", "unknown unit \"x\" in duration \"10x\": use ms, s, m or h"},
        InvalidText{"10S", "unknown unit \"S\" in duration \"10S\": use ms, s, m or h"},
        InvalidText{"10 s", "unknown unit \" s\" in duration \"10 s\": use ms, s, m or h"},
        InvalidText{"10sec", "unknown unit \"sec\" in duration \"10sec\": use ms, s, m or h"},
        InvalidText{"1h30m", "unknown unit \"h30m\" in duration \"1h30m\": use ms, s, m or h"},
        InvalidText{"1e3s", "unknown unit \"e3s\" in duration \"1e3s\": use ms, s, m or h"},
        InvalidText{"-1s", "negative duration \"-1s\" is not allowed"},
        InvalidText{
            "+1s",
            "invalid duration \"+1s\": expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""},
        InvalidText{
            "s",
            "invalid duration \"s\": expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""},
        InvalidText{
            " 1s",
            "invalid duration \" 1s\": expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""},
        InvalidText{
            ".5s",
            "invalid duration \".5s\": expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""},
        InvalidText{
            "1.s",
            "invalid duration \"1.s\": expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\""},
        InvalidText{"1.5ms", "duration \"1.5ms\" is not a whole number of milliseconds"},
        InvalidText{"0.0001s", "duration \"0.0001s\" is not a whole number of milliseconds"},
        InvalidText{"0.00000001h",
                    "duration \"0.00000001h\" is not a whole number of milliseconds"},
        InvalidText{"8761h", "duration \"8761h\" is too large (the maximum is 8760h)"},
        InvalidText{"8760.001h", "duration \"8760.001h\" is too large (the maximum is 8760h)"},
        InvalidText{"99999999999999999999999s",
                    "duration \"99999999999999999999999s\" is too large (the maximum is 8760h)"},
        InvalidText{"18446744073709551615ms",
                    "duration \"18446744073709551615ms\" is too large (the maximum is 8760h)"}));

struct ValidSize {
  const char* text;
  uint64_t expected;
};

class ValidSizeTest : public ::testing::TestWithParam<ValidSize> {};

TEST_P(ValidSizeTest, Parses) {
  auto parsed = parseSize(GetParam().text);
  ASSERT_TRUE(parsed) << parsed.error;
  EXPECT_EQ(*parsed.value, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ValidSizeTest,
                         ::testing::Values(ValidSize{"0B", 0}, ValidSize{"1B", 1},
                                           ValidSize{"1024B", 1024}, ValidSize{"1KiB", 1024},
                                           ValidSize{"256KiB", 256 * 1024},
                                           ValidSize{"1MiB", 1024 * 1024},
                                           ValidSize{"64MiB", 64 * 1024 * 1024},
                                           ValidSize{"4095MiB", 4095ull * 1024 * 1024},
                                           ValidSize{"4294967295B", 4294967295ull}));

class InvalidSizeTest : public ::testing::TestWithParam<InvalidText> {};

TEST_P(InvalidSizeTest, IsRejectedWithMessage) {
  auto parsed = parseSize(GetParam().text);
  EXPECT_FALSE(parsed);
  EXPECT_EQ(parsed.error, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, InvalidSizeTest,
    ::testing::Values(
        InvalidText{"", "empty size: expected a whole number and a unit such as \"256KiB\""},
        InvalidText{
            "1024",
            "missing unit in size \"1024\": use B, KiB or MiB, or write the number of bytes as an integer"},
        InvalidText{"64KB",
                    "unknown unit \"KB\" in size \"64KB\": use B, KiB or MiB (1KiB = 1024 bytes)"},
        InvalidText{"64kB",
                    "unknown unit \"kB\" in size \"64kB\": use B, KiB or MiB (1KiB = 1024 bytes)"},
        InvalidText{"1MB",
                    "unknown unit \"MB\" in size \"1MB\": use B, KiB or MiB (1MiB = 1024KiB)"},
        InvalidText{"1GiB", "unknown unit \"GiB\" in size \"1GiB\": use B, KiB or MiB"},
        InvalidText{"1kib", "unknown unit \"kib\" in size \"1kib\": use B, KiB or MiB"},
        InvalidText{"1 KiB", "unknown unit \" KiB\" in size \"1 KiB\": use B, KiB or MiB"},
        InvalidText{"1.5MiB",
                    "size \"1.5MiB\" must be a whole number (write \"1536KiB\", not \"1.5MiB\")"},
        InvalidText{"-1KiB", "negative size \"-1KiB\" is not allowed"},
        InvalidText{"KiB",
                    "invalid size \"KiB\": expected a whole number and a unit such as \"256KiB\""},
        InvalidText{"4096MiB", "size \"4096MiB\" is too large (the maximum is 4294967295B)"},
        InvalidText{"99999999999999999999B",
                    "size \"99999999999999999999B\" is too large (the maximum is 4294967295B)"}));

TEST(FormatDurationTest, UsesTheLargestWholeUnit) {
  EXPECT_EQ(formatDuration(Duration(0)), "0s");
  EXPECT_EQ(formatDuration(milliseconds(250)), "250ms");
  EXPECT_EQ(formatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(formatDuration(seconds(10)), "10s");
  EXPECT_EQ(formatDuration(seconds(90)), "90s");
  EXPECT_EQ(formatDuration(minutes(2)), "2m");
  EXPECT_EQ(formatDuration(hours(1)), "1h");
  EXPECT_EQ(formatDuration(kMaxDuration), "8760h");
}

TEST(FormatDurationTest, RoundTripsThroughParse) {
  for (Duration d : {Duration(0), Duration(1), Duration(1500), Duration(seconds(59)),
                     Duration(minutes(61)), Duration(hours(25))}) {
    auto parsed = parseDuration(formatDuration(d));
    ASSERT_TRUE(parsed) << parsed.error;
    EXPECT_EQ(*parsed.value, d);
  }
}

TEST(FormatSizeTest, UsesTheLargestWholeUnit) {
  EXPECT_EQ(formatSize(0), "0B");
  EXPECT_EQ(formatSize(100), "100B");
  EXPECT_EQ(formatSize(1024), "1KiB");
  EXPECT_EQ(formatSize(1536 * 1024), "1536KiB");
  EXPECT_EQ(formatSize(256 * 1024), "256KiB");
  EXPECT_EQ(formatSize(64 * 1024 * 1024), "64MiB");
}

}  // namespace
}  // namespace warren::config
