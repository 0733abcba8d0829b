// Starting the admin endpoint from the [admin] config: reads the token file, warns about a
// reachable endpoint without a token, binds. Used by proxy/main.cc and the tests.
#pragma once

#include <memory>
#include <string>

#include "admin/admin_server.h"
#include "admin/hooks.h"
#include "config/config.h"

namespace warren::admin {

// 127.0.0.0/8 or ::1.
bool isLoopback(const Address& address);

// nullptr with `error` set when it cannot start (token file unreadable or empty, address
// in use); nullptr with `error` empty when [admin] is disabled.
std::unique_ptr<AdminServer> startAdmin(const config::Admin& config, Hooks hooks, std::string& error);

}  // namespace warren::admin
