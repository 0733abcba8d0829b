// A blocking TCP client socket for tests, with receive/send timeouts so that no test can
// hang: every wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"

namespace warren::test {

class TestSocket {
 public:
  TestSocket() = default;
  explicit TestSocket(int fd) : fd_(fd) {}
  ~TestSocket();
  TestSocket(TestSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  TestSocket& operator=(TestSocket&& other) noexcept;

  // Connects to `target`, optionally from `source` (e.g. 127.0.0.2:0). Fails the test on error.
  static TestSocket connect(const Address& target, std::optional<Address> source = std::nullopt);

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void setTimeout(std::chrono::milliseconds t);
  void setReceiveBuffer(int bytes);

  // Sends everything; returns false on error or timeout.
  bool sendAll(std::string_view data);
  // Reads exactly n bytes (or fewer on EOF/timeout/error).
  std::string recvExact(size_t n);
  // One recv() call of at most `max` bytes; empty on EOF, timeout or error.
  std::string recvSome(size_t max = 65536);
  // Reads until EOF or timeout; `eof` tells which.
  std::string recvUntilEof(bool* eof = nullptr);
  // True if the peer closed (recv returned 0 or a reset) within the timeout.
  bool waitClosed();
  void shutdownWrite();
  void close();
  Address localAddress() const;

 private:
  int fd_ = -1;
};

// A port on 127.0.0.1 that refuses connections (bound then closed).
Address refusedAddress();

}  // namespace warren::test
