// TCP options applied to client and node sockets.
#pragma once

#include <uv.h>

#include "config/config.h"

namespace warren::network {

// Sets TCP_NODELAY, SO_KEEPALIVE and the keepalive timers on `fd`.
// Returns 0 or a negative errno (the connection still works without them).
int applyTcpOptions(int fd, const config::TcpOptions& options);

// Sets SO_SNDBUF / SO_RCVBUF when configured (non-zero). Called on listening sockets before
// listen() and on node sockets before connect(). Returns 0 or a negative errno.
// The socket of a libuv TCP handle (-1 before it has one).
inline int fdOf(const uv_tcp_t* tcp) {
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<const uv_handle_t*>(tcp), &fd);
  return fd;
}

// TCP_CORK: hold partial segments until uncorked or until shutdown()/close() flushes them.
int setCork(int fd, bool on);

int applyBufferSizes(int fd, const config::TcpOptions& options);

}  // namespace warren::network
