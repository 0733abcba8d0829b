// ChunkSink: where a producer (a TLS stream, a relay) hands chunks on.
#pragma once

#include "network/chunk_pool.h"

namespace warren::transport {

class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Takes ownership of `chunk` (length bytes at offset). Returns false if the owner closed.
  virtual bool push(network::Chunk* chunk) = 0;
};

}  // namespace warren::transport
