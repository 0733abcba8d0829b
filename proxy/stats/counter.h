// Counter: a per-worker count with exactly one writer (its worker's thread) and any
// number of readers (the /metrics scrape, on an admin thread).
//
// add() is a relaxed load and a relaxed store, not a fetch_add: with one writer no
// increment can be lost, and on x86-64 it compiles to the same plain add as a uint64_t,
// without the locked read-modify-write a fetch_add costs. The atomic type makes the
// scrape's concurrent read well defined (a plain uint64_t read while its worker writes it
// is a data race in C++, benign in practice but flagged by TSan); a reader sees a value
// the counter really had, possibly a few increments old.
#pragma once

#include <atomic>
#include <cstdint>

namespace warren::stats {

class Counter {
 public:
  void add(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  // Gauges only (active connections): the same single writer decrements.
  void sub(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace warren::stats
