// IpPrefix: an IP network (address + prefix length), the one place where addresses are
// masked to a prefix: listener.trusted_proxies matches peers with it, and the per-source
// limit (limits/source_table.h) groups IPv6 sources with it.
//
// One 16-byte form covers both families: IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d)
// with its length counted from bit 96, so "10.0.0.0/8" is ::ffff:10.0.0.0/104 and an
// IPv4-mapped IPv6 peer (a dual-stack socket) matches IPv4 prefixes as its IPv4 form does.
// A consequence: "::/0" contains every address, IPv4 included; "0.0.0.0/0" only IPv4.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"

namespace warren {

enum class IpPrefixError : uint8_t {
  None,
  NotAnAddress,  // the text before '/' (or the whole text) is not an IP literal
  BadLength,     // the length is not a decimal number in 0..32 (IPv4) or 0..128 (IPv6)
  HostBitsSet,   // "10.0.0.1/8": bits set after the prefix length
};

struct IpPrefixParse;

class IpPrefix {
 public:
  IpPrefix() = default;  // ::/0

  // `address` cut to its first `length` bits, counted in its own family: 0..32 for IPv4,
  // 0..128 for IPv6 (an IPv4-mapped IPv6 address counts as IPv6); longer is the whole
  // address. An invalid address gives ::/0.
  static IpPrefix of(const Address& address, uint32_t length);
  // "10.0.0.0/8", "fd00::/8", or a bare address ("127.0.0.1" = /32, "::1" = /128). No
  // spaces, no brackets, no zone.
  static IpPrefixParse parse(std::string_view text);

  // True when `address` is inside this network (IPv4 and its IPv4-mapped form alike).
  bool contains(const Address& address) const;

  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  // Counted over the 16 bytes (an IPv4 /8 is 104).
  uint32_t length() const { return length_; }
  // An IPv4 network: inside ::ffff:0:0/96.
  bool isV4() const;
  // "10.0.0.0/8", "fd00::/8".
  std::string toString() const;

  bool operator==(const IpPrefix& other) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
  uint8_t length_ = 0;  // 0..128
};

struct IpPrefixParse {
  // Set when error is None; with HostBitsSet, the network the text meant (bits cleared),
  // for the message.
  std::optional<IpPrefix> prefix;
  IpPrefixError error = IpPrefixError::None;
  uint32_t max_length = 128;  // of the family the address was written in (for BadLength)

  explicit operator bool() const { return error == IpPrefixError::None; }
};

}  // namespace warren
