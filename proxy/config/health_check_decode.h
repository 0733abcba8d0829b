// [cluster.health_check]: the active health checks of a cluster's nodes (see config.h
// HealthCheck). One key at a time like decode.h, plus the one check across keys that
// belongs to this table alone (timeout within interval).
#pragma once

#include "config/config.h"
#include "config/error_list.h"
#include "config/table_reader.h"

namespace warren::config {

// `health_check` of a [[cluster]] reader: fills `check` (enabled = true) when the table is there.
void decodeHealthCheckOf(TableReader& cluster, HealthCheck& check, ErrorList& errors, SourceMap& sources);

}  // namespace warren::config
