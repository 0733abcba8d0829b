// Non-PROXY input is rejected at the first byte that can't be a signature, not
// after a timeout; the shortest ambiguous prefixes are NeedMore.
#include <gtest/gtest.h>

#include <string>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::Bytes;
using test::bytes;
using test::errorResult;
using test::needMoreResult;
using test::parseBytes;

const ParseResult kNotProxy = errorResult(ParseError::NotProxyProtocol);

TEST(GarbageTest, OtherProtocolsAreRejectedImmediately) {
  const Bytes amqp = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
  const Bytes tls_client_hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03};
  const Bytes http = bytes("GET / HTTP/1.1\r\n");
  const Bytes ssh = bytes("SSH-2.0-OpenSSH_9.2\r\n");
  const Bytes smtp = bytes("EHLO example.com\r\n");
  for (const Bytes& input : {amqp, tls_client_hello, http, ssh, smtp}) {
    EXPECT_EQ(parseBytes(input), kNotProxy);
    EXPECT_EQ(parseBytes(Bytes(input.begin(), input.begin() + 1)), kNotProxy);
  }
}

TEST(GarbageTest, AmbiguousSingleBytesNeedMore) {
  EXPECT_EQ(parseBytes(Bytes{}), needMoreResult());
  Header h;
  EXPECT_EQ(parseV1({}, h), needMoreResult());
  EXPECT_EQ(parseV2({}, h), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("P")), needMoreResult());
  EXPECT_EQ(parseBytes(Bytes{'\r'}), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("PROXY")), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("PROXY ")), needMoreResult());
}

TEST(GarbageTest, SignatureMismatchAtAnyPosition) {
  const std::string v1 = "PROXY ";
  for (size_t i = 0; i < v1.size(); ++i) {
    std::string bad = v1.substr(0, i + 1);
    bad[i] = static_cast<char>(bad[i] ^ 0x20);  // e.g. "proxy", "PROXY\0"
    EXPECT_EQ(parseBytes(bytes(bad)), kNotProxy) << i;
  }
  const Bytes v2 = test::v2Signature();
  for (size_t i = 0; i < v2.size(); ++i) {
    Bytes bad(v2.begin(), v2.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    bad[i] ^= 0x01;
    EXPECT_EQ(parseBytes(bad), kNotProxy) << i;
  }
  // "PROXY" without the single space, e.g. a v1 line missing it.
  EXPECT_EQ(parseBytes(bytes("PROXY\r\n")), kNotProxy);
  EXPECT_EQ(parseBytes(bytes("PROXYTCP4")), kNotProxy);
  // HTTP blank lines look like the v2 signature's start, until byte 5.
  EXPECT_EQ(parseBytes(bytes("\r\n\r\n")), needMoreResult());
  EXPECT_EQ(parseBytes(bytes("\r\n\r\nGET")), kNotProxy);
  EXPECT_EQ(parseBytes(bytes("\r\nGET / HTTP/1.1")), kNotProxy);
}

}  // namespace
}  // namespace warren::proxy_protocol
