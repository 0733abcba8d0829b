// The TLS library Warren is built against, for `warren --version` and bug reports.
#pragma once

#include <string>

namespace warren::tls {

// "BoringSSL (OpenSSL 1.1.1 (compatible; BoringSSL), API version 17)": OPENSSL_VERSION_TEXT
// and BORINGSSL_API_VERSION of the headers Warren was compiled with (Debian's
// android-libboringssl-dev has no release number of its own).
std::string libraryVersion();

}  // namespace warren::tls
