#include "config/config.h"

#include <algorithm>

namespace warren::config {

bool Listener::trustsProxy(const Address& peer) const {
  return trusted_proxies.empty() ||
         std::any_of(trusted_proxies.begin(), trusted_proxies.end(), [&](const IpPrefix& p) { return p.contains(peer); });
}

// These spellings are also the TOML values (decode.cc parses through them).

const char* toString(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
  }
  return "unknown";
}

const char* toString(LogFormat format) {
  switch (format) {
    case LogFormat::Text: return "text";
    case LogFormat::Json: return "json";
  }
  return "unknown";
}

const char* toString(BalancePolicy policy) {
  switch (policy) {
    case BalancePolicy::LeastConn: return "least_conn";
    case BalancePolicy::RoundRobin: return "round_robin";
  }
  return "unknown";
}

const char* toString(ListenerProtocol protocol) {
  switch (protocol) {
    case ListenerProtocol::Amqp: return "amqp";
    case ListenerProtocol::Tcp: return "tcp";
  }
  return "unknown";
}

const char* toString(ProxyProtocol protocol) {
  switch (protocol) {
    case ProxyProtocol::None: return "none";
    case ProxyProtocol::V1: return "v1";
    case ProxyProtocol::V2: return "v2";
  }
  return "unknown";
}

const char* toString(TlsVersion version) {
  switch (version) {
    case TlsVersion::Tls10: return "1.0";
    case TlsVersion::Tls11: return "1.1";
    case TlsVersion::Tls12: return "1.2";
    case TlsVersion::Tls13: return "1.3";
  }
  return "unknown";
}

const char* toString(ClientAuth auth) {
  switch (auth) {
    case ClientAuth::None: return "none";
    case ClientAuth::Optional: return "optional";
    case ClientAuth::Required: return "required";
  }
  return "unknown";
}

const char* toString(HealthCheckType type) {
  switch (type) {
    case HealthCheckType::Tcp: return "tcp";
    case HealthCheckType::Amqp: return "amqp";
  }
  return "unknown";
}

const char* toString(HealthCheckProxy proxy) {
  switch (proxy) {
    case HealthCheckProxy::OwnAddress: return "own_address";
    case HealthCheckProxy::Local: return "local";
  }
  return "unknown";
}

}  // namespace warren::config
