#include "network/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace warren::network {

namespace {

int setInt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

int seconds(config::Duration d) {
  return static_cast<int>(std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count()));
}

}  // namespace

int applyTcpOptions(int fd, const config::TcpOptions& options) {
  int rc = setInt(fd, IPPROTO_TCP, TCP_NODELAY, options.nodelay ? 1 : 0);
  if (rc != 0) return rc;
  rc = setInt(fd, SOL_SOCKET, SO_KEEPALIVE, options.keepalive ? 1 : 0);
  if (rc != 0 || !options.keepalive) return rc;
  if ((rc = setInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, seconds(options.keepalive_idle))) != 0) return rc;
  if ((rc = setInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, seconds(options.keepalive_interval))) != 0) return rc;
  return setInt(fd, IPPROTO_TCP, TCP_KEEPCNT, options.keepalive_count);
}

int setCork(int fd, bool on) { return setInt(fd, IPPROTO_TCP, TCP_CORK, on ? 1 : 0); }

int applyBufferSizes(int fd, const config::TcpOptions& options) {
  int rc = 0;
  if (options.send_buffer != 0) rc = setInt(fd, SOL_SOCKET, SO_SNDBUF, static_cast<int>(options.send_buffer));
  if (rc == 0 && options.receive_buffer != 0) {
    rc = setInt(fd, SOL_SOCKET, SO_RCVBUF, static_cast<int>(options.receive_buffer));
  }
  return rc;
}

}  // namespace warren::network
