// ASCII case folding, locale-independent (DNS names, TOML keys, TLS server names).
#pragma once

#include <string>
#include <string_view>

namespace warren::ascii {

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

}  // namespace warren::ascii
