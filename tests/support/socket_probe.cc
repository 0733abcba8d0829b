#include "support/socket_probe.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <string>

namespace warren::test {

namespace {

std::vector<int> openFds() {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    fds.push_back(std::atoi(entry->d_name));
  }
  closedir(dir);
  return fds;
}

std::optional<Address> nameOf(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (rc != 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) return std::nullopt;
  return Address(reinterpret_cast<sockaddr*>(&ss));
}

}  // namespace

int findSocketByPeer(const Address& peer) {
  for (int fd : openFds()) {
    if (auto name = nameOf(fd, true); name && *name == peer) return fd;
  }
  return -1;
}

std::vector<int> findListeningSockets(const Address& local) {
  std::vector<int> out;
  for (int fd : openFds()) {
    auto name = nameOf(fd, false);
    if (name && *name == local && socketOption(fd, SO_ACCEPTCONN) == 1) out.push_back(fd);
  }
  return out;
}

int socketOption(int fd, int name) {
  int value = 0;
  socklen_t len = sizeof value;
  return getsockopt(fd, SOL_SOCKET, name, &value, &len) == 0 ? value : -1;
}

int listenBacklog(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return static_cast<int>(info.tcpi_sacked);
}

}  // namespace warren::test
