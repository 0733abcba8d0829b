// v1 decoding (§2.1): spec lines, UNKNOWN, strictness.
#include <gtest/gtest.h>

#include <string>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::addr;
using test::bytes;
using test::doneResult;
using test::errorResult;
using test::needMoreResult;
using test::parseBytes;

const std::string kFullV6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

TEST(ParserV1Test, SpecExampleFollowedByHttp) {
  const std::string line = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
  Header h;
  EXPECT_EQ(parseBytes(bytes(line + "GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n"), h),
            doneResult(line.size()));
  EXPECT_EQ(h.version, Version::V1);
  EXPECT_EQ(h.command, Command::Proxy);
  EXPECT_TRUE(h.has_addresses);
  EXPECT_EQ(h.source, addr("192.168.0.1:56324"));
  EXPECT_EQ(h.destination, addr("192.168.0.11:443"));
  EXPECT_TRUE(h.tlvs.empty());
}

TEST(ParserV1Test, Tcp4WorstCase56Bytes) {
  const std::string line = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
  ASSERT_EQ(line.size(), 56u);
  Header h;
  EXPECT_EQ(parseBytes(bytes(line), h), doneResult(56));
  EXPECT_EQ(h.source, addr("255.255.255.255:65535"));
  EXPECT_EQ(h.destination, addr("255.255.255.255:65535"));
}

TEST(ParserV1Test, Tcp6WorstCase104Bytes) {
  const std::string line = "PROXY TCP6 " + kFullV6 + " " + kFullV6 + " 65535 65535\r\n";
  ASSERT_EQ(line.size(), 104u);
  Header h;
  EXPECT_EQ(parseBytes(bytes(line), h), doneResult(104));
  EXPECT_TRUE(h.source.isV6());
  EXPECT_EQ(h.source, addr("[" + kFullV6 + "]:65535"));
}

TEST(ParserV1Test, Tcp6CompressedUppercaseAndV4Mapped) {
  Header h;
  const std::string line = "PROXY TCP6 2001:DB8::1 ::ffff:10.0.0.1 0 5672\r\n";
  EXPECT_EQ(parseBytes(bytes(line), h), doneResult(line.size()));
  EXPECT_EQ(h.source, addr("[2001:db8::1]:0"));
  EXPECT_EQ(h.destination, addr("[::ffff:10.0.0.1]:5672"));
}

TEST(ParserV1Test, UnknownShortForm15Bytes) {
  Header h;
  h.has_addresses = true;
  EXPECT_EQ(parseBytes(bytes("PROXY UNKNOWN\r\nAMQP"), h), doneResult(15));
  EXPECT_EQ(h.version, Version::V1);
  EXPECT_EQ(h.command, Command::Proxy);
  EXPECT_FALSE(h.has_addresses);
  EXPECT_FALSE(h.source.valid());
}

TEST(ParserV1Test, UnknownWorstCase107BytesRestIgnored) {
  const std::string line = "PROXY UNKNOWN " + kFullV6 + " " + kFullV6 + " 65535 65535\r\n";
  ASSERT_EQ(line.size(), kMaxV1HeaderLength);
  Header h;
  EXPECT_EQ(parseBytes(bytes(line + "x"), h), doneResult(107));
  EXPECT_FALSE(h.has_addresses);
  // Anything before the CRLF is ignored, even things invalid in TCP lines.
  const std::string odd = "PROXY UNKNOWN  garbage\tand\rstuff\n!\r\n";
  EXPECT_EQ(parseBytes(bytes(odd + "data")), doneResult(odd.size()));
}

TEST(ParserV1Test, UnknownLongerThan107IsTooLong) {
  const std::string line = "PROXY UNKNOWN " + kFullV6 + " " + kFullV6 + " 65535 655355\r\n";
  ASSERT_EQ(line.size(), 108u);
  EXPECT_EQ(parseBytes(bytes(line)), errorResult(ParseError::V1TooLong));
  EXPECT_EQ(parseBytes(bytes(line.substr(0, 106))), needMoreResult());
  EXPECT_EQ(parseBytes(bytes(line.substr(0, 107))), errorResult(ParseError::V1TooLong));
}

TEST(ParserV1Test, Tcp6WithLongDottedFormsCanBeTooLong) {
  const std::string a = "0000:0000:0000:0000:0000:ffff:255.255.255.255";  // 45 chars
  EXPECT_EQ(parseBytes(bytes("PROXY TCP6 " + a + " " + a + " 1 2\r\n")),
            errorResult(ParseError::V1TooLong));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP6 " + a + " ::1 1 2\r\n")).status, ParseStatus::Done);
}

TEST(ParserV1Test, PortBounds) {
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 0 65535\r\n")).status,
            ParseStatus::Done);
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 0 65536\r\n")),
            errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n")),
            errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 100000 1\r\n")),
            errorResult(ParseError::BadV1Line));
}

struct RejectCase {
  const char* name;
  std::string input;
  ParseError error;
};

class ParserV1RejectTest : public testing::TestWithParam<RejectCase> {};

TEST_P(ParserV1RejectTest, Rejects) {
  EXPECT_EQ(parseBytes(bytes(GetParam().input)), errorResult(GetParam().error))
      << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Strictness, ParserV1RejectTest,
    testing::Values(
        RejectCase{"LowercaseProto", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", ParseError::BadV1Line},
        RejectCase{"UnknownProto", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", ParseError::BadV1Line},
        RejectCase{"UnknownWithSuffix", "PROXY UNKNOWNX\r\n", ParseError::BadV1Line},
        RejectCase{"ProtoOnly", "PROXY TCP4\r\n", ParseError::BadV1Line},
        RejectCase{"EmptyProto", "PROXY \r\n", ParseError::BadV1Line},
        RejectCase{"DoubleSpaceAfterProxy", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
                   ParseError::BadV1Line},
        RejectCase{"DoubleSpaceBeforeAddress", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
                   ParseError::BadV1Line},
        RejectCase{"DoubleSpaceBeforePort", "PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n",
                   ParseError::BadV1Line},
        RejectCase{"TrailingSpace", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", ParseError::BadV1Line},
        RejectCase{"ExtraField", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", ParseError::BadV1Line},
        RejectCase{"MissingPort", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", ParseError::BadV1Line},
        RejectCase{"TabSeparator", "PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", ParseError::BadV1Line},
        RejectCase{"LoneLf", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", ParseError::BadV1Line},
        RejectCase{"LoneCr", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", ParseError::BadV1Line},
        RejectCase{"CrCr", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", ParseError::BadV1Line},
        RejectCase{"PortLeadingZero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", ParseError::BadV1Line},
        RejectCase{"PortPlusSign", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", ParseError::BadV1Line},
        RejectCase{"PortMinusSign", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", ParseError::BadV1Line},
        RejectCase{"PortHex", "PROXY TCP4 1.2.3.4 5.6.7.8 0x10 2\r\n", ParseError::BadV1Line},
        RejectCase{"Ipv4LeadingZero", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n",
                   ParseError::BadAddress},
        RejectCase{"Ipv4OctetTooBig", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
                   ParseError::BadAddress},
        RejectCase{"Ipv4ThreeOctets", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", ParseError::BadAddress},
        RejectCase{"Ipv4FiveOctets", "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n",
                   ParseError::BadAddress},
        RejectCase{"Ipv4EmptyOctet", "PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n", ParseError::BadAddress},
        RejectCase{"Ipv4TrailingDot", "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n",
                   ParseError::BadAddress},
        RejectCase{"Tcp4WithIpv6", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n", ParseError::BadAddress},
        RejectCase{"Tcp4WithIpv6Destination", "PROXY TCP4 1.2.3.4 ::1 1 2\r\n",
                   ParseError::BadAddress},
        RejectCase{"Tcp6WithIpv4", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", ParseError::BadAddress},
        RejectCase{"Tcp6TwoDoubleColons", "PROXY TCP6 1::2::3 ::1 1 2\r\n",
                   ParseError::BadAddress},
        RejectCase{"Tcp6GroupTooLong", "PROXY TCP6 12345::1 ::1 1 2\r\n", ParseError::BadAddress},
        RejectCase{"Tcp6ZoneId", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", ParseError::BadAddress},
        RejectCase{"HostName", "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", ParseError::BadAddress}),
    [](const testing::TestParamInfo<RejectCase>& info) { return info.param.name; });

TEST(ParserV1Test, InvalidFieldIsRejectedBeforeTheLineEnds) {
  EXPECT_EQ(parseBytes(bytes("PROXY X")), errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP5")), errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 ")),
            errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 300")), errorResult(ParseError::BadAddress));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 0")), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 00")), errorResult(ParseError::BadAddress));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 ::")), errorResult(ParseError::BadAddress));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP6 ::g")), errorResult(ParseError::BadAddress));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 070")),
            errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 70000")),
            errorResult(ParseError::BadV1Line));
  EXPECT_EQ(parseBytes(bytes("PROXY TCP4 1.2.3.4\r")), errorResult(ParseError::BadV1Line));
}

TEST(ParserV1Test, ValidPrefixesNeedMore) {
  const std::string line = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
  for (size_t n = 1; n < line.size(); ++n) {
    EXPECT_EQ(parseBytes(bytes(line.substr(0, n))), needMoreResult()) << n;
  }
  EXPECT_EQ(parseBytes(bytes("PROXY UNKNOWN")), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("PROXY UNKNOWN\r")), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("PROXY UNKNOWN whatever \r")), needMoreResult());
}

TEST(ParserV1Test, ParseV1RejectsV2Signature) {
  Header h;
  const test::Bytes v2 = test::v2Signature();
  EXPECT_EQ(parseV1(v2, h), errorResult(ParseError::NotProxyProtocol));
}

}  // namespace
}  // namespace warren::proxy_protocol
