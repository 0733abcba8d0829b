#include "tls/library_version.h"

#include <openssl/base.h>
#include <openssl/crypto.h>

namespace warren::tls {

std::string libraryVersion() {
  return std::string("BoringSSL (") + OPENSSL_VERSION_TEXT + ", API version " +
         std::to_string(BORINGSSL_API_VERSION) + ")";
}

}  // namespace warren::tls
