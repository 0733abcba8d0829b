// Text forms of the sniffer's enums. Static strings only: nothing from the wire.
#include "amqp/handshake_info.h"
#include "amqp/status.h"

namespace warren::amqp {

const char* toString(Protocol protocol) {
  switch (protocol) {
    case Protocol::Unknown: return "unknown";
    case Protocol::Amqp091: return "amqp091";
    case Protocol::Amqp10: return "amqp10";
    case Protocol::NotAmqp: return "not_amqp";
  }
  return "invalid";
}

const char* toString(Misdirected misdirected) {
  switch (misdirected) {
    case Misdirected::None: return "none";
    case Misdirected::Http: return "http";
    case Misdirected::Tls: return "tls";
    case Misdirected::ProxyProtocol: return "proxy_protocol";
    case Misdirected::OtherAmqpVersion: return "other_amqp_version";
    case Misdirected::Garbage: return "garbage";
  }
  return "invalid";
}

const char* toString(Outcome outcome) {
  switch (outcome) {
    case Outcome::None: return "none";
    case Outcome::Opened: return "opened";
    case Outcome::ServerClosed: return "server_closed";
    case Outcome::ClientClosed: return "client_closed";
    case Outcome::SaslFailed: return "sasl_failed";
  }
  return "invalid";
}

const char* toString(Status status) {
  switch (status) {
    case Status::InProgress: return "in_progress";
    case Status::Done: return "done";
    case Status::Error: return "error";
  }
  return "invalid";
}

const char* toString(Error error) {
  switch (error) {
    case Error::None: return "none";
    case Error::Misdirected: return "misdirected";
    case Error::ServerSpokeFirst: return "server_spoke_first";
    case Error::BadProtocolHeader: return "bad_protocol_header";
    case Error::ProtocolRejected: return "protocol_rejected";
    case Error::BadFrame: return "bad_frame";
    case Error::FrameTooLarge: return "frame_too_large";
    case Error::UnexpectedFrame: return "unexpected_frame";
    case Error::BadMethod: return "bad_method";
    case Error::BadFieldTable: return "bad_field_table";
    case Error::BadPerformative: return "bad_performative";
  }
  return "invalid";
}

const char* hint(Misdirected misdirected) {
  switch (misdirected) {
    case Misdirected::None: return "";
    case Misdirected::Http:
      return "an HTTP client on an AMQP port; the management UI and HTTP API listen on their "
             "own port (RabbitMQ default 15672)";
    case Misdirected::Tls:
      return "a TLS client on a plaintext AMQP port; connect to the TLS listener (AMQPS, "
             "default 5671) or turn TLS off in the client";
    case Misdirected::ProxyProtocol:
      return "a PROXY protocol header on a listener that does not expect one; set "
             "accept_proxy on this listener or stop the proxy in front from sending it";
    case Misdirected::OtherAmqpVersion:
      return "an AMQP protocol version this listener does not speak (AMQP 0-9-1 and 1.0 "
             "are); upgrade or reconfigure the client library";
    case Misdirected::Garbage:
      return "not an AMQP client (its first bytes are no protocol header); check what "
             "connects to this port";
  }
  return "";
}

}  // namespace warren::amqp
