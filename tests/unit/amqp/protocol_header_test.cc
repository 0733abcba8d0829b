// Classification of the client's first bytes: the three AMQP headers, and misdirected
// clients (HTTP, TLS, PROXY protocol, other AMQP versions, garbage), decided as early as
// the bytes allow and never after 8 bytes.
#include <gtest/gtest.h>

#include <random>

#include "unit/amqp/test_util.h"

namespace warren::amqp {
namespace {

using test::Bytes;
using test::bytes;

HeaderVerdict classify(const Bytes& b) { return classifyClientHeader(test::span(b)); }

// The prefix length at which the verdict is first not Undecided (0 if never).
size_t decidedAt(const Bytes& b) {
  for (size_t n = 1; n <= b.size(); ++n) {
    if (classify(Bytes(b.begin(), b.begin() + static_cast<ptrdiff_t>(n))).kind !=
        HeaderKind::Undecided) {
      return n;
    }
  }
  return 0;
}

TEST(ProtocolHeaderTest, ValidHeadersAfterEightBytes) {
  const std::pair<Bytes, HeaderKind> valid[] = {
      {Bytes{'A', 'M', 'Q', 'P', 0, 0, 9, 1}, HeaderKind::Amqp091},
      {Bytes{'A', 'M', 'Q', 'P', 0, 1, 0, 0}, HeaderKind::Amqp10},
      {Bytes{'A', 'M', 'Q', 'P', 3, 1, 0, 0}, HeaderKind::Amqp10Sasl}};
  for (const auto& [header, kind] : valid) {
    EXPECT_EQ(decidedAt(header), 8u);
    EXPECT_EQ(classify(header).kind, kind);
    EXPECT_EQ(classify(header).misdirected, Misdirected::None);
    EXPECT_EQ(identifyHeader(std::span<const uint8_t, 8>(header.data(), 8)), kind);
  }
}

TEST(ProtocolHeaderTest, Amqp091HeaderConstant) {
  EXPECT_EQ(Bytes(kAmqp091Header.begin(), kAmqp091Header.end()),
            (Bytes{0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x01}));
}

TEST(ProtocolHeaderTest, EmptyIsUndecided) { EXPECT_EQ(classify({}).kind, HeaderKind::Undecided); }

TEST(ProtocolHeaderTest, Http) {
  EXPECT_EQ(classify(bytes("G")).kind, HeaderKind::Undecided);
  EXPECT_EQ(classify(bytes("GE")).kind, HeaderKind::Undecided);
  EXPECT_EQ(classify(bytes("GET")).kind, HeaderKind::Undecided);
  EXPECT_EQ(classify(bytes("GET ")).kind, HeaderKind::Misdirected);
  EXPECT_EQ(classify(bytes("GET ")).misdirected, Misdirected::Http);
  for (const char* request :
       {"GET / HTTP/1.1\r\n", "HEAD / HTTP/1.1\r\n", "POST /api HTTP/1.1\r\n",
        "PUT /x HTTP/1.0\r\n", "DELETE /x HTTP/1.1\r\n", "CONNECT host:443 HTTP/1.1\r\n",
        "OPTIONS * HTTP/1.1\r\n", "TRACE / HTTP/1.1\r\n", "PATCH /x HTTP/1.1\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"}) {
    SCOPED_TRACE(request);
    const Bytes b = bytes(request);
    EXPECT_EQ(classify(b).misdirected, Misdirected::Http);
    const size_t method_and_space = std::string_view(request).find(' ') + 1;
    EXPECT_EQ(decidedAt(b), method_and_space);
  }
  // A method name without its space is not enough, and a wrong letter is garbage.
  EXPECT_EQ(classify(bytes("GETX")).misdirected, Misdirected::Garbage);
  EXPECT_EQ(classify(bytes("GX")).misdirected, Misdirected::Garbage);
  EXPECT_EQ(classify(bytes("get ")).misdirected, Misdirected::Garbage);
}

TEST(ProtocolHeaderTest, Tls) {
  // The start of a real TLS 1.2/1.3 ClientHello record: 0x16 0x03 0x01 length.
  const Bytes client_hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03};
  EXPECT_EQ(classify({0x16}).kind, HeaderKind::Undecided);
  EXPECT_EQ(decidedAt(client_hello), 2u);
  EXPECT_EQ(classify(client_hello).misdirected, Misdirected::Tls);
  EXPECT_EQ(classify({0x16, 0x03}).misdirected, Misdirected::Tls);
  EXPECT_EQ(classify({0x16, 0x01}).misdirected, Misdirected::Garbage);
}

TEST(ProtocolHeaderTest, ProxyProtocol) {
  EXPECT_EQ(classify(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n")).misdirected,
            Misdirected::ProxyProtocol);
  EXPECT_EQ(decidedAt(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n")), 6u);
  EXPECT_EQ(classify(bytes("PRO")).kind, HeaderKind::Undecided);  // PROXY or PRI?
  const Bytes v2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  EXPECT_EQ(decidedAt(v2), 8u);
  EXPECT_EQ(classify(v2).misdirected, Misdirected::ProxyProtocol);
}

TEST(ProtocolHeaderTest, OtherAmqpVersions) {
  // 0-10, 0-9, 0-8 (protocol id 1), 1.0 TLS layer (protocol id 2), a 1.0 with minor 1.
  const Bytes others[] = {{'A', 'M', 'Q', 'P', 1, 1, 0, 10}, {'A', 'M', 'Q', 'P', 1, 1, 0, 9},
                          {'A', 'M', 'Q', 'P', 1, 1, 8, 0},  {'A', 'M', 'Q', 'P', 2, 1, 0, 0},
                          {'A', 'M', 'Q', 'P', 0, 1, 0, 1},  {'A', 'M', 'Q', 'P', 0, 0, 9, 0}};
  for (const Bytes& b : others) {
    EXPECT_EQ(classify(b).kind, HeaderKind::Misdirected);
    EXPECT_EQ(classify(b).misdirected, Misdirected::OtherAmqpVersion);
  }
  EXPECT_EQ(decidedAt(others[0]), 5u);  // "AMQP\x01": no valid header has 1 there
  EXPECT_EQ(decidedAt(others[4]), 8u);  // differs only in the last byte
  EXPECT_EQ(classify(bytes("AMQP")).kind, HeaderKind::Undecided);
  EXPECT_EQ(classify(bytes("AMQX")).misdirected, Misdirected::Garbage);
}

TEST(ProtocolHeaderTest, Garbage) {
  EXPECT_EQ(classify({0x00}).misdirected, Misdirected::Garbage);
  EXPECT_EQ(classify(bytes("hello world")).misdirected, Misdirected::Garbage);
  EXPECT_EQ(decidedAt(bytes("hello world")), 1u);  // no signature starts with "h"
  EXPECT_EQ(decidedAt(bytes("HELLO")), 3u);        // "H" and "HE" could still be "HEAD "
  EXPECT_EQ(classify(bytes("SSH-2.0-OpenSSH")).misdirected, Misdirected::Garbage);
}

TEST(ProtocolHeaderTest, RandomBytesDecidedWithinEightAndNeverChange) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 20000; ++round) {
    Bytes b(12);
    // Bias towards interesting prefixes so that long undecided runs are exercised.
    const int style = round % 4;
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(rng());
    if (style == 1) std::copy_n("AMQP", 4, b.begin());
    if (style == 2) std::copy_n("PRO", 3, b.begin());
    if (style == 3) b[0] = 0x16;
    const size_t at = decidedAt(b);
    ASSERT_GE(at, 1u);
    ASSERT_LE(at, 8u);
    const HeaderVerdict first = classify(Bytes(b.begin(), b.begin() + static_cast<ptrdiff_t>(at)));
    for (size_t n = at; n <= b.size(); ++n) {
      const HeaderVerdict v = classify(Bytes(b.begin(), b.begin() + static_cast<ptrdiff_t>(n)));
      ASSERT_EQ(v.kind, first.kind);
      ASSERT_EQ(v.misdirected, first.misdirected);
    }
  }
}

TEST(ProtocolHeaderTest, SnifferReportsMisdirectedAsEarlyAsDecided) {
  const Bytes request = bytes("GET / HTTP/1.1\r\n");
  Sniffer s;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.onClientBytes({request.data() + i, 1}), Status::InProgress) << i;
  }
  EXPECT_EQ(s.onClientBytes({request.data() + 3, 1}), Status::Error);
  EXPECT_EQ(s.error(), Error::Misdirected);
  EXPECT_EQ(s.misdirected(), Misdirected::Http);
  EXPECT_EQ(s.info().protocol, Protocol::NotAmqp);
  EXPECT_EQ(s.bufferCapacity(), 0u);
}

TEST(ProtocolHeaderTest, HintsAndNames) {
  for (Misdirected m : {Misdirected::Http, Misdirected::Tls, Misdirected::ProxyProtocol,
                        Misdirected::OtherAmqpVersion, Misdirected::Garbage}) {
    EXPECT_GT(std::string_view(hint(m)).size(), 20u) << toString(m);
    EXPECT_NE(std::string_view(toString(m)), "invalid");
  }
  EXPECT_EQ(std::string_view(hint(Misdirected::None)), "");
  EXPECT_EQ(std::string_view(toString(Misdirected::Tls)), "tls");
}

}  // namespace
}  // namespace warren::amqp
