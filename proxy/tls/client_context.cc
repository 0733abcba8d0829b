#include "tls/client_context.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <chrono>
#include <utility>

#include "tls/build_report.h"
#include "tls/context_base.h"
#include "tls/certificate_loader.h"
#include "tls/peer_verifier.h"
#include "tls/tls_names.h"

namespace warren::tls {

struct ClientContext::State {
  std::string server_name;
  bool verify = true;
  bool send_sni = false;
  bssl::UniquePtr<X509_STORE> store;
  std::shared_ptr<const LoadedCertificate> client_certificate;
};

namespace {

using State = ClientContext::State;

// Debian's CA bundle and hashed directory (ca-certificates).
constexpr char kSystemBundle[] = "/etc/ssl/certs/ca-certificates.crt";
constexpr char kSystemDirectory[] = "/etc/ssl/certs";

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

ssl_verify_result_t verifyNodeCertificate(SSL* ssl, uint8_t* out_alert) {
  const State* state = stateOf(ssl);
  if (state == nullptr) return ssl_verify_invalid;
  if (!state->verify) return ssl_verify_ok;
  const int result =
      verifyPeerChain(ssl, state->store.get(), PeerRole::Server, state->server_name);
  if (HandshakeInfo* info = handshakeInfo(ssl)) info->verify_error = result;
  if (result == X509_V_OK) return ssl_verify_ok;
  *out_alert = alertForVerifyError(result);
  return ssl_verify_invalid;
}

void infoCallback(const SSL* ssl, int type, int value) {
  HandshakeInfo* info = handshakeInfo(ssl);
  if (info == nullptr) return;
  if ((type & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT && SSL_in_init(ssl)) {
    const auto alert = static_cast<uint8_t>(value & 0xFF);
    if (alert != SSL_AD_CLOSE_NOTIFY && info->client_alert == 0) info->client_alert = alert;
  }
}

// The system trust store, or nullptr if none could be loaded.
bssl::UniquePtr<X509_STORE> systemStore() {
  bssl::UniquePtr<X509_STORE> store(X509_STORE_new());
  if (!store) return nullptr;
  if (!X509_STORE_load_locations(store.get(), kSystemBundle, kSystemDirectory)) {
    ERR_clear_error();
    if (!X509_STORE_set_default_paths(store.get())) {
      ERR_clear_error();
      return nullptr;
    }
  }
  ERR_clear_error();
  return store;
}

}  // namespace

ClientContext::ClientContext(bssl::UniquePtr<SSL_CTX> ctx, const State* state)
    : ctx_(std::move(ctx)), state_(state) {}

ClientContext::~ClientContext() = default;

ClientContext::BuildResult ClientContext::build(const config::ClusterTls& tls,
                                                const std::string& config_file,
                                                std::vector<config::ConfigError>* warnings) {
  BuildReport report(config_file);
  auto state = std::make_unique<State>();
  state->server_name = tls.server_name;
  state->verify = tls.verify;
  state->send_sni = !tls.server_name.empty() && !isIpLiteral(tls.server_name);

  bssl::UniquePtr<SSL_CTX> ctx = newContext(report, tls.ref, tls.min_version, tls.max_version);
  if (!ctx) return std::move(report.errors());

  if (!tls.ca.empty()) {
    if (auto bundle = loadCaBundle(tls.ca, tls.ca_ref, report)) state->store = std::move(bundle->store);
  } else if (tls.verify) {
    state->store = systemStore();
    if (!state->store) {
      report.error(tls.ref, "no system CA store found (" + std::string(kSystemBundle) +
                                "): set ca to the bundle that issued the nodes' certificates",
                   ".ca");
    }
  }
  if (tls.verify && tls.server_name.empty()) {
    report.warning(tls.ref,
                   "verify = true without server_name: node certificates are checked against "
                   "the CAs but not for a name",
                   ".server_name");
  }

  if (tls.client_certificate) {
    const time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    state->client_certificate = loadCertificate(*tls.client_certificate, report, now);
    if (const auto& certificate = state->client_certificate) {
      if (!SSL_CTX_set_chain_and_key(ctx.get(), certificate->chain_view.data(),
                                     certificate->chain_view.size(), certificate->key.get(),
                                     nullptr)) {
        report.error(tls.client_certificate->cert_ref,
                     "client certificate rejected by BoringSSL: " + takeSslErrorText("unknown error"));
      }
    }
  }

  // The buffers method has no built-in X.509 verifier: ours always runs (and with
  // verify = false accepts anything).
  SSL_CTX_set_custom_verify(ctx.get(), tls.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                            verifyNodeCertificate);
  SSL_CTX_set_info_callback(ctx.get(), infoCallback);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);

  ERR_clear_error();
  if (warnings != nullptr) {
    for (auto& warning : report.warnings()) warnings->push_back(std::move(warning));
  }
  if (!report.ok()) return std::move(report.errors());
  const State* raw_state = state.get();
  if (stateIndex() < 0 || !SSL_CTX_set_ex_data(ctx.get(), stateIndex(), state.get())) {
    report.error(tls.ref, "cannot create a TLS context (out of memory)");
    return std::move(report.errors());
  }
  state.release();  // owned by the SSL_CTX from here on
  return std::shared_ptr<const ClientContext>(new ClientContext(std::move(ctx), raw_state));
}

bssl::UniquePtr<SSL> ClientContext::newSsl() const {
  bssl::UniquePtr<SSL> ssl(SSL_new(ctx_.get()));
  if (!ssl) return nullptr;
  HandshakeInfo* info = attachHandshakeInfo(ssl.get());
  if (info == nullptr) return nullptr;
  info->sni = state_->server_name;
  if (state_->client_certificate) info->certificate = state_->client_certificate->type;
  SSL_set_connect_state(ssl.get());
  if (state_->send_sni && !SSL_set_tlsext_host_name(ssl.get(), state_->server_name.c_str())) {
    return nullptr;
  }
  SSL_set_shed_handshake_config(ssl.get(), 1);
  return ssl;
}

}  // namespace warren::tls
