// Latency samples kept in full (a bench run records at most a few million), with
// nearest-rank percentiles: the p-th percentile is the smallest sample that is >= p %
// of all samples, so p100 is the maximum and every reported value was really seen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace warren::bench {

class Histogram {
 public:
  void record(int64_t value) { samples_.push_back(value); }
  size_t count() const { return samples_.size(); }

  // `percent` in [0, 100]. 0 when empty. Sorts lazily (recording after a query is fine).
  int64_t percentile(double percent);
  int64_t max();

 private:
  std::vector<int64_t> samples_;
  size_t sorted_count_ = 0;
};

}  // namespace warren::bench
