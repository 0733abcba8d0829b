#include "tls/proxy_tlvs.h"

#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/x509.h>

#include <string>

#include "proxy_protocol/tlv.h"
#include "tls/handshake_info.h"

namespace warren::tls {
namespace {

std::string commonName(X509* x509) {
  X509_NAME* subject = X509_get_subject_name(x509);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  uint8_t* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

// haproxy's spelling: "RSA2048", "EC256", else the key type's short name.
std::string keyAlgorithm(X509* x509) {
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(x509));
  if (!key) return {};
  const int bits = EVP_PKEY_bits(key.get());
  switch (EVP_PKEY_id(key.get())) {
    case EVP_PKEY_RSA: return "RSA" + std::to_string(bits);
    case EVP_PKEY_EC: return "EC" + std::to_string(bits);
    case EVP_PKEY_DSA: return "DSA" + std::to_string(bits);
    default: {
      const char* name = OBJ_nid2sn(EVP_PKEY_id(key.get()));
      return name != nullptr ? name : std::string();
    }
  }
}

std::string signatureAlgorithm(X509* x509) {
  const char* name = OBJ_nid2sn(X509_get_signature_nid(x509));
  return name != nullptr ? name : std::string();
}

}  // namespace

std::vector<proxy_protocol::Tlv> proxyTlvs(const SSL* ssl) {
  using namespace proxy_protocol;
  std::vector<Tlv> tlvs;
  if (ssl == nullptr || SSL_in_init(ssl)) return tlvs;

  if (std::string sni = requestedServerName(ssl); !sni.empty()) tlvs.push_back(Tlv{kPp2TypeAuthority, std::move(sni)});

  std::vector<Tlv> sub;
  sub.push_back(Tlv{kPp2SubtypeSslVersion, SSL_get_version(ssl)});
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    sub.push_back(Tlv{kPp2SubtypeSslCipher, SSL_CIPHER_get_name(cipher)});
  }

  uint8_t client = kPp2ClientSsl;
  uint32_t verify = 1;
  const STACK_OF(CRYPTO_BUFFER)* peer = SSL_get0_peer_certificates(ssl);
  if (peer != nullptr && sk_CRYPTO_BUFFER_num(peer) > 0) {
    client |= kPp2ClientCertSess;
    if (!SSL_session_reused(ssl)) client |= kPp2ClientCertConn;
    if (SSL_get_verify_result(ssl) == X509_V_OK) verify = 0;
    bssl::UniquePtr<X509> leaf(X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(peer, 0)));
    if (leaf) {
      if (std::string cn = commonName(leaf.get()); !cn.empty()) {
        sub.push_back(Tlv{kPp2SubtypeSslCn, std::move(cn)});
      }
      if (std::string alg = signatureAlgorithm(leaf.get()); !alg.empty()) {
        sub.push_back(Tlv{kPp2SubtypeSslSigAlg, std::move(alg)});
      }
      if (std::string alg = keyAlgorithm(leaf.get()); !alg.empty()) {
        sub.push_back(Tlv{kPp2SubtypeSslKeyAlg, std::move(alg)});
      }
    }
  }
  tlvs.push_back(makeSslTlv(client, verify, sub));
  return tlvs;
}

}  // namespace warren::tls
