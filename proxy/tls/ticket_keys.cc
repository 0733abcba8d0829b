#include "tls/ticket_keys.h"

#include <openssl/crypto.h>
#include <openssl/digest.h>
#include <openssl/hkdf.h>
#include <openssl/mem.h>
#include <openssl/rand.h>

#include <cstring>
#include <string>

#include "common/big_endian.h"

namespace warren::tls {
namespace {

constexpr char kSalt[] = "warren session ticket keys v1";

const std::array<uint8_t, 32>& masterSecret() {
  static const std::array<uint8_t, 32> secret = [] {
    std::array<uint8_t, 32> bytes{};
    RAND_bytes(bytes.data(), bytes.size());
    return bytes;
  }();
  return secret;
}

}  // namespace

uint64_t ticketEpoch(std::chrono::system_clock::time_point now, std::chrono::seconds rotation) {
  const int64_t period = rotation.count() < 1 ? 1 : rotation.count();
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return seconds < 0 ? 0 : static_cast<uint64_t>(seconds / period);
}

TicketKeys deriveTicketKeys(uint64_t epoch, std::string_view label) {
  // info = epoch (8 bytes, big-endian) || label
  uint8_t epoch_bytes[8];
  big_endian::store64(epoch_bytes, epoch);
  std::string info(reinterpret_cast<const char*>(epoch_bytes), sizeof epoch_bytes);
  info.append(label);
  uint8_t out[16 + 32 + 32];
  const auto& secret = masterSecret();
  HKDF(out, sizeof out, EVP_sha256(), secret.data(), secret.size(),
       reinterpret_cast<const uint8_t*>(kSalt), sizeof kSalt - 1,
       reinterpret_cast<const uint8_t*>(info.data()), info.size());
  TicketKeys keys;
  std::memcpy(keys.name.data(), out, 16);
  std::memcpy(keys.aes_key.data(), out + 16, 32);
  std::memcpy(keys.hmac_key.data(), out + 48, 32);
  OPENSSL_cleanse(out, sizeof out);
  return keys;
}

int ticketKeyCallback(uint64_t current_epoch, std::string_view label, uint8_t* key_name,
                      uint8_t* iv, EVP_CIPHER_CTX* cipher, HMAC_CTX* hmac, int encrypt) {
  const EVP_CIPHER* aes = EVP_aes_256_cbc();
  if (encrypt) {
    TicketKeys keys = deriveTicketKeys(current_epoch, label);
    std::memcpy(key_name, keys.name.data(), keys.name.size());
    int ok = RAND_bytes(iv, EVP_CIPHER_iv_length(aes)) &&
             EVP_EncryptInit_ex(cipher, aes, nullptr, keys.aes_key.data(), iv) &&
             HMAC_Init_ex(hmac, keys.hmac_key.data(), keys.hmac_key.size(), EVP_sha256(), nullptr);
    OPENSSL_cleanse(&keys, sizeof keys);
    return ok ? 1 : -1;
  }
  for (uint64_t back = 0; back <= 1 && back <= current_epoch; ++back) {
    TicketKeys keys = deriveTicketKeys(current_epoch - back, label);
    if (CRYPTO_memcmp(key_name, keys.name.data(), keys.name.size()) != 0) continue;
    int ok = EVP_DecryptInit_ex(cipher, aes, nullptr, keys.aes_key.data(), iv) &&
             HMAC_Init_ex(hmac, keys.hmac_key.data(), keys.hmac_key.size(), EVP_sha256(), nullptr);
    OPENSSL_cleanse(&keys, sizeof keys);
    if (!ok) return -1;
    return back == 0 ? 1 : 2;
  }
  return 0;
}

}  // namespace warren::tls
