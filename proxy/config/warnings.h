// The warnings a loaded configuration gives by itself (the TLS ones come from building the
// contexts, server/tls_contexts.h): one list, so that `warren check`, start and every reload
// report the same ones.
#pragma once

#include <vector>

#include "config/config.h"
#include "config/loader.h"

namespace warren::config {

// secretFileWarnings (secret_modes.h), then untrustedProxyWarnings (trusted_proxies.h).
std::vector<ConfigError> configWarnings(const Config& config);

}  // namespace warren::config
