// PROXY protocol on the wire: the header Warren sends arrives byte-exact and whole in the
// node's first recv(); an inbound header (accept_proxy) is parsed strictly and its
// address passed on.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "proxy_protocol/parser.h"
#include "support/running_server.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using config::ProxyProtocol;
using session::CloseReason;

const std::string kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);

std::string be16(uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }

std::string rawIp(const Address& a) {
  if (a.isV4()) return std::string(reinterpret_cast<const char*>(&a.v4().sin_addr), 4);
  return std::string(reinterpret_cast<const char*>(&a.v6().sin6_addr), 16);
}

// The v2 header for a TCP connection, written out by hand from the spec (§2.2).
std::string expectedV2(const Address& src, const Address& dst) {
  bool v4 = src.isV4();
  std::string h = kV2Signature;
  h += '\x21';                 // version 2, command PROXY
  h += v4 ? '\x11' : '\x21';   // AF_INET/AF_INET6 + STREAM
  h += be16(v4 ? 12 : 36);
  h += rawIp(src) + rawIp(dst) + be16(src.port()) + be16(dst.port());
  return h;
}

std::string expectedV1(const Address& src, const Address& dst) {
  return "PROXY " + std::string(src.isV4() ? "TCP4 " : "TCP6 ") + src.ipString() + " " + dst.ipString() + " " +
         std::to_string(src.port()) + " " + std::to_string(dst.port()) + "\r\n";
}

// Records the first recv() of each connection, then echoes what follows the header.
struct FirstSegmentBackend {
  std::mutex mutex;
  std::vector<std::string> first;
  TestBackend backend{[this](TestSocket& s) {
    std::string seg = s.recvSome();
    {
      std::lock_guard<std::mutex> lock(mutex);
      first.push_back(seg);
    }
    proxy_protocol::Header header;
    auto parsed = proxy_protocol::parse(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(seg.data()), seg.size()), header);
    if (parsed.status == proxy_protocol::ParseStatus::Done && !s.sendAll(seg.substr(parsed.consumed))) return;
    TestBackend::echo(s);
  }};
  FirstSegmentBackend() { backend.start(); }
  std::string firstSegment() {
    std::lock_guard<std::mutex> lock(mutex);
    return first.empty() ? std::string() : first[0];
  }
};

struct Case {
  ProxyProtocol version;
  const char* listen;
  const char* client_source;
};

class ProxyOut : public ::testing::TestWithParam<Case> {};

TEST_P(ProxyOut, HeaderArrivesWholeAndByteExact) {
  FirstSegmentBackend node;
  RunningServer warren(makeConfig({node.backend.address()}, GetParam().version, GetParam().listen));
  TestSocket client = TestSocket::connect(warren.address(), Address::parse(GetParam().client_source));
  ASSERT_TRUE(client.sendAll(std::string("AMQP\0\0\x09\x01", 8)));
  ASSERT_EQ(client.recvExact(8), std::string("AMQP\0\0\x09\x01", 8));

  Address src = client.localAddress();
  Address dst = warren.address();
  std::string header = GetParam().version == ProxyProtocol::V1 ? expectedV1(src, dst) : expectedV2(src, dst);
  std::string first = node.firstSegment();
  ASSERT_GE(first.size(), header.size()) << "the header was split over several segments";
  EXPECT_EQ(first.substr(0, header.size()), header);
}

INSTANTIATE_TEST_SUITE_P(
    Versions, ProxyOut,
    ::testing::Values(Case{ProxyProtocol::V1, "127.0.0.1:0", "127.0.0.2:0"},
                      Case{ProxyProtocol::V2, "127.0.0.1:0", "127.0.0.2:0"},
                      Case{ProxyProtocol::V1, "[::1]:0", "[::1]:0"},
                      Case{ProxyProtocol::V2, "[::1]:0", "[::1]:0"}),
    [](const auto& info) {
      return std::string(info.param.version == ProxyProtocol::V1 ? "V1" : "V2") +
             (Address::parse(info.param.listen)->isV4() ? "_IPv4" : "_IPv6");
    });

std::shared_ptr<config::Config> acceptProxy(const Address& node) {
  auto c = makeConfig({node}, ProxyProtocol::V2);
  c->listeners[0].accept_proxy = true;
  c->listeners[0].proxy_header_timeout = std::chrono::milliseconds(300);
  return c;
}

TEST(ProxyIn, OuterAddressIsPassedOnToTheNode) {
  FirstSegmentBackend node;
  RunningServer warren(acceptProxy(node.backend.address()));
  TestSocket client = TestSocket::connect(warren.address());
  ASSERT_TRUE(client.sendAll("PROXY TCP4 203.0.113.7 198.51.100.1 40000 5672\r\n" + std::string("AMQP\0\0\x09\x01", 8)));
  ASSERT_EQ(client.recvExact(8), std::string("AMQP\0\0\x09\x01", 8));
  std::string expected = expectedV2(*Address::parse("203.0.113.7:40000"), *Address::parse("198.51.100.1:5672"));
  // The outer header is consumed; ours and the client's first bytes go out together.
  EXPECT_EQ(node.firstSegment(), expected + std::string("AMQP\0\0\x09\x01", 8));
}

TEST(ProxyIn, HeaderFedOneByteAtATimeIsAccepted) {
  FirstSegmentBackend node;
  RunningServer warren(acceptProxy(node.backend.address()));
  TestSocket client = TestSocket::connect(warren.address());
  std::string header = expectedV2(*Address::parse("[2001:db8::1]:1234"), *Address::parse("[2001:db8::2]:5672"));
  for (char c : header) {
    ASSERT_TRUE(client.sendAll(std::string(1, c)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(client.sendAll("ping"));
  ASSERT_EQ(client.recvExact(4), "ping");
  EXPECT_EQ(node.firstSegment().substr(0, header.size()), header);
}

TEST(ProxyIn, LocalHeaderKeepsTheRealAddresses) {
  FirstSegmentBackend node;
  RunningServer warren(acceptProxy(node.backend.address()));
  TestSocket client = TestSocket::connect(warren.address(), Address::parse("127.0.0.3:0"));
  ASSERT_TRUE(client.sendAll(kV2Signature + std::string("\x20\x00\x00\x00", 4) + "ping"));
  ASSERT_EQ(client.recvExact(4), "ping");
  EXPECT_EQ(node.firstSegment().substr(0, 28), expectedV2(client.localAddress(), warren.address()));
}

TEST(ProxyIn, MalformedHeaderIsDroppedAndNothingForwarded) {
  FirstSegmentBackend node;
  RunningServer warren(acceptProxy(node.backend.address()));
  for (const std::string& bad : {std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), std::string("AMQP\0\0\x09\x01", 8),
                                std::string("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"),
                                std::string("PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\n")}) {
    TestSocket client = TestSocket::connect(warren.address());
    client.sendAll(bad);
    EXPECT_TRUE(client.waitClosed()) << bad;
  }
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.totals().proxy_header_failures[session::kHeaderInvalid], 4u);
  EXPECT_EQ(warren.closed(CloseReason::ProxyHeaderInvalid), 4u);
  EXPECT_EQ(warren.totals().connect_attempts, 0u);
  EXPECT_EQ(node.backend.accepted(), 0);
}

TEST(ProxyIn, HeaderThatNeverCompletesTimesOut) {
  FirstSegmentBackend node;
  RunningServer warren(acceptProxy(node.backend.address()));
  TestSocket client = TestSocket::connect(warren.address());
  client.sendAll("PROXY TCP4 1.2.3.4");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.waitClosed());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));
  ASSERT_TRUE(warren.waitFor([](const session::Totals& s) { return s.active == 0; }));
  EXPECT_EQ(warren.totals().proxy_header_failures[session::kHeaderTimeout], 1u);
  EXPECT_EQ(node.backend.accepted(), 0);
}

}  // namespace
}  // namespace warren::test
