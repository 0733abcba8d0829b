// Umbrella header for the PROXY protocol module: types and constants, the
// encoders, the incremental decoder, TLV helpers and CRC32C.
#pragma once

#include "proxy_protocol/crc32c.h"
#include "proxy_protocol/header.h"
#include "proxy_protocol/parser.h"
#include "proxy_protocol/tlv.h"
#include "proxy_protocol/writer.h"
