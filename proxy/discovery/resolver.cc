#include "discovery/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include "discovery/node_set.h"

namespace warren::discovery {

ResolveResult SystemResolver::resolve(const std::string& host, uint16_t port) {
  ResolveResult result;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    result.error = ::gai_strerror(rc);
    return result;
  }
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) result.addresses.emplace_back(ai->ai_addr);
  }
  ::freeaddrinfo(list);
  sortUnique(result.addresses);
  if (result.addresses.empty()) result.error = "no IPv4 or IPv6 address";
  return result;
}

}  // namespace warren::discovery
