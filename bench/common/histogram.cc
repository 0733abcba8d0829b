#include "common/histogram.h"

#include <algorithm>
#include <cmath>

namespace warren::bench {

int64_t Histogram::percentile(double percent) {
  if (samples_.empty()) return 0;
  if (sorted_count_ != samples_.size()) {
    std::sort(samples_.begin(), samples_.end());
    sorted_count_ = samples_.size();
  }
  const double clamped = std::clamp(percent, 0.0, 100.0);
  // Nearest rank: ceil(p/100 * n), at least 1.
  auto rank = static_cast<size_t>(std::ceil(clamped / 100.0 * static_cast<double>(samples_.size())));
  rank = std::clamp<size_t>(rank, 1, samples_.size());
  return samples_[rank - 1];
}

int64_t Histogram::max() { return percentile(100.0); }

}  // namespace warren::bench
