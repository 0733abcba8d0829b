#include "limits/source_table.h"

#include <cstring>
#include <random>

namespace warren::limits {

namespace {

bool isV4Mapped(const std::array<uint8_t, 16>& b) {
  for (size_t i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

// Clears every bit after the first `prefix` (0..128).
void keepPrefix(std::array<uint8_t, 16>& b, uint32_t prefix) {
  for (size_t i = 0; i < b.size(); ++i) {
    const uint32_t first_bit = static_cast<uint32_t>(i) * 8;
    if (prefix >= first_bit + 8) continue;
    const uint32_t kept = prefix > first_bit ? prefix - first_bit : 0;
    b[i] &= static_cast<uint8_t>(0xFF00u >> kept);
  }
}

}  // namespace

SourceKey SourceKey::of(const Address& address, uint32_t ipv6_prefix) {
  SourceKey key;
  if (address.isV4()) {
    key.bytes[10] = 0xff;
    key.bytes[11] = 0xff;
    std::memcpy(key.bytes.data() + 12, &address.v4().sin_addr, 4);
  } else if (address.isV6()) {
    std::memcpy(key.bytes.data(), &address.v6().sin6_addr, 16);
    if (!isV4Mapped(key.bytes)) keepPrefix(key.bytes, ipv6_prefix < 128 ? ipv6_prefix : 128);
  }
  return key;
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
