// TOML syntax errors, unreadable files, and ConfigError::format().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::errorsOf;

TEST(SyntaxTest, ParseErrorsCarryTomlPlusPlusPositionAndDescription) {
  auto result = loadString("[[listener]]\nname = \"amqp\naddress = \"x\"\n", "t.toml");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.errors.size(), 1u);
  const ConfigError& e = result.errors[0];
  EXPECT_EQ(e.file, "t.toml");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 13u);
  EXPECT_EQ(e.key, "");
  EXPECT_EQ(e.format(),
            "t.toml:2:13: Error while parsing string: unescaped control characters other than "
            "TAB (U+0009) are explicitly prohibited");
}

TEST(SyntaxTest, CommonMistakes) {
  EXPECT_THAT(
      errorsOf("[global]\nworkers = 2\nworkers = 3\n"),
      ElementsAre(
          "t.toml:3:11: Error while parsing key-value pair: cannot redefine existing integer 'workers'"));
  EXPECT_THAT(
      errorsOf("[global]\n[global]\n"),
      ElementsAre(
          "t.toml:2:1: Error while parsing table header: cannot redefine existing table 'global'"));
  EXPECT_THAT(errorsOf("[global\n"),
              ElementsAre("t.toml:1:8: Error while parsing table header: expected ']', saw '\\n'"));
  // An unquoted duration is not TOML at all.
  EXPECT_THAT(
      errorsOf("[global]\nshutdown_timeout = 10s\n"),
      ElementsAre("t.toml:2:22: Error while parsing decimal integer: expected digit, saw 's'"));
  // (toml++ reports this one a column early; positions of syntax errors are its own.)
  EXPECT_THAT(errorsOf("a = \xff\n"),
              ElementsAre("t.toml:1:4: Encountered invalid utf-8 sequence"));
}

TEST(SyntaxTest, NeverThrowsOnBinaryInput) {
  const std::string junk("\0\x01[[\xc3\x28]]=\"\n\r\t{{{", 16);
  EXPECT_NO_THROW({
    auto result = loadString(junk, "junk");
    EXPECT_FALSE(result.ok());
    EXPECT_FALSE(result.errors.empty());
  });
}

TEST(FileTest, MissingFile) {
  auto result = loadFile("/nonexistent/warren.toml");
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  const ConfigError& e = result.errors[0];
  EXPECT_EQ(e.file, "/nonexistent/warren.toml");
  EXPECT_EQ(e.line, 0u);
  EXPECT_EQ(e.column, 0u);
  EXPECT_EQ(e.key, "");
  EXPECT_EQ(e.message, "cannot read file: No such file or directory");
  EXPECT_EQ(e.format(), "/nonexistent/warren.toml: cannot read file: No such file or directory");
}

TEST(FileTest, DirectoryIsNotAFile) {
  auto result = loadFile(::testing::TempDir());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].format(), ::testing::TempDir() + ": cannot read file: Is a directory");
}

TEST(FileTest, ErrorsNameTheFile) {
  const std::string path = ::testing::TempDir() + "warren_file_test.toml";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("[global]\nworkers = -1\n", f);
  std::fclose(f);
  auto result = loadFile(path);
  std::remove(path.c_str());
  std::vector<std::string> formatted;
  for (const auto& e : result.errors) formatted.push_back(e.format());
  EXPECT_THAT(
      formatted,
      ElementsAre(
          path + ":1:1: listener: at least one [[listener]] is required",
          path + ":1:1: cluster: at least one [[cluster]] is required",
          path + ":2:11: global.workers: must be between 1 and 256 (or \"auto\"), found -1"));
}

TEST(FormatTest, AllShapes) {
  EXPECT_EQ((ConfigError{"f.toml", 3, 7, "global.workers", "bad"}).format(),
            "f.toml:3:7: global.workers: bad");
  EXPECT_EQ((ConfigError{"f.toml", 3, 7, "", "bad"}).format(), "f.toml:3:7: bad");
  EXPECT_EQ((ConfigError{"f.toml", 0, 0, "", "bad"}).format(), "f.toml: bad");
  EXPECT_EQ((ConfigError{"f.toml", 0, 0, "listener", "bad"}).format(), "f.toml: listener: bad");
}

}  // namespace
}  // namespace warren::config
