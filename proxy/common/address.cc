#include "common/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace warren {

Address::Address(const sockaddr* sa) {
  if (sa == nullptr) return;
  if (sa->sa_family == AF_INET) {
    std::memcpy(&storage_, sa, sizeof(sockaddr_in));
  } else if (sa->sa_family == AF_INET6) {
    std::memcpy(&storage_, sa, sizeof(sockaddr_in6));
  }
}

std::optional<Address> Address::fromIp(std::string_view ip, uint16_t port) {
  std::string host(ip);
  Address a;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&a.storage_, &v4, sizeof v4);
    return a;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&a.storage_, &v6, sizeof v6);
    return a;
  }
  return std::nullopt;
}

std::optional<Address> Address::parse(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // [1.2.3.4]:1
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  }
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return std::nullopt;
  }
  return fromIp(host, static_cast<uint16_t>(port));
}

uint16_t Address::port() const {
  if (isV4()) return ntohs(v4().sin_port);
  if (isV6()) return ntohs(v6().sin6_port);
  return 0;
}

void Address::setPort(uint16_t port) {
  if (isV4()) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (isV6()) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string Address::ipString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (isV4()) {
    inet_ntop(AF_INET, &v4().sin_addr, buf, sizeof buf);
  } else if (isV6()) {
    inet_ntop(AF_INET6, &v6().sin6_addr, buf, sizeof buf);
  } else {
    return "-";
  }
  return buf;
}

std::string Address::toString() const {
  if (isV4()) return ipString() + ":" + std::to_string(port());
  if (isV6()) return "[" + ipString() + "]:" + std::to_string(port());
  return "-";
}

bool Address::operator==(const Address& other) const {
  if (family() != other.family()) return false;
  if (isV4()) {
    return v4().sin_port == other.v4().sin_port &&
           v4().sin_addr.s_addr == other.v4().sin_addr.s_addr;
  }
  if (isV6()) {
    return v6().sin6_port == other.v6().sin6_port &&
           std::memcmp(&v6().sin6_addr, &other.v6().sin6_addr, sizeof(in6_addr)) == 0;
  }
  return true;
}

}  // namespace warren
