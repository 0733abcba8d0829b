#include "session/access_log.h"

#include <spdlog/spdlog.h>

#include <string>

#include "common/logging.h"

namespace warren::session {
namespace {

// A string the client sent (AMQP client properties, vhost): capped, then quoted.
std::string clientValue(const std::string& value, const char* if_empty) {
  return logging::quote(value.empty() ? std::string(if_empty) : logging::capped(value));
}

}  // namespace

uint32_t heartbeatSeconds(const amqp::HandshakeInfo& a) {
  return a.protocol == amqp::Protocol::Amqp10 ? a.client_idle_timeout_ms / 1000 : a.heartbeat;
}

void writeAccessLine(const AccessRecord& r) {
  const std::string peer = *r.peer == *r.client ? std::string() : " peer=" + r.peer->toString();
  std::string tls;
  if (r.tls_version != nullptr) tls = fmt::format(" sni={} tls={}", r.sni, r.tls_version);
  std::string amqp;
  if (r.amqp != nullptr) {
    const amqp::HandshakeInfo& a = *r.amqp;
    amqp = fmt::format(" protocol={} vhost={} connection_name={} client_product={} client_version={} heartbeat={}",
                       amqp::toString(a.protocol), clientValue(a.vhost.empty() ? a.hostname : a.vhost, ""),
                       clientValue(a.connection_name, "-"), clientValue(a.client_product, "-"),
                       clientValue(a.client_version, "-"), r.heartbeat_s);
  }
  spdlog::info("access client={}{} listener={}{} node={} attempts={} duration_ms={} bytes_up={} bytes_down={}{} reason={}",
               r.client->toString(), peer, r.listener, tls, r.node, r.attempts, r.duration_ms, r.bytes_up,
               r.bytes_down, amqp, toString(r.reason));
}

}  // namespace warren::session
