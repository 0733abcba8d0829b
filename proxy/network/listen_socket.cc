#include "network/listen_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace warren::network {

namespace {

// Returns a bound socket or -errno.
int bindOne(const Address& address, bool reuse_port) {
  int fd = socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  if (address.isV6()) {
    // "[::]:5672" means IPv6 only; an IPv4 listener is configured separately.
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  if (bind(fd, address.sockAddr(), address.sockLen()) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

std::string failure(const Address& address, int neg_errno) {
  return address.toString() + ": " + std::strerror(-neg_errno);
}

}  // namespace

void closeAll(std::vector<int>& fds) {
  for (int fd : fds) close(fd);
  fds.clear();
}

std::variant<BoundSockets, std::string> bindReusePort(const Address& address, unsigned count) {
  BoundSockets out;
  out.address = address;
  if (address.port() != 0) {
    int probe = bindOne(address, /*reuse_port=*/false);
    if (probe < 0) return failure(address, probe);
    close(probe);
  }
  for (unsigned i = 0; i < count; ++i) {
    int fd = bindOne(out.address, /*reuse_port=*/true);
    if (fd < 0) {
      closeAll(out.fds);
      return failure(out.address, fd);
    }
    if (i == 0 && out.address.port() == 0) {
      sockaddr_storage bound{};
      socklen_t len = sizeof bound;
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
      out.address = Address(reinterpret_cast<sockaddr*>(&bound));
    }
    out.fds.push_back(fd);
  }
  return out;
}

}  // namespace warren::network
