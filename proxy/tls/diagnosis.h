// Diagnosis of failed TLS handshakes: one classification per failure (a metric label) and the
// facts for one log line — the client's SNI, the versions and cipher suites it offered, and a
// hint for the operator. The session logs it together with the client's address.
//
// How the session uses it (see also the integration notes in server_context.h):
//   - first bytes on a TLS port: diagnoseFirstBytes() — plaintext AMQP/HTTP is recognised
//     before BoringSSL reports a cryptic record error;
//   - SSL_do_handshake() failed: diagnoseHandshakeFailure() with SSL_get_error() and the first
//     ERR_get_error() code;
//   - the handshake deadline fired: diagnoseTimeout();
//   - first bytes on a PLAINTEXT port: diagnoseTlsOnPlaintext().
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "config/config.h"

namespace warren::tls {

enum class FailureReason {
  ProtocolVersion,            // no protocol version in common
  NoSharedCipher,             // no cipher suite (or group / signature algorithm) in common
  PlaintextAmqp,              // an AMQP protocol header on the TLS port
  PlaintextHttp,              // an HTTP request on the TLS port
  UnknownSni,                 // strict_sni refused no / an unknown server name
  ClientRejectedCertificate,  // the client refused our certificate (alert unknown_ca, …)
  ClientCertificateRejected,  // we refused the client's certificate (or it sent none)
  HandshakeTimeout,           // the handshake took longer than handshake_timeout
  Other,
  TlsOnPlaintext,             // a TLS ClientHello on a plaintext listener
};

// snake_case metric label: "protocol_version", …, "other", "tls_on_plaintext".
const char* toString(FailureReason reason);

struct Diagnosis {
  FailureReason reason = FailureReason::Other;
  // One sentence for the operator, e.g. "client offered only TLS 1.1; listener requires ≥ 1.2".
  std::string hint;
  // What the client offered: "versions=TLSv1.1,TLSv1.0 ciphers=ECDHE-RSA-AES128-SHA,…"
  // (OpenSSL-style suite names, hex for unknown ones); for plaintext,
  // "protocol=AMQP 0-9-1" / "protocol=HTTP method=GET" / "first_bytes=…". Empty if unknown.
  std::string offered;
  // The server name the client sent, if known.
  std::string sni;
};

// After SSL_do_handshake() failed on a server SSL from ServerContext::newSsl(): `ssl_error` is
// SSL_get_error(), `err_code` the first ERR_get_error() code popped (0 if none), `cfg` the
// listener's TLS config (for the hint). Uses the SSL's HandshakeInfo; never fails.
Diagnosis diagnoseHandshakeFailure(const SSL* ssl, int ssl_error, uint32_t err_code,
                                   const config::ListenerTls& cfg);

// The handshake deadline fired. `ssl` may be null (no SSL yet).
Diagnosis diagnoseTimeout(const SSL* ssl);

// The first bytes a client sent on a TLS port, when they are not a TLS handshake record:
// "AMQP…" → PlaintextAmqp, an HTTP method → PlaintextHttp, anything else → Other. nullopt when
// they look like TLS (0x16 0x03 …, or an SSLv2-format ClientHello) or when the bytes given are
// too few to tell (decides from at most the first 8 bytes).
std::optional<Diagnosis> diagnoseFirstBytes(std::span<const uint8_t> first);

// On a PLAINTEXT listener: if the first bytes are a TLS handshake record carrying a
// ClientHello (at least 3 bytes: 0x16 0x03 0x00–0x04; a 6th byte, if present, must be 0x01),
// a TlsOnPlaintext diagnosis with the SNI, versions and ciphers found in them (as much as the
// bytes hold). nullopt otherwise.
std::optional<Diagnosis> diagnoseTlsOnPlaintext(std::span<const uint8_t> first);

// After a client-side (node) handshake failed on an SSL from ClientContext::newSsl(): one line
// for the log ("node certificate not trusted: unable to get local issuer certificate",
// "node sent alert handshake_failure", …).
std::string describeNodeHandshakeFailure(const SSL* ssl, int ssl_error, uint32_t err_code);

}  // namespace warren::tls
