#include "config/duration.h"

#include <array>
#include <charconv>

#include "config/message.h"

namespace warren::config {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * 1024;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

size_t countDigits(std::string_view text, size_t from) {
  size_t i = from;
  while (i < text.size() && isDigit(text[i])) ++i;
  return i - from;
}

// Parses all of `digits` (only '0'..'9'); false on overflow.
bool toUint(std::string_view digits, uint64_t& out) {
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && ptr == digits.data() + digits.size();
}

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr std::array<Unit, 4> kDurationUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 60 * 60 * 1000}}};
constexpr std::array<Unit, 3> kSizeUnits{{{"B", 1}, {"KiB", kKiB}, {"MiB", kMiB}}};

template <size_t N>
const Unit* findUnit(const std::array<Unit, N>& units, std::string_view name) {
  for (const auto& unit : units) {
    if (unit.name == name) return &unit;
  }
  return nullptr;
}

std::string durationExample() {
  return "expected a number and a unit such as \"10s\", \"1.5s\" or \"250ms\"";
}
std::string sizeExample() { return "expected a whole number and a unit such as \"256KiB\""; }

}  // namespace

Parsed<Duration> parseDuration(std::string_view text) {
  using R = Parsed<Duration>;
  const std::string shown = quote(text);
  if (text.empty()) return R::fail("empty duration: " + durationExample());
  if (text.front() == '-') return R::fail("negative duration " + shown + " is not allowed");
  const size_t int_digits = countDigits(text, 0);
  if (int_digits == 0) return R::fail("invalid duration " + shown + ": " + durationExample());
  size_t pos = int_digits;
  std::string_view fraction;
  if (pos < text.size() && text[pos] == '.') {
    const size_t frac_digits = countDigits(text, pos + 1);
    if (frac_digits == 0) return R::fail("invalid duration " + shown + ": " + durationExample());
    fraction = text.substr(pos + 1, frac_digits);
    pos += 1 + frac_digits;
  }
  const std::string_view unit_text = text.substr(pos);
  if (unit_text.empty()) {
    return R::fail("missing unit in duration " + shown + ": use ms, s, m or h, e.g. \"10s\"");
  }
  const Unit* unit = findUnit(kDurationUnits, unit_text);
  if (unit == nullptr) {
    return R::fail("unknown unit " + quote(unit_text) + " in duration " + shown +
                   ": use ms, s, m or h");
  }
  const std::string too_large =
      "duration " + shown + " is too large (the maximum is " + formatDuration(kMaxDuration) + ")";
  const auto max_ms = static_cast<uint64_t>(kMaxDuration.count());
  uint64_t whole = 0;
  if (!toUint(text.substr(0, int_digits), whole) || whole > max_ms / unit->factor) {
    return R::fail(too_large);
  }
  uint64_t ms = whole * unit->factor;
  // Trailing zeros of the fraction change nothing; what is left must give whole
  // milliseconds. Past 7 significant digits it never can (the largest unit, 1h, is
  // 3.6e6 ms), which also keeps the arithmetic below far from overflow.
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (!fraction.empty()) {
    uint64_t frac = 0;
    uint64_t scale = 1;
    for (size_t i = 0; i < fraction.size(); ++i) scale *= 10;
    if (fraction.size() > 7 || !toUint(fraction, frac) || (frac * unit->factor) % scale != 0) {
      return R::fail("duration " + shown + " is not a whole number of milliseconds");
    }
    ms += frac * unit->factor / scale;
  }
  if (ms > max_ms) return R::fail(too_large);
  return R::ok(Duration(static_cast<Duration::rep>(ms)));
}

Parsed<uint64_t> parseSize(std::string_view text) {
  using R = Parsed<uint64_t>;
  const std::string shown = quote(text);
  if (text.empty()) return R::fail("empty size: " + sizeExample());
  if (text.front() == '-') return R::fail("negative size " + shown + " is not allowed");
  const size_t digits = countDigits(text, 0);
  if (digits == 0) return R::fail("invalid size " + shown + ": " + sizeExample());
  if (digits < text.size() && text[digits] == '.') {
    return R::fail("size " + shown + " must be a whole number (write \"1536KiB\", not \"1.5MiB\")");
  }
  const std::string_view unit_text = text.substr(digits);
  if (unit_text.empty()) {
    return R::fail("missing unit in size " + shown +
                   ": use B, KiB or MiB, or write the number of bytes as an integer");
  }
  const Unit* unit = findUnit(kSizeUnits, unit_text);
  if (unit == nullptr) {
    std::string hint;
    if (unit_text == "KB" || unit_text == "kB" || unit_text == "K" || unit_text == "k") {
      hint = " (1KiB = 1024 bytes)";
    } else if (unit_text == "MB" || unit_text == "M") {
      hint = " (1MiB = 1024KiB)";
    }
    return R::fail("unknown unit " + quote(unit_text) + " in size " + shown +
                   ": use B, KiB or MiB" + hint);
  }
  uint64_t count = 0;
  if (!toUint(text.substr(0, digits), count) || count > kMaxSize / unit->factor) {
    return R::fail("size " + shown + " is too large (the maximum is " + formatSize(kMaxSize) + ")");
  }
  return R::ok(count * unit->factor);
}

std::string formatDuration(Duration d) {
  const auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms < 0) return std::to_string(ms) + "ms";
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    const auto factor = static_cast<Duration::rep>(it->factor);
    if (ms % factor == 0) return std::to_string(ms / factor) + std::string(it->name);
  }
  return std::to_string(ms) + "ms";
}

std::string formatSize(uint64_t bytes) {
  if (bytes != 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + "MiB";
  if (bytes != 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + "KiB";
  return std::to_string(bytes) + "B";
}

}  // namespace warren::config
