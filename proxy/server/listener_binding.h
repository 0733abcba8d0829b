// A listener's sockets: bound anew (one SO_REUSEPORT socket per worker) or adopted from
// the Warren being replaced (takeover), with the listener's socket options set before
// listen(). Errors name the listener.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "config/config.h"

namespace warren::server {

// One SO_REUSEPORT socket per worker, listening, in `fds`; the address bound (port 0 resolved)
// in `bound`. Nothing stays open on failure.
std::optional<std::string> bindListener(const config::Listener& l, uint32_t workers, std::vector<int>& fds,
                                        Address& bound);

// Sockets received from the Warren being replaced: already bound and listening (listen()
// again only sets this config's backlog). One per worker, or the takeover is refused.
std::optional<std::string> adoptListener(const config::Listener& l, uint32_t workers, std::vector<int>& fds,
                                         Address& bound);

}  // namespace warren::server
