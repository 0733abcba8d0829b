#include "common/net.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace warren::bench {

std::optional<Address> parseHostPort(std::string_view text) {
  constexpr std::string_view kLocalhost = "localhost:";
  if (text.starts_with(kLocalhost)) {
    return Address::parse("127.0.0.1:" + std::string(text.substr(kLocalhost.size())));
  }
  return Address::parse(text);
}

long raiseOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<long>(limit.rlim_cur);
}

int startConnect(const Address& target) {
  const int fd = socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, target.sockAddr(), target.sockLen()) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    close(fd);
    return -error;
  }
  return fd;
}

int listenOn(const Address& address, int backlog) {
  const int fd = socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, address.sockAddr(), address.sockLen()) != 0 || listen(fd, backlog) != 0) {
    const int error = errno;
    close(fd);
    return -error;
  }
  return fd;
}

Address localAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return Address();
  return Address(reinterpret_cast<const sockaddr*>(&ss));
}

Address peerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return Address();
  return Address(reinterpret_cast<const sockaddr*>(&ss));
}

}  // namespace warren::bench
