// Fuzzes the TOML config loader: any input must give either a config or at least one
// error, never a crash, an exception or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = warren::config::loadString(text, "fuzz.toml");

  // Exactly one of: a config, or errors.
  if (result.ok() == !result.errors.empty()) __builtin_trap();
  if (!result.errors.empty() && result.config != nullptr) __builtin_trap();

  // Errors come sorted by position and always format.
  for (size_t i = 0; i < result.errors.size(); ++i) {
    const auto& e = result.errors[i];
    if (e.format().empty() || e.message.empty()) __builtin_trap();
    if (i > 0) {
      const auto& p = result.errors[i - 1];
      if (p.line > e.line || (p.line == e.line && p.column > e.column)) __builtin_trap();
    }
  }

  // A config that loads keeps the promises the rest of Warren relies on.
  if (const auto& config = result.config) {
    if (config->listeners.empty() || config->clusters.empty()) __builtin_trap();
    if (config->global.buffer_low_watermark >= config->global.buffer_high_watermark)
      __builtin_trap();
    for (const auto& listener : config->listeners) {
      if (!listener.address.valid() || config->findCluster(listener.cluster) == nullptr) {
        __builtin_trap();
      }
    }
    for (const auto& cluster : config->clusters) {
      if (cluster.nodes.empty()) __builtin_trap();
      for (const auto& node : cluster.nodes) {
        // An IP literal, or a host name (resolved later) with a port: exactly one of them.
        if (node.host.empty()) {
          if (!node.address.valid() || node.address.port() == 0) __builtin_trap();
        } else if (node.address.valid() || node.port == 0) {
          __builtin_trap();
        }
        if (node.weight < 1 || node.weight > 1000) __builtin_trap();
      }
    }
  }
  return 0;
}
