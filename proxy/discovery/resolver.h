// Resolver: host name → the addresses it has now. An interface so that tests can make
// records appear and vanish; SystemResolver asks getaddrinfo (blocking: call it off the
// worker threads).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/address.h"

namespace warren::discovery {

struct ResolveResult {
  std::vector<Address> addresses;  // sorted, without duplicates, each with the given port
  std::string error;               // set when the name could not be resolved
  bool ok() const { return error.empty(); }
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Thread-safe.
  virtual ResolveResult resolve(const std::string& host, uint16_t port) = 0;
};

// getaddrinfo(AF_UNSPEC, SOCK_STREAM): every A and AAAA record (a Kubernetes headless
// service name gives one per ready pod).
class SystemResolver : public Resolver {
 public:
  ResolveResult resolve(const std::string& host, uint16_t port) override;
};

using ResolverSharedPtr = std::shared_ptr<Resolver>;

}  // namespace warren::discovery
