// TOML document → Config, one key at a time: types, ranges and unknown keys.
// Checks that involve more than one key live in validate.h.
#pragma once

#include <toml++/toml.h>

#include <string>

#include "config/config.h"
#include "config/error_list.h"

namespace warren::config {

// Fills a Config from `root`. Everything wrong is added to `errors`; the positions
// of the values that were read cleanly are added to `sources`. The result is only
// meaningful when `errors` stays empty, but it always keeps one entry per
// [[listener]] / [[cluster]] / node / route so that indices match the key paths.
// Relative file paths (certificates, keys, CA bundles) are resolved against `base_dir`
// and stored resolved; each file must be readable (paths.h).
Config decodeConfig(const toml::table& root, const std::string& base_dir, ErrorList& errors,
                    SourceMap& sources);

}  // namespace warren::config
