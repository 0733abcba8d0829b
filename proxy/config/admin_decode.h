// The [admin] table (see Admin in config.h). One key at a time, like decode.h.
#pragma once

#include "config/config.h"
#include "config/table_reader.h"
#include "config/tls_decode.h"

namespace warren::config {

// `admin` of the root reader: fills `admin` when the table is there.
void decodeAdminOf(TableReader& root, Admin& admin, const DecodeContext& context);

}  // namespace warren::config
