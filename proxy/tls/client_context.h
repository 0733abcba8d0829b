// ClientContext: the immutable TLS client side towards one cluster's nodes ([cluster.tls]):
// protocol versions, the CAs that node certificates must chain to (a bundle, or the system
// store), the name to send as SNI and to verify, and an optional client certificate.
//
// Built on the main thread from config; shared read-only by all workers through
// std::shared_ptr<const ClientContext>. Like ServerContext, its SSL_CTX owns everything the
// callbacks use, so an SSL may outlive the context object.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"
#include "config/loader.h"
#include "tls/handshake_info.h"

namespace warren::tls {

class ClientContext {
 public:
  using BuildResult =
      std::variant<std::shared_ptr<const ClientContext>, std::vector<config::ConfigError>>;

  // From a cluster's [cluster.tls]. Errors (at the value's SourceRef): unreadable/empty/bad CA
  // bundle, no system CA store when `ca` is empty and verify = true, client certificate or key
  // problems (as for listeners), min_version above max_version. Warnings (into `warnings`, if
  // given): verify = true without server_name (the chain is checked, the name is not), an
  // expired client certificate.
  static BuildResult build(const config::ClusterTls& tls, const std::string& config_file,
                           std::vector<config::ConfigError>* warnings = nullptr);

  ~ClientContext();
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  // A new SSL in client (connect) state: SNI = server_name (unless empty or an IP literal),
  // the node's certificate verified against the CAs and, when server_name is set, that name;
  // a HandshakeInfo attached (sni = server_name; verify_error = the result of the check);
  // configuration shedding enabled. nullptr only on allocation failure.
  bssl::UniquePtr<SSL> newSsl() const;

  SSL_CTX* sslCtx() const { return ctx_.get(); }

  struct State;  // implementation detail (client_context.cc), owned by the SSL_CTX

 private:
  ClientContext(bssl::UniquePtr<SSL_CTX> ctx, const State* state);

  bssl::UniquePtr<SSL_CTX> ctx_;
  const State* state_;  // owned by ctx_ (ex_data)
};

using ClientContextConstSharedPtr = std::shared_ptr<const ClientContext>;

}  // namespace warren::tls
