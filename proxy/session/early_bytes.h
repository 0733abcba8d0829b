// EarlyBytes: application bytes from the client that arrive before the node connection is
// ready (read while the node is connected, after an inbound PROXY header, or with the
// client's TLS Finished), in arrival order. They leave first once relaying starts, the
// first of them in the same write as the PROXY header.
//
// Bounded: the session stops reading the client at kSoftLimit; one more read's worth may
// still arrive (a chunk, or what one chunk of ciphertext decrypts to), so kHardLimit is
// never reached by a sane peer: push() refuses past it.
#pragma once

#include <cstdint>

#include "network/chunk_pool.h"

namespace warren::session {

class EarlyBytes {
 public:
  static constexpr uint32_t kSoftLimit = 64 * 1024;
  static constexpr uint32_t kHardLimit = kSoftLimit + 2 * network::Chunk::kCapacity;

  EarlyBytes() = default;
  EarlyBytes(const EarlyBytes&) = delete;
  EarlyBytes& operator=(const EarlyBytes&) = delete;

  // Takes the chunk; false (the chunk back in `pool`) when it would pass kHardLimit.
  bool push(network::Chunk* chunk, network::ChunkPool& pool);
  // The oldest chunk, now the caller's (null when empty).
  network::Chunk* pop();
  const network::Chunk* front() const { return head_; }
  // Every chunk back to the pool.
  void clear(network::ChunkPool& pool);

  bool empty() const { return head_ == nullptr; }
  bool full() const { return bytes_ >= kSoftLimit; }
  uint32_t bytes() const { return bytes_; }

 private:
  network::Chunk* head_ = nullptr;  // linked through Chunk::next
  network::Chunk* tail_ = nullptr;
  uint32_t bytes_ = 0;
};

}  // namespace warren::session
