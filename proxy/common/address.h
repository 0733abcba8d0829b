// Address: an IPv4 or IPv6 socket address as a value type.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warren {

class Address {
 public:
  Address() = default;
  explicit Address(const sockaddr* sa);

  // Parses "1.2.3.4:5672" or "[::1]:5672". Returns nullopt on anything else
  // (no host names here: resolution is the caller's business).
  static std::optional<Address> parse(std::string_view text);
  // Parses a literal IP ("1.2.3.4", "::1") and a port.
  static std::optional<Address> fromIp(std::string_view ip, uint16_t port);

  bool valid() const { return storage_.sa.sa_family == AF_INET || storage_.sa.sa_family == AF_INET6; }
  bool isV4() const { return storage_.sa.sa_family == AF_INET; }
  bool isV6() const { return storage_.sa.sa_family == AF_INET6; }
  int family() const { return storage_.sa.sa_family; }
  uint16_t port() const;
  void setPort(uint16_t port);

  const sockaddr* sockAddr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t sockLen() const { return isV4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6); }
  const sockaddr_in& v4() const { return *reinterpret_cast<const sockaddr_in*>(&storage_); }
  const sockaddr_in6& v6() const { return *reinterpret_cast<const sockaddr_in6*>(&storage_); }

  // "1.2.3.4:5672" / "[::1]:5672"; "-" when invalid.
  std::string toString() const;
  // Just the IP: "1.2.3.4" / "::1".
  std::string ipString() const;

  bool operator==(const Address& other) const;

 private:
  // Big enough for either family and no more (sockaddr_storage is 128 bytes; a session
  // holds three addresses for each connection).
  union Storage {
    sockaddr sa;
    sockaddr_in in4;
    sockaddr_in6 in6;
  };
  Storage storage_{};
};

}  // namespace warren
