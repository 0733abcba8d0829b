// v2 decoding (§2.2): hand-built vectors, commands, families, lengths.
#include <gtest/gtest.h>

#include <string>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::addr;
using test::Bytes;
using test::concat;
using test::doneResult;
using test::errorResult;
using test::needMoreResult;
using test::parseBytes;
using test::tlvBytes;
using test::v2Fixed;

const Bytes kV4Block = {10, 0, 0, 1, 10, 0, 0, 2, 0x04, 0xD2, 0x16, 0x28};  // :1234 → :5672

Bytes v6Block() {
  return concat({{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01},
                 {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02},
                 {0xC3, 0x50},    // 50000
                 {0x16, 0x28}});  // 5672
}

TEST(ParserV2Test, TcpOverIpv4) {
  const Bytes header = concat({v2Fixed(0x21, 0x11, 12), kV4Block});
  Header h;
  EXPECT_EQ(parseBytes(concat({header, test::bytes("AMQP")}), h), doneResult(28));
  EXPECT_EQ(h.version, Version::V2);
  EXPECT_EQ(h.command, Command::Proxy);
  EXPECT_TRUE(h.has_addresses);
  EXPECT_EQ(h.source, addr("10.0.0.1:1234"));
  EXPECT_EQ(h.destination, addr("10.0.0.2:5672"));
  EXPECT_TRUE(h.tlvs.empty());
}

TEST(ParserV2Test, TcpOverIpv6) {
  Header h;
  EXPECT_EQ(parseBytes(concat({v2Fixed(0x21, 0x21, 36), v6Block()}), h), doneResult(52));
  EXPECT_TRUE(h.has_addresses);
  EXPECT_EQ(h.source, addr("[2001:db8::1]:50000"));
  EXPECT_EQ(h.destination, addr("[2001:db8::2]:5672"));
}

TEST(ParserV2Test, TlvsAreKeptInWireOrder) {
  const Bytes header = concat({v2Fixed(0x21, 0x11, 12 + 5 + 6 + 3 + 4), kV4Block,
                               tlvBytes(0x01, "h2"), tlvBytes(0xE0, "abc"),
                               tlvBytes(0x04, ""), tlvBytes(0x02, "x")});
  Header h;
  EXPECT_EQ(parseBytes(header, h), doneResult(header.size()));
  const std::vector<Tlv> expected = {{0x01, "h2"}, {0xE0, "abc"}, {0x04, ""}, {0x02, "x"}};
  EXPECT_EQ(h.tlvs, expected);
}

TEST(ParserV2Test, LocalIgnoresFamilyAndPayload) {
  Header h;
  h.has_addresses = true;
  EXPECT_EQ(parseBytes(concat({v2Fixed(0x20, 0x00, 0), test::bytes("x")}), h), doneResult(16));
  EXPECT_EQ(h.command, Command::Local);
  EXPECT_FALSE(h.has_addresses);
  EXPECT_FALSE(h.source.valid());

  // LOCAL with an address block and arbitrary bytes: still skipped, no checks.
  const Bytes local_with_block = concat({v2Fixed(0x20, 0x11, 14), kV4Block, {0xFF, 0xFF}});
  EXPECT_EQ(parseBytes(local_with_block, h), doneResult(30));
  EXPECT_FALSE(h.has_addresses);
  EXPECT_TRUE(h.tlvs.empty());
  // ...but a short block is fine too, since the family is ignored.
  EXPECT_EQ(parseBytes(v2Fixed(0x20, 0x21, 0)), doneResult(16));
}

TEST(ParserV2Test, ProxyWithUnspecFamilySkipsPayload) {
  Header h;
  EXPECT_EQ(parseBytes(concat({v2Fixed(0x21, 0x00, 3), {1, 2, 3}}), h), doneResult(19));
  EXPECT_EQ(h.command, Command::Proxy);
  EXPECT_FALSE(h.has_addresses);
  // Known family, unspecified transport (and vice versa): addresses unknown, skipped.
  EXPECT_EQ(parseBytes(concat({v2Fixed(0x21, 0x10, 1), {9}})), doneResult(17));
  EXPECT_EQ(parseBytes(concat({v2Fixed(0x21, 0x01, 0)})), doneResult(16));
}

TEST(ParserV2Test, UdpAndUnixAreAcceptedWithoutAddresses) {
  Header h;
  const Bytes udp4 = concat({v2Fixed(0x21, 0x12, 12 + 5), kV4Block, tlvBytes(0x01, "h2")});
  EXPECT_EQ(parseBytes(udp4, h), doneResult(udp4.size()));
  EXPECT_FALSE(h.has_addresses);
  EXPECT_EQ(h.tlvs, (std::vector<Tlv>{{0x01, "h2"}}));

  const Bytes udp6 = concat({v2Fixed(0x21, 0x22, 36), v6Block()});
  EXPECT_EQ(parseBytes(udp6, h), doneResult(52));
  EXPECT_FALSE(h.has_addresses);

  for (uint8_t fam : {uint8_t{0x31}, uint8_t{0x32}}) {
    const Bytes unix_header = concat({v2Fixed(0x21, fam, 216), Bytes(216, 'a')});
    EXPECT_EQ(parseBytes(unix_header, h), doneResult(232));
    EXPECT_FALSE(h.has_addresses);
    EXPECT_EQ(parseBytes(concat({v2Fixed(0x21, fam, 215), Bytes(215, 'a')})),
              errorResult(ParseError::AddressLengthMismatch));
  }
}

TEST(ParserV2Test, LongerLengthCarriesTlvsAfterAddresses) {
  // 0x11 with len 36 (an IPv6-sized block) is not accepted as padding: the 24
  // bytes after the 12-byte block must be TLVs.
  const Bytes padded = concat({v2Fixed(0x21, 0x11, 36), kV4Block, Bytes(24, 0)});
  // 24 zero bytes = TLV type 0 with length 0, eight times: valid tiling.
  Header h;
  EXPECT_EQ(parseBytes(padded, h), doneResult(52));
  EXPECT_EQ(h.tlvs.size(), 8u);
  const Bytes junk = concat({v2Fixed(0x21, 0x11, 14), kV4Block, {0x01, 0x00}});
  EXPECT_EQ(parseBytes(junk), errorResult(ParseError::BadTlv));
}

TEST(ParserV2Test, VersionCommandAndFamilyAreCheckedByteByByte) {
  Bytes sig = test::v2Signature();
  EXPECT_EQ(parseBytes(sig), needMoreResult());
  for (uint8_t version : {0x00, 0x10, 0x30, 0xF0}) {
    sig.push_back(static_cast<uint8_t>(version | 0x01));
    EXPECT_EQ(parseBytes(sig), errorResult(ParseError::BadV2Version)) << int(version);
    sig.pop_back();
  }
  for (uint8_t command = 2; command < 16; ++command) {
    sig.push_back(static_cast<uint8_t>(0x20 | command));
    EXPECT_EQ(parseBytes(sig), errorResult(ParseError::BadV2Command)) << int(command);
    sig.pop_back();
  }
  sig.push_back(0x21);
  EXPECT_EQ(parseBytes(sig), needMoreResult());
  for (int fam = 0; fam < 256; ++fam) {
    sig.push_back(static_cast<uint8_t>(fam));
    const bool known = (fam >> 4) <= 3 && (fam & 0x0F) <= 2;
    EXPECT_EQ(parseBytes(sig), known ? needMoreResult() : errorResult(ParseError::BadFamily))
        << fam;
    sig.pop_back();
  }
  // LOCAL still needs a valid family byte.
  sig.back() = 0x20;
  sig.push_back(0x41);
  EXPECT_EQ(parseBytes(sig), errorResult(ParseError::BadFamily));
}

TEST(ParserV2Test, AddressLengthMismatchAsSoonAsLengthIsKnown) {
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x11, 11)), errorResult(ParseError::AddressLengthMismatch));
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x11, 0)), errorResult(ParseError::AddressLengthMismatch));
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x21, 35)), errorResult(ParseError::AddressLengthMismatch));
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x21, 12)), errorResult(ParseError::AddressLengthMismatch));
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x11, 12)), needMoreResult());
}

TEST(ParserV2Test, TooLargeAsSoonAsLengthIsKnown) {
  const uint16_t max_len = kMaxHeaderLength - 16;
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x11, max_len + 1)), errorResult(ParseError::TooLarge));
  EXPECT_EQ(parseBytes(v2Fixed(0x20, 0x00, 0xFFFF)), errorResult(ParseError::TooLarge));
  EXPECT_EQ(parseBytes(v2Fixed(0x21, 0x11, max_len)), needMoreResult());

  // Exactly kMaxHeaderLength bytes is accepted.
  const size_t pad = max_len - 12 - 3;
  const Bytes biggest = concat({v2Fixed(0x21, 0x11, max_len), kV4Block,
                                tlvBytes(kPp2TypeNoop, std::string(pad, '\0'))});
  ASSERT_EQ(biggest.size(), kMaxHeaderLength);
  EXPECT_EQ(parseBytes(biggest), doneResult(kMaxHeaderLength));
}

TEST(ParserV2Test, TruncatedHeadersStayNeedMore) {
  const Bytes header = concat({v2Fixed(0x21, 0x21, 36 + 4), v6Block(), tlvBytes(0x01, "a")});
  for (size_t n = 0; n < header.size(); ++n) {
    EXPECT_EQ(parseBytes(Bytes(header.begin(), header.begin() + n)), needMoreResult()) << n;
  }
  EXPECT_EQ(parseBytes(header), doneResult(header.size()));
}

TEST(ParserV2Test, ParseV2RejectsV1) {
  Header h;
  EXPECT_EQ(parseV2(test::bytes("PROXY TCP4"), h), errorResult(ParseError::NotProxyProtocol));
}

}  // namespace
}  // namespace warren::proxy_protocol
