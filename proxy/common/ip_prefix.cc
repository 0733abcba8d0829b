#include "common/ip_prefix.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace warren {
namespace {

constexpr uint32_t kV4Offset = 96;  // bits before the IPv4 address in its mapped form

// The 16-byte form of `address`: IPv4 as ::ffff:a.b.c.d; all zero when invalid.
std::array<uint8_t, 16> bytesOf(const Address& address) {
  std::array<uint8_t, 16> b{};
  if (address.isV4()) {
    b[10] = 0xff;
    b[11] = 0xff;
    std::memcpy(b.data() + 12, &address.v4().sin_addr, 4);
  } else if (address.isV6()) {
    std::memcpy(b.data(), &address.v6().sin6_addr, 16);
  }
  return b;
}

// Clears every bit after the first `length` (0..128).
void keepPrefix(std::array<uint8_t, 16>& b, uint32_t length) {
  for (size_t i = 0; i < b.size(); ++i) {
    const uint32_t first_bit = static_cast<uint32_t>(i) * 8;
    if (length >= first_bit + 8) continue;
    const uint32_t kept = length > first_bit ? length - first_bit : 0;
    b[i] &= static_cast<uint8_t>(0xFF00u >> kept);
  }
}

}  // namespace

IpPrefix IpPrefix::of(const Address& address, uint32_t length) {
  IpPrefix p;
  if (!address.valid()) return p;
  const uint32_t offset = address.isV4() ? kV4Offset : 0;
  const uint32_t max = 128 - offset;
  p.bytes_ = bytesOf(address);
  p.length_ = static_cast<uint8_t>(offset + (length < max ? length : max));
  keepPrefix(p.bytes_, p.length_);
  return p;
}

IpPrefixParse IpPrefix::parse(std::string_view text) {
  IpPrefixParse out;
  const auto slash = text.find('/');
  const std::string_view ip = text.substr(0, slash);
  const auto address = Address::fromIp(ip, 0);
  // inet_pton: a literal and nothing else (no brackets, zone, spaces, "10.1" shorthand).
  if (!address) {
    out.error = IpPrefixError::NotAnAddress;
    return out;
  }
  out.max_length = address->isV4() ? 32 : 128;
  uint32_t length = out.max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, length);
    // from_chars takes no sign or space; "" and "8x" fail here.
    if (digits.empty() || digits.size() > 3 || ec != std::errc() || ptr != end || length > out.max_length) {
      out.error = IpPrefixError::BadLength;
      return out;
    }
  }
  IpPrefix prefix = of(*address, length);
  out.prefix = prefix;
  if (prefix.bytes_ != bytesOf(*address)) out.error = IpPrefixError::HostBitsSet;
  return out;
}

bool IpPrefix::contains(const Address& address) const {
  if (!address.valid()) return false;
  std::array<uint8_t, 16> b = bytesOf(address);
  keepPrefix(b, length_);
  return b == bytes_;
}

bool IpPrefix::isV4() const {
  if (length_ < kV4Offset) return false;
  for (size_t i = 0; i < 10; ++i) {
    if (bytes_[i] != 0) return false;
  }
  return bytes_[10] == 0xff && bytes_[11] == 0xff;
}

std::string IpPrefix::toString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (isV4()) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(length_ - kV4Offset);
  }
  inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(length_);
}

}  // namespace warren
