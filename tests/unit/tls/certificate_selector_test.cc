// The ECDSA/RSA choice from what a ClientHello offers.
#include "tls/certificate_selector.h"

#include <gtest/gtest.h>

#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

class SelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildReport report("warren.toml");
    set_.ecdsa = loadCertificate(certFiles("localhost-ecdsa"), report, time(nullptr));
    set_.rsa = loadCertificate(certFiles("localhost-rsa"), report, time(nullptr));
    ASSERT_TRUE(report.ok()) << describe(report.errors());
  }
  KeyType choose(const HelloCapabilities& hello, uint16_t max = TLS1_3_VERSION) {
    const LoadedCertificate* c = chooseCertificate(set_, hello, max, ecdsa_suites_);
    return c == nullptr ? KeyType::None : c->type;
  }
  CertificateSet set_;
  std::vector<uint16_t> ecdsa_suites_ = {0xC02B, 0xC02C, 0xCCA9};
};

TEST_F(SelectorTest, Tls13BySignatureAlgorithm) {
  const std::vector<uint16_t> versions = {TLS1_3_VERSION, TLS1_2_VERSION};
  const std::vector<uint16_t> ecdsa = {0x0403, 0x0804};
  const std::vector<uint16_t> p384_only = {0x0503, 0x0804};
  const std::vector<uint16_t> rsa = {0x0804, 0x0401};
  HelloCapabilities hello{true, versions, {}, true, ecdsa};
  EXPECT_EQ(choose(hello), KeyType::Ecdsa);
  hello.signature_algorithms = p384_only;  // our key is P-256
  EXPECT_EQ(choose(hello), KeyType::Rsa);
  hello.signature_algorithms = rsa;
  EXPECT_EQ(choose(hello), KeyType::Rsa);
}

TEST_F(SelectorTest, Tls12BySuiteAndSignatureAlgorithm) {
  const std::vector<uint16_t> versions = {TLS1_2_VERSION};
  const std::vector<uint16_t> ecdhe_ecdsa = {0xC02B, 0xC02F};
  const std::vector<uint16_t> ecdhe_rsa = {0xC02F};
  const std::vector<uint16_t> ecdsa_sig = {0x0403};
  const std::vector<uint16_t> rsa_sig = {0x0401};
  EXPECT_EQ(choose({false, versions, ecdhe_ecdsa, true, ecdsa_sig}), KeyType::Ecdsa);
  EXPECT_EQ(choose({false, versions, ecdhe_rsa, true, ecdsa_sig}), KeyType::Rsa);
  EXPECT_EQ(choose({false, versions, ecdhe_ecdsa, true, rsa_sig}), KeyType::Rsa);
  EXPECT_EQ(choose({false, versions, ecdhe_ecdsa, false, {}}), KeyType::Ecdsa);  // TLS 1.0/1.1 style
  // A TLS 1.3-capable client against a TLS 1.2 listener: the 1.2 rules apply.
  const std::vector<uint16_t> both = {TLS1_3_VERSION, TLS1_2_VERSION};
  EXPECT_EQ(choose({true, both, ecdhe_rsa, true, ecdsa_sig}, TLS1_2_VERSION), KeyType::Rsa);
}

TEST_F(SelectorTest, SingleCertificateIsAlwaysServed) {
  CertificateSet only_rsa{nullptr, set_.rsa};
  const std::vector<uint16_t> versions = {TLS1_3_VERSION};
  const std::vector<uint16_t> ecdsa = {0x0403};
  HelloCapabilities hello{true, versions, {}, true, ecdsa};
  EXPECT_EQ(chooseCertificate(only_rsa, hello, TLS1_3_VERSION, ecdsa_suites_)->type, KeyType::Rsa);
  EXPECT_EQ(chooseCertificate(CertificateSet{}, hello, TLS1_3_VERSION, ecdsa_suites_), nullptr);
}

}  // namespace
}  // namespace warren::tls
