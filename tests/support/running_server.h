// An in-process Warren for component tests: a Config built in code, a Server bound to
// loopback port 0 and started; stopped and joined when the object goes away.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "config/config.h"
#include "discovery/resolver.h"
#include "server/server.h"
#include "session/close_reason.h"

namespace warren::test {

// One listener "front" on 127.0.0.1:0 (protocol "tcp") → cluster "backend" with the given nodes.
std::shared_ptr<config::Config> makeConfig(const std::vector<Address>& nodes,
                                           config::ProxyProtocol proxy = config::ProxyProtocol::None,
                                           const char* listen = "127.0.0.1:0");

// Sets the component tests' default log level (warn) once per process; a test that raises
// the level calls it first, so that the first RunningServer does not lower it again.
void initTestLogging();

class RunningServer {
 public:
  explicit RunningServer(std::shared_ptr<const config::Config> config,
                         discovery::ResolverSharedPtr resolver = nullptr);
  ~RunningServer();

  Address address(const char* listener = "front") const { return server_->listenerAddress(listener); }
  server::Server& server() { return *server_; }
  session::Totals totals() const { return server_->totals(); }
  uint64_t closed(session::CloseReason r) const { return totals().closed_by_reason[static_cast<size_t>(r)]; }
  // Polls (bounded) until `pred(totals())` holds.
  bool waitFor(const std::function<bool(const session::Totals&)>& pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Graceful stop and join; idempotent.
  void stop();

 private:
  std::unique_ptr<server::Server> server_;
  bool stopped_ = false;
};

}  // namespace warren::test
