#include "config/address_text.h"

#include <algorithm>
#include <charconv>

#include "config/message.h"

namespace warren::config {
namespace {

const char* const kExample = "expected \"ip:port\" such as \"10.0.0.5:5672\" or \"[fd00::5]:5672\"";

bool looksLikeHostName(std::string_view host) {
  bool letter = false;
  for (char c : host) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    letter = letter || alpha;
    if (!alpha && !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '_') return false;
  }
  return letter;
}

}  // namespace

Parsed<Endpoint> parseEndpointText(std::string_view text, PortZero port_zero, HostNames host_names) {
  using R = Parsed<Endpoint>;
  const std::string shown = quote(text);
  if (text.empty()) return R::fail(std::string("empty address: ") + kExample);

  std::string_view host;
  std::string_view port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return R::fail("missing ']' in address " + shown);
    host = text.substr(1, close - 1);
    if (close + 1 == text.size()) {
      return R::fail("missing port in address " + shown + ": " + kExample);
    }
    if (text[close + 1] != ':') return R::fail("invalid address " + shown + ": " + kExample);
    port_text = text.substr(close + 2);
  } else {
    const auto colons = std::count(text.begin(), text.end(), ':');
    if (colons == 0) return R::fail("missing port in address " + shown + ": " + kExample);
    if (colons > 1) {
      return R::fail("IPv6 address " + shown +
                     " must be written in brackets with a port, such as \"[::1]:5672\"");
    }
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return R::fail("missing host in address " + shown + ": " + kExample);

  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || port_text.size() > 5 || ec != std::errc() ||
      ptr != port_text.data() + port_text.size() || port > 65535) {
    return R::fail("invalid port " + quote(port_text) + " in address " + shown +
                   " (expected 0..65535)");
  }
  if (port == 0 && port_zero == PortZero::Rejected) {
    return R::fail("port 0 is not allowed in address " + shown);
  }
  if (text.front() != '[' && looksLikeHostName(host)) {
    if (host_names == HostNames::Rejected) {
      return R::fail("a listener address must be an IP address: use \"0.0.0.0\", \"127.0.0.1\" or an "
                     "interface address instead of " +
                     quote(host));
    }
    if (host.front() == '.' || host.front() == '-' || host.back() == '-' || host.find("..") != std::string_view::npos ||
        host.size() > 253) {
      return R::fail(quote(host) + " is not a valid host name");
    }
    return R::ok(Endpoint{std::string(host), static_cast<uint16_t>(port), std::nullopt});
  }
  if (text.front() == '[' && host.find(':') == std::string_view::npos) {
    return R::fail("only IPv6 addresses are written in brackets: " + shown);
  }
  auto address = Address::parse(text);
  if (!address) return R::fail(quote(host) + " is not a valid IP address");
  return R::ok(Endpoint{"", static_cast<uint16_t>(port), *address});
}

Parsed<Address> parseAddressText(std::string_view text, PortZero port_zero) {
  auto endpoint = parseEndpointText(text, port_zero, HostNames::Rejected);
  if (!endpoint) return Parsed<Address>::fail(endpoint.error);
  return Parsed<Address>::ok(*endpoint.value->literal);
}

}  // namespace warren::config
