#include "network/chunk_pool.h"

#include <new>

namespace warren::network {

static_assert(sizeof(Chunk) <= 64 * 1024);

ChunkPool::~ChunkPool() {
  while (free_ != nullptr) {
    Chunk* c = free_;
    free_ = c->next;
    delete c;
  }
}

Chunk* ChunkPool::get() {
  Chunk* c = free_;
  if (c != nullptr) {
    free_ = c->next;
    --free_count_;
  } else {
    c = new (std::nothrow) Chunk;
    if (c == nullptr) return nullptr;
  }
  c->next = nullptr;
  c->owner = nullptr;
  c->offset = 0;
  c->length = 0;
  ++in_use_;
  return c;
}

void ChunkPool::put(Chunk* chunk) {
  --in_use_;
  if (free_count_ >= max_free_) {
    delete chunk;
    return;
  }
  // LIFO: the chunk just released is the one still warm in the cache.
  chunk->next = free_;
  free_ = chunk;
  ++free_count_;
}

}  // namespace warren::network
