// quote / keyText / closestMatch / didYouMean.
#include "config/message.h"

#include <gtest/gtest.h>

namespace warren::config {
namespace {

TEST(QuoteTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(quote("abc"), "\"abc\"");
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote(std::string_view("a\nb\0c\x7f", 6)), "\"a\\x0Ab\\x00c\\x7F\"");
}

TEST(QuoteTest, CutsLongTextAtFortyCharacters) {
  EXPECT_EQ(quote(std::string(40, 'x')), "\"" + std::string(40, 'x') + "\"");
  EXPECT_EQ(quote(std::string(41, 'x')), "\"" + std::string(40, 'x') + "...\"");
}

TEST(QuoteTest, TheLimitCanBeRaised) {
  EXPECT_EQ(quote(std::string(41, 'x'), 41), "\"" + std::string(41, 'x') + "\"");
  EXPECT_EQ(quote(std::string(200, 'x'), kMaxShownPath), "\"" + std::string(200, 'x') + "\"");
  EXPECT_EQ(quote("abc", 2), "\"ab...\"");
}

TEST(QuoteTest, CountsUtf8CharactersNotBytes) {
  std::string word;
  for (int i = 0; i < 41; ++i) word += "\xC3\xA9";  // é
  std::string expected;
  for (int i = 0; i < 40; ++i) expected += "\xC3\xA9";
  EXPECT_EQ(quote(word), "\"" + expected + "...\"");
}

TEST(KeyTextTest, QuotesOnlyWhatIsNotABareKey) {
  EXPECT_EQ(keyText("connect_timeout"), "connect_timeout");
  EXPECT_EQ(keyText("a-b_C9"), "a-b_C9");
  EXPECT_EQ(keyText("a b"), "\"a b\"");
  EXPECT_EQ(keyText("a.b"), "\"a.b\"");
  EXPECT_EQ(keyText(""), "\"\"");
}

TEST(ClosestMatchTest, FindsTyposAndPrefixes) {
  const std::vector<std::string_view> keys{
      "connect_timeout", "connect_attempts", "down_backoff", "tcp", "node", "name"};
  EXPECT_EQ(closestMatch("conect_timeout", keys), "connect_timeout");
  EXPECT_EQ(closestMatch("connect_timeuot", keys), "connect_timeout");
  EXPECT_EQ(closestMatch("CONNECT_ATTEMPTS", keys), "connect_attempts");
  EXPECT_EQ(closestMatch("tpc", keys), "tcp");
  EXPECT_EQ(closestMatch("nodes", keys), "node");
  EXPECT_EQ(closestMatch("connect_timeout_ms", keys), "connect_timeout");
  EXPECT_EQ(closestMatch("weight", keys), "");
  EXPECT_EQ(closestMatch("x", keys), "");
  EXPECT_EQ(closestMatch("", keys), "");
}

TEST(DidYouMeanTest, QuotesKeysAndValuesDifferently) {
  const std::vector<std::string_view> words{"least_conn", "round_robin"};
  EXPECT_EQ(didYouMean("roundrobin", words), " (did you mean 'round_robin'?)");
  EXPECT_EQ(didYouMean("roundrobin", words, HintStyle::Value), " (did you mean \"round_robin\"?)");
  EXPECT_EQ(didYouMean("random", words), "");
}

}  // namespace
}  // namespace warren::config
