// AdminServer: the admin endpoint's HTTP server (civetweb, plain HTTP only).
//
// civetweb runs its own threads (one listener thread plus kThreads workers), apart from the
// data-path workers, so /metrics answers while the workers are busy. civetweb gives each
// connection a thread until its request is read, so a peer that opens connections and sends
// nothing (or a byte at a time) holds threads: there are enough of them that kThreads − 16
// such connections still leave probes and scrapes a thread at once, and each is closed
// after kRequestTimeoutMs whatever it trickles (issue 12: 40 idle connections starved two
// threads). The cost is about 20 KiB of memory per thread (its 8 KiB request buffer and the
// stack pages it touched). Its TLS support is
// never configured: Debian's civetweb would dlopen OpenSSL's libssl for it, and OpenSSL
// must never share the process with BoringSSL.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "admin/router.h"
#include "common/address.h"

struct mg_context;
struct mg_connection;

namespace warren::admin {

class AdminServer {
 public:
  static constexpr int kThreads = 256;
  // A connection's whole request (head and body) must arrive within this.
  static constexpr int kRequestTimeoutMs = 2000;
  static constexpr int kListenBacklog = 512;
  // Largest request body read (JSON API bodies are tiny).
  static constexpr size_t kMaxBody = 64 * 1024;

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
  // Stops serving and joins civetweb's threads; idempotent.
  void stop();

 private:
  static int onRequest(mg_connection* conn, void* self);

  std::shared_ptr<AdminApi> api_;
  mg_context* context_ = nullptr;
  Address bound_;
};

}  // namespace warren::admin
