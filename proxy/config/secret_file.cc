#include "config/secret_file.h"

#include <fstream>
#include <iterator>

#include "config/message.h"
#include "config/paths.h"

namespace warren::config {

SecretFile readSecretFile(const std::string& path) {
  SecretFile out;
  if (const std::string why = whyUnreadable(path); !why.empty()) {
    out.error = cannotReadMessage(path, why);
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text;
  text.resize(kMaxSecretBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxSecretBytes) {
    out.error = "file " + quote(path) + " is larger than " + std::to_string(kMaxSecretBytes) + " bytes";
    return out;
  }
  const char* space = " \t\r\n";
  const size_t first = text.find_first_not_of(space);
  if (first == std::string::npos) {
    out.error = "file " + quote(path) + " is empty";
    return out;
  }
  out.value = text.substr(first, text.find_last_not_of(space) - first + 1);
  return out;
}

}  // namespace warren::config
