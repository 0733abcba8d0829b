// AdminServer: the admin endpoint's HTTP server (plain HTTP only, no TLS: OpenSSL must never
// share the process with BoringSSL).
//
// One thread owns every admin connection through epoll and never blocks on a peer: it reads
// what has arrived, parses the head once its blank line is there, checks the token (and the
// loopback/Origin rule) before it reads a byte of the body, and writes without waiting. A peer
// that sends nothing, or a byte at a time, costs a socket and at most kMaxRequestHead buffered
// bytes, never a thread; it is closed kRequestTimeoutMs after it connected. At most
// kMaxConnections are held: a new connection beyond them closes the oldest one that has not
// sent its whole request yet, so a probe is answered however many idle connections a peer
// opens (issue 12: with the two civetweb threads this server replaced, 40 idle connections
// starved /healthz).
//
// /healthz, /readyz and /metrics (GET and HEAD) are answered on that thread at once; the rest
// of the API runs on kHandlerThreads threads (a reload may take seconds), the answer written
// back by the connection thread. The whole holds, in the worst case, kMaxConnections × (head
// + body + response) bytes: 256 × (8 KiB + 64 KiB) plus the responses being written.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "admin/router.h"
#include "common/address.h"

namespace warren::admin {

class AdminServer {
 public:
  static constexpr size_t kMaxConnections = 256;
  // A connection's whole request (head and body) must arrive within this after it connected.
  static constexpr int kRequestTimeoutMs = 2000;
  // A response the peer does not read is dropped after this.
  static constexpr int kWriteTimeoutMs = 5000;
  static constexpr int kListenBacklog = 512;
  static constexpr size_t kHandlerThreads = 2;

  explicit AdminServer(std::shared_ptr<AdminApi> api);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `address` (port 0 picks a free one) and starts serving. An error message, or
  // nullopt.
  std::optional<std::string> start(const Address& address);
  // The API it serves (its options can be replaced while it runs, and it may outlive this).
  std::shared_ptr<AdminApi> apiPtr() const { return api_; }
  // The bound address (port 0 resolved). Valid after start().
  const Address& address() const { return bound_; }
  // Stops serving, closes every admin connection and joins the threads; idempotent.
  void stop();

 private:
  class Loop;
  std::shared_ptr<AdminApi> api_;
  std::unique_ptr<Loop> loop_;
  Address bound_;
};

}  // namespace warren::admin
