// Open connections per client IP address, counted over every worker of a listener
// (SO_REUSEPORT spreads one client's connections over the workers, so a per-worker count
// would let a client open workers × max).
//
// A fixed number of shards, each a mutex and a hash map, touched twice per connection (at
// accept and at close), never per byte. An entry exists only while its address has an open
// connection, so a flood of distinct sources costs memory only for the connections that
// were actually admitted.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/address.h"
#include "common/ip_prefix.h"

namespace warren::limits {

// An IP address without its port; IPv4 as IPv4-mapped IPv6 so one key type covers both.
// An IPv6 source is its first `ipv6_prefix` bits (listener.source_ipv6_prefix): one host
// commonly holds a whole /64, so /128 would let it open max_connections_per_source per
// address. IPv4 and IPv4-mapped IPv6 addresses are always the whole /32. The masking is
// IpPrefix's (common/ip_prefix.h), the same as listener.trusted_proxies matches with.
struct SourceKey {
  std::array<uint8_t, 16> bytes{};

  static SourceKey of(const Address& address, uint32_t ipv6_prefix);
  bool operator==(const SourceKey& other) const = default;
};

class SourceTable {
 public:
  static constexpr size_t kShards = 64;

  // max_per_source >= 1; ipv6_prefix 1..128 (how IPv6 sources are grouped, SourceKey::of).
  SourceTable(uint32_t max_per_source, uint32_t ipv6_prefix);
  SourceTable(const SourceTable&) = delete;
  SourceTable& operator=(const SourceTable&) = delete;

  // Counts one more connection from `key`, unless it already has max_per_source. Thread-safe.
  bool tryAcquire(const SourceKey& key);
  // Gives back what tryAcquire() counted; the entry goes when its count reaches zero.
  void release(const SourceKey& key);

  uint32_t maxPerSource() const { return max_; }
  SourceKey keyOf(const Address& address) const { return SourceKey::of(address, ipv6_prefix_); }
  // For tests and logs: open connections from `key`, and addresses with an entry.
  uint32_t count(const SourceKey& key) const;
  size_t entries() const;
  static size_t shardOf(const SourceKey& key, uint64_t seed);

 private:
  struct Hash {
    uint64_t seed;
    size_t operator()(const SourceKey& key) const;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<SourceKey, uint32_t, Hash> counts;
    explicit Shard(uint64_t seed) : counts(0, Hash{seed}) {}
  };

  Shard& shardFor(const SourceKey& key) const { return *shards_[shardOf(key, seed_)]; }

  uint32_t max_;
  uint32_t ipv6_prefix_;
  uint64_t seed_;  // per table: sources cannot be chosen to collide in a known hash
  std::array<std::unique_ptr<Shard>, kShards> shards_;
};

}  // namespace warren::limits
