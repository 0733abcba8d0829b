// Files holding secrets (TLS private keys, the admin token) that the group or others may
// read: found at start, at every reload and by `warren check`, reported as warnings (the
// file still works; a key readable by others is a leak waiting to happen, not a parse error).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/loader.h"

namespace warren::config {

// Permission bits that make a secret file a warning: read by the group or by others.
inline constexpr mode_t kSecretReadableBits = 0044;

// One warning per secret file whose mode has kSecretReadableBits, at the key that names it
// ("file:line:column: listener[0].tls.certificate[0].key: ..."). A file that cannot be
// stat()ed is left to the loaders that read it.
std::vector<ConfigError> secretFileWarnings(const Config& config);

}  // namespace warren::config
