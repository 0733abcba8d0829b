#include "tls/build_report.h"

#include <utility>

namespace warren::tls {

config::ConfigError BuildReport::make(const config::SourceRef& ref, std::string message,
                                      std::string_view key_suffix) const {
  config::ConfigError error;
  error.file = file_;
  error.line = ref.line;
  error.column = ref.column;
  error.key = ref.key;
  error.key += key_suffix;
  error.message = std::move(message);
  return error;
}

void BuildReport::error(const config::SourceRef& ref, std::string message,
                        std::string_view key_suffix) {
  errors_.push_back(make(ref, std::move(message), key_suffix));
}

void BuildReport::warning(const config::SourceRef& ref, std::string message,
                          std::string_view key_suffix) {
  warnings_.push_back(make(ref, std::move(message), key_suffix));
}

}  // namespace warren::tls
