// What server and client contexts share: an SSL_CTX on the process-wide certificate buffer
// pool, with the configured protocol version range.
#pragma once

#include <openssl/ssl.h>

#include "config/config.h"
#include "tls/build_report.h"

namespace warren::tls {

// A new SSL_CTX (TLS_with_buffers_method) using sharedBufferPool(), versions [min, max].
// A min above max is reported at `ref` (key ".min_version") and leaves the library's
// defaults. nullptr only when out of memory (also reported).
bssl::UniquePtr<SSL_CTX> newContext(BuildReport& report, const config::SourceRef& ref, config::TlsVersion min,
                                    config::TlsVersion max);

}  // namespace warren::tls
