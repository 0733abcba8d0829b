// listener.trusted_proxies: the TCP peers (outer balancers) an accept_proxy listener takes a
// PROXY header from. Decoded here; the warning for accept_proxy without it is here too.
//
// A prefix with bits set after its length ("10.0.0.1/8") is refused, not silently widened:
// it is more often a typo ("10.1.0.0/8" for "10.1.0.0/16") than a way to write a network.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/ip_prefix.h"
#include "config/config.h"
#include "config/loader.h"
#include "config/table_reader.h"

namespace warren::config {

// An array of "10.0.0.0/8" / "fd00::/8" / bare addresses. Each wrong element is reported at
// its own position (key "listener[0].trusted_proxies[2]"); then nullopt.
std::optional<std::vector<IpPrefix>> readTrustedProxies(TableReader& r, std::string_view key);

// One warning per listener with accept_proxy = true and no trusted_proxies, at its
// accept_proxy key: every peer is then trusted, so any client that reaches the listener can
// claim any address. Printed by `warren check`, at start and at each reload.
std::vector<ConfigError> untrustedProxyWarnings(const Config& config);

}  // namespace warren::config
