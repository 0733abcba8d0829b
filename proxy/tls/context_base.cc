#include "tls/context_base.h"

#include <string>

#include "tls/certificate_loader.h"
#include "tls/tls_names.h"

namespace warren::tls {

bssl::UniquePtr<SSL_CTX> newContext(BuildReport& report, const config::SourceRef& ref, config::TlsVersion min,
                                    config::TlsVersion max) {
  bssl::UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_with_buffers_method()));
  if (!ctx) {
    report.error(ref, "cannot create a TLS context (out of memory)");
    return nullptr;
  }
  SSL_CTX_set0_buffer_pool(ctx.get(), sharedBufferPool());
  if (min > max) {
    report.error(ref, std::string("min_version ") + versionNumber(min) + " is above max_version " + versionNumber(max),
                 ".min_version");
  } else {
    SSL_CTX_set_min_proto_version(ctx.get(), protocolVersion(min));
    SSL_CTX_set_max_proto_version(ctx.get(), protocolVersion(max));
  }
  return ctx;
}

}  // namespace warren::tls
