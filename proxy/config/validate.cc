#include "config/validate.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/duration.h"
#include "config/message.h"

namespace warren::config {
namespace {

constexpr SourcePos kDocumentStart{1, 1};

std::string indexed(const char* section, size_t i) {
  return std::string(section) + "[" + std::to_string(i) + "]";
}

// "at least one [[listener]] is required", at the empty array or the document start.
// Not when the key is there with an error of its own (`listener = 1`).
void requireSection(size_t count, const char* section, const SourceMap& sources,
                    ErrorList& errors) {
  if (count != 0 || errors.hasError(section)) return;
  errors.add(sources.find(section).value_or(kDocumentStart), section,
             std::string("at least one [[") + section + "]] is required");
}

// Reports every `key_of(i)` whose value `text_of(i)` an earlier item already has.
// Only items with that key in `sources` take part. O(n log n).
template <class KeyOf, class TextOf, class Message>
void checkUnique(size_t count, const SourceMap& sources, ErrorList& errors, KeyOf key_of,
                 TextOf text_of, Message message) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < count; ++i) {
    const std::string key = key_of(i);
    const auto pos = sources.find(key);
    if (!pos) continue;
    auto [it, inserted] = first.emplace(text_of(i), i);
    if (!inserted) errors.add(*pos, key, message(i, it->second));
  }
}

template <class Item>
void checkUniqueNames(const std::vector<Item>& items, const char* section, const SourceMap& sources,
                      ErrorList& errors) {
  checkUnique(
      items.size(), sources, errors, [&](size_t i) { return indexed(section, i) + ".name"; },
      [&](size_t i) { return items[i].name; },
      [&](size_t i, size_t first) {
        return std::string("duplicate ") + section + " name " + quote(items[i].name) +
               " (also used by " + indexed(section, first) + ")";
      });
}

// Each listener.cluster and listener.route.cluster names an existing [[cluster]].
void checkClusterReferences(const Config& config, const SourceMap& sources, ErrorList& errors) {
  // A cluster whose name is missing or wrong could be the one meant: say nothing then.
  if (config.clusters.empty()) return;
  std::set<std::string_view> known;
  std::vector<std::string_view> names;
  for (size_t k = 0; k < config.clusters.size(); ++k) {
    if (!sources.has(indexed("cluster", k) + ".name")) return;
    known.insert(config.clusters[k].name);
    names.emplace_back(config.clusters[k].name);
  }
  auto check = [&](const std::string& key, const std::string& wanted) {
    const auto pos = sources.find(key);
    if (!pos || known.count(wanted) != 0) return;
    errors.add(
        *pos, key,
        "no [[cluster]] is named " + quote(wanted) + didYouMean(wanted, names, HintStyle::Value));
  };
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    check(indexed("listener", i) + ".cluster", listener.cluster);
    for (size_t r = 0; r < listener.routes.size(); ++r) {
      check(indexed("listener", i) + "." + indexed("route", r) + ".cluster",
            listener.routes[r].cluster);
    }
  }
}

void checkListenerAddresses(const Config& config, const SourceMap& sources, ErrorList& errors) {
  const auto& listeners = config.listeners;
  // Port 0 asks the kernel for a free port: any number of those can coexist, so each
  // gets a key of its own.
  checkUnique(
      listeners.size(), sources, errors,
      [&](size_t i) { return indexed("listener", i) + ".address"; },
      [&](size_t i) {
        const Address& a = listeners[i].address;
        return a.port() == 0 ? "#" + std::to_string(i) : a.toString();
      },
      [&](size_t i, size_t first) {
        return "address " + listeners[i].address.toString() + " is already used by " +
               indexed("listener", first);
      });
}

std::string nodeText(const Node& node) {
  return node.host.empty() ? node.address.toString() : node.host + ":" + std::to_string(node.port);
}

void checkNodes(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const auto& nodes = config.clusters[c].nodes;
    const std::string cluster = indexed("cluster", c);
    checkUnique(
        nodes.size(), sources, errors,
        [&](size_t i) { return cluster + "." + indexed("node", i) + ".address"; },
        [&](size_t i) { return nodeText(nodes[i]); },
        [&](size_t i, size_t first) {
          return "duplicate node address " + nodeText(nodes[i]) + " (also " + cluster +
                 "." + indexed("node", first) + ")";
        });
  }
}

// idle_timeout is the plain idle timeout of protocol = "tcp"; an AMQP listener follows
// the negotiated heartbeat instead, so a value there would silently do nothing.
void checkIdlePolicy(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& l = config.listeners[i];
    const std::string key = "listener[" + std::to_string(i) + "].idle_timeout";
    if (l.protocol != ListenerProtocol::Amqp || l.idle_timeout.count() == 0 || errors.hasError(key)) continue;
    errors.add(sources.find(key).value_or(kDocumentStart), key,
               "idle_timeout applies to protocol = \"tcp\"; an AMQP listener follows the negotiated "
               "heartbeat: use heartbeat_multiplier and idle_timeout_without_heartbeat");
  }
}

// accept_burst sizes the accept_rate bucket: alone it would silently do nothing.
void checkAcceptBurst(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& l = config.listeners[i];
    const std::string key = "listener[" + std::to_string(i) + "].accept_burst";
    if (l.accept_burst == 0 || l.accept_rate != 0 || errors.hasError(key)) continue;
    errors.add(sources.find(key).value_or(kDocumentStart), key,
               "accept_burst needs accept_rate (connections per second) on the same listener");
  }
}

// trusted_proxies names who may send the PROXY header: without accept_proxy there is none.
void checkTrustedProxies(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const std::string key = "listener[" + std::to_string(i) + "].trusted_proxies";
    const auto pos = sources.find(key);
    if (!pos || config.listeners[i].accept_proxy) continue;
    errors.add(*pos, key,
               "trusted_proxies needs accept_proxy = true on the same listener: it names the peers that may "
               "send a PROXY header");
  }
}

void checkWatermarks(const Global& global, const SourceMap& sources, ErrorList& errors) {
  const std::string low_key = "global.buffer_low_watermark";
  const std::string high_key = "global.buffer_high_watermark";
  // A value with its own error plays no part; one left out keeps its default.
  if (errors.hasError(low_key) || errors.hasError(high_key)) return;
  if (global.buffer_low_watermark < global.buffer_high_watermark) return;
  // Report at the value that was written (the low one when both were).
  const bool low_written = sources.has(low_key);
  const std::string& key = low_written ? low_key : high_key;
  errors.add(sources.find(key).value_or(kDocumentStart), key,
             "buffer_low_watermark (" + formatSize(global.buffer_low_watermark) +
                 ") must be less than buffer_high_watermark (" +
                 formatSize(global.buffer_high_watermark) + ")");
}

// min_version <= max_version in the TLS table at `path` ("listener[0].tls").
void checkVersionOrder(TlsVersion min, TlsVersion max, const std::string& path,
                       const SourceMap& sources, ErrorList& errors) {
  const std::string min_key = path + ".min_version";
  const std::string max_key = path + ".max_version";
  if (errors.hasError(min_key) || errors.hasError(max_key)) return;
  if (min <= max) return;
  // Report at the value that was written (the min one when both were).
  const std::string& key = sources.has(min_key) ? min_key : max_key;
  errors.add(sources.find(key).value_or(kDocumentStart), key,
             std::string("min_version (") + toString(min) +
                 ") must not be greater than max_version (" + toString(max) + ")");
}

// client_auth other than "none" needs a client_ca to verify client certificates with.
void checkClientAuth(const ListenerTls& tls, const std::string& path, const SourceMap& sources,
                     ErrorList& errors) {
  const std::string auth_key = path + ".client_auth";
  const std::string ca_key = path + ".client_ca";
  const auto auth_pos = sources.find(auth_key);
  if (!auth_pos || tls.client_auth == ClientAuth::None) return;
  if (!tls.client_ca.empty() || errors.hasError(ca_key)) return;
  const std::string auth = quote(toString(tls.client_auth));
  if (const auto ca_pos = sources.find(ca_key)) {
    errors.add(*ca_pos, ca_key, "must not be empty when client_auth is " + auth);
  } else {
    errors.add(*auth_pos, auth_key,
               "client_auth " + auth +
                   " needs client_ca: the CA bundle (PEM) that client certificates must chain to");
  }
}

// Routes only on TLS listeners; strict_sni only with routes; every server name in one
// route of a listener only.
void checkRoutes(const Listener& listener, const std::string& path, const SourceMap& sources,
                 ErrorList& errors) {
  const std::string route_key = path + ".route";
  if (!listener.routes.empty() && !listener.tls.enabled && !errors.hasError(path + ".tls")) {
    if (const auto pos = sources.find(route_key)) {
      errors.add(*pos, route_key, "routes need TLS: SNI comes from the TLS handshake");
    }
  }
  const std::string strict_key = path + ".tls.strict_sni";
  if (listener.tls.enabled && listener.tls.strict_sni && listener.routes.empty() &&
      !errors.hasError(route_key)) {
    if (const auto pos = sources.find(strict_key)) {
      errors.add(*pos, strict_key,
                 "strict_sni = true needs at least one [[listener.route]]: without routes every "
                 "handshake would be refused");
    }
  }
  // Server name → the route and element it was first seen in. O(n log n).
  std::map<std::string_view, std::pair<size_t, size_t>> first;
  for (size_t r = 0; r < listener.routes.size(); ++r) {
    const std::string route = path + "." + indexed("route", r);
    const auto& names = listener.routes[r].server_names;
    for (size_t j = 0; j < names.size(); ++j) {
      const std::string key = route + "." + indexed("server_names", j);
      const auto pos = sources.find(key);
      if (!pos) continue;
      auto [it, inserted] = first.emplace(names[j], std::make_pair(r, j));
      if (inserted) continue;
      const auto [first_route, first_index] = it->second;
      if (first_route == r) {
        errors.add(*pos, key,
                   "duplicate server name " + quote(names[j]) + " (also " + route + "." +
                       indexed("server_names", first_index) + ")");
      } else {
        errors.add(*pos, key,
                   "server name " + quote(names[j]) + " is already used by " + path + "." +
                       indexed("route", first_route));
      }
    }
  }
}

void checkTls(const Config& config, const SourceMap& sources, ErrorList& errors) {
  for (size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    const std::string path = indexed("listener", i);
    if (listener.tls.enabled) {
      checkVersionOrder(listener.tls.min_version, listener.tls.max_version, path + ".tls",
                        sources, errors);
      checkClientAuth(listener.tls, path + ".tls", sources, errors);
    }
    checkRoutes(listener, path, sources, errors);
  }
  for (size_t c = 0; c < config.clusters.size(); ++c) {
    const ClusterTls& tls = config.clusters[c].tls;
    if (tls.enabled) {
      checkVersionOrder(tls.min_version, tls.max_version, indexed("cluster", c) + ".tls", sources,
                        errors);
    }
  }
}

}  // namespace

void validateConfig(const Config& config, const SourceMap& sources, ErrorList& errors) {
  requireSection(config.listeners.size(), "listener", sources, errors);
  requireSection(config.clusters.size(), "cluster", sources, errors);
  checkUniqueNames(config.listeners, "listener", sources, errors);
  checkUniqueNames(config.clusters, "cluster", sources, errors);
  checkClusterReferences(config, sources, errors);
  checkListenerAddresses(config, sources, errors);
  checkNodes(config, sources, errors);
  checkWatermarks(config.global, sources, errors);
  checkIdlePolicy(config, sources, errors);
  checkAcceptBurst(config, sources, errors);
  checkTrustedProxies(config, sources, errors);
  checkTls(config, sources, errors);
}

}  // namespace warren::config
