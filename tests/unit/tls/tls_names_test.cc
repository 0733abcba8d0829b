#include "tls/tls_names.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

namespace warren::tls {
namespace {

TEST(TlsNames, Versions) {
  EXPECT_EQ(versionName(TLS1_3_VERSION), "TLSv1.3");
  EXPECT_EQ(versionName(TLS1_VERSION), "TLSv1.0");
  EXPECT_EQ(versionName(SSL3_VERSION), "SSLv3");
  EXPECT_EQ(versionName(0x7f1c), "0x7F1C");
  EXPECT_EQ(versionLabel(TLS1_1_VERSION), "TLS 1.1");
  EXPECT_EQ(protocolVersion(config::TlsVersion::Tls12), TLS1_2_VERSION);
  EXPECT_STREQ(versionNumber(config::TlsVersion::Tls13), "1.3");
}

TEST(TlsNames, Ciphers) {
  EXPECT_EQ(cipherName(0xC02F), "ECDHE-RSA-AES128-GCM-SHA256");  // BoringSSL knows it
  EXPECT_EQ(cipherName(0x1301), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(cipherName(0x009E), "DHE-RSA-AES128-GCM-SHA256");    // from the extra table
  EXPECT_EQ(cipherName(0x00FF), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
  EXPECT_EQ(cipherName(0xC0B4), "0xC0B4");
}

TEST(TlsNames, Alerts) {
  EXPECT_EQ(alertName(48), "unknown_ca");
  EXPECT_EQ(alertName(112), "unrecognized_name");
  EXPECT_EQ(alertName(200), "200");
}

TEST(TlsNames, FormatOffered) {
  const uint16_t versions[] = {TLS1_1_VERSION, TLS1_VERSION};
  const uint16_t ciphers[] = {0xC013, 0x002F};
  EXPECT_EQ(formatOffered(versions, ciphers), "versions=TLSv1.1,TLSv1.0 ciphers=ECDHE-RSA-AES128-SHA,AES128-SHA");
  EXPECT_EQ(formatOffered({}, ciphers, 1), "ciphers=ECDHE-RSA-AES128-SHA,+1");
  EXPECT_EQ(formatOffered(versions, {}), "versions=TLSv1.1,TLSv1.0");
  EXPECT_EQ(formatOffered({}, {}), "");
}

}  // namespace
}  // namespace warren::tls
