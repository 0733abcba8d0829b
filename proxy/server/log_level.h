// config::LogLevel → logging::Level (used at start and when a reload changes log_level).
#pragma once

#include "common/logging.h"
#include "config/config.h"

namespace warren::server {

inline logging::Level toLogLevel(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::Trace: return logging::Level::Trace;
    case config::LogLevel::Debug: return logging::Level::Debug;
    case config::LogLevel::Info: return logging::Level::Info;
    case config::LogLevel::Warn: return logging::Level::Warn;
    case config::LogLevel::Error: return logging::Level::Error;
  }
  return logging::Level::Info;
}

}  // namespace warren::server
