#include "tls/handshake_info.h"

#include <new>

#include "common/ascii.h"

namespace warren::tls {
namespace {

void freeHandshakeInfo(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*index*/,
                       long /*argl*/, void* /*argp*/) {
  delete static_cast<HandshakeInfo*>(ptr);
}

int exDataIndex() {
  // Thread-safe one-time registration (C++ magic static).
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, freeHandshakeInfo);
  return index;
}

}  // namespace

HandshakeInfo* handshakeInfo(const SSL* ssl) {
  if (ssl == nullptr) return nullptr;
  return static_cast<HandshakeInfo*>(SSL_get_ex_data(ssl, exDataIndex()));
}

HandshakeInfo* attachHandshakeInfo(SSL* ssl) {
  const int index = exDataIndex();
  if (index < 0) return nullptr;
  auto* info = new (std::nothrow) HandshakeInfo();
  if (info == nullptr) return nullptr;
  delete static_cast<HandshakeInfo*>(SSL_get_ex_data(ssl, index));  // attached twice: replace
  if (!SSL_set_ex_data(ssl, index, info)) {
    delete info;
    return nullptr;
  }
  return info;
}

void releaseHandshakeInfo(SSL* ssl) {
  const int index = exDataIndex();
  if (ssl == nullptr || index < 0) return;
  auto* info = static_cast<HandshakeInfo*>(SSL_get_ex_data(ssl, index));
  if (info == nullptr) return;
  SSL_set_ex_data(ssl, index, nullptr);  // replaces a pointer already stored: cannot fail
  delete info;
}

std::string requestedServerName(const SSL* ssl) {
  if (const HandshakeInfo* info = handshakeInfo(ssl)) return info->sni;
  if (ssl == nullptr || SSL_in_init(ssl)) return {};
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? ascii::lower(name) : std::string();
}

}  // namespace warren::tls
