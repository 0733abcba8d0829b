#include "proxy_protocol/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace warren::proxy_protocol {
namespace {

std::span<const uint8_t> asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc32cTest, StandardCheckValue) {
  EXPECT_EQ(crc32c(asBytes("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, EmptyIsZero) { EXPECT_EQ(crc32c({}), 0u); }

// RFC 3720 (iSCSI) Appendix B.4 CRC32C examples.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xFF);
  std::vector<uint8_t> ascending(32);
  std::vector<uint8_t> descending(32);
  for (size_t i = 0; i < 32; ++i) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, ChainingEqualsOneShot) {
  const std::string_view text = "The quick brown fox jumps over the lazy dog";
  const uint32_t whole = crc32c(asBytes(text));
  for (size_t split = 0; split <= text.size(); ++split) {
    const uint32_t first = crc32c(asBytes(text.substr(0, split)));
    EXPECT_EQ(crc32c(asBytes(text.substr(split)), first), whole) << split;
  }
}

}  // namespace
}  // namespace warren::proxy_protocol
