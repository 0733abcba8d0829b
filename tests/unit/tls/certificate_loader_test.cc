// Loading certificates and keys: shared pooled buffers, chains, key types, refused keys.
#include "tls/certificate_loader.h"

#include <gtest/gtest.h>

#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

TEST(CertificateLoader, BuffersComeFromTheSharedPool) {
  BuildReport report("warren.toml");
  auto a = loadCertificate(certFiles("localhost-ecdsa"), report, time(nullptr));
  auto b = loadCertificate(certFiles("localhost-ecdsa"), report, time(nullptr));
  ASSERT_TRUE(a && b) << describe(report.errors());
  // Two loads (say, before and after a reload) hold the very same DER buffer.
  EXPECT_EQ(a->chain.front().get(), b->chain.front().get());
  EXPECT_EQ(a->chain_view.front(), a->chain.front().get());
}

TEST(CertificateLoader, ChainKeyTypeAndSubject) {
  BuildReport report("warren.toml");
  auto chain = loadCertificate(certFiles("chain"), report, time(nullptr));
  auto rsa = loadCertificate(certFiles("rabbit-rsa"), report, time(nullptr));
  ASSERT_TRUE(chain && rsa) << describe(report.errors());
  EXPECT_EQ(chain->chain.size(), 2u);
  EXPECT_EQ(chain->type, KeyType::Ecdsa);
  EXPECT_EQ(chain->curve_nid, NID_X9_62_prime256v1);
  EXPECT_EQ(chain->subject, "CN=chained.example.com,O=Warren tests");
  EXPECT_EQ(rsa->type, KeyType::Rsa);
  EXPECT_TRUE(report.warnings().empty());
}

TEST(CertificateLoader, EncryptedKeyIsRefused) {
  BuildReport report("warren.toml");
  EXPECT_FALSE(loadCertificate(certFiles("client", fixture("encrypted.key")), report, time(nullptr)));
  ASSERT_EQ(report.errors().size(), 1u);
  EXPECT_EQ(report.errors()[0].message,
            "private key " + fixture("encrypted.key") + " is encrypted: Warren needs an unencrypted key file");
}

TEST(CertificateLoader, CombinedCertificateAndKeyFile) {
  // One file holding the key and the certificate: both found in it.
  const std::string path = ::testing::TempDir() + "/warren-combined.pem";
  {
    FILE* out = std::fopen(path.c_str(), "w");
    for (const char* part : {"localhost-ecdsa.key", "localhost-ecdsa.crt"}) {
      FILE* in = std::fopen(fixture(part).c_str(), "r");
      char buffer[4096];
      size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) std::fwrite(buffer, 1, n, out);
      std::fclose(in);
    }
    std::fclose(out);
  }
  BuildReport report("warren.toml");
  config::CertificateFiles files = certFiles("localhost-ecdsa");
  files.cert = path;
  files.key = path;
  EXPECT_TRUE(loadCertificate(files, report, time(nullptr))) << describe(report.errors());
  std::remove(path.c_str());
}

TEST(CertificateLoader, NotYetValidIsAWarning) {
  BuildReport report("warren.toml");
  const time_t long_ago = 946684800;  // 2000-01-01
  EXPECT_TRUE(loadCertificate(certFiles("localhost-ecdsa"), report, long_ago));
  ASSERT_EQ(report.warnings().size(), 1u);
  EXPECT_TRUE(report.warnings()[0].message.find("is not valid yet (notBefore 20") != std::string::npos)
      << report.warnings()[0].message;
}

TEST(CertificateLoader, CaBundle) {
  BuildReport report("warren.toml");
  auto bundle = loadCaBundle(fixture("ca.crt"), ref(1, 1, "x"), report);
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->names.size(), 1u);
  bssl::UniquePtr<STACK_OF(CRYPTO_BUFFER)> names(newNameStack(bundle->names));
  EXPECT_EQ(sk_CRYPTO_BUFFER_num(names.get()), 1u);
}

}  // namespace
}  // namespace warren::tls
