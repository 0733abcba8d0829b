// writeV1: byte-exact lines from the spec (§2.1), sizes, refusals.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::addr;

std::string writeV1String(const Address& src, const Address& dst) {
  std::array<uint8_t, kMaxV1HeaderLength> buf{};
  const size_t n = writeV1(src, dst, buf);
  return std::string(reinterpret_cast<const char*>(buf.data()), n);
}

TEST(WriterV1Test, SpecExample) {
  EXPECT_EQ(writeV1String(addr("192.168.0.1:56324"), addr("192.168.0.11:443")),
            "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
}

TEST(WriterV1Test, Tcp4WorstCaseIs56Bytes) {
  const std::string line =
      writeV1String(addr("255.255.255.255:65535"), addr("255.255.255.255:65535"));
  EXPECT_EQ(line, "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n");
  EXPECT_EQ(line.size(), 56u);
}

TEST(WriterV1Test, Tcp6WorstCaseIs104Bytes) {
  const std::string full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  const std::string line =
      writeV1String(addr("[" + full + "]:65535"), addr("[" + full + "]:65535"));
  EXPECT_EQ(line, "PROXY TCP6 " + full + " " + full + " 65535 65535\r\n");
  EXPECT_EQ(line.size(), 104u);
}

TEST(WriterV1Test, Tcp6UsesCanonicalCompressedForm) {
  EXPECT_EQ(writeV1String(addr("[2001:DB8:0:0:0:0:0:1]:1"), addr("[::1]:0")),
            "PROXY TCP6 2001:db8::1 ::1 1 0\r\n");
}

TEST(WriterV1Test, ZeroPortsAndAddresses) {
  EXPECT_EQ(writeV1String(addr("0.0.0.0:0"), addr("0.0.0.0:0")),
            "PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n");
}

TEST(WriterV1Test, MixedFamiliesAreWrittenAsV4MappedTcp6) {
  EXPECT_EQ(writeV1String(addr("10.1.2.3:5000"), addr("[2001:db8::7]:5672")),
            "PROXY TCP6 ::ffff:10.1.2.3 2001:db8::7 5000 5672\r\n");
  EXPECT_EQ(writeV1String(addr("[2001:db8::7]:5672"), addr("10.1.2.3:5000")),
            "PROXY TCP6 2001:db8::7 ::ffff:10.1.2.3 5672 5000\r\n");
}

TEST(WriterV1Test, RefusesBufferTooSmallAtEverySize) {
  const Address src = addr("192.168.0.1:56324");
  const Address dst = addr("192.168.0.11:443");
  const std::string expected = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
  std::array<uint8_t, kMaxV1HeaderLength> buf{};
  for (size_t size = 0; size < expected.size(); ++size) {
    EXPECT_EQ(writeV1(src, dst, std::span(buf).first(size)), 0u) << size;
  }
  EXPECT_EQ(writeV1(src, dst, std::span(buf).first(expected.size())), expected.size());
}

TEST(WriterV1Test, RefusesInvalidAddresses) {
  std::array<uint8_t, kMaxV1HeaderLength> buf{};
  EXPECT_EQ(writeV1(Address{}, addr("1.2.3.4:5"), buf), 0u);
  EXPECT_EQ(writeV1(addr("1.2.3.4:5"), Address{}, buf), 0u);
  EXPECT_EQ(writeV1(Address{}, Address{}, buf), 0u);
}

}  // namespace
}  // namespace warren::proxy_protocol
