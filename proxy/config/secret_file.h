// A file holding one secret (the admin API's bearer token): read whole, surrounding
// whitespace trimmed. The secret is never part of a message.
#pragma once

#include <string>

namespace warren::config {

struct SecretFile {
  std::string value;  // the secret; empty when `error` is set
  std::string error;  // "cannot read file ...", "file ... is empty", "... is larger than 4096 bytes"
};

inline constexpr size_t kMaxSecretBytes = 4096;

SecretFile readSecretFile(const std::string& path);

}  // namespace warren::config
