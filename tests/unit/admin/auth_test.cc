#include <gtest/gtest.h>

#include "admin/auth.h"
#include "admin/http.h"

namespace warren::admin {
namespace {

TEST(AuthTest, BearerTokenMustMatchExactly) {
  EXPECT_TRUE(bearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearerTokenMatches("bearer s3cret", "s3cret"));  // the scheme is case-insensitive
  EXPECT_TRUE(bearerTokenMatches("Bearer  s3cret ", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Bearer s3cretX", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Bearer S3cret", "s3cret"));  // the token is not
  EXPECT_FALSE(bearerTokenMatches("Basic czNjcmV0", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("s3cret", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("", "s3cret"));
  EXPECT_FALSE(bearerTokenMatches("Bearer ", ""));  // no token configured never matches
}

TEST(AuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "ab"));
  EXPECT_FALSE(constantTimeEquals("ab", "abc"));
  EXPECT_FALSE(constantTimeEquals(std::string_view("a\0", 2), "a"));
}

TEST(HttpTest, QueryParamAndPercentDecoding) {
  std::string v;
  EXPECT_TRUE(queryParam("weight=5", "weight", v));
  EXPECT_EQ(v, "5");
  EXPECT_TRUE(queryParam("a=1&weight=%35%30&b", "weight", v));
  EXPECT_EQ(v, "50");
  EXPECT_TRUE(queryParam("a=1&b", "b", v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(queryParam("weights=5", "weight", v));
  EXPECT_FALSE(queryParam("", "weight", v));
  EXPECT_FALSE(queryParam("weight=%3", "weight", v));  // malformed escape
  EXPECT_TRUE(percentDecode("127.0.0.1%3A5672", v));
  EXPECT_EQ(v, "127.0.0.1:5672");
  EXPECT_FALSE(percentDecode("%zz", v));
  EXPECT_FALSE(percentDecode("%", v));
}

}  // namespace
}  // namespace warren::admin
