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

// The token (read from its file) and protect_metrics of `config`; nullopt with `error` set
// when the token file cannot be read. At start and at every reload of [admin].
std::optional<ApiOptions> apiOptionsFor(const config::Admin& config, std::string& error);

}  // namespace warren::admin
