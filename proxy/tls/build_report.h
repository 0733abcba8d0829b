// Errors and warnings found while building a TLS context from config (reading and checking
// certificate and key files, cipher and curve lists), each tied to the config value it came
// from: "warren.toml:12:9: listener[0].tls.certificate[0].key: <message>".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/loader.h"

namespace warren::tls {

class BuildReport {
 public:
  explicit BuildReport(std::string config_file) : file_(std::move(config_file)) {}

  // At `ref` (its position and key path); `key_suffix` is appended to the key path, for
  // values that have no SourceRef of their own (e.g. ".ciphers" after the [listener.tls] ref).
  void error(const config::SourceRef& ref, std::string message, std::string_view key_suffix = {});
  void warning(const config::SourceRef& ref, std::string message,
               std::string_view key_suffix = {});

  bool ok() const { return errors_.empty(); }
  std::vector<config::ConfigError>& errors() { return errors_; }
  std::vector<config::ConfigError>& warnings() { return warnings_; }

 private:
  config::ConfigError make(const config::SourceRef& ref, std::string message,
                           std::string_view key_suffix) const;

  std::string file_;
  std::vector<config::ConfigError> errors_;
  std::vector<config::ConfigError> warnings_;
};

}  // namespace warren::tls
