#include "support/running_admin.h"

#include <gtest/gtest.h>

#include <chrono>

namespace warren::test {

admin::Hooks serverHooks(server::Server& server) {
  admin::Hooks hooks;
  hooks.clusters = [&server] { return server.clusters(); };
  hooks.stats = [&server] { return server.snapshot(); };
  hooks.serving = [&server] { return server.serving(); };
  hooks.now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  return hooks;
}

RunningAdmin::RunningAdmin(RunningServer& server, std::string token, bool protect_metrics) {
  admin::ApiOptions options{std::move(token), protect_metrics};
  server_ = std::make_unique<admin::AdminServer>(
      std::make_shared<admin::AdminApi>(serverHooks(server.server()), std::move(options)));
  auto err = server_->start(*Address::parse("127.0.0.1:0"));
  EXPECT_FALSE(err.has_value()) << *err;
}

}  // namespace warren::test
