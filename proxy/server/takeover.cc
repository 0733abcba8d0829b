#include "server/takeover.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "server/server.h"

namespace warren::server {
namespace {

constexpr size_t kMaxMessage = 512;
constexpr int kStepTimeoutSeconds = 10;  // each receive; a stuck peer never holds the other

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

void setTimeouts(int fd) {
  timeval tv{kStepTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool socketAddress(const std::string& path, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  return true;
}

bool sendMessage(int fd, const std::string& text, int pass_fd = -1) {
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass_fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  return ::sendmsg(fd, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

// One message; `got_fd` is the fd it carried or -1. False on error, timeout or EOF.
bool receiveMessage(int fd, std::string& text, int& got_fd) {
  char buf[kMaxMessage];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  got_fd = -1;
  const ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
      std::memcpy(&got_fd, CMSG_DATA(c), sizeof(int));
    }
  }
  text.assign(buf, static_cast<size_t>(n));
  return (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) == 0;
}

}  // namespace

InheritedSockets::~InheritedSockets() {
  for (auto& l : listeners_) {
    for (int fd : l.fds) ::close(fd);
  }
}

std::optional<std::vector<int>> InheritedSockets::take(const std::string& name, const std::string& address) {
  for (auto& l : listeners_) {
    if (l.name == name && l.address == address && !l.fds.empty()) return std::exchange(l.fds, {});
  }
  return std::nullopt;
}

std::string socketMessage(const std::string& name, const std::string& address, uint32_t worker) {
  return "socket " + name + " " + address + " " + std::to_string(worker);
}

bool parseSocketMessage(std::string_view m, std::string& name, std::string& address, uint32_t& worker) {
  if (m.substr(0, 7) != "socket ") return false;
  m.remove_prefix(7);
  const size_t a = m.find(' ');
  const size_t b = a == std::string_view::npos ? a : m.find(' ', a + 1);
  if (a == 0 || b == std::string_view::npos || b == a + 1 || b + 1 >= m.size()) return false;
  uint32_t n = 0;
  for (char c : m.substr(b + 1)) {
    if (c < '0' || c > '9' || n > 100000) return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  name = std::string(m.substr(0, a));
  address = std::string(m.substr(a + 1, b - a - 1));
  worker = n;
  return true;
}

// ------------------------------------------------------------------ new process

TakeoverClient::~TakeoverClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TakeoverClient::receive(const std::string& path, InheritedSockets& out, uint32_t& old_workers) {
  sockaddr_un addr;
  if (!socketAddress(path, addr)) return "takeover socket path is empty or too long: " + path;
  fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return errnoText("socket");
  setTimeouts(fd_);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return path + ": " + std::strerror(errno) + " (is a Warren with [global] takeover_socket running?)";
  }
  std::vector<ListenerSockets> listeners;
  InheritedSockets guard;  // closes what was received if anything goes wrong below
  old_workers = 0;
  for (;;) {
    std::string text;
    int fd = -1;
    if (!receiveMessage(fd_, text, fd)) {
      out = InheritedSockets(std::move(listeners));
      return path + ": the running Warren closed the connection or did not answer";
    }
    if (text == "end") break;
    if (text.rfind("refused ", 0) == 0) return "the running Warren refused the takeover: " + text.substr(8);
    if (text.rfind("workers ", 0) == 0) {
      old_workers = static_cast<uint32_t>(std::strtoul(text.c_str() + 8, nullptr, 10));
      continue;
    }
    std::string name, address;
    uint32_t worker = 0;
    if (!parseSocketMessage(text, name, address, worker) || fd < 0) {
      if (fd >= 0) ::close(fd);
      out = InheritedSockets(std::move(listeners));
      return "unexpected takeover message: " + logging::quote(text);
    }
    if (listeners.empty() || listeners.back().name != name) listeners.push_back({name, address, {}});
    listeners.back().fds.push_back(fd);
  }
  out = InheritedSockets(std::move(listeners));
  return "";
}

std::string TakeoverClient::finish() {
  if (!sendMessage(fd_, "ready")) return errnoText("takeover: send ready");
  std::string text;
  int fd = -1;
  if (!receiveMessage(fd_, text, fd) || text != "released") {
    if (fd >= 0) ::close(fd);
    return "takeover: the old Warren did not confirm (" + (text.empty() ? std::string("no answer") : text) + ")";
  }
  ::close(fd_);
  fd_ = -1;
  return "";
}

// ------------------------------------------------------------------ running process

TakeoverServer::TakeoverServer(Server& server, std::function<void()> on_ready)
    : server_(server), on_ready_(std::move(on_ready)) {}

TakeoverServer::~TakeoverServer() { stop(); }

std::string TakeoverServer::listen(const std::string& path) {
  sockaddr_un addr;
  if (!socketAddress(path, addr)) return "global.takeover_socket: path too long: " + path;
  listen_fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return errnoText("socket");
  // A socket file left by an earlier process (the one this one took over, or a crash): the
  // listeners are bound already, so no other Warren serves this config.
  ::unlink(path.c_str());
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 4) != 0) {
    std::string err = path + ": " + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return err;
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
  return "";
}

void TakeoverServer::stop() {
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // called from on_ready: run() returns by itself
    } else {
      const uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
      thread_.join();
    }
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
  listen_fd_ = stop_fd_ = -1;
}

void TakeoverServer::run() {
  const int listen_fd = listen_fd_, stop_fd = stop_fd_;
  for (;;) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int conn = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    setTimeouts(conn);
    const bool taken = serve(conn);
    ::close(conn);
    if (taken) return;
  }
}

bool TakeoverServer::serve(int conn) {
  std::string refused;
  std::vector<ListenerSockets> listeners = server_.listenersForTakeover(refused);
  if (!refused.empty()) {
    sendMessage(conn, "refused " + refused);
    return false;
  }
  bool sent = sendMessage(conn, "workers " + std::to_string(server_.workerCount()));
  for (const auto& l : listeners) {
    for (uint32_t w = 0; w < l.fds.size() && sent; ++w) sent = sendMessage(conn, socketMessage(l.name, l.address, w), l.fds[w]);
  }
  sent = sent && sendMessage(conn, "end");
  for (auto& l : listeners) {
    for (int fd : l.fds) ::close(fd);  // our duplicates; the workers keep accepting on theirs
  }
  std::string text;
  int fd = -1;
  if (!sent || !receiveMessage(conn, text, fd) || text != "ready") {
    if (fd >= 0) ::close(fd);
    spdlog::warn("takeover_aborted hint={}",
                 logging::quote("the new process did not start; this one keeps serving"));
    return false;
  }
  spdlog::info("takeover_started hint={}",
               logging::quote("a new Warren accepts on the listening sockets; this one stops accepting and drains"));
  // Nobody else can take over now: the path is the new process's to bind.
  ::close(listen_fd_);
  listen_fd_ = -1;
  if (on_ready_) on_ready_();  // admin port released, graceful stop begun
  sendMessage(conn, "released");
  return true;
}

}  // namespace warren::server
