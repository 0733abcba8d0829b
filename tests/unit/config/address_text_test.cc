// parseAddressText: IPv4 / IPv6 literals with a port, and why anything else is refused.
#include "config/address_text.h"

#include <gtest/gtest.h>

namespace warren::config {
namespace {

TEST(AddressTextTest, ParsesIpv4AndIpv6) {
  auto v4 = parseAddressText("10.0.0.5:5672", PortZero::Rejected);
  ASSERT_TRUE(v4) << v4.error;
  EXPECT_TRUE(v4.value->isV4());
  EXPECT_EQ(v4.value->toString(), "10.0.0.5:5672");

  auto v6 = parseAddressText("[fd00::5]:5672", PortZero::Rejected);
  ASSERT_TRUE(v6) << v6.error;
  EXPECT_TRUE(v6.value->isV6());
  EXPECT_EQ(v6.value->toString(), "[fd00::5]:5672");

  auto any6 = parseAddressText("[::]:0", PortZero::Allowed);
  ASSERT_TRUE(any6) << any6.error;
  EXPECT_EQ(any6.value->port(), 0);

  auto mapped = parseAddressText("[::ffff:10.0.0.1]:5672", PortZero::Rejected);
  ASSERT_TRUE(mapped) << mapped.error;
  EXPECT_TRUE(mapped.value->isV6());
}

TEST(AddressTextTest, PortZeroOnlyWhereAllowed) {
  EXPECT_TRUE(parseAddressText("0.0.0.0:0", PortZero::Allowed));
  auto rejected = parseAddressText("10.0.0.5:0", PortZero::Rejected);
  EXPECT_FALSE(rejected);
  EXPECT_EQ(rejected.error, "port 0 is not allowed in address \"10.0.0.5:0\"");
}

struct BadAddress {
  const char* text;
  const char* message;
};

class BadAddressTest : public ::testing::TestWithParam<BadAddress> {};

TEST_P(BadAddressTest, IsRejectedWithMessage) {
  auto parsed = parseAddressText(GetParam().text, PortZero::Allowed);
  EXPECT_FALSE(parsed);
  EXPECT_EQ(parsed.error, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Addresses, BadAddressTest,
    ::testing::Values(
        BadAddress{
            "",
            "empty address: expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\""},
        BadAddress{
            "10.0.0.5",
            "missing port in address \"10.0.0.5\": expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\""},
        BadAddress{
            "[::1]",
            "missing port in address \"[::1]\": expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\""},
        BadAddress{
            "[::1]5672",
            "invalid address \"[::1]5672\": expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\""},
        BadAddress{"[::1:5672", "missing ']' in address \"[::1:5672\""},
        BadAddress{
            ":5672",
            "missing host in address \":5672\": expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\""},
        BadAddress{
            "::1",
            "IPv6 address \"::1\" must be written in brackets with a port, such as \"[::1]:5672\""},
        BadAddress{
            "fd00::5:5672",
            "IPv6 address \"fd00::5:5672\" must be written in brackets with a port, such as \"[::1]:5672\""},
        BadAddress{"10.0.0.5:", "invalid port \"\" in address \"10.0.0.5:\" (expected 0..65535)"},
        BadAddress{"10.0.0.5:65536",
                   "invalid port \"65536\" in address \"10.0.0.5:65536\" (expected 0..65535)"},
        BadAddress{"10.0.0.5:amqp",
                   "invalid port \"amqp\" in address \"10.0.0.5:amqp\" (expected 0..65535)"},
        BadAddress{"10.0.0.5:-1",
                   "invalid port \"-1\" in address \"10.0.0.5:-1\" (expected 0..65535)"},
        BadAddress{"localhost:5672",
                   "a listener address must be an IP address: use \"0.0.0.0\", \"127.0.0.1\" or an interface address instead of \"localhost\""},
        BadAddress{
            "rabbit-1.example.com:5672",
            "a listener address must be an IP address: use \"0.0.0.0\", \"127.0.0.1\" or an interface address instead of \"rabbit-1.example.com\""},
        BadAddress{"300.0.0.1:5672", "\"300.0.0.1\" is not a valid IP address"},
        BadAddress{"10.0.0:5672", "\"10.0.0\" is not a valid IP address"},
        BadAddress{"[1.2.3.4]:5672",
                   "only IPv6 addresses are written in brackets: \"[1.2.3.4]:5672\""},
        BadAddress{"[fe80::1%eth0]:5672", "\"fe80::1%eth0\" is not a valid IP address"},
        BadAddress{"[gg::1]:5672", "\"gg::1\" is not a valid IP address"}));

}  // namespace
}  // namespace warren::config
