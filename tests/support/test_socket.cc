#include "support/test_socket.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace warren::test {

TestSocket::~TestSocket() { close(); }

TestSocket& TestSocket::operator=(TestSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

TestSocket TestSocket::connect(const Address& target, std::optional<Address> source) {
  int fd = ::socket(target.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0) << std::strerror(errno);
  TestSocket s(fd);
  s.setTimeout(std::chrono::seconds(10));
  if (source) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(::bind(fd, source->sockAddr(), source->sockLen()), 0) << std::strerror(errno);
  }
  int rc = ::connect(fd, target.sockAddr(), target.sockLen());
  EXPECT_EQ(rc, 0) << "connect " << target.toString() << ": " << std::strerror(errno);
  return s;
}

void TestSocket::setTimeout(std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = t.count() / 1000;
  tv.tv_usec = (t.count() % 1000) * 1000;
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void TestSocket::setReceiveBuffer(int bytes) { setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }

bool TestSocket::sendAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string TestSocket::recvExact(size_t n) {
  std::string out;
  out.resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

std::string TestSocket::recvSome(size_t max) {
  std::string out(max, '\0');
  ssize_t r;
  do {
    r = ::recv(fd_, out.data(), max, 0);
  } while (r < 0 && errno == EINTR);
  out.resize(r > 0 ? static_cast<size_t>(r) : 0);
  return out;
}

std::string TestSocket::recvUntilEof(bool* eof) {
  std::string out;
  char buf[65536];
  if (eof != nullptr) *eof = false;
  for (;;) {
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      if (eof != nullptr) *eof = true;
      break;
    }
    if (r < 0) {
      if (eof != nullptr) *eof = errno == ECONNRESET;
      break;
    }
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

bool TestSocket::waitClosed() {
  bool eof = false;
  recvUntilEof(&eof);
  return eof;
}

void TestSocket::shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void TestSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Address TestSocket::localAddress() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  return Address(reinterpret_cast<sockaddr*>(&ss));
}

Address refusedAddress() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  socklen_t len = sizeof sin;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return Address(reinterpret_cast<sockaddr*>(&sin));
}

}  // namespace warren::test
