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

// For an owner that is several sinks at once: it derives from TaggedSink<A> and
// TaggedSink<B> and overrides onSink(A, chunk) and onSink(B, chunk). As a base a sink costs
// one vtable pointer and no pointer back to its owner (a relayed connection has five).
//
//   struct SendTag {};
//   class Relay : public TaggedSink<SendTag> { bool onSink(SendTag, network::Chunk*) override; };
//   ChunkSink* sink = static_cast<TaggedSink<SendTag>*>(&relay);
template <class Tag>
class TaggedSink : public ChunkSink {
 public:
  bool push(network::Chunk* chunk) final { return onSink(Tag{}, chunk); }

 protected:
  ~TaggedSink() override = default;
  virtual bool onSink(Tag, network::Chunk* chunk) = 0;
};

}  // namespace warren::transport
