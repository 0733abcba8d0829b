// Byte/char view and address helpers shared by the writer and the parsers.
// Internal to proxy_protocol; not part of its API.
#pragma once

#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "common/address.h"

namespace warren::proxy_protocol::wire {

inline std::span<const uint8_t> asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::string_view asChars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline std::string toString(std::span<const uint8_t> b) { return std::string(asChars(b)); }

// Address from 4 raw IPv4 bytes (network order) and a host-order port.
inline Address makeV4(const uint8_t* bytes, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  std::memcpy(&sa.sin_addr, bytes, 4);
  return Address(reinterpret_cast<const sockaddr*>(&sa));
}

// Address from 16 raw IPv6 bytes and a host-order port.
inline Address makeV6(const uint8_t* bytes, uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, bytes, 16);
  return Address(reinterpret_cast<const sockaddr*>(&sa));
}

}  // namespace warren::proxy_protocol::wire
