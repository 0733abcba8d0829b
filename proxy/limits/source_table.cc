#include "limits/source_table.h"

#include <random>

namespace warren::limits {

SourceKey SourceKey::of(const Address& address, uint32_t ipv6_prefix) {
  // Whole IPv4 (and IPv4-mapped) addresses; IPv6 cut to the listener's prefix.
  const IpPrefix whole = IpPrefix::of(address, 128);
  return SourceKey{whole.isV4() ? whole.bytes() : IpPrefix::of(address, ipv6_prefix).bytes()};
}

size_t SourceTable::Hash::operator()(const SourceKey& key) const {
  // FNV-1a over the 16 bytes, started from the table's seed, then mixed (splitmix64 finaliser)
  // so that both the shard (low bits) and the map bucket see well-spread bits.
  uint64_t h = 1469598103934665603ull ^ seed;
  for (uint8_t b : key.bytes) h = (h ^ b) * 1099511628211ull;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return static_cast<size_t>(h ^ (h >> 31));
}

size_t SourceTable::shardOf(const SourceKey& key, uint64_t seed) {
  // The high bits choose the shard; the map inside uses the hash modulo its bucket count.
  return (Hash{seed}(key) >> 58) % kShards;
}

SourceTable::SourceTable(uint32_t max_per_source, uint32_t ipv6_prefix)
    : max_(max_per_source == 0 ? 1 : max_per_source), ipv6_prefix_(ipv6_prefix), seed_((static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}()) {
  for (auto& shard : shards_) shard = std::make_unique<Shard>(seed_);
}

bool SourceTable::tryAcquire(const SourceKey& key) {
  Shard& shard = shardFor(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  uint32_t& count = shard.counts[key];
  if (count >= max_) return false;  // at the limit: the entry exists, so nothing to erase
  ++count;
  return true;
}

void SourceTable::release(const SourceKey& key) {
  Shard& shard = shardFor(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.counts.find(key);
  if (it == shard.counts.end()) return;
  if (--it->second == 0) shard.counts.erase(it);
}

uint32_t SourceTable::count(const SourceKey& key) const {
  Shard& shard = shardFor(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.counts.find(key);
  return it == shard.counts.end() ? 0 : it->second;
}

size_t SourceTable::entries() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mutex);
    n += shard->counts.size();
  }
  return n;
}

}  // namespace warren::limits
