// The bytes of an amqp check: the PROXY header it sends (own_address vs local, v1 vs v2)
// and the Connection.Start judgment of what comes back.
#include "health/check_bytes.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "support/amqp_frames.h"

namespace warren::health {
namespace {

using config::HealthCheckProxy;
using config::ProxyProtocol;

const Address kLocal = *Address::parse("127.0.0.1:40001");
const Address kNode = *Address::parse("127.0.0.2:5672");

std::string header(ProxyProtocol p, HealthCheckProxy mode, const Address& local = kLocal,
                   const Address& node = kNode) {
  std::array<uint8_t, kMaxCheckProxyHeader> out{};
  const size_t n = checkProxyHeader(p, mode, local, node, out);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

const std::string kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);

TEST(CheckProxyHeaderTest, NoneSendsNothing) {
  EXPECT_EQ(header(ProxyProtocol::None, HealthCheckProxy::OwnAddress), "");
  EXPECT_EQ(header(ProxyProtocol::None, HealthCheckProxy::Local), "");
}

TEST(CheckProxyHeaderTest, V1OwnAddressCarriesTheCheckSocketAsSource) {
  EXPECT_EQ(header(ProxyProtocol::V1, HealthCheckProxy::OwnAddress),
            "PROXY TCP4 127.0.0.1 127.0.0.2 40001 5672\r\n");
}

TEST(CheckProxyHeaderTest, V1LocalIsProxyUnknown) {
  EXPECT_EQ(header(ProxyProtocol::V1, HealthCheckProxy::Local), "PROXY UNKNOWN\r\n");
}

TEST(CheckProxyHeaderTest, V2OwnAddressIsAProxyCommandOverTcp4) {
  const std::string h = header(ProxyProtocol::V2, HealthCheckProxy::OwnAddress);
  ASSERT_EQ(h.size(), 28u);
  EXPECT_EQ(h.substr(0, 12), kV2Signature);
  EXPECT_EQ(static_cast<uint8_t>(h[12]), 0x21);  // version 2, PROXY
  EXPECT_EQ(static_cast<uint8_t>(h[13]), 0x11);  // TCP over IPv4
  EXPECT_EQ(h.substr(14, 2), std::string("\0\x0c", 2));
  EXPECT_EQ(h.substr(16, 4), std::string("\x7f\0\0\x01", 4));    // source: the check socket
  EXPECT_EQ(h.substr(20, 4), std::string("\x7f\0\0\x02", 4));    // destination: the node
  EXPECT_EQ(h.substr(24, 4), std::string("\x9c\x41\x16\x28", 4));  // 40001, 5672
}

TEST(CheckProxyHeaderTest, V2LocalIsTheSixteenByteLocalCommand) {
  const std::string h = header(ProxyProtocol::V2, HealthCheckProxy::Local);
  EXPECT_EQ(h, kV2Signature + std::string("\x20\x00\x00\x00", 4));
}

TEST(CheckProxyHeaderTest, V2OwnAddressOverIpv6) {
  const std::string h = header(ProxyProtocol::V2, HealthCheckProxy::OwnAddress, *Address::parse("[::1]:40001"),
                               *Address::parse("[::1]:5672"));
  ASSERT_EQ(h.size(), 52u);
  EXPECT_EQ(static_cast<uint8_t>(h[13]), 0x21);  // TCP over IPv6
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

using Kind = StartVerdict::Kind;

TEST(CheckStartFrameTest, CompleteStartIsOk) {
  const std::string start = test::amqp091::start();
  const StartVerdict v = checkStartFrame(bytes(start));
  EXPECT_EQ(v.kind, Kind::Ok);
  EXPECT_EQ(v.length, start.size());
}

TEST(CheckStartFrameTest, EveryPrefixNeedsMore) {
  const std::string start = test::amqp091::start();
  for (size_t n = 0; n < start.size(); ++n) {
    EXPECT_EQ(checkStartFrame(bytes(start.substr(0, n))).kind, Kind::NeedMore) << n;
  }
}

TEST(CheckStartFrameTest, BytesAfterTheFrameDoNotMatter) {
  EXPECT_EQ(checkStartFrame(bytes(test::amqp091::start() + "xyz")).kind, Kind::Ok);
}

TEST(CheckStartFrameTest, ProtocolHeaderBackIsBad) {
  const StartVerdict v = checkStartFrame(bytes(std::string("AMQP\0\0\x09\x01", 8)));
  EXPECT_EQ(v.kind, Kind::Bad);
  EXPECT_NE(v.reason.find("protocol header"), std::string::npos) << v.reason;
}

TEST(CheckStartFrameTest, GarbageIsBadFromTheFirstByte) {
  EXPECT_EQ(checkStartFrame(bytes("H")).kind, Kind::Bad);
  EXPECT_EQ(checkStartFrame(bytes("HTTP/1.1 400 Bad Request\r\n")).kind, Kind::Bad);
  EXPECT_EQ(checkStartFrame(bytes(test::amqp091::kHeartbeat)).kind, Kind::Bad);
}

TEST(CheckStartFrameTest, OtherMethodIsBad) {
  const StartVerdict v = checkStartFrame(bytes(test::amqp091::tune(60)));
  EXPECT_EQ(v.kind, Kind::Bad);
  EXPECT_NE(v.reason.find("10.30"), std::string::npos) << v.reason;
}

TEST(CheckStartFrameTest, OtherChannelIsBad) {
  std::string frame = test::amqp091::start();
  frame[2] = 1;
  EXPECT_EQ(checkStartFrame(bytes(frame)).kind, Kind::Bad);
}

TEST(CheckStartFrameTest, WrongFrameEndIsBad) {
  std::string frame = test::amqp091::start();
  frame.back() = '\x00';
  EXPECT_EQ(checkStartFrame(bytes(frame)).kind, Kind::Bad);
}

TEST(CheckStartFrameTest, OversizedFrameIsBadBeforeItArrives) {
  const std::string head = std::string("\x01\x00\x00", 3) + test::amqp091::u32(kMaxStartFrame + 1);
  EXPECT_EQ(checkStartFrame(bytes(head)).kind, Kind::Bad);
  const std::string tiny = std::string("\x01\x00\x00", 3) + test::amqp091::u32(2);
  EXPECT_EQ(checkStartFrame(bytes(tiny)).kind, Kind::Bad);
}

}  // namespace
}  // namespace warren::health
