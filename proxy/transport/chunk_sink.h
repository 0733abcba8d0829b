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

// A ChunkSink that calls a member function of its owner: `MemberSink<Relay, &Relay::send>`.
template <class Owner, bool (Owner::*Push)(network::Chunk*)>
class MemberSink : public ChunkSink {
 public:
  explicit MemberSink(Owner* owner) : owner_(owner) {}
  bool push(network::Chunk* chunk) override { return (owner_->*Push)(chunk); }

 private:
  Owner* owner_;
};

}  // namespace warren::transport
