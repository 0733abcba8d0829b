#include "tls/certificate_loader.h"

#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace warren::tls {
namespace {

// Bigger than any sane PEM file or CA bundle (the Debian bundle is ~200 KiB).
constexpr long kMaxFileSize = 16 * 1024 * 1024;

// Reads a whole file. On failure returns nullopt and sets `error` ("No such file or directory").
std::optional<std::string> readFile(const std::string& path, std::string& error) {
  if (path.empty()) {
    error = "no file name given";
    return std::nullopt;
  }
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::string data;
  char buffer[8192];
  while (true) {
    const size_t n = std::fread(buffer, 1, sizeof buffer, file);
    data.append(buffer, n);
    if (n < sizeof buffer) {
      if (std::ferror(file)) {
        error = std::strerror(errno);  // e.g. EISDIR for a directory
        std::fclose(file);
        return std::nullopt;
      }
      break;
    }
    if (data.size() > static_cast<size_t>(kMaxFileSize)) {
      error = "file is larger than 16 MiB";
      std::fclose(file);
      return std::nullopt;
    }
  }
  std::fclose(file);
  return data;
}

// "BAD_BASE64_DECODE" → "bad base64 decode".
std::string humanReason(const char* reason) {
  std::string text = reason != nullptr ? reason : "unknown error";
  for (char& c : text) {
    if (c == '_') c = ' ';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool isCertificateBlock(const char* name) {
  return std::strcmp(name, PEM_STRING_X509) == 0 || std::strcmp(name, PEM_STRING_X509_OLD) == 0;
}

struct PemCertificates {
  std::vector<bssl::UniquePtr<CRYPTO_BUFFER>> buffers;
  std::vector<bssl::UniquePtr<X509>> parsed;
};

// Every CERTIFICATE block of `pem`, in order; other blocks are skipped (a combined
// cert+key file works). nullopt with `error` set on a parse failure; an empty result when
// there is no certificate block.
std::optional<PemCertificates> parsePemCertificates(const std::string& pem, std::string& error) {
  ERR_clear_error();
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    error = "out of memory";
    return std::nullopt;
  }
  PemCertificates out;
  while (true) {
    char* name = nullptr;
    char* header = nullptr;
    uint8_t* data = nullptr;
    long length = 0;
    if (!PEM_read_bio(bio.get(), &name, &header, &data, &length)) {
      const uint32_t err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();  // end of input: no further PEM block
        return out;
      }
      error = takeSslErrorText("malformed PEM");
      return std::nullopt;
    }
    bssl::UniquePtr<char> name_owner(name);
    bssl::UniquePtr<char> header_owner(header);
    bssl::UniquePtr<uint8_t> data_owner(data);
    if (!isCertificateBlock(name)) continue;
    const uint8_t* cursor = data;
    bssl::UniquePtr<X509> x509(d2i_X509(nullptr, &cursor, length));
    if (!x509 || cursor != data + length) {
      error = "certificate #" + std::to_string(out.parsed.size() + 1) +
              " is not valid DER: " + takeSslErrorText("trailing data");
      return std::nullopt;
    }
    bssl::UniquePtr<CRYPTO_BUFFER> buffer(
        CRYPTO_BUFFER_new(data, static_cast<size_t>(length), sharedBufferPool()));
    if (!buffer) {
      error = "out of memory";
      return std::nullopt;
    }
    out.buffers.push_back(std::move(buffer));
    out.parsed.push_back(std::move(x509));
  }
}

int noPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

std::string subjectText(X509* x509) {
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(x509), 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  const uint8_t* contents = nullptr;
  size_t length = 0;
  BIO_mem_contents(bio.get(), &contents, &length);
  return std::string(reinterpret_cast<const char*>(contents), length);
}

// "2025-01-01" from an ASN.1 UTCTime ("250101000000Z") or GeneralizedTime ("20250101000000Z").
std::string dateText(const ASN1_TIME* time) {
  const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(time));
  const int length = ASN1_STRING_length(time);
  std::string_view text(data, length > 0 ? static_cast<size_t>(length) : 0);
  std::string year;
  if (ASN1_STRING_type(time) == V_ASN1_UTCTIME && text.size() >= 6) {
    year = (text[0] < '5' ? "20" : "19") + std::string(text.substr(0, 2));
    text.remove_prefix(2);
  } else if (text.size() >= 8) {
    year = std::string(text.substr(0, 4));
    text.remove_prefix(4);
  } else {
    return std::string(text);
  }
  return year + "-" + std::string(text.substr(0, 2)) + "-" + std::string(text.substr(2, 2));
}

bool isSupportedCurve(int nid) {
  return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1;
}

}  // namespace

CRYPTO_BUFFER_POOL* sharedBufferPool() {
  static CRYPTO_BUFFER_POOL* const pool = CRYPTO_BUFFER_POOL_new();
  return pool;
}

std::string takeSslErrorText(const char* fallback) {
  const uint32_t err = ERR_peek_last_error();
  std::string text = err != 0 ? humanReason(ERR_reason_error_string(err)) : fallback;
  ERR_clear_error();
  return text;
}

STACK_OF(CRYPTO_BUFFER)* newNameStack(const std::vector<bssl::UniquePtr<CRYPTO_BUFFER>>& names) {
  bssl::UniquePtr<STACK_OF(CRYPTO_BUFFER)> stack(sk_CRYPTO_BUFFER_new_null());
  if (!stack) return nullptr;
  for (const auto& name : names) {
    CRYPTO_BUFFER_up_ref(name.get());
    if (!sk_CRYPTO_BUFFER_push(stack.get(), name.get())) {
      CRYPTO_BUFFER_free(name.get());
      return nullptr;
    }
  }
  return stack.release();
}

std::shared_ptr<const LoadedCertificate> loadCertificate(const config::CertificateFiles& files,
                                                         BuildReport& report, time_t now) {
  auto loaded = std::make_shared<LoadedCertificate>();
  loaded->cert_path = files.cert;
  bool ok = true;

  // The certificate chain.
  std::string error;
  PemCertificates certificates;
  if (auto pem = readFile(files.cert, error); !pem) {
    report.error(files.cert_ref, "cannot read certificate file " + files.cert + ": " + error);
    ok = false;
  } else if (auto parsed = parsePemCertificates(*pem, error); !parsed) {
    report.error(files.cert_ref, "cannot parse PEM certificate " + files.cert + ": " + error);
    ok = false;
  } else if (parsed->buffers.empty()) {
    report.error(files.cert_ref, "cannot parse PEM certificate " + files.cert +
                                     ": no CERTIFICATE block in the file");
    ok = false;
  } else {
    certificates = std::move(*parsed);
  }

  // The private key.
  bssl::UniquePtr<EVP_PKEY> key;
  if (auto pem = readFile(files.key, error); !pem) {
    report.error(files.key_ref, "cannot read private key file " + files.key + ": " + error);
    ok = false;
  } else if (pem->find("ENCRYPTED") != std::string::npos) {
    report.error(files.key_ref, "private key " + files.key +
                                    " is encrypted: Warren needs an unencrypted key file");
    ok = false;
  } else {
    ERR_clear_error();
    bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
    key.reset(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassword, nullptr) : nullptr);
    if (!key) {
      const uint32_t err = ERR_peek_last_error();
      const bool no_block = ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
      const std::string reason = no_block ? "no PRIVATE KEY block in the file" : takeSslErrorText("malformed key");
      ERR_clear_error();
      report.error(files.key_ref, "cannot parse PEM private key " + files.key + ": " + reason);
      ok = false;
    }
  }

  if (key) {
    switch (EVP_PKEY_id(key.get())) {
      case EVP_PKEY_EC: {
        const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key.get());
        const int nid = ec != nullptr ? EC_GROUP_get_curve_name(EC_KEY_get0_group(ec)) : NID_undef;
        if (!isSupportedCurve(nid)) {
          report.error(files.key_ref, "private key " + files.key +
                                          " is on an unsupported curve (use P-256, P-384 or P-521)");
          ok = false;
        }
        loaded->type = KeyType::Ecdsa;
        loaded->curve_nid = nid;
        break;
      }
      case EVP_PKEY_RSA:
        loaded->type = KeyType::Rsa;
        if (EVP_PKEY_bits(key.get()) < 2048) {
          report.warning(files.key_ref, "RSA key " + files.key + " has only " +
                                            std::to_string(EVP_PKEY_bits(key.get())) +
                                            " bits; use at least 2048");
        }
        break;
      default:
        report.error(files.key_ref, "private key " + files.key +
                                        " has an unsupported type (use ECDSA or RSA)");
        ok = false;
        break;
    }
  }

  if (!ok) return nullptr;

  X509* leaf = certificates.parsed.front().get();
  if (!X509_check_private_key(leaf, key.get())) {
    ERR_clear_error();
    std::string message = "private key does not match certificate " + files.cert;
    for (size_t i = 1; i < certificates.parsed.size(); ++i) {
      if (X509_check_private_key(certificates.parsed[i].get(), key.get())) {
        message += " (it matches certificate #" + std::to_string(i + 1) +
                   " in the file: the leaf certificate must come first)";
        break;
      }
    }
    ERR_clear_error();
    report.error(files.key_ref, std::move(message));
    return nullptr;
  }

  if (X509_cmp_time(X509_get0_notAfter(leaf), &now) < 0) {
    report.warning(files.cert_ref, "expired certificate " + files.cert + " (notAfter " +
                                       dateText(X509_get0_notAfter(leaf)) + ")");
  } else if (X509_cmp_time(X509_get0_notBefore(leaf), &now) > 0) {
    report.warning(files.cert_ref, "certificate " + files.cert + " is not valid yet (notBefore " +
                                       dateText(X509_get0_notBefore(leaf)) + ")");
  }

  loaded->subject = subjectText(leaf);
  loaded->key = std::move(key);
  loaded->chain = std::move(certificates.buffers);
  for (const auto& buffer : loaded->chain) loaded->chain_view.push_back(buffer.get());
  return loaded;
}

std::array<uint8_t, 32> certificateSetFingerprint(const std::vector<bssl::UniquePtr<CRYPTO_BUFFER>>& certificates) {
  std::vector<std::string_view> ders;
  for (const auto& buffer : certificates) {
    ders.emplace_back(reinterpret_cast<const char*>(CRYPTO_BUFFER_data(buffer.get())), CRYPTO_BUFFER_len(buffer.get()));
  }
  std::sort(ders.begin(), ders.end());
  ders.erase(std::unique(ders.begin(), ders.end()), ders.end());
  SHA256_CTX sha;
  SHA256_Init(&sha);
  for (std::string_view der : ders) {
    // Length-prefixed: no two sets hash the same input.
    const uint64_t length = der.size();
    uint8_t prefix[8];
    for (int i = 0; i < 8; ++i) prefix[i] = static_cast<uint8_t>(length >> (56 - 8 * i));
    SHA256_Update(&sha, prefix, sizeof prefix);
    SHA256_Update(&sha, der.data(), der.size());
  }
  std::array<uint8_t, 32> out{};
  SHA256_Final(out.data(), &sha);
  return out;
}

std::optional<CaBundle> loadCaBundle(const std::string& path, const config::SourceRef& ref,
                                     BuildReport& report) {
  std::string error;
  auto pem = readFile(path, error);
  if (!pem) {
    report.error(ref, "cannot read CA bundle " + path + ": " + error);
    return std::nullopt;
  }
  auto parsed = parsePemCertificates(*pem, error);
  if (!parsed) {
    report.error(ref, "cannot parse PEM certificate in CA bundle " + path + ": " + error);
    return std::nullopt;
  }
  if (parsed->parsed.empty()) {
    report.error(ref, "CA bundle " + path + " contains no certificate");
    return std::nullopt;
  }
  CaBundle bundle;
  bundle.fingerprint = certificateSetFingerprint(parsed->buffers);
  bundle.store.reset(X509_STORE_new());
  if (!bundle.store) {
    report.error(ref, "out of memory");
    return std::nullopt;
  }
  for (const auto& x509 : parsed->parsed) {
    if (!X509_STORE_add_cert(bundle.store.get(), x509.get())) {
      // A duplicate certificate in the bundle is harmless.
      ERR_clear_error();
    }
    uint8_t* der = nullptr;
    const int length = i2d_X509_NAME(X509_get_subject_name(x509.get()), &der);
    if (length > 0) {
      bssl::UniquePtr<CRYPTO_BUFFER> name(
          CRYPTO_BUFFER_new(der, static_cast<size_t>(length), sharedBufferPool()));
      if (name) bundle.names.push_back(std::move(name));
    }
    OPENSSL_free(der);
  }
  return bundle;
}

}  // namespace warren::tls
