// parseServerName: DNS names and "*." wildcards for SNI routes and cluster.tls.server_name.
#include "config/server_name.h"

#include <gtest/gtest.h>

namespace warren::config {
namespace {

std::string ok(std::string_view text, Wildcard wildcard = Wildcard::Allowed) {
  auto parsed = parseServerName(text, wildcard);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error;
  return parsed ? *parsed.value : "";
}

std::string error(std::string_view text, Wildcard wildcard = Wildcard::Allowed) {
  auto parsed = parseServerName(text, wildcard);
  EXPECT_FALSE(parsed) << text;
  return parsed.error;
}

TEST(ServerNameTest, AcceptsHostNamesAndLowerCasesThem) {
  EXPECT_EQ(ok("rabbit.example.com"), "rabbit.example.com");
  EXPECT_EQ(ok("RABBIT.Example.Com"), "rabbit.example.com");
  EXPECT_EQ(ok("localhost"), "localhost");
  EXPECT_EQ(ok("a-b.c-d.e"), "a-b.c-d.e");
  EXPECT_EQ(ok("1.2.3"), "1.2.3");  // not an IPv4 address
  EXPECT_EQ(ok("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(ok(std::string(63, 'a') + ".com"), std::string(63, 'a') + ".com");
  EXPECT_EQ(ok("rabbit.internal", Wildcard::Rejected), "rabbit.internal");
}

TEST(ServerNameTest, WildcardsAreTheWholeFirstLabel) {
  EXPECT_EQ(ok("*.example.com"), "*.example.com");
  EXPECT_EQ(ok("*.EU.Example.com"), "*.eu.example.com");
  EXPECT_EQ(ok("*.local"), "*.local");
  const std::string whole =
      "a wildcard must be the whole first label, as in \"*.example.com\"";
  EXPECT_EQ(error("*a.example.com"), "invalid server name \"*a.example.com\": " + whole);
  EXPECT_EQ(error("a*.example.com"), "invalid server name \"a*.example.com\": " + whole);
  EXPECT_EQ(error("a.*.example.com"), "invalid server name \"a.*.example.com\": " + whole);
  EXPECT_EQ(error("*.*.example.com"), "invalid server name \"*.*.example.com\": " + whole);
  EXPECT_EQ(error("**.example.com"), "invalid server name \"**.example.com\": " + whole);
  EXPECT_EQ(error("*"),
            "invalid server name \"*\": a wildcard needs a domain after it, as in \"*.example.com\"");
  EXPECT_EQ(error("*."),
            "invalid server name \"*.\": a wildcard needs a domain after it, as in \"*.example.com\"");
  EXPECT_EQ(error("*.example.com", Wildcard::Rejected),
            "invalid server name \"*.example.com\": a wildcard is not allowed here");
  EXPECT_EQ(error("a.*.com", Wildcard::Rejected),
            "invalid server name \"a.*.com\": a wildcard is not allowed here");
}

TEST(ServerNameTest, RefusesWhatIsNotAHostName) {
  EXPECT_EQ(error(""), "must not be empty");
  EXPECT_EQ(error("a..b"), "invalid server name \"a..b\": empty label");
  EXPECT_EQ(error(".a"), "invalid server name \".a\": empty label");
  EXPECT_EQ(error("a.com."), "invalid server name \"a.com.\": remove the trailing dot");
  EXPECT_EQ(error("-a.com"), "invalid server name \"-a.com\": a label must not start or end with '-'");
  EXPECT_EQ(error("a-.com"), "invalid server name \"a-.com\": a label must not start or end with '-'");
  EXPECT_EQ(error("a_b.com"),
            "invalid server name \"a_b.com\": \"_\" is not allowed (use letters, digits, '-' and '.')");
  EXPECT_EQ(error("rabbit:5671"),
            "invalid server name \"rabbit:5671\": \":\" is not allowed (use letters, digits, '-' and '.')");
  EXPECT_EQ(error("a\tb"),
            "invalid server name \"a\\x09b\": \"\\x09\" is not allowed (use letters, digits, '-' and '.')");
  EXPECT_EQ(error("10.0.0.5"),
            "invalid server name \"10.0.0.5\": an IP address is not a server name (SNI carries DNS names only)");
  EXPECT_EQ(error("[::1]"),
            "invalid server name \"[::1]\": \"[\" is not allowed (use letters, digits, '-' and '.')");
  EXPECT_EQ(error("b\xC3\xBC" "cher.example"),
            "invalid server name \"b\xC3\xBC" "cher.example\": non-ASCII characters; write the name in its xn-- (punycode) form");
  EXPECT_EQ(error(std::string(64, 'a') + ".com"),
            "invalid server name \"" + std::string(40, 'a') +
                "...\": a label is longer than 63 characters");
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(50, 'a') + ".";
  long_name += "com";  // 258 characters
  EXPECT_EQ(error(long_name), "invalid server name \"" + std::string(40, 'a') +
                                  "...\": longer than 253 characters");
}

}  // namespace
}  // namespace warren::config
