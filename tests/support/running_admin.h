// The admin endpoint over a RunningServer, wired as proxy/main.cc wires it, on 127.0.0.1:0.
#pragma once

#include <memory>
#include <string>

#include "admin/admin_server.h"
#include "admin/hooks.h"
#include "support/running_server.h"

namespace warren::test {

// Hooks over `server` (reload: not available).
admin::Hooks serverHooks(server::Server& server);

class RunningAdmin {
 public:
  // `token`: "" = none.
  explicit RunningAdmin(RunningServer& server, std::string token = "", bool protect_metrics = false);
  const Address& address() const { return server_->address(); }
  std::shared_ptr<admin::AdminApi> api() const { return server_->apiPtr(); }

 private:
  std::unique_ptr<admin::AdminServer> server_;
};

}  // namespace warren::test
