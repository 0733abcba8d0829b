// PROXY protocol v2 TLVs describing a completed TLS handshake with a client, in the form
// RabbitMQ (ranch_proxy_header) accepts:
//   PP2_TYPE_AUTHORITY  the SNI, when the client sent one;
//   PP2_TYPE_SSL        client = PP2_CLIENT_SSL | PP2_CLIENT_CERT_CONN (a client certificate
//                       was sent on this connection) | PP2_CLIENT_CERT_SESS (the session has
//                       one: also on resumption); verify = 0 when a client certificate was
//                       presented and verified, else 1; sub-TLVs, in this order:
//     VERSION  "TLSv1.3" / "TLSv1.2" / … (SSL_get_version)
//     CIPHER   OpenSSL-style suite name ("TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256")
//     and only with a client certificate:
//     CN       the first commonName of the client certificate's subject (UTF-8)
//     SIG_ALG  the algorithm that signed the client certificate ("RSA-SHA256", "ecdsa-with-SHA256")
//     KEY_ALG  the client certificate's key ("RSA2048", "EC256")
// No other SSL sub-type is ever sent (RabbitMQ rejects unknown ones).
#pragma once

#include <openssl/ssl.h>

#include <vector>

#include "proxy_protocol/header.h"

namespace warren::tls {

// TLVs for a server SSL whose handshake has completed (AUTHORITY first if any, then SSL).
// Empty for a null SSL or an unfinished handshake.
std::vector<proxy_protocol::Tlv> proxyTlvs(const SSL* ssl);

}  // namespace warren::tls
