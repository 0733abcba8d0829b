#include "config/secret_modes.h"

#include <sys/stat.h>

#include <cstdio>

namespace warren::config {
namespace {

void checkFile(const std::string& source, const std::string& path, const SourceRef& ref,
               std::vector<ConfigError>& out) {
  if (path.empty()) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & kSecretReadableBits) == 0) return;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  out.push_back(ConfigError{source, ref.line, ref.column, ref.key,
                            "secret file " + path + " is readable by " +
                                ((st.st_mode & S_IROTH) != 0 ? "others" : "its group") + " (mode " + mode +
                                "); make it readable by Warren's user only (chmod 600)"});
}

void checkKeys(const std::string& source, const std::vector<CertificateFiles>& certificates,
               std::vector<ConfigError>& out) {
  for (const auto& c : certificates) checkFile(source, c.key, c.key_ref, out);
}

}  // namespace

std::vector<ConfigError> secretFileWarnings(const Config& config) {
  std::vector<ConfigError> out;
  for (const auto& l : config.listeners) {
    checkKeys(config.source, l.tls.certificates, out);
    for (const auto& r : l.routes) checkKeys(config.source, r.certificates, out);
  }
  for (const auto& c : config.clusters) {
    if (c.tls.client_certificate) checkFile(config.source, c.tls.client_certificate->key, c.tls.client_certificate->key_ref, out);
  }
  checkFile(config.source, config.admin.token_file, config.admin.token_file_ref, out);
  return out;
}

}  // namespace warren::config
