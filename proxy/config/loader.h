// TOML → Config. Every problem is reported, not just the first, as
// "file:line:column: key.path: message".
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace warren::config {

struct ConfigError {
  std::string file;
  uint32_t line = 0;    // 1-based; 0 when unknown
  uint32_t column = 0;  // 1-based; 0 when unknown
  std::string key;      // key path, e.g. "cluster[0].node[1].address"; empty for syntax errors
  std::string message;

  // "file:line:column: key: message" (the key part is left out when empty).
  std::string format() const;
};

struct LoadResult {
  ConfigConstSharedPtr config;      // set only when errors is empty
  std::vector<ConfigError> errors;  // in file order
  bool ok() const { return errors.empty() && config != nullptr; }
};

// Reads and validates a file. Never throws. Relative file paths in the config
// (certificates, keys, CA bundles) are resolved against the directory of `path`, stored
// in the Config resolved, and each file must be readable.
LoadResult loadFile(const std::string& path);
// Same, from text in memory; `source_name` is used in messages, and relative file
// paths are resolved against its directory (the current directory when it has none).
LoadResult loadString(std::string_view toml_text, const std::string& source_name);

}  // namespace warren::config
