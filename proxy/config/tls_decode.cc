#include "config/tls_decode.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>

#include "common/ascii.h"
#include "config/decode_util.h"
#include "config/duration.h"
#include "config/message.h"
#include "config/paths.h"
#include "config/server_name.h"

namespace warren::config {
namespace {

constexpr std::array kVersions{TlsVersion::Tls10, TlsVersion::Tls11, TlsVersion::Tls12,
                               TlsVersion::Tls13};
constexpr std::array<std::string_view, 4> kCurves{"X25519", "P-256", "P-384", "P-521"};
// OpenSSL / SEC 2 spellings of the NIST curves, for the "did you mean" hint.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kCurveAliases{{
    {"prime256v1", "P-256"},
    {"secp256r1", "P-256"},
    {"secp384r1", "P-384"},
    {"secp521r1", "P-521"},
}};

// Keys of a certificate table, for the hint when they are written one level up.
const std::vector<std::string> kCertificateKeys{"cert", "key"};

using ascii::lower;

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> readPath(TableReader& r, std::string_view key, Need need,
                                    EmptyPath empty, const DecodeContext& context,
                                    SourceRef& ref) {
  const toml::node* n = r.node(key, need);
  if (n == nullptr) return std::nullopt;
  const SourcePos pos = positionOf(*n);
  ref = SourceRef{pos.line, pos.column, r.keyPath(key)};
  if (!n->is_string()) {
    r.error(*n, key, "expected a string, found " + typeName(*n));
    return std::nullopt;
  }
  const std::string& text = n->as_string()->get();
  if (text.empty()) {
    if (empty == EmptyPath::Refused) {
      r.error(*n, key, "must not be empty");
      return std::nullopt;
    }
    r.record(key, *n);
    return std::string();
  }
  if (text.find('\0') != std::string::npos) {
    r.error(*n, key, "invalid path " + quote(text, kMaxShownPath) + ": contains a NUL character");
    return std::nullopt;
  }
  std::string path = resolvePath(context.base_dir, text);
  if (const std::string why = whyUnreadable(path); !why.empty()) {
    r.error(*n, key, cannotReadMessage(path, why));
    return std::nullopt;
  }
  r.record(key, *n);
  return path;
}

namespace {

// "1.2" for the floating-point number 1.2 when that is a version, else "".
std::string versionForNumber(double number) {
  for (TlsVersion version : kVersions) {
    const std::string_view name = toString(version);
    const double value = 1.0 + (name.back() - '0') / 10.0;
    if (std::fabs(number - value) < 1e-9) return std::string(name);
  }
  return "";
}

// "TLSv1.2", "tls1.2", "TLS 1.2" → "1.2"; "" when `text` is no such spelling.
std::string versionForAlias(std::string_view text) {
  for (std::string_view prefix : {"tlsv", "tls ", "tls_", "tls"}) {
    if (text.size() > prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix)) {
      const std::string_view rest = text.substr(prefix.size());
      for (TlsVersion version : kVersions) {
        if (rest == toString(version)) return std::string(rest);
      }
    }
  }
  return "";
}

// "1.0" | "1.1" | "1.2" | "1.3". No spelling hint for near misses: "1.4" is not a typo
// of "1.0".
std::optional<TlsVersion> readVersion(TableReader& r, std::string_view key) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return std::nullopt;
  const std::string list = "1.0, 1.1, 1.2, 1.3";
  if (!n->is_string()) {
    std::string message = "expected a string (one of " + list + "), found " + typeName(*n);
    if (n->is_floating_point()) {
      if (std::string version = versionForNumber(n->as_floating_point()->get());
          !version.empty()) {
        message += " (did you mean " + quote(version) + "?)";
      }
    }
    r.error(*n, key, std::move(message));
    return std::nullopt;
  }
  const std::string& value = n->as_string()->get();
  for (TlsVersion version : kVersions) {
    if (value == toString(version)) {
      r.record(key, *n);
      return version;
    }
  }
  std::string hint;
  if (std::string version = versionForAlias(value); !version.empty()) {
    hint = " (did you mean " + quote(version) + "?)";
  }
  r.error(*n, key, "unknown value " + quote(value) + hint + "; expected one of " + list);
  return std::nullopt;
}

std::string curveHint(std::string_view name) {
  for (const auto& [alias, curve] : kCurveAliases) {
    if (equalsIgnoreCase(name, alias)) return " (did you mean " + quote(curve) + "?)";
  }
  return didYouMean(name, std::vector<std::string_view>(kCurves.begin(), kCurves.end()),
                    HintStyle::Value);
}

// A non-empty array of distinct curve names. Each element that is wrong is reported.
std::optional<std::vector<std::string>> readCurves(TableReader& r, std::string_view key) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return std::nullopt;
  const toml::array* array = n->as_array();
  if (array == nullptr) {
    r.error(*n, key,
            "expected an array of strings such as [\"X25519\", \"P-256\"], found " + typeName(*n));
    return std::nullopt;
  }
  if (array->empty()) {
    r.error(*n, key, "at least one curve is required");
    return std::nullopt;
  }
  std::vector<std::string> curves;
  std::map<std::string, size_t, std::less<>> first;
  bool valid = true;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string element_key = indexed(key, i);
    if (!element.is_string()) {
      r.error(element, element_key, "expected a string, found " + typeName(element));
      valid = false;
      continue;
    }
    const std::string& name = element.as_string()->get();
    if (std::find(kCurves.begin(), kCurves.end(), name) == kCurves.end()) {
      r.error(element, element_key,
              "unknown curve " + quote(name) + curveHint(name) +
                  "; expected one of X25519, P-256, P-384, P-521");
      valid = false;
      continue;
    }
    if (auto [it, inserted] = first.emplace(name, i); !inserted) {
      r.error(element, element_key,
              "duplicate curve " + quote(name) + " (also " + indexed(key, it->second) + ")");
      valid = false;
      continue;
    }
    r.record(element_key, element);
    curves.push_back(name);
  }
  if (!valid) return std::nullopt;
  r.record(key, *n);
  return curves;
}

// A non-empty array of server names, lower-cased. The result has one entry per
// element (so that indices match the key paths); an element that is wrong is reported
// and left empty. Duplicates are found in validate.cc, across the routes of a listener.
std::optional<std::vector<std::string>> readServerNames(TableReader& r, std::string_view key) {
  const toml::node* n = r.node(key, Need::Required);
  if (n == nullptr) return std::nullopt;
  const toml::array* array = n->as_array();
  if (array == nullptr) {
    r.error(*n, key,
            "expected an array of strings such as [\"rabbit.example.com\"], found " +
                typeName(*n));
    return std::nullopt;
  }
  if (array->empty()) {
    r.error(*n, key, "at least one server name is required");
    return std::nullopt;
  }
  std::vector<std::string> names(array->size());
  bool valid = true;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string element_key = indexed(key, i);
    if (!element.is_string()) {
      r.error(element, element_key, "expected a string, found " + typeName(element));
      valid = false;
      continue;
    }
    auto parsed = parseServerName(element.as_string()->get(), Wildcard::Allowed);
    if (!parsed) {
      r.error(element, element_key, parsed.error);
      valid = false;
      continue;
    }
    r.record(element_key, element);
    names[i] = std::move(*parsed.value);
  }
  if (valid) r.record(key, *n);
  return names;
}

// An optional server name without wildcard; "" = none.
std::optional<std::string> readOptionalServerName(TableReader& r, std::string_view key) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    r.error(*n, key, "expected a string, found " + typeName(*n));
    return std::nullopt;
  }
  const std::string& text = n->as_string()->get();
  if (text.empty()) {
    r.record(key, *n);
    return std::string();
  }
  auto parsed = parseServerName(text, Wildcard::Rejected);
  if (!parsed) {
    r.error(*n, key, parsed.error);
    return std::nullopt;
  }
  r.record(key, *n);
  return parsed.value;
}

void decodeCertificate(TableReader& r, CertificateFiles& files, const DecodeContext& context) {
  assign(files.cert,
         readPath(r, "cert", Need::Required, EmptyPath::Refused, context, files.cert_ref));
  assign(files.key, readPath(r, "key", Need::Required, EmptyPath::Refused, context, files.key_ref));
  r.finish();
}

// `certificate` as an array of { cert, key } tables. `header` is the [[...]] form of
// the elements ("[[listener.tls.certificate]]"); `owner` names the table that holds
// the array, for the hint on keys that land in a certificate table by mistake
// ("[listener.tls]"). Call after the owner's other keys were read: those are the hints.
std::vector<CertificateFiles> readCertificateSet(TableReader& r, Need need,
                                                 std::string_view header, std::string_view owner,
                                                 const DecodeContext& context) {
  const std::string key = "certificate";
  const std::string at_least_one = "at least one certificate is required";
  const toml::node* present = r.node(key);
  if (present == nullptr) {
    if (need == Need::Required) context.errors.add(r.position(), r.keyPath(key), at_least_one);
    return {};
  }
  const toml::array* array =
      r.readArray(key, "an array of tables (" + std::string(header) +
                           " or certificate = [{ cert = \"...\", key = \"...\" }])");
  if (array == nullptr) return {};
  if (array->empty()) {
    r.error(*array, key,
            need == Need::Required
                ? at_least_one
                : at_least_one + " (leave certificate out to use the listener's certificates)");
    return {};
  }
  std::vector<CertificateFiles> certificates(array->size());
  forEachTable(r, *array, key, [&](size_t i, const toml::table& table) {
    TableReader c(table, r.keyPath(indexed(key, i)), context.errors, context.sources);
    c.addMisplacedHint(r.knownKeys(), std::string(owner) + "; keys after a " + std::string(header) +
                                          " header go into that certificate");
    decodeCertificate(c, certificates[i], context);
  });
  return certificates;
}

void decodeListenerTlsTable(TableReader& r, ListenerTls& tls, const DecodeContext& context) {
  tls.enabled = true;
  tls.ref = refOf(r);
  assign(tls.min_version, readVersion(r, "min_version"));
  assign(tls.max_version, readVersion(r, "max_version"));
  assign(tls.ciphers, r.readString("ciphers"));
  assign(tls.curves, readCurves(r, "curves"));
  assign(tls.session_tickets, r.readBool("session_tickets"));
  assign(tls.ticket_key_rotation, r.readDuration("ticket_key_rotation", kNonZero, kMaxDuration));
  assign(tls.handshake_timeout, r.readDuration("handshake_timeout", kNonZero, kMaxDuration));
  assign(tls.strict_sni, r.readBool("strict_sni"));
  assign(tls.client_ca, readPath(r, "client_ca", Need::Optional, EmptyPath::MeansNone, context,
                                 tls.client_ca_ref));
  assign(tls.client_auth,
         readEnum(r, "client_auth",
                  std::array{ClientAuth::None, ClientAuth::Optional, ClientAuth::Required}));
  // Last, so that every other key is a known key when the certificate tables are read.
  tls.certificates = readCertificateSet(r, Need::Required, "[[listener.tls.certificate]]",
                                        "[listener.tls]", context);
  r.finish();
}

void decodeRouteTable(TableReader& r, Route& route, const DecodeContext& context) {
  route.ref = refOf(r);
  assign(route.server_names, readServerNames(r, "server_names"));
  assign(route.cluster, r.readString("cluster", Need::Required));
  route.certificates = readCertificateSet(r, Need::Optional, "[[listener.route.certificate]]",
                                          "[[listener.route]]", context);
  r.finish();
}

void decodeClusterTlsTable(TableReader& r, ClusterTls& tls, const DecodeContext& context) {
  tls.enabled = true;
  tls.ref = refOf(r);
  assign(tls.ca, readPath(r, "ca", Need::Optional, EmptyPath::MeansNone, context, tls.ca_ref));
  assign(tls.verify, r.readBool("verify"));
  assign(tls.server_name, readOptionalServerName(r, "server_name"));
  assign(tls.min_version, readVersion(r, "min_version"));
  assign(tls.max_version, readVersion(r, "max_version"));
  // Last, like the listener's certificates. One table: a client has one certificate.
  if (const toml::node* n = r.node("certificate")) {
    if (const toml::table* table = n->as_table()) {
      TableReader c(*table, r.keyPath("certificate"), context.errors, context.sources);
      c.addMisplacedHint(r.knownKeys(),
                         "[cluster.tls]; keys after the [cluster.tls.certificate] header go into "
                         "[cluster.tls.certificate]");
      CertificateFiles files;
      decodeCertificate(c, files, context);
      tls.client_certificate = std::move(files);
      r.record("certificate", *n);
    } else {
      r.error(*n, "certificate",
              "expected a table ([cluster.tls.certificate] or certificate = { cert = \"...\", "
              "key = \"...\" }), found " +
                  typeName(*n));
    }
  }
  r.finish();
}

template <class Model, class Decode>
std::vector<std::string> keysOfTable(Decode decode) {
  return keysOf<Model>([&](TableReader& r, Model& model, ErrorList& errors, SourceMap& sources) {
    decode(r, model, DecodeContext{"", errors, sources});
  });
}

const std::vector<std::string>& listenerTlsKeys() {
  static const auto keys = keysOfTable<ListenerTls>(decodeListenerTlsTable);
  return keys;
}

const std::vector<std::string>& routeKeys() {
  static const auto keys = keysOfTable<Route>(decodeRouteTable);
  return keys;
}

const std::vector<std::string>& clusterTlsKeys() {
  static const auto keys = keysOfTable<ClusterTls>(decodeClusterTlsTable);
  return keys;
}

}  // namespace

void decodeListenerTlsOf(TableReader& listener, ListenerTls& tls, const DecodeContext& context) {
  listener.addMisplacedHint(listenerTlsKeys(), "[listener.tls]");
  listener.addMisplacedHint(kCertificateKeys, "[[listener.tls.certificate]]");
  const toml::table* table = listener.readTable("tls");
  if (table == nullptr) return;
  TableReader r(*table, listener.keyPath("tls"), context.errors, context.sources);
  // Only the keys read before this point (and `route`, read next): those are the ones a
  // slip can move here.
  std::vector<std::string> listener_keys = listener.knownKeys();
  listener_keys.emplace_back("route");
  r.addMisplacedHint(listener_keys,
                     "[[listener]]; keys after the [listener.tls] header go into [listener.tls]");
  r.addMisplacedHint(routeKeys(), "[[listener.route]]");
  r.addMisplacedHint(kCertificateKeys, "[[listener.tls.certificate]]");
  decodeListenerTlsTable(r, tls, context);
}

void decodeRoutesOf(TableReader& listener, std::vector<Route>& routes,
                    const DecodeContext& context) {
  listener.addMisplacedHint(routeKeys(), "[[listener.route]]");
  const toml::array* array =
      listener.readArray("route", "an array of tables ([[listener.route]] or route = [{ ... }])");
  if (array == nullptr) return;
  routes.resize(array->size());
  forEachTable(listener, *array, "route", [&](size_t i, const toml::table& table) {
    TableReader r(table, listener.keyPath(indexed("route", i)), context.errors, context.sources);
    r.addMisplacedHint(listener.knownKeys(),
                       "[[listener]]; keys after a [[listener.route]] header go into that route");
    r.addMisplacedHint(listenerTlsKeys(), "[listener.tls]");
    r.addMisplacedHint(kCertificateKeys, "[[listener.route.certificate]]");
    decodeRouteTable(r, routes[i], context);
  });
}

void decodeClusterTlsOf(TableReader& cluster, ClusterTls& tls, const DecodeContext& context) {
  cluster.addMisplacedHint(clusterTlsKeys(), "[cluster.tls]");
  cluster.addMisplacedHint(kCertificateKeys, "[cluster.tls.certificate]");
  const toml::table* table = cluster.readTable("tls");
  if (table == nullptr) return;
  TableReader r(*table, cluster.keyPath("tls"), context.errors, context.sources);
  std::vector<std::string> cluster_keys = cluster.knownKeys();
  cluster_keys.emplace_back("node");  // read next
  r.addMisplacedHint(cluster_keys,
                     "[[cluster]]; keys after the [cluster.tls] header go into [cluster.tls]");
  r.addMisplacedHint(kCertificateKeys, "[cluster.tls.certificate]");
  decodeClusterTlsTable(r, tls, context);
}

}  // namespace warren::config
