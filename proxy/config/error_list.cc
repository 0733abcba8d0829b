#include "config/error_list.h"

#include <algorithm>

namespace warren::config {

void ErrorList::add(SourcePos pos, std::string key, std::string message) {
  errors_.push_back(ConfigError{file_, pos.line, pos.column, std::move(key), std::move(message)});
}

bool ErrorList::hasError(std::string_view key) const {
  return std::any_of(errors_.begin(), errors_.end(),
                     [&](const ConfigError& e) { return e.key == key; });
}

std::vector<ConfigError> ErrorList::take() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
  return std::move(errors_);
}

}  // namespace warren::config
