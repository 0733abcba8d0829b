// Counter blocks by key (a listener name, a (cluster, node) pair, ...): created on first
// request, never removed, their addresses stable, so that a worker's contexts can hold plain
// pointers and a reload that asks again keeps counting in the same block. Thread-safe:
// workers ask for blocks when they build contexts; a scrape sums them while they count.
#pragma once

#include <map>
#include <memory>
#include <mutex>

namespace warren::stats {

template <class Key, class Block>
class BlockMap {
 public:
  Block* get(const Key& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = blocks_[key];
    if (!slot) slot = std::make_unique<Block>();
    return slot.get();
  }
  // Sums every block into out[key] (out: a map from Key to the block's summed cells).
  template <class Out>
  void addTo(Out& out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, block] : blocks_) accumulate(out[key], *block);
  }

 private:
  mutable std::mutex mutex_;
  std::map<Key, std::unique_ptr<Block>> blocks_;
};

}  // namespace warren::stats
