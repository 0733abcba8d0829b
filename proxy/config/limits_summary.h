// The connection limits a configuration ends up with, written out by `warren check`: the
// defaults are not "off" (config.h, kDefault*), so an operator sees what applies.
#pragma once

#include <string>

#include "config/config.h"

namespace warren::config {

// Several lines, each ending in '\n':
//   limits (0 = none):
//     global.max_connections = 100000
//     listener "amqp": max_connections = 0 (only the global limit), max_connections_per_source = 1000 (IPv6 sources per /64), accept_rate = 0 (off)
std::string describeLimits(const Config& config);

}  // namespace warren::config
