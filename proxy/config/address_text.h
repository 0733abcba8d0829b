// "ip:port" text → Address, with a message that says what is wrong otherwise.
#pragma once

#include <string_view>

#include "common/address.h"
#include "config/parsed.h"

namespace warren::config {

enum class PortZero { Allowed, Rejected };

// Accepts exactly what Address::parse accepts ("10.0.0.5:5672", "[fd00::5]:5672");
// host names are refused with "host names are not supported yet".
Parsed<Address> parseAddressText(std::string_view text, PortZero port_zero);

}  // namespace warren::config
