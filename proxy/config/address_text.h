// "ip:port" / "host:port" text → Address or Endpoint, with a message that says what is
// wrong otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"
#include "config/parsed.h"

namespace warren::config {

enum class PortZero { Allowed, Rejected };
enum class HostNames { Allowed, Rejected };

// "host:port" where host is an IP literal (literal set, host empty) or, when allowed, a DNS
// name (host set, literal empty; resolution is the caller's business).
struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::optional<Address> literal;
};

Parsed<Endpoint> parseEndpointText(std::string_view text, PortZero port_zero, HostNames host_names);

// Accepts exactly what Address::parse accepts ("10.0.0.5:5672", "[fd00::5]:5672");
// host names are refused (listeners bind to addresses, not names).
Parsed<Address> parseAddressText(std::string_view text, PortZero port_zero);

}  // namespace warren::config
