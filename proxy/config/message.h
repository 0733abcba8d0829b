// Helpers for writing error messages: values shown safely, and "did you mean" hints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace warren::config {

// `text` in double quotes, with '"', '\' and control characters escaped and anything
// past 40 characters cut to "...", so that any input can be echoed in a message.
std::string quote(std::string_view text);

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
