// Per-node state shared by every worker (lock-free): active connection count for
// least-connections, and passive health (a node that refused is skipped for a while).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/address.h"

namespace warren::upstream {

class Node {
 public:
  Node(const Address& address, uint32_t weight) : address_(address), weight_(weight) {}

  const Address& address() const { return address_; }
  const std::string& name() const { return name_; }  // address as text, for logs
  uint32_t weight() const { return weight_; }

  // Connections assigned to this node (connecting or relaying), over all workers.
  uint32_t active() const { return active_.load(std::memory_order_relaxed); }
  void acquire() { active_.fetch_add(1, std::memory_order_relaxed); }
  void release() { active_.fetch_sub(1, std::memory_order_relaxed); }

  // Passive health. `now_ms` is a monotonic clock in milliseconds.
  bool isDown(int64_t now_ms) const { return now_ms < down_until_ms_.load(std::memory_order_relaxed); }
  int64_t downUntil() const { return down_until_ms_.load(std::memory_order_relaxed); }
  // A connect was refused or timed out: skip the node until now + backoff.
  void reportFailure(int64_t now_ms, int64_t backoff_ms);
  // A connect succeeded: the node is healthy again.
  void reportSuccess();
  uint32_t consecutiveFailures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  Address address_;
  std::string name_ = address_.toString();
  uint32_t weight_;
  std::atomic<uint32_t> active_{0};
  std::atomic<int64_t> down_until_ms_{0};
  std::atomic<uint32_t> failures_{0};
};

}  // namespace warren::upstream
