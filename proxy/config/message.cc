#include "config/message.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/ascii.h"

namespace warren::config {
namespace {

using ascii::lower;

bool isBareKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions),
// case-insensitive. Three rolling rows: O(|a|*|b|) time, O(|b|) memory.
size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

}  // namespace

std::string quote(std::string_view text, size_t max_shown) {
  std::string out = "\"";
  size_t shown = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    // Count characters, not bytes: UTF-8 continuation bytes belong to the previous one.
    if ((c & 0xC0) != 0x80) {
      if (shown == max_shown) {
        out += "...";
        break;
      }
      ++shown;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string keyText(std::string_view key) {
  if (!key.empty() && std::all_of(key.begin(), key.end(), isBareKeyChar)) return std::string(key);
  return quote(key);
}

std::string closestMatch(std::string_view word, const std::vector<std::string_view>& candidates) {
  if (word.empty() || word.size() > 64) return "";
  // Allowed typos grow with the word: 1 for short words, up to 3 for long ones.
  const size_t limit = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
  std::string_view best;
  size_t best_distance = limit + 1;
  for (auto candidate : candidates) {
    if (candidate.size() > word.size() + limit || word.size() > candidate.size() + limit) continue;
    size_t distance = editDistance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best.empty()) return std::string(best);
  // "least_connections" → "least_conn", "node_weight" ... a known word as a prefix.
  for (auto candidate : candidates) {
    if (candidate.size() >= 3 && word.size() >= 3 &&
        (startsWithIgnoreCase(word, candidate) || startsWithIgnoreCase(candidate, word))) {
      return std::string(candidate);
    }
  }
  return "";
}

std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates,
                       HintStyle style) {
  std::string match = closestMatch(word, candidates);
  if (match.empty()) return "";
  if (style == HintStyle::Value) return " (did you mean " + quote(match) + "?)";
  return " (did you mean '" + match + "'?)";
}

}  // namespace warren::config
