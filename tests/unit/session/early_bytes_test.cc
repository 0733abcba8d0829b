// EarlyBytes (session/early_bytes.h): arrival order, byte accounting, the soft limit that
// stops reading and the hard limit that refuses a chunk (and gives it back to the pool).
#include "session/early_bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace warren::session {
namespace {

network::Chunk* chunkOf(network::ChunkPool& pool, const std::string& bytes) {
  network::Chunk* c = pool.get();
  std::memcpy(c->data, bytes.data(), bytes.size());
  c->offset = 0;
  c->length = static_cast<uint32_t>(bytes.size());
  return c;
}

network::Chunk* chunkOfLength(network::ChunkPool& pool, uint32_t length) {
  network::Chunk* c = pool.get();
  c->offset = 0;
  c->length = length;
  return c;
}

TEST(EarlyBytes, LeaveInArrivalOrder) {
  network::ChunkPool pool;
  EarlyBytes early;
  EXPECT_TRUE(early.empty());
  EXPECT_EQ(early.pop(), nullptr);
  for (const char* s : {"first", "second", "third"}) ASSERT_TRUE(early.push(chunkOf(pool, s), pool));
  EXPECT_EQ(early.bytes(), 5u + 6u + 5u);
  EXPECT_EQ(std::string(early.front()->data, early.front()->length), "first");
  for (const char* s : {"first", "second", "third"}) {
    network::Chunk* c = early.pop();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(std::string(c->data + c->offset, c->length), s);
    EXPECT_EQ(c->next, nullptr);
    pool.put(c);
  }
  EXPECT_TRUE(early.empty());
  EXPECT_EQ(early.bytes(), 0u);
  // Empty again, it takes chunks again (the tail was reset).
  ASSERT_TRUE(early.push(chunkOf(pool, "again"), pool));
  EXPECT_EQ(early.bytes(), 5u);
  early.clear(pool);
  EXPECT_EQ(pool.inUse(), 0u);
}

TEST(EarlyBytes, FullAtTheSoftLimitRefusedPastTheHardLimit) {
  network::ChunkPool pool;
  EarlyBytes early;
  const uint32_t piece = 16 * 1024;
  for (uint32_t held = 0; held < EarlyBytes::kSoftLimit; held += piece) {
    EXPECT_FALSE(early.full()) << held;
    ASSERT_TRUE(early.push(chunkOfLength(pool, piece), pool));
  }
  EXPECT_TRUE(early.full());
  EXPECT_EQ(early.bytes(), EarlyBytes::kSoftLimit);
  // One more read's worth (a whole chunk, twice over) still fits: the read already in flight.
  ASSERT_TRUE(early.push(chunkOfLength(pool, network::Chunk::kCapacity), pool));
  ASSERT_TRUE(early.push(chunkOfLength(pool, network::Chunk::kCapacity), pool));
  EXPECT_EQ(early.bytes(), EarlyBytes::kHardLimit);
  const size_t in_use = pool.inUse();
  EXPECT_FALSE(early.push(chunkOfLength(pool, 1), pool));  // refused, and back in the pool
  EXPECT_EQ(pool.inUse(), in_use);
  EXPECT_EQ(early.bytes(), EarlyBytes::kHardLimit);
  early.clear(pool);
  EXPECT_TRUE(early.empty());
  EXPECT_FALSE(early.full());
  EXPECT_EQ(pool.inUse(), 0u);
}

}  // namespace
}  // namespace warren::session
