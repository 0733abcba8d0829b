// TLS server names (SNI) as written in the config: "rabbit.example.com", "*.example.com".
#pragma once

#include <string>
#include <string_view>

#include "config/parsed.h"

namespace warren::config {

enum class Wildcard { Allowed, Rejected };

// A DNS host name: labels of letters, digits and '-' (not first or last in a label),
// 1..63 characters each, at most 253 in all, no trailing dot, not an IPv4 address.
// With Wildcard::Allowed, "*." followed by such a name (the wildcard is the whole first
// label). Returns the name lower-cased (SNI is compared case-insensitively).
Parsed<std::string> parseServerName(std::string_view text, Wildcard wildcard);

}  // namespace warren::config
