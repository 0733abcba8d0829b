// Decoding at every fragment size: growing prefixes stay NeedMore until the
// header is whole, then Done with the exact header length, application bytes
// after it untouched.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/proxy_protocol/test_util.h"

namespace warren::proxy_protocol {
namespace {

using test::addr;
using test::Bytes;
using test::concat;

struct Vector {
  std::string name;
  Bytes header;
};

std::vector<Vector> vectors() {
  std::vector<Vector> out;
  out.push_back({"v1_tcp4", test::bytes("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")});
  out.push_back({"v1_tcp6", test::bytes("PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 65535 0\r\n")});
  out.push_back({"v1_unknown", test::bytes("PROXY UNKNOWN\r\n")});
  out.push_back({"v1_unknown_long", test::bytes("PROXY UNKNOWN ::1 ::2 1 2\r\n")});

  const std::vector<Tlv> tlvs = {{kPp2TypeAlpn, "amqp"},
                                 {kPp2TypeAuthority, std::string(300, 'a')},
                                 makeSslTlv(kPp2ClientSsl, 0, std::vector<Tlv>{{0x21, "TLSv1.3"}}),
                                 {kPp2TypeUniqueId, "id-1"}};
  Bytes buf(1024);
  buf.resize(writeV2(addr("10.1.1.1:1111"), addr("10.2.2.2:5672"), tlvs, buf));
  out.push_back({"v2_tcp4_tlvs", buf});
  buf.assign(1024, 0);
  buf.resize(writeV2WithCrc32c(addr("[2001:db8::1]:1"), addr("[2001:db8::2]:2"), tlvs, buf));
  out.push_back({"v2_tcp6_crc", buf});
  buf.assign(16, 0);
  buf.resize(writeV2Local(buf));
  out.push_back({"v2_local", buf});
  return out;
}

const Bytes kApplicationBytes = concat({test::bytes("AMQP"), {0, 0, 9, 1}});

TEST(FragmentationTest, EveryChunkSize) {
  for (const Vector& v : vectors()) {
    const Bytes stream = concat({v.header, kApplicationBytes});
    Header reference;
    ASSERT_EQ(test::parseBytes(stream, reference), test::doneResult(v.header.size())) << v.name;

    for (size_t chunk : {stream.size(), size_t{1000}, size_t{100}, size_t{10}, size_t{5},
                         size_t{2}, size_t{1}}) {
      SCOPED_TRACE(v.name + " chunk=" + std::to_string(chunk));
      bool done = false;
      for (size_t received = std::min(chunk, stream.size());;
           received = std::min(received + chunk, stream.size())) {
        Header h;
        const ParseResult r = parse(std::span(stream).first(received), h);
        if (received < v.header.size()) {
          ASSERT_EQ(r, test::needMoreResult()) << received;
        } else {
          ASSERT_EQ(r, test::doneResult(v.header.size())) << received;
          EXPECT_EQ(h, reference);
          done = true;
        }
        if (received == stream.size()) break;
      }
      EXPECT_TRUE(done);
    }
  }
}

TEST(FragmentationTest, TruncatedInputsStayNeedMore) {
  for (const Vector& v : vectors()) {
    for (size_t n = 0; n < v.header.size(); ++n) {
      EXPECT_EQ(test::parseBytes(Bytes(v.header.begin(), v.header.begin() + n)),
                test::needMoreResult())
          << v.name << " " << n;
    }
  }
}

TEST(FragmentationTest, HeaderIsOnlyWrittenOnDone) {
  const Bytes header = vectors()[0].header;
  Header h;
  h.tlvs.push_back({0x99, "sentinel"});
  const Header before = h;
  EXPECT_EQ(test::parseBytes(Bytes(header.begin(), header.end() - 1), h), test::needMoreResult());
  EXPECT_EQ(h, before);
  EXPECT_EQ(test::parseBytes(test::bytes("GET /"), h).status, ParseStatus::Error);
  EXPECT_EQ(h, before);
}

}  // namespace
}  // namespace warren::proxy_protocol
