#include "health/check_bytes.h"

#include "proxy_protocol/writer.h"

namespace warren::health {

size_t checkProxyHeader(config::ProxyProtocol protocol, config::HealthCheckProxy mode, const Address& local,
                        const Address& node, std::span<uint8_t> out) {
  using config::HealthCheckProxy;
  using config::ProxyProtocol;
  switch (protocol) {
    case ProxyProtocol::None:
      return 0;
    case ProxyProtocol::V1:
      if (mode == HealthCheckProxy::OwnAddress) return proxy_protocol::writeV1(local, node, out);
      return proxy_protocol::writeV1Unknown(out);
    case ProxyProtocol::V2:
      if (mode == HealthCheckProxy::OwnAddress) return proxy_protocol::writeV2(local, node, {}, out);
      return proxy_protocol::writeV2Local(out);
  }
  return 0;
}

}  // namespace warren::health
