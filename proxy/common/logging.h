// Logging: one line per event, "<UTC time> <level> <event> key=value ...", on stderr.
// A thin layer over spdlog so that the format is set in one place.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace warren::logging {

enum class Level { Trace, Debug, Info, Warn, Error };

// Installs the process-wide logger (stderr, UTC timestamps). Safe to call again to change the level.
void setup(Level level);

// Values that may contain spaces or quotes are quoted logfmt-style: a b → "a b".
std::string quote(std::string_view value);

}  // namespace warren::logging
