// Session-ticket keys that rotate without locks or shared mutable state.
//
// Time is cut into epochs of `rotation` (epoch = unix seconds / rotation seconds). The keys
// of an epoch are derived (HKDF-SHA256) from a random master secret made once per process,
// with the epoch and a context label (the listener name) as info. New tickets are sealed with
// the current epoch's keys; a ticket from the current or the previous epoch is accepted (the
// previous one is renewed). Rotation is thus a pure function of the clock. All contexts of
// the process share the master secret, so a context rebuilt on reload still accepts the
// tickets its predecessor issued. Tickets do not survive a restart, by design.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace warren::tls {

struct TicketKeys {
  std::array<uint8_t, 16> name{};      // public key name, written into each ticket
  std::array<uint8_t, 32> aes_key{};   // AES-256-CBC
  std::array<uint8_t, 32> hmac_key{};  // HMAC-SHA256
};

// Epoch number of `now` for a rotation period (clamped to ≥ 1 s).
uint64_t ticketEpoch(std::chrono::system_clock::time_point now, std::chrono::seconds rotation);

// The keys of `epoch` for `label` (deterministic within the process).
TicketKeys deriveTicketKeys(uint64_t epoch, std::string_view label);

// The body of an SSL_CTX_set_tlsext_ticket_key_cb callback, given the current epoch.
// encrypt = 1: writes the key name and a random IV, sets up `cipher` and `hmac`; returns 1,
// or -1 on error. encrypt = 0: finds the key by name among the current and previous epoch;
// returns 1 (current), 2 (previous: valid, please renew), 0 (unknown key: full handshake).
int ticketKeyCallback(uint64_t current_epoch, std::string_view label, uint8_t* key_name,
                      uint8_t* iv, EVP_CIPHER_CTX* cipher, HMAC_CTX* hmac, int encrypt);

}  // namespace warren::tls
