#include "admin/startup.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "config/secret_file.h"

namespace warren::admin {

bool isLoopback(const Address& address) {
  if (address.isV4()) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(address.sockAddr());
    return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
  }
  if (address.isV6()) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(address.sockAddr());
    if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) return sin6->sin6_addr.s6_addr[12] == 127;  // ::ffff:127.x
    return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
  }
  return false;
}

std::optional<ApiOptions> apiOptionsFor(const config::Admin& config, std::string& error) {
  ApiOptions options;
  options.protect_metrics = config.protect_metrics;
  if (config.token_file.empty()) return options;
  config::SecretFile token = config::readSecretFile(config.token_file);
  if (!token.error.empty()) {
    error = "admin.token_file: " + token.error;
    return std::nullopt;
  }
  options.token = std::move(token.value);
  return options;
}

std::unique_ptr<AdminServer> startAdmin(const config::Admin& config, Hooks hooks, std::string& error) {
  error.clear();
  if (!config.enabled) return nullptr;
  std::optional<ApiOptions> maybe_options = apiOptionsFor(config, error);
  if (!maybe_options) return nullptr;
  ApiOptions options = std::move(*maybe_options);
  if (config.token_file.empty() && !isLoopback(config.address)) {
    spdlog::warn("admin_unprotected address={} hint={}", config.address.toString(),
                 logging::quote("the admin API (drain, weight, reload) is reachable beyond this host without a "
                                "token: set admin.token_file"));
  }
  if (config.protect_metrics && options.token.empty()) {
    spdlog::warn("admin_protect_metrics_without_token hint={}",
                 logging::quote("protect_metrics needs admin.token_file; /metrics stays open"));
  }
  auto server = std::make_unique<AdminServer>(std::make_shared<AdminApi>(std::move(hooks), std::move(options)));
  if (auto err = server->start(config.address)) {
    error = *err;
    return nullptr;
  }
  spdlog::info("admin_listening address={} token={} protect_metrics={}", server->address().toString(),
               config.token_file.empty() ? "none" : "file", config.protect_metrics);
  return server;
}

}  // namespace warren::admin
