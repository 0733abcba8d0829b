// Starting the admin endpoint from the [admin] config: reads the token file, warns about a
// reachable endpoint without a token, binds. Used by proxy/main.cc and the tests.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "admin/admin_server.h"
#include "admin/hooks.h"
#include "config/config.h"

namespace warren::admin {

// 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
bool isLoopback(const Address& address);

// nullptr with `error` set when it cannot start (token file unreadable or empty, address
// in use); nullptr with `error` empty when [admin] is disabled.
std::unique_ptr<AdminServer> startAdmin(const config::Admin& config, Hooks hooks, std::string& error);

// What a reload's [admin] means for the running endpoint. The token (re-read from its file)
// and protect_metrics are applied live: `options` to give AdminApi::setOptions(). enabled and
// address cannot change without a restart: `error` says so, and the reload is refused.
struct AdminReload {
  std::optional<ApiOptions> options;
  std::string error;
};
AdminReload prepareAdminReload(const config::Admin& running, const config::Admin& next);

}  // namespace warren::admin
