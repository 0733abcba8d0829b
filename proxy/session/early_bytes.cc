#include "session/early_bytes.h"

namespace warren::session {

bool EarlyBytes::push(network::Chunk* chunk, network::ChunkPool& pool) {
  if (bytes_ + chunk->length > kHardLimit) {
    pool.put(chunk);
    return false;
  }
  bytes_ += chunk->length;
  chunk->next = nullptr;
  if (tail_ != nullptr) {
    tail_->next = chunk;
  } else {
    head_ = chunk;
  }
  tail_ = chunk;
  return true;
}

network::Chunk* EarlyBytes::pop() {
  network::Chunk* c = head_;
  if (c == nullptr) return nullptr;
  head_ = c->next;
  if (head_ == nullptr) tail_ = nullptr;
  bytes_ -= c->length;
  c->next = nullptr;
  return c;
}

void EarlyBytes::clear(network::ChunkPool& pool) {
  while (network::Chunk* c = pop()) pool.put(c);
}

}  // namespace warren::session
