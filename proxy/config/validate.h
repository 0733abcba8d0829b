// Checks that involve more than one key: required sections, unique names and
// addresses, references between listeners (and their routes) and clusters, watermark
// order, and the TLS checks: version order, client_auth needs client_ca, routes need
// TLS, strict_sni needs routes, each server name in one route of a listener only.
#pragma once

#include "config/config.h"
#include "config/error_list.h"

namespace warren::config {

// Runs after decodeConfig(). Only values recorded in `sources` (present and valid)
// take part, so that one mistake is not reported again as a consequence.
void validateConfig(const Config& config, const SourceMap& sources, ErrorList& errors);

}  // namespace warren::config
