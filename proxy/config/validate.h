// Checks that involve more than one key: required sections, unique names and
// addresses, references between listeners and clusters, watermark order.
#pragma once

#include "config/config.h"
#include "config/error_list.h"

namespace warren::config {

// Runs after decodeConfig(). Only values recorded in `sources` (present and valid)
// take part, so that one mistake is not reported again as a consequence.
void validateConfig(const Config& config, const SourceMap& sources, ErrorList& errors);

}  // namespace warren::config
