// Duration and size values as operators write them: "250ms", "1.5s", "2m", "1h";
// 4096, "64B", "256KiB", "1MiB".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/parsed.h"

namespace warren::config {

// Largest duration any key accepts (365 days): keeps `now + timeout` far from overflow.
inline constexpr Duration kMaxDuration = std::chrono::hours(8760);
// Largest size parseSize() accepts (the size keys have narrower limits).
inline constexpr uint64_t kMaxSize = UINT32_MAX;

// "<number><unit>": number = digits with an optional ".digits" fraction; unit = ms, s,
// m or h. No sign, no spaces, one unit. The result must be a whole number of
// milliseconds and at most kMaxDuration.
Parsed<Duration> parseDuration(std::string_view text);

// "<digits><unit>": unit = B, KiB (1024) or MiB (1024*1024). No fractions, no
// 1000-based units. The result must be at most kMaxSize.
Parsed<uint64_t> parseSize(std::string_view text);

// Shortest exact spelling in the largest whole unit: "0s", "250ms", "1500ms", "10s", "2m", "1h".
std::string formatDuration(Duration d);
// "0B", "100B", "256KiB", "64MiB".
std::string formatSize(uint64_t bytes);

}  // namespace warren::config
