// A broker stand-in for component tests: a listening socket on loopback port 0 whose
// accepted connections are each handed to a handler on their own thread.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "support/test_socket.h"

namespace warren::test {

class TestBackend {
 public:
  using Handler = std::function<void(TestSocket&)>;

  // Listens on `bind_address` (port 0) with the given backlog; does not accept until start().
  explicit TestBackend(Handler handler, const char* bind_address = "127.0.0.1:0", int backlog = 128);
  ~TestBackend();

  void start();
  const Address& address() const { return address_; }
  int accepted() const { return accepted_.load(); }
  // Waits (bounded) until `n` connections were accepted.
  bool waitAccepted(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Handlers.
  static void echo(TestSocket& s);  // echo until EOF, then close

 private:
  void acceptLoop();

  Handler handler_;
  int listen_fd_ = -1;
  Address address_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

// A listener whose accept queue is full and never drained: a SYN to it gets no answer,
// so a connect to it times out (Linux drops the SYN when the queue overflows).
class BlackholeBackend {
 public:
  BlackholeBackend();
  ~BlackholeBackend();
  const Address& address() const { return address_; }

 private:
  int listen_fd_ = -1;
  std::vector<int> fillers_;
  Address address_;
};

}  // namespace warren::test
