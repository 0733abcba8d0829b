// Histogram cells: per-bucket counts (the last bucket holds values above every bound) and
// the sum of the observed values. Buckets are not cumulative here; the exposition makes them so.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "stats/counter.h"

namespace warren::stats {

template <class T, size_t N>
struct Histogram {
  std::array<T, N + 1> buckets{};
  T sum{};
};

// The bucket of `value` for upper bounds `bounds` (index N = +Inf).
template <size_t N>
size_t bucketOf(uint64_t value, const std::array<uint32_t, N>& bounds) {
  size_t i = 0;
  while (i < N && value > bounds[i]) ++i;
  return i;
}

template <size_t N>
void observe(Histogram<Counter, N>& h, uint64_t value, const std::array<uint32_t, N>& bounds) {
  h.buckets[bucketOf(value, bounds)].add();
  h.sum.add(value);
}

}  // namespace warren::stats
