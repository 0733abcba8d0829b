#include "config/limits_summary.h"

namespace warren::config {
namespace {

std::string perSource(const Listener& l) {
  std::string out = "max_connections_per_source = " + std::to_string(l.max_connections_per_source);
  if (l.max_connections_per_source == 0) {
    return out + (l.accept_proxy && !l.sourceFromHeader() ? " (off: accept_proxy, every peer is the outer balancer)"
                                                           : " (off)");
  }
  return out + " (" + (l.sourceFromHeader() ? "by the PROXY header's source, " : "") + "IPv6 sources per /" +
         std::to_string(l.source_ipv6_prefix) + ")";
}

std::string rate(const Listener& l) {
  if (l.accept_rate == 0) return "accept_rate = 0 (off)";
  return "accept_rate = " + std::to_string(l.accept_rate) + "/s (burst " +
         std::to_string(l.accept_burst != 0 ? l.accept_burst : l.accept_rate) + ")";
}

}  // namespace

std::string describeLimits(const Config& config) {
  std::string out = "limits (0 = none):\n  global.max_connections = " +
                    std::to_string(config.global.max_connections) + "\n";
  for (const Listener& l : config.listeners) {
    out += "  listener \"" + l.name + "\": max_connections = " + std::to_string(l.max_connections) +
           (l.max_connections == 0 ? " (only the global limit)" : "") + ", " + perSource(l) + ", " + rate(l) + "\n";
  }
  return out;
}

}  // namespace warren::config
