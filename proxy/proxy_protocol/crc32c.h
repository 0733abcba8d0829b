// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as RFC 4960 Appendix B
// and the PP2_TYPE_CRC32C TLV (§2.2.3) use it.
#pragma once

#include <cstdint>
#include <span>

namespace warren::proxy_protocol {

// CRC32C of `data`. To checksum several pieces as one, chain them:
// crc32c(b, crc32c(a)) == crc32c(a followed by b). crc32c({}) == 0 and
// crc32c("123456789") == 0xE3069283 (the standard check value).
uint32_t crc32c(std::span<const uint8_t> data, uint32_t previous = 0);

}  // namespace warren::proxy_protocol
