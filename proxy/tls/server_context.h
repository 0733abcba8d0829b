// ServerContext: the immutable TLS server side of one listener — certificates (an ECDSA and/or
// an RSA chain per set: the listener's default set and any route's own), SNI routes, protocol
// versions, TLS 1.2 ciphers, curves, session tickets with rotating keys, client-certificate
// verification (mTLS).
//
// Built on the main thread from config; then shared read-only by all workers through
// std::shared_ptr<const ServerContext> (SSL_new on one SSL_CTX from many threads is safe, and
// nothing in it is mutated after build). A reload builds a new context; a connection keeps
// the one it started with.
//
// Per connection (newSsl()): one SSL in server mode and a HandshakeInfo owned by it. During
// SSL_do_handshake() the ClientHello callback records what the client offered, decides the
// route from SNI (exact > *.wildcard > default) and serves the certificate of that decision,
// ECDSA when the client supports it, else RSA, by reference (SSL_set_chain_and_key with the
// context's shared CRYPTO_BUFFERs). With strict_sni, no or an unknown server name ends the
// handshake with an unrecognized_name alert. The handshake configuration is shed
// (SSL_set_shed_handshake_config) once the handshake completes.
//
// Lifetime: everything the callbacks use is owned by the SSL_CTX, which every SSL references.
// An SSL may therefore outlive the ServerContext it came from; there is no ordering
// constraint between SSL_free() and dropping the shared_ptr.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"
#include "config/loader.h"
#include "tls/handshake_info.h"

namespace warren::tls {

struct ServerContextOptions {
  // Wall clock for the session-ticket key epochs (tests inject one; must be callable from any
  // thread). Empty = std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
  // Receives non-fatal findings (expired or not yet valid certificate, a route's name its
  // certificate does not cover, strict_sni without routes, a short RSA key). May be null.
  std::vector<config::ConfigError>* warnings = nullptr;
};

class ServerContext {
 public:
  using BuildResult =
      std::variant<std::shared_ptr<const ServerContext>, std::vector<config::ConfigError>>;

  // From a TLS listener (listener.tls.enabled). Reads every certificate, key and the client
  // CA bundle; every problem comes back as a ConfigError at the offending value's SourceRef
  // ("…tls.certificate[0].key: private key does not match certificate /etc/warren/ecdsa.crt").
  static BuildResult build(const config::Listener& listener, const std::string& config_file,
                           const ServerContextOptions& options = {});

  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // A new SSL in server (accept) state with this context's callbacks, a fresh HandshakeInfo
  // attached (handshakeInfo(ssl)), and configuration shedding enabled. nullptr only on
  // allocation failure.
  bssl::UniquePtr<SSL> newSsl() const;

  // The listener this context was built from (a copy): HandshakeInfo::route indexes its routes.
  const config::Listener& listener() const;
  // Cluster name for the route chosen in `info` (the listener's cluster for the default route).
  const std::string& routeCluster(const HandshakeInfo& info) const;
  // listener.tls.handshake_timeout.
  std::chrono::milliseconds handshakeTimeout() const;
  // The underlying SSL_CTX (read-only use; for tests and statistics).
  SSL_CTX* sslCtx() const { return ctx_.get(); }

  struct State;  // implementation detail (server_context.cc), owned by the SSL_CTX

 private:
  explicit ServerContext(bssl::UniquePtr<SSL_CTX> ctx, const State* state);

  bssl::UniquePtr<SSL_CTX> ctx_;
  const State* state_;  // owned by ctx_ (ex_data)
};

using ServerContextConstSharedPtr = std::shared_ptr<const ServerContext>;

// Cluster name for the route chosen in `info`: listener.routes[info.route].cluster, or
// listener.cluster for the default route (-1) or an out-of-range index. Use the listener the
// context was built from (ServerContext::listener()).
const std::string& routeCluster(const config::Listener& listener, const HandshakeInfo& info);

}  // namespace warren::tls
