// What a listener's TLS sessions are bound to, so that a session resumes only where it was
// established and under the client-verification policy it was established under.
//
// The policy is client_auth and, unless it is "none", the fingerprint of the client_ca set.
// Both the session id context (checked by BoringSSL on every resumption, ticket or not) and
// the ticket keys' label are derived from the listener name and that policy: after a reload
// that makes client_auth stricter or changes the CAs, a session from before has neither the
// context nor a ticket the keys open, and the client gets a full handshake with the new
// verification (issue 12: a ticket saved without a certificate under "optional" resumed
// after a reload to "required"; one from a CA removed from client_ca resumed too). A reload
// that leaves the policy alone keeps both, so its clients still resume.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "config/config.h"

namespace warren::tls {

// "none", or "optional ca=<hex sha-256>" / "required ca=<hex sha-256>".
std::string clientAuthPolicy(config::ClientAuth mode, const std::array<uint8_t, 32>& ca_fingerprint);

struct SessionBinding {
  std::array<uint8_t, 32> id_context{};  // for SSL_CTX_set_session_id_context
  std::string ticket_label;              // for deriveTicketKeys
};

SessionBinding bindSessions(const std::string& listener_name, const std::string& client_auth_policy);

}  // namespace warren::tls
