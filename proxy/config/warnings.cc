#include "config/warnings.h"

#include "config/secret_modes.h"
#include "config/trusted_proxies.h"

namespace warren::config {

std::vector<ConfigError> configWarnings(const Config& config) {
  std::vector<ConfigError> out = secretFileWarnings(config);
  for (auto& w : untrustedProxyWarnings(config)) out.push_back(std::move(w));
  return out;
}

}  // namespace warren::config
