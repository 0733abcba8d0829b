// HandshakeInfo: what the TLS callbacks learn about one connection's handshake, for routing
// (SNI → route), diagnosis of failures and the PROXY v2 TLVs.
//
// Ownership: the SSL owns it (SSL ex_data with a free callback). ServerContext::newSsl() and
// ClientContext::newSsl() attach one; SSL_free() or releaseHandshakeInfo() frees it. It is
// written by callbacks running inside SSL_do_handshake() and read by the same thread, so it
// needs no synchronisation (an SSL is only ever driven by one thread at a time).
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace warren::tls {

// Key type of a certificate (the one served, for a server SSL).
enum class KeyType : uint8_t { None, Ecdsa, Rsa };

struct HandshakeInfo {
  // Server name from the ClientHello (lower-cased), empty if none. For a client SSL: the
  // configured server_name (sent as SNI unless it is an IP literal, and verified).
  std::string sni;
  // Index into Listener::routes of the route chosen by SNI; -1 = the default route
  // (Listener::cluster).
  int route = -1;
  // A server name was sent but matches no route.
  bool unknown_sni = false;
  // strict_sni refused the handshake (no or unknown SNI): an unrecognized_name alert was sent.
  bool sni_rejected = false;
  // The ClientHello callback ran (a parseable ClientHello arrived).
  bool hello_seen = false;
  // Certificate served (server) or presented (client side, when configured).
  KeyType certificate = KeyType::None;
  // Protocol versions the client offered: the supported_versions extension, else the legacy
  // client_version alone. GREASE values are left out. Released (emptied) once the handshake
  // completes: only diagnosis of a failed handshake needs them.
  std::vector<uint16_t> offered_versions;
  // Cipher suites the client offered (IANA numbers, GREASE left out). Released like above.
  std::vector<uint16_t> offered_ciphers;
  // Alert description received from the peer while the handshake was in progress
  // (SSL_AD_*; e.g. 48 = unknown_ca). 0 = none (close_notify is not recorded).
  uint8_t client_alert = 0;
  // The peer sent a certificate in this handshake (server: a client certificate).
  bool client_cert_presented = false;
  // Result of our check of the peer's certificate: X509_V_OK, or the X509_V_ERR_* that failed
  // it. Only meaningful when a certificate was checked (client_cert_presented, or the node's
  // certificate for a client SSL with verification).
  int verify_error = 0;
};

// The HandshakeInfo attached to `ssl`, or nullptr if it has none (an SSL not made by a
// ServerContext/ClientContext).
HandshakeInfo* handshakeInfo(const SSL* ssl);

// Attaches a new, empty HandshakeInfo to `ssl` (which then owns it) and returns it. Used by
// the contexts; nullptr on allocation failure.
HandshakeInfo* attachHandshakeInfo(SSL* ssl);

// Frees `ssl`'s HandshakeInfo once the handshake is over and its route and PROXY TLVs are
// decided (an idle connection then holds ~110 bytes less); handshakeInfo() is null after it.
void releaseHandshakeInfo(SSL* ssl);

// The server name the client asked for, lower-cased; empty if none. While the HandshakeInfo
// is attached, its `sni`; after releaseHandshakeInfo(), the completed handshake's name (a
// handshake only completes with exactly one non-empty host_name, the same one).
std::string requestedServerName(const SSL* ssl);

}  // namespace warren::tls
