// The logging options of a config's [global] (used at start and when a reload changes them).
#pragma once

#include "common/logging.h"
#include "config/config.h"

namespace warren::server {

inline logging::Options logOptions(const config::Global& global) {
  logging::Options options;
  options.level = global.log_level;
  options.format = global.log_format == config::LogFormat::Json ? logging::Format::Json : logging::Format::Text;
  options.access_log_file = global.access_log_file;
  return options;
}

inline bool sameLogOptions(const config::Global& a, const config::Global& b) {
  return a.log_level == b.log_level && a.log_format == b.log_format && a.access_log_file == b.access_log_file;
}

}  // namespace warren::server
