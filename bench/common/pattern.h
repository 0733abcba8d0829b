// Filler bytes for bulk transfers: a fixed pattern, built once per size and shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace warren::bench {

inline const std::vector<uint8_t>& patternBuffer(size_t size) {
  static std::map<size_t, std::vector<uint8_t>> buffers;
  auto& bytes = buffers[size];
  if (bytes.size() != size) {
    bytes.resize(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  }
  return bytes;
}

}  // namespace warren::bench
