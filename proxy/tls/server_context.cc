#include "tls/server_context.h"

#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/nid.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <utility>

#include "tls/build_report.h"
#include "tls/context_base.h"
#include "tls/certificate_loader.h"
#include "tls/certificate_selector.h"
#include "tls/client_hello_parser.h"
#include "tls/peer_verifier.h"
#include "tls/server_name_router.h"
#include "tls/session_binding.h"
#include "tls/ticket_keys.h"
#include "tls/tls_names.h"

namespace warren::tls {

struct ServerContext::State {
  config::Listener listener;
  ServerNameRouter router;
  CertificateSet default_set;
  std::vector<CertificateSet> route_sets;  // per route; both null = the default set
  std::vector<uint16_t> ecdsa_suites;      // the listener's TLS 1.2 ECDSA suites
  uint16_t max_version = TLS1_3_VERSION;
  bool strict_sni = false;
  bssl::UniquePtr<X509_STORE> client_ca;  // set when client_auth != none
  std::chrono::seconds ticket_rotation{3600};
  std::string ticket_label;
  std::function<std::chrono::system_clock::time_point()> clock;
};

namespace {

using State = ServerContext::State;

// TLS 1.3 tickets may not promise more than 7 days (RFC 8446 §4.6.1).
constexpr uint32_t kMaxTicketLifetime = 7 * 24 * 3600;

void freeState(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*index*/, long /*argl*/,
               void* /*argp*/) {
  delete static_cast<State*>(ptr);
}

int stateIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, freeState);
  return index;
}

const State* stateOf(const SSL* ssl) {
  return static_cast<const State*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), stateIndex()));
}

std::chrono::system_clock::time_point now(const State& state) {
  return state.clock ? state.clock() : std::chrono::system_clock::now();
}

std::span<const uint8_t> extension(const SSL_CLIENT_HELLO* hello, uint16_t type, bool& present) {
  const uint8_t* data = nullptr;
  size_t length = 0;
  present = SSL_early_callback_ctx_extension_get(hello, type, &data, &length) == 1;
  return present ? std::span<const uint8_t>(data, length) : std::span<const uint8_t>();
}

// The ClientHello callback: records the offer, routes by SNI, serves the certificate.
ssl_select_cert_result_t selectCertificate(const SSL_CLIENT_HELLO* hello) {
  SSL* ssl = hello->ssl;
  const State* state = stateOf(ssl);
  HandshakeInfo* info = handshakeInfo(ssl);
  if (info == nullptr) info = attachHandshakeInfo(ssl);  // an SSL not made by newSsl()
  if (state == nullptr || info == nullptr) return ssl_select_cert_error;

  info->hello_seen = true;
  bool has_versions = false, has_sigalgs = false, has_sni = false;
  info->offered_versions =
      parseSupportedVersionsExtension(extension(hello, kExtensionSupportedVersions, has_versions));
  if (info->offered_versions.empty()) {
    has_versions = false;
    if (!isGrease(hello->version)) info->offered_versions.push_back(hello->version);
  }
  info->offered_ciphers =
      parseUint16List(std::span<const uint8_t>(hello->cipher_suites, hello->cipher_suites_len));
  const std::vector<uint16_t> sigalgs =
      parseSignatureAlgorithmsExtension(extension(hello, kExtensionSignatureAlgorithms, has_sigalgs));
  info->sni = parseServerNameExtension(extension(hello, kExtensionServerName, has_sni));

  const ServerNameRouter::Match match = state->router.match(info->sni);
  info->route = match.route;
  info->unknown_sni = !info->sni.empty() && match.route < 0;
  if (state->strict_sni && (info->sni.empty() || info->unknown_sni)) {
    // Refused by the servername callback, which runs next and can choose the alert.
    return ssl_select_cert_success;
  }

  const CertificateSet* set = &state->default_set;
  if (match.route >= 0 && static_cast<size_t>(match.route) < state->route_sets.size()) {
    const CertificateSet& own = state->route_sets[static_cast<size_t>(match.route)];
    if (own.ecdsa || own.rsa) set = &own;
  }
  HelloCapabilities capabilities;
  capabilities.has_supported_versions = has_versions;
  capabilities.versions = info->offered_versions;
  capabilities.ciphers = info->offered_ciphers;
  capabilities.has_signature_algorithms = has_sigalgs;
  capabilities.signature_algorithms = sigalgs;
  const LoadedCertificate* certificate =
      chooseCertificate(*set, capabilities, state->max_version, state->ecdsa_suites);
  if (certificate == nullptr ||
      !SSL_set_chain_and_key(ssl, certificate->chain_view.data(), certificate->chain_view.size(),
                             certificate->key.get(), nullptr)) {
    return ssl_select_cert_error;
  }
  info->certificate = certificate->type;
  return ssl_select_cert_success;
}

// Runs after the ClientHello callback; refuses no/unknown SNI with unrecognized_name when
// strict_sni is set.
int serverNameCallback(SSL* ssl, int* out_alert, void* /*arg*/) {
  const State* state = stateOf(ssl);
  HandshakeInfo* info = handshakeInfo(ssl);
  if (state != nullptr && info != nullptr && state->strict_sni &&
      (info->sni.empty() || info->unknown_sni)) {
    info->sni_rejected = true;
    *out_alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

void infoCallback(const SSL* ssl, int type, int value) {
  HandshakeInfo* info = handshakeInfo(ssl);
  if (info == nullptr) return;
  if ((type & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT && SSL_in_init(ssl)) {
    const auto alert = static_cast<uint8_t>(value & 0xFF);
    if (alert != SSL_AD_CLOSE_NOTIFY && info->client_alert == 0) info->client_alert = alert;
  }
  if ((type & SSL_CB_HANDSHAKE_DONE) != 0) {
    // Only a failed handshake's diagnosis needs the offer: release it.
    std::vector<uint16_t>().swap(info->offered_versions);
    std::vector<uint16_t>().swap(info->offered_ciphers);
  }
}

int ticketCallback(SSL* ssl, uint8_t* key_name, uint8_t* iv, EVP_CIPHER_CTX* cipher,
                   HMAC_CTX* hmac, int encrypt) {
  const State* state = stateOf(ssl);
  if (state == nullptr) return encrypt ? -1 : 0;
  return ticketKeyCallback(ticketEpoch(now(*state), state->ticket_rotation), state->ticket_label,
                           key_name, iv, cipher, hmac, encrypt);
}

ssl_verify_result_t verifyClientCertificate(SSL* ssl, uint8_t* out_alert) {
  const State* state = stateOf(ssl);
  const int result = verifyPeerChain(ssl, state != nullptr ? state->client_ca.get() : nullptr,
                                     PeerRole::Client, std::string());
  if (HandshakeInfo* info = handshakeInfo(ssl)) {
    info->client_cert_presented = true;
    info->verify_error = result;
  }
  if (result == X509_V_OK) return ssl_verify_ok;
  *out_alert = alertForVerifyError(result);
  return ssl_verify_invalid;
}

const char* typeName(KeyType type) { return type == KeyType::Ecdsa ? "ECDSA" : "RSA"; }

// Loads a certificate set; files already loaded for another set are shared.
class SetLoader {
 public:
  SetLoader(BuildReport& report, time_t now) : report_(report), now_(now) {}

  CertificateSet load(const std::vector<config::CertificateFiles>& files) {
    CertificateSet set;
    for (const auto& entry : files) {
      auto key = std::make_pair(entry.cert, entry.key);
      auto it = cache_.find(key);
      std::shared_ptr<const LoadedCertificate> loaded =
          it != cache_.end() ? it->second : loadCertificate(entry, report_, now_);
      if (it == cache_.end()) cache_.emplace(std::move(key), loaded);
      if (!loaded) continue;
      auto& slot = loaded->type == KeyType::Ecdsa ? set.ecdsa : set.rsa;
      if (slot) {
        report_.error(entry.cert_ref, std::string("a second ") + typeName(loaded->type) +
                                          " certificate in the same set (" + slot->cert_path +
                                          " is already there): give at most one ECDSA and one "
                                          "RSA certificate");
        continue;
      }
      slot = std::move(loaded);
    }
    return set;
  }

 private:
  BuildReport& report_;
  time_t now_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const LoadedCertificate>> cache_;
};

// Warns about a route name that a certificate served for it does not cover.
void checkCoverage(const config::Route& route, const CertificateSet& set, BuildReport& report) {
  for (const auto* certificate : {set.ecdsa.get(), set.rsa.get()}) {
    if (certificate == nullptr) continue;
    bssl::UniquePtr<X509> leaf(X509_parse_from_buffer(certificate->chain.front().get()));
    if (!leaf) continue;
    for (const std::string& name : route.server_names) {
      if (!ServerNameRouter::isValidPattern(name)) continue;
      // A wildcard pattern is checked with a stand-in first label.
      const std::string probe = name.starts_with("*.") ? "warren-check" + name.substr(1) : name;
      if (X509_check_host(leaf.get(), probe.data(), probe.size(), 0, nullptr) != 1) {
        report.warning(route.ref,
                       "server name " + name + " is not covered by the certificate served for it (" +
                           certificate->cert_path + ", " + certificate->subject + ")",
                       ".server_names");
      }
    }
  }
  ERR_clear_error();
}

// Why a cipher list was refused: the names that match nothing, else BoringSSL's reason.
std::string cipherListProblem(const std::string& list) {
  const std::string reason = takeSslErrorText("no cipher matched");
  bssl::UniquePtr<SSL_CTX> scratch(SSL_CTX_new(TLS_with_buffers_method()));
  std::string unknown;
  size_t start = 0;
  while (scratch && start <= list.size()) {
    size_t end = list.find_first_of(":, ", start);
    if (end == std::string::npos) end = list.size();
    const std::string item = list.substr(start, end - start);
    start = end + 1;
    // Operators (!x, -x, +x, @STRENGTH) only make sense within a list.
    if (item.empty() || std::string("!-+@").find(item[0]) != std::string::npos) continue;
    if (!SSL_CTX_set_strict_cipher_list(scratch.get(), item.c_str())) {
      unknown += unknown.empty() ? item : ", " + item;
    }
  }
  ERR_clear_error();
  return unknown.empty() ? reason : "unknown cipher " + unknown;
}

bool setCurves(SSL_CTX* ctx, const config::ListenerTls& tls, BuildReport& report) {
  if (tls.curves.empty()) {
    report.error(tls.ref, "at least one curve is needed (X25519, P-256, P-384, P-521)", ".curves");
    return false;
  }
  std::string list;
  bool ok = true;
  for (const std::string& curve : tls.curves) {
    if (curve.empty() || curve.find(':') != std::string::npos ||
        !SSL_CTX_set1_curves_list(ctx, curve.c_str())) {
      report.error(tls.ref, "unknown curve \"" + curve + "\" (use X25519, P-256, P-384, P-521)",
                   ".curves");
      ok = false;
    }
    if (!list.empty()) list += ':';
    list += curve;
  }
  ERR_clear_error();
  return ok && SSL_CTX_set1_curves_list(ctx, list.c_str());
}

}  // namespace

ServerContext::ServerContext(bssl::UniquePtr<SSL_CTX> ctx, const State* state)
    : ctx_(std::move(ctx)), state_(state) {}

ServerContext::~ServerContext() = default;

ServerContext::BuildResult ServerContext::build(const config::Listener& listener,
                                                const std::string& config_file,
                                                const ServerContextOptions& options) {
  BuildReport report(config_file);
  const config::ListenerTls& tls = listener.tls;
  auto state = std::make_unique<State>();
  state->listener = listener;
  state->clock = options.clock;
  state->strict_sni = tls.strict_sni;
  const time_t build_time = std::chrono::system_clock::to_time_t(now(*state));

  if (!tls.enabled) report.error(listener.ref, "listener has no [listener.tls] table", ".tls");

  // Certificates: the default set and each route's own.
  SetLoader loader(report, build_time);
  if (tls.certificates.empty()) {
    report.error(tls.ref, "a TLS listener needs at least one certificate", ".certificate");
  }
  state->default_set = loader.load(tls.certificates);
  for (const config::Route& route : listener.routes) {
    state->route_sets.push_back(loader.load(route.certificates));
  }
  state->router = ServerNameRouter::build(listener.routes, report);

  bssl::UniquePtr<SSL_CTX> ctx = newContext(report, tls.ref, tls.min_version, tls.max_version);
  if (!ctx) return std::move(report.errors());
  state->max_version = protocolVersion(tls.max_version);

  // TLS 1.2 ciphers (server preference) and curves.
  if (!tls.ciphers.empty() && !SSL_CTX_set_strict_cipher_list(ctx.get(), tls.ciphers.c_str())) {
    report.error(tls.ref, "invalid cipher list \"" + tls.ciphers + "\": " + cipherListProblem(tls.ciphers),
                 ".ciphers");
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  setCurves(ctx.get(), tls, report);
  bool rsa_suite = false;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  for (size_t i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    if (SSL_CIPHER_get_auth_nid(cipher) == NID_auth_ecdsa) {
      state->ecdsa_suites.push_back(SSL_CIPHER_get_protocol_id(cipher));
    } else if (SSL_CIPHER_get_auth_nid(cipher) == NID_auth_rsa) {
      rsa_suite = true;
    }
  }
  if (tls.min_version <= config::TlsVersion::Tls12 && !tls.ciphers.empty()) {
    const bool has_ecdsa = state->default_set.ecdsa != nullptr;
    const bool has_rsa = state->default_set.rsa != nullptr;
    if ((has_ecdsa || has_rsa) && !(has_ecdsa && !state->ecdsa_suites.empty()) &&
        !(has_rsa && rsa_suite)) {
      report.warning(tls.ref,
                     "no cipher in \"" + tls.ciphers +
                         "\" works with the listener's certificate type: TLS 1.2 clients will fail",
                     ".ciphers");
    }
  }

  // Client certificates (before the sessions: their CA set is part of what sessions are bound to).
  std::array<uint8_t, 32> ca_fingerprint{};
  if (tls.client_auth != config::ClientAuth::None) {
    if (tls.client_ca.empty()) {
      report.error(tls.ref,
                   std::string("client_auth = ") +
                       (tls.client_auth == config::ClientAuth::Required ? "required" : "optional") +
                       " needs client_ca (a PEM bundle of the CAs that issue client certificates)",
                   ".client_ca");
    } else if (auto bundle = loadCaBundle(tls.client_ca, tls.client_ca_ref, report)) {
      state->client_ca = std::move(bundle->store);
      ca_fingerprint = bundle->fingerprint;
      SSL_CTX_set0_client_CAs(ctx.get(), newNameStack(bundle->names));
      const int mode = SSL_VERIFY_PEER | (tls.client_auth == config::ClientAuth::Required
                                              ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                              : 0);
      SSL_CTX_set_custom_verify(ctx.get(), mode, verifyClientCertificate);
    }
  } else if (!tls.client_ca.empty()) {
    report.warning(tls.client_ca_ref,
                   "client_ca is not used: client_auth is \"none\" (set \"optional\" or \"required\")");
  }

  // Sessions: stateless tickets only, never a server-side cache; not shared across listeners
  // nor across client-verification policies (session_binding.h).
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  const SessionBinding binding = bindSessions(listener.name, clientAuthPolicy(tls.client_auth, ca_fingerprint));
  SSL_CTX_set_session_id_context(ctx.get(), binding.id_context.data(), binding.id_context.size());
  if (tls.session_tickets) {
    const auto rotation = std::chrono::duration_cast<std::chrono::seconds>(tls.ticket_key_rotation);
    state->ticket_rotation = rotation.count() < 1 ? std::chrono::seconds(1) : rotation;
    state->ticket_label = binding.ticket_label;
    const auto lifetime = static_cast<uint32_t>(
        std::min<int64_t>(state->ticket_rotation.count(), kMaxTicketLifetime));
    SSL_CTX_set_timeout(ctx.get(), lifetime);
    SSL_CTX_set_session_psk_dhe_timeout(ctx.get(), lifetime);
    SSL_CTX_set_num_tickets(ctx.get(), 1);
    SSL_CTX_set_tlsext_ticket_key_cb(ctx.get(), ticketCallback);
  } else {
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx.get(), 0);
  }

  SSL_CTX_set_select_certificate_cb(ctx.get(), selectCertificate);
  SSL_CTX_set_tlsext_servername_callback(ctx.get(), serverNameCallback);
  SSL_CTX_set_info_callback(ctx.get(), infoCallback);

  // Findings that do not stop the listener.
  if (tls.strict_sni && listener.routes.empty()) {
    report.warning(tls.ref, "strict_sni = true but the listener has no routes: every handshake "
                            "will be refused with unrecognized_name",
                   ".strict_sni");
  }
  for (size_t i = 0; i < listener.routes.size(); ++i) {
    const CertificateSet& own = state->route_sets[i];
    checkCoverage(listener.routes[i], (own.ecdsa || own.rsa) ? own : state->default_set, report);
  }

  ERR_clear_error();
  if (options.warnings != nullptr) {
    for (auto& warning : report.warnings()) options.warnings->push_back(std::move(warning));
  }
  if (!report.ok()) return std::move(report.errors());

  const State* raw_state = state.get();
  if (stateIndex() < 0 || !SSL_CTX_set_ex_data(ctx.get(), stateIndex(), state.get())) {
    report.error(tls.ref, "cannot create a TLS context (out of memory)");
    return std::move(report.errors());
  }
  state.release();  // owned by the SSL_CTX from here on
  return std::shared_ptr<const ServerContext>(new ServerContext(std::move(ctx), raw_state));
}

bssl::UniquePtr<SSL> ServerContext::newSsl() const {
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx_.get()));
  if (!ssl || attachHandshakeInfo(ssl.get()) == nullptr) return nullptr;
  SSL_set_accept_state(ssl.get());
  SSL_set_shed_handshake_config(ssl.get(), 1);
  return ssl;
}

const config::Listener& ServerContext::listener() const { return state_->listener; }

const std::string& ServerContext::routeCluster(const HandshakeInfo& info) const {
  return tls::routeCluster(state_->listener, info);
}

std::chrono::milliseconds ServerContext::handshakeTimeout() const {
  return state_->listener.tls.handshake_timeout;
}

const std::string& routeCluster(const config::Listener& listener, const HandshakeInfo& info) {
  if (info.route >= 0 && static_cast<size_t>(info.route) < listener.routes.size()) {
    return listener.routes[static_cast<size_t>(info.route)].cluster;
  }
  return listener.cluster;
}

}  // namespace warren::tls
