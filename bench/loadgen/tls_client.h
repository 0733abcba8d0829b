// The load generator's BoringSSL client context. Certificates are NOT verified: the
// bench measures the proxy's cost, and every target is a test server on loopback. The
// signature algorithms the client offers are restricted instead, so that the server
// must present its ECDSA P-256 (--sig ecdsa) or RSA-2048 (--sig rsa) certificate; the
// peer's key type is then checked on every connection.
#pragma once

#include <openssl/ssl.h>

#include "loadgen/options.h"

namespace warren::bench {

// Keeps the newest session the server handed out (TLS 1.3 ticket, or TLS 1.2 ticket or
// session id), so that the next connection can offer it.
struct SessionStore {
  bssl::UniquePtr<SSL_SESSION> latest;
  uint64_t received = 0;
};

// nullptr for TlsVersion::None. With `sessions`, the context hands every new session to it.
bssl::UniquePtr<SSL_CTX> makeClientContext(const Options& options, SessionStore* sessions);

// True when the peer certificate's key matches `sig` (always true for SigKind::Any).
bool peerKeyMatches(const SSL* ssl, SigKind sig);

}  // namespace warren::bench
