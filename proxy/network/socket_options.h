// TCP options applied to client and node sockets.
#pragma once

#include "config/config.h"

namespace warren::network {

// Sets TCP_NODELAY, SO_KEEPALIVE and the keepalive timers on `fd`.
// Returns 0 or a negative errno (the connection still works without them).
int applyTcpOptions(int fd, const config::TcpOptions& options);

// Sets SO_SNDBUF / SO_RCVBUF when configured (non-zero). Called on listening sockets before
// listen() and on node sockets before connect(). Returns 0 or a negative errno.
int applyBufferSizes(int fd, const config::TcpOptions& options);

}  // namespace warren::network
