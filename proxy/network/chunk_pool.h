// Per-worker pool of fixed-size byte chunks. A relay reads into a chunk and writes the
// same chunk to the other side (no copy); an idle connection holds no chunk at all.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>

namespace warren::network {

struct Chunk {
  static constexpr uint32_t kCapacity = 64 * 1024 - 256;  // whole Chunk stays within 64 KiB

  uv_write_t write_req;  // used while the chunk is queued for writing
  void* owner = nullptr;  // who waits for the write (a relay direction)
  Chunk* next = nullptr;  // free list link
  uint32_t offset = 0;    // first unsent byte
  uint32_t length = 0;    // bytes after offset
  char data[kCapacity];

  static Chunk* fromData(char* data) {
    return reinterpret_cast<Chunk*>(data - offsetof(Chunk, data));
  }
  static Chunk* fromWriteReq(uv_write_t* req) {
    return reinterpret_cast<Chunk*>(reinterpret_cast<char*>(req) - offsetof(Chunk, write_req));
  }
  uv_buf_t pending() { return uv_buf_init(data + offset, length); }
};

// Not thread-safe: one per worker.
class ChunkPool {
 public:
  explicit ChunkPool(size_t max_free = 64) : max_free_(max_free) {}
  ~ChunkPool();
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;

  Chunk* get();
  void put(Chunk* chunk);

  size_t inUse() const { return in_use_; }
  size_t freeCount() const { return free_count_; }

 private:
  Chunk* free_ = nullptr;
  size_t free_count_ = 0;
  size_t in_use_ = 0;
  size_t max_free_;
};

}  // namespace warren::network
