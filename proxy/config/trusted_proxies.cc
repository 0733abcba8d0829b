#include "config/trusted_proxies.h"

#include "config/decode_util.h"
#include "config/message.h"

namespace warren::config {
namespace {

std::string prefixError(const std::string& text, const IpPrefixParse& parsed) {
  switch (parsed.error) {
    case IpPrefixError::NotAnAddress:
      return quote(text) + " is not an IP address or CIDR prefix (such as \"10.0.0.0/8\", \"127.0.0.1\" or "
                           "\"fd00::/8\")";
    case IpPrefixError::BadLength:
      return "invalid prefix length in " + quote(text) + ": expected 0.." + std::to_string(parsed.max_length);
    case IpPrefixError::HostBitsSet:
      return quote(text) + " has bits set after the prefix length: the network is " +
             quote(parsed.prefix->toString());
    case IpPrefixError::None: break;
  }
  return {};
}

}  // namespace

std::optional<std::vector<IpPrefix>> readTrustedProxies(TableReader& r, std::string_view key) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return std::nullopt;
  const toml::array* array = n->as_array();
  if (array == nullptr) {
    r.error(*n, key,
            "expected an array of addresses or CIDR prefixes such as [\"10.0.0.0/8\", \"::1\"], found " +
                typeName(*n));
    return std::nullopt;
  }
  std::vector<IpPrefix> prefixes;
  bool valid = true;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string element_key = indexed(key, i);
    if (!element.is_string()) {
      r.error(element, element_key, "expected a string, found " + typeName(element));
      valid = false;
      continue;
    }
    const std::string& text = element.as_string()->get();
    const IpPrefixParse parsed = IpPrefix::parse(text);
    if (!parsed) {
      r.error(element, element_key, prefixError(text, parsed));
      valid = false;
      continue;
    }
    r.record(element_key, element);
    prefixes.push_back(*parsed.prefix);
  }
  if (!valid) return std::nullopt;
  r.record(key, *n);
  return prefixes;
}

std::vector<ConfigError> untrustedProxyWarnings(const Config& config) {
  std::vector<ConfigError> out;
  for (const Listener& l : config.listeners) {
    if (!l.accept_proxy || !l.trusted_proxies.empty()) continue;
    const SourceRef& ref = l.accept_proxy_ref;
    out.push_back(ConfigError{config.source, ref.line, ref.column, ref.key,
                              "listener \"" + l.name +
                                  "\" takes a PROXY header from any peer: a client that connects directly can "
                                  "spoof its address (to the broker and in the access log); set trusted_proxies to the outer balancers' "
                                  "addresses"});
  }
  return out;
}

}  // namespace warren::config
