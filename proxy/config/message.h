// Helpers for writing error messages: values shown safely, and "did you mean" hints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace warren::config {

// Longest text quote() shows by default, and for file paths (shown whole: the end of a
// path is the part that matters).
inline constexpr size_t kMaxShown = 40;
inline constexpr size_t kMaxShownPath = 4096;

// `text` in double quotes, with '"', '\' and control characters escaped and anything
// past `max_shown` characters cut to "...", so that any input can be echoed in a message.
std::string quote(std::string_view text, size_t max_shown = kMaxShown);

// A key as written in a key path: bare when it is a TOML bare key ([A-Za-z0-9_-]+),
// quoted otherwise.
std::string keyText(std::string_view key);

// The candidate closest to `word` (case-insensitive edit distance, or a prefix of
// it), or "" when none is close enough to be a likely typo.
std::string closestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

enum class HintStyle { Key, Value };
// " (did you mean 'x'?)" for a key, " (did you mean "x"?)" for a value, or "" when
// closestMatch() finds nothing.
std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates,
                       HintStyle style = HintStyle::Key);

}  // namespace warren::config
