// Takeover: a binary upgrade without a refused connection. The running Warren listens on a
// unix socket ([global] takeover_socket); a new one (`warren run -c FILE --takeover SOCKET`)
// connects and receives the very listening sockets the old workers accept on (SCM_RIGHTS,
// one message per socket), so their accept queues are never closed. The new process binds
// what it did not receive, starts accepting, and says "ready"; the old one then releases what
// the new one needs next (its admin port, the takeover socket) and stops accepting and drains
// as in a graceful stop.
//
//   old                                   new
//   ---                                   ---
//   workers N                  ─────────▶
//   socket NAME ADDRESS WORKER + fd ────▶   (per listener and worker)
//   end                        ─────────▶   bind the rest, start workers, wait until they accept
//                              ◀─────────   ready
//   stop admin + takeover listener
//   released                   ─────────▶   start admin, listen for the next takeover
//   drain, exit 0
//
// SOCK_SEQPACKET keeps each message (and its fd) apart.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace warren::server {

class Server;

// Listening sockets of one listener, one per worker (fds owned by whoever holds them).
struct ListenerSockets {
  std::string name;
  std::string address;  // as configured ("0.0.0.0:5672")
  std::vector<int> fds;
};

// What a new process received: taken by Server::bind() for the listeners it keeps.
class InheritedSockets {
 public:
  InheritedSockets() = default;
  explicit InheritedSockets(std::vector<ListenerSockets> listeners) : listeners_(std::move(listeners)) {}
  ~InheritedSockets();  // closes what nobody took (listeners the new config dropped)
  InheritedSockets(InheritedSockets&&) = default;
  InheritedSockets& operator=(InheritedSockets&&) = default;
  InheritedSockets(const InheritedSockets&) = delete;
  InheritedSockets& operator=(const InheritedSockets&) = delete;

  // The sockets of listener `name` at `address` (now the caller's); nullopt if none.
  std::optional<std::vector<int>> take(const std::string& name, const std::string& address);
  const std::vector<ListenerSockets>& listeners() const { return listeners_; }

 private:
  std::vector<ListenerSockets> listeners_;
};

// One line of the protocol: "socket NAME ADDRESS WORKER". Exposed for the unit tests.
std::string socketMessage(const std::string& name, const std::string& address, uint32_t worker);
bool parseSocketMessage(std::string_view message, std::string& name, std::string& address, uint32_t& worker);

// The new process's side. Every step has a timeout; on failure the old process keeps serving.
class TakeoverClient {
 public:
  ~TakeoverClient();
  // Connects to `path` and receives every socket. "" on success, else why not.
  std::string receive(const std::string& path, InheritedSockets& out, uint32_t& old_workers);
  // After this process accepts on every listener: tells the old one, waits for "released".
  std::string finish();

 private:
  int fd_ = -1;
};

// The running process's side: a thread serving one takeover at a time on `path`.
class TakeoverServer {
 public:
  // `on_ready` runs (on the takeover thread) when a new process accepts on the sockets:
  // release the admin port and begin the graceful stop. Returns "" or why it cannot listen.
  TakeoverServer(Server& server, std::function<void()> on_ready);
  ~TakeoverServer();
  TakeoverServer(const TakeoverServer&) = delete;
  TakeoverServer& operator=(const TakeoverServer&) = delete;

  std::string listen(const std::string& path);
  void stop();

 private:
  void run();
  // One connection; true when the new process took over.
  bool serve(int conn);

  Server& server_;
  std::function<void()> on_ready_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd
  std::thread thread_;
};

}  // namespace warren::server
