// What the admission check counts (per worker, declared with its metric: stats/block.h).
#pragma once

#include "limits/limit_kind.h"
#include "stats/block.h"

namespace warren::limits {

inline const char* limitKindLabel(size_t i) { return toString(static_cast<LimitKind>(i)); }

#define WARREN_LIMIT_STATS(SCALAR, VECTOR, HISTOGRAM)                                                    \
  VECTOR(rejected_by_limit, kLimitKindCount, Counter, "warren_connections_rejected_total",               \
         "Client connections closed at once by a limit (global, listener, source, rate).", "reason",    \
         limitKindLabel, 0)

WARREN_STATS_BLOCK(LimitCells, WARREN_LIMIT_STATS)

using LimitStats = LimitCells<stats::Counter>;
using LimitTotals = LimitCells<uint64_t>;

}  // namespace warren::limits
