// The TLS contexts of one configuration: one server context per TLS listener and one
// client context per cluster with TLS to its nodes. Built on the main thread (files are
// read here), immutable afterwards and shared by every worker.
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "config/loader.h"
#include "tls/client_context.h"
#include "tls/server_context.h"

namespace warren::server {

struct TlsContexts {
  std::vector<std::shared_ptr<const tls::ServerContext>> listeners;  // by listener index; null = plaintext
  std::vector<std::shared_ptr<const tls::ClientContext>> clusters;   // by cluster index; null = plaintext
};

// Loads every certificate, key and CA file; each problem comes back as an error naming the
// file, the key and the reason (the config loader has already checked the structure).
// Findings that do not stop a start (an expired certificate, a route name its certificate
// does not cover, …) go to `warnings` when given.
std::vector<config::ConfigError> buildTlsContexts(const config::Config& config, TlsContexts& out,
                                                  std::vector<config::ConfigError>* warnings = nullptr);

}  // namespace warren::server
