// warren-bench-backend's server: one epoll loop, one Connection object per accepted
// socket. Each connection reads the PROXY header (with Warren's own parser), then the
// 16-byte bench command (common/command.h), then runs that command's mode.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

#include "common/address.h"
#include "common/event_loop.h"

namespace warren::bench {

enum class ExpectedHeader { V2, V1, None };

struct BackendStats {
  uint64_t connections = 0;          // accepted
  uint64_t active = 0;               // open now
  uint64_t max_active = 0;
  uint64_t header_errors = 0;        // invalid, or closed partway through the header
  uint64_t headers_with_source = 0;  // PROXY command with an IPv4/IPv6 source address
  uint64_t headers_without_source = 0;  // LOCAL (health checks), UNKNOWN, AF_UNSPEC...
  uint64_t command_errors = 0;       // bad command, or closed partway through it
  uint64_t empty_connections = 0;    // closed before any command byte (e.g. health checks)
  uint64_t io_errors = 0;            // reset or other socket error after the command
  uint64_t accept_errors = 0;
  uint64_t bytes_in = 0;             // after the PROXY header, command included
  uint64_t bytes_out = 0;
};

std::string statsJson(const BackendStats& stats);

class BackendServer : public EventLoop::Handler {
 public:
  BackendServer(EventLoop& loop, ExpectedHeader expected);
  ~BackendServer() override;

  // Binds and listens; false (with `error`) on failure.
  bool listen(const Address& address, std::string& error);
  Address boundAddress() const;
  const BackendStats& stats() const { return stats_; }

  void onEvents(uint32_t events) override;

 private:
  EventLoop& loop_;
  ExpectedHeader expected_;
  int fd_ = -1;
  BackendStats stats_;
  // Open connections (each removes itself when it ends); deleted with the server.
  std::unordered_set<EventLoop::Handler*> connections_;
};

}  // namespace warren::bench
