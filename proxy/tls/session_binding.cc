#include "tls/session_binding.h"

#include <openssl/sha.h>

namespace warren::tls {

std::string clientAuthPolicy(config::ClientAuth mode, const std::array<uint8_t, 32>& ca_fingerprint) {
  if (mode == config::ClientAuth::None) return "none";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = mode == config::ClientAuth::Required ? "required ca=" : "optional ca=";
  for (uint8_t byte : ca_fingerprint) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
  }
  return out;
}

SessionBinding bindSessions(const std::string& listener_name, const std::string& client_auth_policy) {
  // A NUL between the parts: a listener name cannot run into the policy.
  const std::string bound = listener_name + std::string(1, '\0') + client_auth_policy;
  SessionBinding out;
  const std::string context = "warren listener " + bound;
  SHA256(reinterpret_cast<const uint8_t*>(context.data()), context.size(), out.id_context.data());
  out.ticket_label = bound;
  return out;
}

}  // namespace warren::tls
