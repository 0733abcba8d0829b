// A block of counters declared once, with what /metrics shows of each: a component lists
// its counters in an X-macro beside the code that increments them,
//
//   #define WARREN_FOO_STATS(SCALAR, VECTOR, HISTOGRAM)
//     SCALAR(name, Counter|Gauge, "family", "help")
//     VECTOR(name, size, Counter|Gauge, "family", "help", "label", labelOf, first)
//     HISTOGRAM(name, bounds, scale, "family", "help")
//   WARREN_STATS_BLOCK(FooCells, WARREN_FOO_STATS)
//
// and gets a struct template FooCells<T> (T = Counter: written by one worker; T = uint64_t:
// summed for a scrape), accumulate(out, in) to sum blocks, and describe(totals, visitor),
// which hands the visitor every cell with its family, help text, label and scale. The
// admin endpoint renders from describe(); tests read the same summed cells.
// VECTOR: cell i gets label value labelOf(i); cells below `first` are counted but not shown.
// HISTOGRAM: bounds is a constexpr std::array<uint32_t, N>; scale converts to the exposed unit.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

#include "stats/counter.h"
#include "stats/histogram.h"

namespace warren::stats {

enum class Kind : uint8_t { Counter, Gauge };

inline uint64_t valueOf(const Counter& c) { return c.get(); }
inline uint64_t valueOf(uint64_t v) { return v; }

// What describe() passes for one VECTOR cell set.
using LabelOf = const char* (*)(size_t index);

}  // namespace warren::stats

#define WARREN_STATS_FIELD_SCALAR(name, kind, family, help) T name{};
#define WARREN_STATS_FIELD_VECTOR(name, n, kind, family, help, label, label_of, first) std::array<T, n> name{};
#define WARREN_STATS_FIELD_HISTOGRAM(name, bounds, scale, family, help) \
  ::warren::stats::Histogram<T, std::tuple_size_v<std::remove_cvref_t<decltype(bounds)>>> name{};

#define WARREN_STATS_SUM_SCALAR(name, kind, family, help) out.name += ::warren::stats::valueOf(in.name);
#define WARREN_STATS_SUM_VECTOR(name, n, kind, family, help, label, label_of, first) \
  for (size_t i = 0; i < (n); ++i) out.name[i] += ::warren::stats::valueOf(in.name[i]);
#define WARREN_STATS_SUM_HISTOGRAM(name, bounds, scale, family, help)            \
  for (size_t i = 0; i < out.name.buckets.size(); ++i)                          \
    out.name.buckets[i] += ::warren::stats::valueOf(in.name.buckets[i]);        \
  out.name.sum += ::warren::stats::valueOf(in.name.sum);

#define WARREN_STATS_DESCRIBE_SCALAR(name, kind, family, help) \
  v.scalar(t.name, ::warren::stats::Kind::kind, family, help);
#define WARREN_STATS_DESCRIBE_VECTOR(name, n, kind, family, help, label, label_of, first) \
  v.vector(t.name.data(), n, ::warren::stats::Kind::kind, family, help, label, label_of, first);
#define WARREN_STATS_DESCRIBE_HISTOGRAM(name, bounds, scale, family, help) \
  v.histogram(t.name.buckets.data(), bounds.data(), bounds.size(), t.name.sum, scale, family, help);

#define WARREN_STATS_BLOCK(Cells, LIST)                                                            \
  template <class T>                                                                              \
  struct Cells {                                                                                  \
    LIST(WARREN_STATS_FIELD_SCALAR, WARREN_STATS_FIELD_VECTOR, WARREN_STATS_FIELD_HISTOGRAM)      \
  };                                                                                              \
  template <class In>                                                                             \
  void accumulate(Cells<uint64_t>& out, const Cells<In>& in) {                                    \
    LIST(WARREN_STATS_SUM_SCALAR, WARREN_STATS_SUM_VECTOR, WARREN_STATS_SUM_HISTOGRAM)            \
  }                                                                                               \
  template <class V>                                                                              \
  void describe(const Cells<uint64_t>& t, V& v) {                                                \
    LIST(WARREN_STATS_DESCRIBE_SCALAR, WARREN_STATS_DESCRIBE_VECTOR, WARREN_STATS_DESCRIBE_HISTOGRAM) \
  }
