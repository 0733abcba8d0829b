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
  // Nearest rank: ceil(p/100 * n), at least 1. The epsilon keeps decimal percents exact:
  // 99.9 is stored as 99.900000000000006, and 0.999 * 1000 must give rank 999, not 1000.
  const double exact = clamped / 100.0 * static_cast<double>(samples_.size());
  auto rank = static_cast<size_t>(std::ceil(exact - 1e-6));
  rank = std::clamp<size_t>(rank, 1, samples_.size());
  return samples_[rank - 1];
}

int64_t Histogram::max() { return percentile(100.0); }

}  // namespace warren::bench
