#include "support/test_backend.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace warren::test {

TestBackend::TestBackend(Handler handler, const char* bind_address, int backlog) : handler_(std::move(handler)) {
  auto addr = Address::parse(bind_address);
  listen_fd_ = ::socket(addr->family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  EXPECT_EQ(::bind(listen_fd_, addr->sockAddr(), addr->sockLen()), 0) << std::strerror(errno);
  EXPECT_EQ(::listen(listen_fd_, backlog), 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  address_ = Address(reinterpret_cast<sockaddr*>(&ss));
}

TestBackend::~TestBackend() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& t : connections_) t.join();
}

void TestBackend::start() { acceptor_ = std::thread([this] { acceptLoop(); }); }

void TestBackend::acceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++accepted_;
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace_back([this, fd] {
      TestSocket s(fd);
      s.setTimeout(std::chrono::seconds(20));
      handler_(s);
    });
  }
}

bool TestBackend::waitAccepted(int n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (accepted_.load() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void TestBackend::echo(TestSocket& s) {
  for (;;) {
    std::string data = s.recvSome();
    if (data.empty()) break;
    if (!s.sendAll(data)) break;
  }
}

BlackholeBackend::BlackholeBackend() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  ::listen(listen_fd_, 0);
  socklen_t len = sizeof sin;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sin), &len);
  address_ = Address(reinterpret_cast<sockaddr*>(&sin));
  // Fill the accept queue (backlog 0 admits one or two) with non-blocking connects.
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(fd, address_.sockAddr(), address_.sockLen());
    fillers_.push_back(fd);
  }
  usleep(50 * 1000);
}

BlackholeBackend::~BlackholeBackend() {
  for (int fd : fillers_) ::close(fd);
  ::close(listen_fd_);
}

}  // namespace warren::test
