// The log level: the one enum that config ([global] log_level) and logging (setup,
// configure) share. Its own header so that config does not need the logger to name it.
#pragma once

namespace warren::logging {

enum class Level { Trace, Debug, Info, Warn, Error };

}  // namespace warren::logging
