// What the AMQP handshake sniffer reports: the protocol, the values read from the
// handshake, how it ended, and why it failed. Plain data; no I/O.
//
// Every string here is copied from the wire as raw bytes (not validated as UTF-8, at most
// kMaxInfoStringLength bytes, longer values are cut): escape them before logging. None of
// them ever holds credential bytes: the 0-9-1 Start-Ok/Secure-Ok `response` and the 1.0
// sasl-init `initial-response`/sasl-response `response` are skipped unread, and the server's
// Connection.Close reply-text (RabbitMQ quotes a malformed PLAIN response in it) is not kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace warren::amqp {

// Longest string kept in HandshakeInfo; a longer wire value is cut to this many bytes.
inline constexpr size_t kMaxInfoStringLength = 256;

enum class Protocol : uint8_t {
  Unknown,  // the client's protocol header is not complete yet
  Amqp091,  // "AMQP\0\0\x09\x01"
  Amqp10,   // "AMQP\0\x01\0\0" or, with a SASL layer, "AMQP\x03\x01\0\0"
  NotAmqp,  // the client sent something else: see Sniffer::misdirected()
};

// What a client that does not speak AMQP 0-9-1 or 1.0 sent, judged from its first bytes.
enum class Misdirected : uint8_t {
  None,
  Http,              // an HTTP/1.x request line ("GET ", "POST ", ...) or the HTTP/2 preface
  Tls,               // a TLS record (0x16 0x03): TLS client on a plaintext port
  ProxyProtocol,     // a PROXY protocol v1/v2 header: a proxy in front, listener not told
  OtherAmqpVersion,  // "AMQP" and a protocol id/version other than 0-9-1, 1.0, 1.0 SASL
  Garbage,           // anything else
};

// How the handshake ended (valid once Sniffer::status() is Status::Done).
enum class Outcome : uint8_t {
  None,          // not over yet, or ended in an error
  Opened,        // 0-9-1: the client's Connection.Open; 1.0: both open performatives
  ServerClosed,  // the server sent Connection.Close (0-9-1) or close (1.0) first
  ClientClosed,  // the client sent Connection.Close (0-9-1) or close (1.0) first
  SaslFailed,    // 1.0: sasl-outcome with a code other than ok
};

struct HandshakeInfo {
  Protocol protocol = Protocol::Unknown;
  // 1.0: the client asked for the SASL layer ("AMQP\x03\x01\0\0") and the server agreed.
  bool sasl = false;
  // Set when the server answered with a protocol header naming another protocol
  // (Error::ProtocolRejected): what that header names. RabbitMQ answers an unsupported
  // header with "AMQP\0\0\x09\x01" and closes.
  Protocol server_protocol = Protocol::Unknown;

  // 0-9-1 Connection.Start server-properties.
  std::string server_product, server_version, cluster_name;
  // 0-9-1 Connection.Start-Ok client-properties and mechanism (never the response).
  // 1.0: `mechanism` is the sasl-init mechanism.
  std::string connection_name, client_product, client_version, client_platform, mechanism;
  // 0-9-1 Connection.Tune (the server's proposal; seconds, bytes, channels).
  uint16_t server_heartbeat = 0;
  uint32_t server_frame_max = 0;
  uint16_t server_channel_max = 0;
  // 0-9-1 Connection.Tune-Ok: the client's final values, i.e. the negotiated ones
  // (RabbitMQ uses them as they are). heartbeat in seconds, 0 = disabled.
  uint16_t heartbeat = 0;
  uint32_t frame_max = 0;
  uint16_t channel_max = 0;
  bool tuned = false;  // Tune-Ok seen
  // 0-9-1 Connection.Open virtual-host.
  std::string vhost;

  // 1.0: sasl-outcome code as text: "ok", "auth", "sys", "sys-perm", "sys-temp", "unknown".
  std::string sasl_outcome;
  // 1.0 open idle-time-out of each side in milliseconds (0 = none). Each side advertises
  // half of the silence after which it gives up on its peer.
  uint32_t client_idle_timeout_ms = 0, server_idle_timeout_ms = 0;
  bool client_open_seen = false, server_open_seen = false;
  // 1.0 client open: hostname (RabbitMQ reads "vhost:NAME" as the virtual host) and
  // container-id.
  std::string hostname, container_id;

  // How it ended. For ServerClosed/ClientClosed: 0-9-1 reply-code and the failing
  // class/method ids (the reply-text is not kept, see the file comment); 1.0 the error
  // condition symbol (e.g. "amqp:unauthorized-access"; empty if the close had none).
  Outcome outcome = Outcome::None;
  uint16_t close_code = 0, close_class_id = 0, close_method_id = 0;
  std::string close_condition;
};

// Short snake_case tokens for logs and metrics.
const char* toString(Protocol protocol);
const char* toString(Misdirected misdirected);
const char* toString(Outcome outcome);

// One sentence for the log line of a misdirected connection: what probably happened and
// what to change. "" for Misdirected::None.
const char* hint(Misdirected misdirected);

}  // namespace warren::amqp
