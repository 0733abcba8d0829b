// Listening sockets: one per worker per listener, all bound to the same address with
// SO_REUSEPORT so that the kernel spreads new connections over the workers.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "common/address.h"

namespace warren::network {

struct BoundSockets {
  Address address;       // the bound address (port 0 resolved to the real port)
  std::vector<int> fds;  // bound, not yet listening; the caller owns them
};

// Binds `count` SO_REUSEPORT sockets to `address`. Before that, a plain probe bind
// detects a port held by another process, even one that uses SO_REUSEPORT itself.
// On failure returns a message such as "127.0.0.1:5672: address already in use" and
// leaves no socket open.
std::variant<BoundSockets, std::string> bindReusePort(const Address& address, unsigned count);

void closeAll(std::vector<int>& fds);

}  // namespace warren::network
