#include "tls/diagnosis.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

#include "tls/client_hello_parser.h"
#include "tls/handshake_info.h"
#include "tls/tls_names.h"

namespace warren::tls {
namespace {

// Bytes diagnoseFirstBytes() looks at, at most.
constexpr size_t kFirstBytes = 8;

std::string errorText(uint32_t err_code) {
  if (err_code == 0) return "no error code";
  const char* reason = ERR_reason_error_string(err_code);
  std::string text = reason != nullptr ? reason : "error " + std::to_string(err_code);
  for (char& c : text) {
    if (c == '_') c = ' ';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string joinLabels(std::span<const uint16_t> versions) {
  std::string out;
  for (uint16_t version : versions) {
    if (!out.empty()) out += ", ";
    out += versionLabel(version);
  }
  return out;
}

std::string versionHint(const HandshakeInfo* info, const config::ListenerTls& cfg) {
  const uint16_t min = protocolVersion(cfg.min_version);
  const uint16_t max = protocolVersion(cfg.max_version);
  const std::string allowed =
      std::string(versionNumber(cfg.min_version)) + "–" + versionNumber(cfg.max_version);
  if (info == nullptr || info->offered_versions.empty()) {
    return "no TLS version in common; listener allows " + allowed;
  }
  const auto& offered = info->offered_versions;
  // Wire versions of TLS order numerically (0x0300 … 0x0304); drafts and junk sort above.
  const uint16_t highest = *std::max_element(offered.begin(), offered.end());
  const uint16_t lowest = *std::min_element(offered.begin(), offered.end());
  if (highest < min) {
    return "client offered only " + joinLabels(offered) + "; listener requires ≥ " +
           versionNumber(cfg.min_version);
  }
  if (lowest > max) {
    return "client offered only " + joinLabels(offered) + "; listener allows ≤ " +
           versionNumber(cfg.max_version);
  }
  return "no TLS version in common: client offered " + joinLabels(offered) +
         "; listener allows " + allowed;
}

bool isCertificateAlert(uint8_t alert) {
  switch (alert) {
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
      return true;
    default:
      return false;
  }
}

std::string rejectedCertificateHint(uint8_t alert, const std::string& sni) {
  std::string hint = "client rejected the server certificate (alert " + alertName(alert) + ")";
  switch (alert) {
    case SSL_AD_UNKNOWN_CA:
      return hint + ": the client does not trust the CA that issued it; give the client the CA "
                    "certificate, or serve a chain it trusts (intermediates included)";
    case SSL_AD_CERTIFICATE_EXPIRED:
      return hint + ": renew the certificate, or check the client's clock";
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_CERTIFICATE_UNKNOWN:
      return hint + ": check that it covers the name the client connects to" +
             (sni.empty() ? std::string(" (the client sent no SNI)") : " (SNI " + sni + ")") +
             " and that the chain is complete";
    default:
      return hint;
  }
}

Diagnosis base(const HandshakeInfo* info) {
  Diagnosis d;
  if (info != nullptr) {
    d.sni = info->sni;
    d.offered = formatOffered(info->offered_versions, info->offered_ciphers);
  }
  return d;
}

std::string hexBytes(std::span<const uint8_t> bytes) {
  std::string out;
  char buffer[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", bytes[i]);
    out += buffer;
  }
  return out;
}

bool startsWith(std::span<const uint8_t> bytes, std::string_view prefix) {
  if (bytes.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), bytes.begin(),
                    [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; });
}

// Whether `bytes` is a prefix of `text` (bytes shorter than text).
bool isPrefixOf(std::span<const uint8_t> bytes, std::string_view text) {
  return bytes.size() < text.size() && startsWith(std::span<const uint8_t>(bytes), text.substr(0, bytes.size()));
}

std::string amqpVersion(std::span<const uint8_t> header) {
  // "AMQP" then protocol id and version: 0 0 9 1 (0-9-1), 0 1 0 0 (1.0), 3 1 0 0 (1.0 SASL),
  // 2 1 0 0 (1.0 TLS), 1 1 0 9 (0-9 / 0-8 style).
  if (header.size() < 8) return "AMQP";
  const uint8_t id = header[4], major = header[5], minor = header[6], revision = header[7];
  if (id == 0 && major == 0) return "AMQP 0-" + std::to_string(minor) + "-" + std::to_string(revision);
  if (major == 1 && minor == 0 && revision == 0) {
    if (id == 3) return "AMQP 1.0 (SASL)";
    if (id == 2) return "AMQP 1.0 (TLS upgrade)";
    return "AMQP 1.0";
  }
  return "AMQP (header " + hexBytes(header.subspan(4, 4)) + ")";
}

constexpr std::array<std::string_view, 10> kHttpMethods = {
    "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "PRI * HT"};

}  // namespace

const char* toString(FailureReason reason) {
  switch (reason) {
    case FailureReason::ProtocolVersion: return "protocol_version";
    case FailureReason::NoSharedCipher: return "no_shared_cipher";
    case FailureReason::PlaintextAmqp: return "plaintext_amqp";
    case FailureReason::PlaintextHttp: return "plaintext_http";
    case FailureReason::UnknownSni: return "unknown_sni";
    case FailureReason::ClientRejectedCertificate: return "client_rejected_certificate";
    case FailureReason::ClientCertificateRejected: return "client_certificate_rejected";
    case FailureReason::HandshakeTimeout: return "handshake_timeout";
    case FailureReason::Other: return "other";
    case FailureReason::TlsOnPlaintext: return "tls_on_plaintext";
  }
  return "other";
}

Diagnosis diagnoseHandshakeFailure(const SSL* ssl, int ssl_error, uint32_t err_code,
                                   const config::ListenerTls& cfg) {
  const HandshakeInfo* info = handshakeInfo(ssl);
  Diagnosis d = base(info);
  const bool ssl_lib = ERR_GET_LIB(err_code) == ERR_LIB_SSL;
  const int reason = ERR_GET_REASON(err_code);
  uint8_t alert = info != nullptr ? info->client_alert : 0;
  if (alert == 0 && ssl_lib && reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    alert = static_cast<uint8_t>(reason - SSL_AD_REASON_OFFSET);
  }

  if (info != nullptr && info->sni_rejected) {
    d.reason = FailureReason::UnknownSni;
    d.hint = info->sni.empty()
                 ? "client sent no server name (SNI) and strict_sni = true: connect with a host "
                   "name the listener routes, or set strict_sni = false"
                 : "unknown server name " + info->sni +
                       " (no route matches) and strict_sni = true: add a route for it, or set "
                       "strict_sni = false";
    return d;
  }
  const bool hello_seen = info != nullptr && info->hello_seen;
  if ((hello_seen && ssl_lib && reason == SSL_R_UNSUPPORTED_PROTOCOL) ||
      alert == SSL_AD_PROTOCOL_VERSION) {
    d.reason = FailureReason::ProtocolVersion;
    d.hint = versionHint(info, cfg);
    return d;
  }
  if (ssl_lib && reason == SSL_R_NO_SHARED_CIPHER) {
    d.reason = FailureReason::NoSharedCipher;
    d.hint = "no cipher suite in common: the listener allows " +
             (cfg.ciphers.empty() ? std::string("BoringSSL's default suites")
                                  : "ciphers = \"" + cfg.ciphers + "\"") +
             " (TLS 1.2) and the certificate served was " +
             (info != nullptr && info->certificate == KeyType::Ecdsa ? "ECDSA" : "RSA");
    return d;
  }
  if (ssl_lib && reason == SSL_R_NO_SHARED_GROUP) {
    d.reason = FailureReason::NoSharedCipher;
    d.hint = "no key-exchange group (curve) in common with the listener's curves";
    return d;
  }
  if (ssl_lib && reason == SSL_R_NO_COMMON_SIGNATURE_ALGORITHMS) {
    d.reason = FailureReason::NoSharedCipher;
    d.hint = "no signature algorithm in common for the listener's certificate";
    return d;
  }
  if (ssl_lib && (reason == SSL_R_HTTP_REQUEST || reason == SSL_R_HTTPS_PROXY_REQUEST)) {
    d.reason = FailureReason::PlaintextHttp;
    d.hint = reason == SSL_R_HTTPS_PROXY_REQUEST
                 ? "an HTTP proxy request (CONNECT) on the TLS port: this is not an HTTP proxy"
                 : "plaintext HTTP on the TLS port: AMQP clients need amqps:// here";
    return d;
  }
  if ((ssl_lib && (reason == SSL_R_CERTIFICATE_VERIFY_FAILED ||
                   reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)) ||
      (info != nullptr && info->client_cert_presented && info->verify_error != X509_V_OK)) {
    d.reason = FailureReason::ClientCertificateRejected;
    if (info != nullptr && info->client_cert_presented) {
      d.hint = std::string("client certificate not accepted: ") +
               X509_verify_cert_error_string(info->verify_error) + " (client_ca = " + cfg.client_ca + ")";
    } else {
      d.hint = "client sent no certificate and client_auth = required";
    }
    return d;
  }
  if (isCertificateAlert(alert)) {
    d.reason = FailureReason::ClientRejectedCertificate;
    d.hint = rejectedCertificateHint(alert, d.sni);
    return d;
  }

  d.reason = FailureReason::Other;
  if (alert != 0) {
    d.hint = "client sent alert " + alertName(alert) + " during the handshake";
  } else if (ssl_error == SSL_ERROR_ZERO_RETURN ||
             (ssl_error == SSL_ERROR_SYSCALL && err_code == 0) || ssl_error == SSL_ERROR_NONE) {
    d.hint = hello_seen ? "client closed the connection during the handshake"
                        : "client closed the connection before sending a ClientHello";
  } else if (!hello_seen && ssl_lib &&
             (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_UNEXPECTED_RECORD ||
              reason == SSL_R_ENCRYPTED_LENGTH_TOO_LONG)) {
    d.hint = "client did not start with a TLS ClientHello (" + errorText(err_code) +
             "): not a TLS client?";
  } else {
    d.hint = "TLS handshake failed: " + errorText(err_code);
  }
  return d;
}

Diagnosis diagnoseTimeout(const SSL* ssl) {
  const HandshakeInfo* info = handshakeInfo(ssl);
  Diagnosis d = base(info);
  d.reason = FailureReason::HandshakeTimeout;
  if (info == nullptr || !info->hello_seen) {
    d.hint = "no complete ClientHello within handshake_timeout: the client sent nothing or too "
             "little (a plaintext client waiting for the server to speak first, or a port check)";
  } else {
    d.hint = "client did not complete the handshake within handshake_timeout after its "
             "ClientHello (stalled: network trouble, or a client waiting on its user)";
  }
  return d;
}

std::optional<Diagnosis> diagnoseFirstBytes(std::span<const uint8_t> first) {
  const std::span<const uint8_t> bytes = first.first(std::min(first.size(), kFirstBytes));
  if (bytes.empty()) return std::nullopt;
  // TLS: a handshake record (0x16 0x03 …) or an SSLv2-format ClientHello (0x80 … 0x01).
  if (bytes[0] == kRecordTypeHandshake) {
    if (bytes.size() < 2 || bytes[1] == 0x03) return std::nullopt;
  } else if ((bytes[0] & 0x80) != 0) {
    if (bytes.size() < 3 || bytes[2] == kHandshakeTypeClientHello) return std::nullopt;
  }

  if (isPrefixOf(bytes, "AMQP")) return std::nullopt;
  if (startsWith(bytes, "AMQP")) {
    if (bytes.size() < 8) return std::nullopt;  // wait for the whole protocol header
    Diagnosis d;
    d.reason = FailureReason::PlaintextAmqp;
    d.offered = "protocol=" + amqpVersion(bytes);
    d.hint = "plaintext AMQP on the TLS port: use amqps:// or the plaintext listener";
    return d;
  }
  bool maybe_http = false;
  for (std::string_view method : kHttpMethods) {
    const std::string_view needed = method.substr(0, std::min(method.size(), kFirstBytes));
    if (isPrefixOf(bytes, needed)) maybe_http = true;
    if (startsWith(bytes, needed)) {
      Diagnosis d;
      d.reason = FailureReason::PlaintextHttp;
      const std::string_view name = method.substr(0, method.find(' '));
      d.offered = "protocol=HTTP method=" + std::string(name);
      d.hint = name == "CONNECT"
                   ? "an HTTP proxy request (CONNECT) on the TLS port: this is not an HTTP proxy"
                   : "plaintext HTTP on the TLS port: is this meant for the management/HTTP port? "
                     "AMQP clients need amqps:// here";
      return d;
    }
  }
  if (maybe_http) return std::nullopt;
  Diagnosis d;
  d.reason = FailureReason::Other;
  d.offered = "first_bytes=" + hexBytes(bytes);
  d.hint = "the client's first bytes are not a TLS handshake (nor AMQP or HTTP)";
  return d;
}

std::optional<Diagnosis> diagnoseTlsOnPlaintext(std::span<const uint8_t> first) {
  if (first.size() < 3 || first[0] != kRecordTypeHandshake || first[1] != 0x03 || first[2] > 0x04) {
    return std::nullopt;
  }
  if (first.size() >= kRecordHeaderLength + 1 && first[kRecordHeaderLength] != kHandshakeTypeClientHello) {
    return std::nullopt;
  }
  Diagnosis d;
  d.reason = FailureReason::TlsOnPlaintext;
  d.hint = "TLS ClientHello on a plaintext listener: use amqp:// on this port, or connect to the "
           "TLS listener";
  if (auto hello = parseClientHello(first)) {
    d.sni = hello->sni;
    d.offered = formatOffered(hello->versions, hello->ciphers);
  }
  return d;
}

std::string describeNodeHandshakeFailure(const SSL* ssl, int ssl_error, uint32_t err_code) {
  const HandshakeInfo* info = handshakeInfo(ssl);
  const bool ssl_lib = ERR_GET_LIB(err_code) == ERR_LIB_SSL;
  const int reason = ERR_GET_REASON(err_code);
  if (ssl_lib && reason == SSL_R_CERTIFICATE_VERIFY_FAILED && info != nullptr) {
    std::string text = std::string("node certificate not accepted: ") +
                       X509_verify_cert_error_string(info->verify_error);
    if (!info->sni.empty()) text += " (expected name " + info->sni + ")";
    return text;
  }
  uint8_t alert = info != nullptr ? info->client_alert : 0;
  if (alert == 0 && ssl_lib && reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    alert = static_cast<uint8_t>(reason - SSL_AD_REASON_OFFSET);
  }
  if (alert != 0) {
    std::string text = "node sent alert " + alertName(alert);
    if (alert == SSL_AD_CERTIFICATE_REQUIRED || alert == SSL_AD_HANDSHAKE_FAILURE ||
        alert == SSL_AD_BAD_CERTIFICATE || alert == SSL_AD_UNKNOWN_CA) {
      text += " (does the node require a client certificate, or not trust ours?)";
    }
    return text;
  }
  if (ssl_error == SSL_ERROR_ZERO_RETURN || (ssl_error == SSL_ERROR_SYSCALL && err_code == 0)) {
    return "node closed the connection during the TLS handshake (is it a TLS port?)";
  }
  if (ssl_lib && reason == SSL_R_WRONG_VERSION_NUMBER) {
    return "node did not answer with TLS (wrong_version_number): is it a plaintext AMQP port?";
  }
  return "TLS handshake with the node failed: " + errorText(err_code);
}

}  // namespace warren::tls
