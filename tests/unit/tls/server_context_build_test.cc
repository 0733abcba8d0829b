// ServerContext::build(): every certificate, key and CA problem comes back as a ConfigError at
// the offending value, naming the file and the reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tls/server_context.h"
#include "tls_test_util.h"

namespace warren::tls {
namespace {

using namespace testing;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ServerContextBuild, EcdsaAndRsaTogether) {
  auto context = buildOk(tlsListener());
  ASSERT_TRUE(context);
  EXPECT_EQ(context->listener().name, "amqps");
  EXPECT_EQ(context->handshakeTimeout(), std::chrono::seconds(10));
}

TEST(ServerContextBuild, SingleCertificateOfEitherType) {
  for (const char* stem : {"localhost-ecdsa", "localhost-rsa"}) {
    auto l = tlsListener();
    l.tls.certificates = {certFiles(stem)};
    EXPECT_TRUE(buildOk(l)) << stem;
  }
}

TEST(ServerContextBuild, ChainWithIntermediate) {
  auto l = tlsListener();
  l.tls.certificates = {certFiles("chain")};
  EXPECT_TRUE(buildOk(l));
}

TEST(ServerContextBuild, MissingCertificateFile) {
  auto l = tlsListener();
  l.tls.certificates[0].cert = "/nonexistent/ecdsa.crt";
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].format(),
            "warren.toml:10:8: listener[0].tls.certificate[0].cert: cannot read certificate file "
            "/nonexistent/ecdsa.crt: No such file or directory");
}

TEST(ServerContextBuild, MissingKeyFile) {
  auto l = tlsListener();
  l.tls.certificates[1].key = "/nonexistent/rsa.key";
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].format(),
            "warren.toml:13:7: listener[0].tls.certificate[1].key: cannot read private key file "
            "/nonexistent/rsa.key: No such file or directory");
}

TEST(ServerContextBuild, DirectoryInsteadOfFile) {
  auto l = tlsListener();
  l.tls.certificates[0].cert = fixture("");
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_TRUE(contains(errors[0].message, "Is a directory")) << errors[0].message;
}

TEST(ServerContextBuild, BadPem) {
  auto l = tlsListener();
  l.tls.certificates[0].cert = fixture("bad.pem");
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].key, "listener[0].tls.certificate[0].cert");
  EXPECT_TRUE(contains(errors[0].message, "cannot parse PEM certificate " + fixture("bad.pem") + ": "))
      << errors[0].message;
}

TEST(ServerContextBuild, NoPemBlock) {
  auto l = tlsListener();
  l.tls.certificates[0].cert = fixture("not-pem.txt");
  l.tls.certificates[1].key = fixture("not-pem.txt");
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 2u) << describe(errors);
  EXPECT_EQ(errors[0].message, "cannot parse PEM certificate " + fixture("not-pem.txt") +
                                   ": no CERTIFICATE block in the file");
  EXPECT_EQ(errors[1].message, "cannot parse PEM private key " + fixture("not-pem.txt") +
                                   ": no PRIVATE KEY block in the file");
}

TEST(ServerContextBuild, KeyDoesNotMatchCertificate) {
  auto l = tlsListener();
  l.tls.certificates[0].key = fixture("mismatched.key");
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].format(), "warren.toml:11:7: listener[0].tls.certificate[0].key: private key "
                                "does not match certificate " + fixture("localhost-ecdsa.crt"));
}

TEST(ServerContextBuild, LeafMustComeFirst) {
  const auto path = std::filesystem::temp_directory_path() / "warren-tls-reversed-chain.crt";
  {
    std::ifstream leaf_and_intermediate(fixture("chain.crt"));
    std::string pem((std::istreambuf_iterator<char>(leaf_and_intermediate)), {});
    const size_t second = pem.find("-----BEGIN CERTIFICATE-----", 10);
    std::ofstream(path) << pem.substr(second) << pem.substr(0, second);
  }
  auto l = tlsListener();
  l.tls.certificates = {certFiles("chain")};
  l.tls.certificates[0].cert = path.string();
  auto errors = buildErrors(l);
  std::filesystem::remove(path);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_TRUE(contains(errors[0].message, "it matches certificate #2 in the file: the leaf "
                                          "certificate must come first")) << errors[0].message;
}

TEST(ServerContextBuild, TwoCertificatesOfOneType) {
  auto l = tlsListener();
  l.tls.certificates[1] = certFiles("rabbit-ecdsa", "", 1);
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].key, "listener[0].tls.certificate[1].cert");
  EXPECT_TRUE(contains(errors[0].message, "a second ECDSA certificate in the same set")) << errors[0].message;
}

TEST(ServerContextBuild, NoCertificate) {
  auto l = tlsListener();
  l.tls.certificates.clear();
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].format(), "warren.toml:5:1: listener[0].tls.certificate: a TLS listener needs "
                                "at least one certificate");
}

TEST(ServerContextBuild, ExpiredCertificateIsAWarning) {
  auto l = tlsListener();
  l.tls.certificates = {certFiles("expired")};
  std::vector<config::ConfigError> warnings;
  ServerContextOptions options;
  options.warnings = &warnings;
  EXPECT_TRUE(buildOk(l, options));
  ASSERT_EQ(warnings.size(), 1u) << describe(warnings);
  EXPECT_EQ(warnings[0].format(), "warren.toml:10:8: listener[0].tls.certificate[0].cert: expired "
                                  "certificate " + fixture("expired.crt") + " (notAfter 2025-01-01)");
}

TEST(ServerContextBuild, RouteErrorsUseTheRouteKeys) {
  auto l = tlsListener();
  addRoutes(l);
  l.routes[1].certificates[1].key = fixture("mismatched.key");
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].key, "listener[0].route[1].certificate[1].key");
  EXPECT_EQ(errors[0].message, "private key does not match certificate " + fixture("wildcard-eu-rsa.crt"));
}

TEST(ServerContextBuild, RouteNameNotCoveredIsAWarning) {
  auto l = tlsListener();
  addRoutes(l);
  l.routes[0].server_names.push_back("elsewhere.example.org");
  std::vector<config::ConfigError> warnings;
  ServerContextOptions options;
  options.warnings = &warnings;
  ASSERT_TRUE(buildOk(l, options));
  // Both the ECDSA and the RSA certificate of route 0 miss the name; route 2 uses the
  // default (localhost) certificates, which do not cover plain.example.com either.
  ASSERT_EQ(warnings.size(), 4u) << describe(warnings);
  EXPECT_TRUE(contains(warnings[0].message, "server name elsewhere.example.org is not covered"));
  EXPECT_EQ(warnings[0].key, "listener[0].route[0].server_names");
  EXPECT_TRUE(contains(warnings[2].message, "server name plain.example.com is not covered"));
}

TEST(ServerContextBuild, CiphersCurvesVersions) {
  auto l = tlsListener();
  l.tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:NO-SUCH-CIPHER";
  l.tls.curves = {"X25519", "P-999"};
  l.tls.min_version = config::TlsVersion::Tls13;
  l.tls.max_version = config::TlsVersion::Tls12;
  auto errors = buildErrors(l);
  ASSERT_EQ(errors.size(), 3u) << describe(errors);
  EXPECT_EQ(errors[0].format(), "warren.toml:5:1: listener[0].tls.min_version: min_version 1.3 is "
                                "above max_version 1.2");
  EXPECT_EQ(errors[1].key, "listener[0].tls.ciphers");
  EXPECT_EQ(errors[1].message, "invalid cipher list \"ECDHE-ECDSA-AES128-GCM-SHA256:NO-SUCH-CIPHER\": "
                               "unknown cipher NO-SUCH-CIPHER");
  EXPECT_EQ(errors[2].format(), "warren.toml:5:1: listener[0].tls.curves: unknown curve \"P-999\" "
                                "(use X25519, P-256, P-384, P-521)");
}

TEST(ServerContextBuild, CipherListUnusableWithCertificateIsAWarning) {
  auto l = tlsListener();
  l.tls.certificates = {certFiles("localhost-rsa")};
  l.tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  std::vector<config::ConfigError> warnings;
  ServerContextOptions options;
  options.warnings = &warnings;
  ASSERT_TRUE(buildOk(l, options));
  ASSERT_EQ(warnings.size(), 1u) << describe(warnings);
  EXPECT_EQ(warnings[0].key, "listener[0].tls.ciphers");
}

TEST(ServerContextBuild, ClientCaProblems) {
  auto l = tlsListener();
  l.tls.client_auth = config::ClientAuth::Required;
  l.tls.client_ca_ref = ref(8, 13, "listener[0].tls.client_ca");
  {
    auto errors = buildErrors(l);  // no client_ca
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].format(), "warren.toml:5:1: listener[0].tls.client_ca: client_auth = required "
                                  "needs client_ca (a PEM bundle of the CAs that issue client certificates)");
  }
  {
    l.tls.client_ca = "/nonexistent/ca.pem";
    auto errors = buildErrors(l);
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].format(), "warren.toml:8:13: listener[0].tls.client_ca: cannot read CA bundle "
                                  "/nonexistent/ca.pem: No such file or directory");
  }
  {
    l.tls.client_ca = fixture("not-pem.txt");
    auto errors = buildErrors(l);
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].message, "CA bundle " + fixture("not-pem.txt") + " contains no certificate");
  }
  {
    l.tls.client_ca = fixture("bad.pem");
    auto errors = buildErrors(l);
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_TRUE(contains(errors[0].message, "cannot parse PEM certificate in CA bundle")) << errors[0].message;
  }
  l.tls.client_ca = fixture("ca.crt");
  EXPECT_TRUE(buildOk(l));
}

TEST(ServerContextBuild, EveryErrorIsReported) {
  auto l = tlsListener();
  addRoutes(l);
  l.tls.certificates[0].cert = "/nonexistent/a.crt";
  l.tls.certificates[1].key = fixture("mismatched.key");
  l.routes[0].certificates[0].key = "/nonexistent/b.key";
  l.routes[2].server_names = {"a.*.b"};
  auto errors = buildErrors(l);
  EXPECT_EQ(errors.size(), 4u) << describe(errors);
}

TEST(ServerContextBuild, RouteCluster) {
  auto l = tlsListener();
  addRoutes(l);
  auto context = buildOk(l);
  ASSERT_TRUE(context);
  HandshakeInfo info;
  EXPECT_EQ(context->routeCluster(info), "default");
  info.route = 1;
  EXPECT_EQ(context->routeCluster(info), "eu");
  EXPECT_EQ(routeCluster(l, info), "eu");
  info.route = 7;
  EXPECT_EQ(routeCluster(l, info), "default");
}

}  // namespace
}  // namespace warren::tls
