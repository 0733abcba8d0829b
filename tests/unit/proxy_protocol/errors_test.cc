// Every ParseError is produced by some input, and its log token is stable.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::Bytes;
using test::concat;
using test::v2Fixed;

const Bytes kV4Block = {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2};

TEST(ErrorsTest, EveryErrorIsProducedAndStableUnderMoreBytes) {
  Bytes crc_header = concat({v2Fixed(0x21, 0x11, 19), kV4Block, {0x03, 0, 4, 1, 2, 3, 4}});
  const std::map<ParseError, Bytes> inputs = {
      {ParseError::NotProxyProtocol, test::bytes("GET / HTTP/1.1\r\n")},
      {ParseError::BadV1Line, test::bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")},
      {ParseError::V1TooLong, test::bytes("PROXY UNKNOWN " + std::string(100, 'x') + "\r\n")},
      {ParseError::BadV2Version, concat({test::v2Signature(), {0x11}})},
      {ParseError::BadV2Command, concat({test::v2Signature(), {0x22}})},
      {ParseError::BadFamily, concat({test::v2Signature(), {0x21, 0x13}})},
      {ParseError::BadAddress, test::bytes("PROXY TCP6 1.2.3.4 ::1 1 2\r\n")},
      {ParseError::AddressLengthMismatch, v2Fixed(0x21, 0x21, 12)},
      {ParseError::TooLarge, v2Fixed(0x21, 0x11, 5000)},
      {ParseError::BadTlv, concat({v2Fixed(0x21, 0x11, 13), kV4Block, {0}})},
      {ParseError::BadCrc32c, crc_header},
  };
  std::set<ParseError> seen;
  for (const auto& [error, input] : inputs) {
    EXPECT_EQ(test::parseBytes(input), test::errorResult(error)) << toString(error);
    // More bytes never change an Error.
    for (const Bytes& tail : {Bytes{'\r', '\n'}, Bytes(200, 0), test::bytes("PROXY ")}) {
      EXPECT_EQ(test::parseBytes(concat({input, tail})), test::errorResult(error))
          << toString(error);
    }
    seen.insert(error);
  }
  // Every value but None, by its position in the enum.
  for (int e = static_cast<int>(ParseError::NotProxyProtocol);
       e <= static_cast<int>(ParseError::BadCrc32c); ++e) {
    EXPECT_TRUE(seen.count(static_cast<ParseError>(e))) << e;
  }
}

TEST(ErrorsTest, TokensAreSnakeCaseAndDistinct) {
  const std::map<ParseError, std::string> expected = {
      {ParseError::None, "none"},
      {ParseError::NotProxyProtocol, "not_proxy_protocol"},
      {ParseError::BadV1Line, "bad_v1_line"},
      {ParseError::V1TooLong, "v1_too_long"},
      {ParseError::BadV2Version, "bad_v2_version"},
      {ParseError::BadV2Command, "bad_v2_command"},
      {ParseError::BadFamily, "bad_family"},
      {ParseError::BadAddress, "bad_address"},
      {ParseError::AddressLengthMismatch, "address_length_mismatch"},
      {ParseError::TooLarge, "too_large"},
      {ParseError::BadTlv, "bad_tlv"},
      {ParseError::BadCrc32c, "bad_crc32c"},
  };
  for (const auto& [error, token] : expected) EXPECT_EQ(toString(error), token);
  EXPECT_EQ(expected.size(), static_cast<size_t>(ParseError::BadCrc32c) + 1);
}

}  // namespace
}  // namespace warren::proxy_protocol
