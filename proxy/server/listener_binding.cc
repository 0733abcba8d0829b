#include "server/listener_binding.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "network/listen_socket.h"
#include "network/socket_options.h"

namespace warren::server {
namespace {

void applySocketOptions(const config::Listener& l, int fd) {
  // Before listen(): accepted sockets inherit the sizes, and the window scale is in the SYN-ACK.
  if (int rc = network::applyBufferSizes(fd, l.tcp); rc != 0) {
    spdlog::warn("socket_buffer_failed listener={} error={}", l.name, std::strerror(-rc));
  }
  // Linux copies TCP_NODELAY and the keepalive settings to every accepted socket: set once
  // here, they cost no system call per connection.
  if (int rc = network::applyTcpOptions(fd, l.tcp); rc != 0) {
    spdlog::warn("socket_options_failed listener={} error={}", l.name, std::strerror(-rc));
  }
}

}  // namespace

std::optional<std::string> bindListener(const config::Listener& l, uint32_t workers, std::vector<int>& fds,
                                        Address& bound) {
  auto result = network::bindReusePort(l.address, workers);
  if (auto* err = std::get_if<std::string>(&result)) return "listener " + l.name + ": " + *err;
  auto& sockets = std::get<network::BoundSockets>(result);
  for (int fd : sockets.fds) {
    applySocketOptions(l, fd);
    if (::listen(fd, l.backlog) != 0) {
      std::string msg = "listener " + l.name + ": listen: " + std::strerror(errno);
      network::closeAll(sockets.fds);
      return msg;
    }
  }
  bound = sockets.address;
  fds = std::move(sockets.fds);
  return std::nullopt;
}

std::optional<std::string> adoptListener(const config::Listener& l, uint32_t workers, std::vector<int>& fds,
                                         Address& bound) {
  if (fds.size() != workers) {
    return "listener " + l.name + ": the running Warren accepts on " + std::to_string(fds.size()) +
           " sockets (one per worker), this one has " + std::to_string(workers) +
           " workers: set [global] workers = " + std::to_string(fds.size()) + " to take over";
  }
  for (int fd : fds) {
    applySocketOptions(l, fd);
    if (::listen(fd, l.backlog) != 0) return "listener " + l.name + ": listen: " + std::strerror(errno);
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fds[0], reinterpret_cast<sockaddr*>(&addr), &len);
  bound = Address(reinterpret_cast<sockaddr*>(&addr));
  return std::nullopt;
}

}  // namespace warren::server
