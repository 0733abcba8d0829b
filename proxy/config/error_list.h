// ErrorList collects every problem found while loading one file; SourceMap remembers
// where each value that decoded cleanly was written, for the cross-field checks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

namespace warren::config {

// A position in the TOML text; 1-based, {0, 0} when unknown.
struct SourcePos {
  uint32_t line = 0;
  uint32_t column = 0;
};

class ErrorList {
 public:
  explicit ErrorList(std::string file) : file_(std::move(file)) {}

  void add(SourcePos pos, std::string key, std::string message);
  bool empty() const { return errors_.empty(); }
  // True when an error was reported for exactly this key path.
  bool hasError(std::string_view key) const;
  // The errors sorted by line, then column; errors at the same position keep the
  // order they were reported in.
  std::vector<ConfigError> take();

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// Key path → position of its value, for values that were present and valid.
class SourceMap {
 public:
  void set(const std::string& key, SourcePos pos) { positions_[key] = pos; }
  std::optional<SourcePos> find(const std::string& key) const {
    auto it = positions_.find(key);
    if (it == positions_.end()) return std::nullopt;
    return it->second;
  }
  bool has(const std::string& key) const { return positions_.count(key) != 0; }

 private:
  std::map<std::string, SourcePos, std::less<>> positions_;
};

}  // namespace warren::config
