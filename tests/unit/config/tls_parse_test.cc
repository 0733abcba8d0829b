// The TLS parts of the model: defaults, every key read, certificate syntaxes, relative
// paths, and the SourceRefs that the TLS module uses for its own errors.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using namespace std::chrono_literals;
using testing::CertDir;
using testing::kValidTail;
using testing::loadOk;

void expectRef(const SourceRef& ref, uint32_t line, uint32_t column, const std::string& key) {
  EXPECT_EQ(ref.line, line) << key;
  EXPECT_EQ(ref.column, column) << key;
  EXPECT_EQ(ref.key, key);
}

TEST(TlsDefaultsTest, NoTlsTablesMeanPlaintextAndModelDefaults) {
  auto config = loadOk(kValidTail);
  ASSERT_NE(config, nullptr);
  const Listener& l = config->listeners.at(0);
  const ListenerTls& tls = l.tls;
  EXPECT_FALSE(tls.enabled);
  EXPECT_TRUE(tls.certificates.empty());
  EXPECT_EQ(tls.min_version, TlsVersion::Tls12);
  EXPECT_EQ(tls.max_version, TlsVersion::Tls13);
  EXPECT_EQ(tls.ciphers, "");
  EXPECT_EQ(tls.curves, (std::vector<std::string>{"X25519", "P-256", "P-384"}));
  EXPECT_TRUE(tls.session_tickets);
  EXPECT_EQ(tls.ticket_key_rotation, 1h);
  EXPECT_EQ(tls.handshake_timeout, 10s);
  EXPECT_FALSE(tls.strict_sni);
  EXPECT_EQ(tls.client_ca, "");
  EXPECT_EQ(tls.client_auth, ClientAuth::None);
  EXPECT_EQ(tls.ref.line, 0u);
  EXPECT_EQ(tls.client_ca_ref.line, 0u);
  EXPECT_TRUE(l.routes.empty());

  const Cluster& c = config->clusters.at(0);
  EXPECT_TRUE(c.proxy_protocol_tlvs);
  EXPECT_FALSE(c.tls.enabled);
  EXPECT_EQ(c.tls.ca, "");
  EXPECT_TRUE(c.tls.verify);
  EXPECT_EQ(c.tls.server_name, "");
  EXPECT_FALSE(c.tls.client_certificate.has_value());
  EXPECT_EQ(c.tls.min_version, TlsVersion::Tls12);
  EXPECT_EQ(c.tls.max_version, TlsVersion::Tls13);
  EXPECT_EQ(c.tls.ref.line, 0u);

  // The tables themselves always have a reference.
  expectRef(l.ref, 1, 1, "listener[0]");
  expectRef(c.ref, 6, 1, "cluster[0]");
}

TEST(TlsDefaultsTest, PresentTablesTurnTlsOnAndKeepTheOtherDefaults) {
  CertDir dir;
  auto config = dir.loadOk(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [{ cert = "ecdsa.crt", key = "ecdsa.key" }]
[[cluster]]
name = "rabbit"
  [cluster.tls]
  [[cluster.node]]
  address = "127.0.0.1:5671"
)");
  ASSERT_NE(config, nullptr);
  const ListenerTls& tls = config->listeners.at(0).tls;
  const ListenerTls defaults;
  EXPECT_TRUE(tls.enabled);
  ASSERT_EQ(tls.certificates.size(), 1u);
  EXPECT_EQ(tls.min_version, defaults.min_version);
  EXPECT_EQ(tls.max_version, defaults.max_version);
  EXPECT_EQ(tls.ciphers, defaults.ciphers);
  EXPECT_EQ(tls.curves, defaults.curves);
  EXPECT_EQ(tls.session_tickets, defaults.session_tickets);
  EXPECT_EQ(tls.ticket_key_rotation, defaults.ticket_key_rotation);
  EXPECT_EQ(tls.handshake_timeout, defaults.handshake_timeout);
  EXPECT_EQ(tls.strict_sni, defaults.strict_sni);
  EXPECT_EQ(tls.client_ca, "");
  EXPECT_EQ(tls.client_auth, ClientAuth::None);

  const ClusterTls& ctls = config->clusters.at(0).tls;
  EXPECT_TRUE(ctls.enabled);
  EXPECT_EQ(ctls.ca, "");
  EXPECT_TRUE(ctls.verify);
  EXPECT_EQ(ctls.server_name, "");
  EXPECT_FALSE(ctls.client_certificate.has_value());
  EXPECT_EQ(ctls.min_version, TlsVersion::Tls12);
  EXPECT_EQ(ctls.max_version, TlsVersion::Tls13);
  expectRef(ctls.ref, 9, 3, "cluster[0].tls");
}

// Like config/tls.example.toml, with every key set to something other than its default.
constexpr std::string_view kFullTls = R"(
[[listener]]
name = "amqps"
address = "0.0.0.0:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [ { cert = "ecdsa.crt", key = "ecdsa.key" },
                  { cert = "rsa.crt", key = "rsa.key" } ]
  min_version = "1.0"
  max_version = "1.2"
  ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
  curves = ["P-521", "X25519"]
  session_tickets = false
  ticket_key_rotation = "30m"
  handshake_timeout = "2500ms"
  strict_sni = true
  client_ca = "ca.crt"
  client_auth = "required"
  [[listener.route]]
  server_names = ["Rabbit-A.Example.com", "*.eu.example.com"]
  cluster = "rabbit-a"
  [[listener.route]]
  server_names = ["rabbit-b.example.com"]
  cluster = "rabbit-b"
  certificate = [ { cert = "rsa.crt", key = "rsa.key" } ]
[[cluster]]
name = "rabbit"
proxy_protocol = "v2"
proxy_protocol_tlvs = false
node = [{ address = "10.0.0.5:5672" }]
[[cluster]]
name = "rabbit-a"
node = [{ address = "10.0.1.5:5672" }]
[[cluster]]
name = "rabbit-b"
  [cluster.tls]
  ca = "ca.crt"
  verify = false
  server_name = "Rabbit-B.internal"
  certificate = { cert = "ecdsa.crt", key = "ecdsa.key" }
  min_version = "1.3"
  max_version = "1.3"
  [[cluster.node]]
  address = "10.0.2.5:5671"
)";

TEST(TlsParseTest, ReadsEveryKey) {
  CertDir dir;
  auto config = dir.loadOk(kFullTls);
  ASSERT_NE(config, nullptr);
  const Listener& l = config->listeners.at(0);
  const ListenerTls& tls = l.tls;
  EXPECT_TRUE(tls.enabled);
  ASSERT_EQ(tls.certificates.size(), 2u);
  EXPECT_EQ(tls.certificates[0].cert, dir.file("ecdsa.crt"));
  EXPECT_EQ(tls.certificates[0].key, dir.file("ecdsa.key"));
  EXPECT_EQ(tls.certificates[1].cert, dir.file("rsa.crt"));
  EXPECT_EQ(tls.certificates[1].key, dir.file("rsa.key"));
  EXPECT_EQ(tls.min_version, TlsVersion::Tls10);
  EXPECT_EQ(tls.max_version, TlsVersion::Tls12);
  EXPECT_EQ(tls.ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(tls.curves, (std::vector<std::string>{"P-521", "X25519"}));
  EXPECT_FALSE(tls.session_tickets);
  EXPECT_EQ(tls.ticket_key_rotation, 30min);
  EXPECT_EQ(tls.handshake_timeout, 2500ms);
  EXPECT_TRUE(tls.strict_sni);
  EXPECT_EQ(tls.client_ca, dir.file("ca.crt"));
  EXPECT_EQ(tls.client_auth, ClientAuth::Required);

  ASSERT_EQ(l.routes.size(), 2u);
  EXPECT_EQ(l.routes[0].server_names,
            (std::vector<std::string>{"rabbit-a.example.com", "*.eu.example.com"}));
  EXPECT_EQ(l.routes[0].cluster, "rabbit-a");
  EXPECT_TRUE(l.routes[0].certificates.empty());
  EXPECT_EQ(l.routes[1].server_names, (std::vector<std::string>{"rabbit-b.example.com"}));
  EXPECT_EQ(l.routes[1].cluster, "rabbit-b");
  ASSERT_EQ(l.routes[1].certificates.size(), 1u);
  EXPECT_EQ(l.routes[1].certificates[0].cert, dir.file("rsa.crt"));
  EXPECT_EQ(l.routes[1].certificates[0].key, dir.file("rsa.key"));

  ASSERT_EQ(config->clusters.size(), 3u);
  EXPECT_FALSE(config->clusters[0].proxy_protocol_tlvs);
  EXPECT_FALSE(config->clusters[0].tls.enabled);
  EXPECT_TRUE(config->clusters[1].proxy_protocol_tlvs);
  const ClusterTls& ctls = config->clusters[2].tls;
  EXPECT_TRUE(ctls.enabled);
  EXPECT_EQ(ctls.ca, dir.file("ca.crt"));
  EXPECT_FALSE(ctls.verify);
  EXPECT_EQ(ctls.server_name, "rabbit-b.internal");
  ASSERT_TRUE(ctls.client_certificate.has_value());
  EXPECT_EQ(ctls.client_certificate->cert, dir.file("ecdsa.crt"));
  EXPECT_EQ(ctls.client_certificate->key, dir.file("ecdsa.key"));
  EXPECT_EQ(ctls.min_version, TlsVersion::Tls13);
  EXPECT_EQ(ctls.max_version, TlsVersion::Tls13);
}

TEST(TlsParseTest, SourceRefsPointAtTheValuesAndTables) {
  CertDir dir;
  auto config = dir.loadOk(kFullTls);
  ASSERT_NE(config, nullptr);
  const Listener& l = config->listeners.at(0);
  expectRef(l.ref, 1, 1, "listener[0]");
  expectRef(l.tls.ref, 5, 3, "listener[0].tls");
  expectRef(l.tls.certificates[0].cert_ref, 6, 28, "listener[0].tls.certificate[0].cert");
  expectRef(l.tls.certificates[0].key_ref, 6, 47, "listener[0].tls.certificate[0].key");
  expectRef(l.tls.certificates[1].cert_ref, 7, 28, "listener[0].tls.certificate[1].cert");
  expectRef(l.tls.certificates[1].key_ref, 7, 45, "listener[0].tls.certificate[1].key");
  expectRef(l.tls.client_ca_ref, 16, 15, "listener[0].tls.client_ca");
  expectRef(l.routes[0].ref, 18, 3, "listener[0].route[0]");
  expectRef(l.routes[1].ref, 21, 3, "listener[0].route[1]");
  expectRef(l.routes[1].certificates[0].cert_ref, 24, 28,
            "listener[0].route[1].certificate[0].cert");
  expectRef(l.routes[1].certificates[0].key_ref, 24, 45, "listener[0].route[1].certificate[0].key");

  expectRef(config->clusters[0].ref, 25, 1, "cluster[0]");
  expectRef(config->clusters[2].ref, 33, 1, "cluster[2]");
  const ClusterTls& ctls = config->clusters[2].tls;
  expectRef(ctls.ref, 35, 3, "cluster[2].tls");
  expectRef(ctls.ca_ref, 36, 8, "cluster[2].tls.ca");
  expectRef(ctls.client_certificate->cert_ref, 39, 26, "cluster[2].tls.certificate.cert");
  expectRef(ctls.client_certificate->key_ref, 39, 45, "cluster[2].tls.certificate.key");
}

TEST(TlsParseTest, InlineAndTableCertificatesGiveTheSameModel) {
  CertDir dir;
  auto inline_form = dir.loadOk(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [
    { cert = "ecdsa.crt", key = "ecdsa.key" },
    { cert = "rsa.crt", key = "rsa.key" },
  ]
  [[listener.route]]
  server_names = ["a.example.com"]
  cluster = "rabbit"
  certificate = [{ cert = "rsa.crt", key = "rsa.key" }]
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
  [cluster.tls]
  certificate = { cert = "ecdsa.crt", key = "ecdsa.key" }
)");
  auto table_form = dir.loadOk(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
  [[listener.tls.certificate]]
  cert = "ecdsa.crt"
  key = "ecdsa.key"
  [[listener.tls.certificate]]
  cert = "rsa.crt"
  key = "rsa.key"
  [[listener.route]]
  server_names = ["a.example.com"]
  cluster = "rabbit"
    [[listener.route.certificate]]
    cert = "rsa.crt"
    key = "rsa.key"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
  [cluster.tls.certificate]
  cert = "ecdsa.crt"
  key = "ecdsa.key"
)");
  ASSERT_NE(inline_form, nullptr);
  ASSERT_NE(table_form, nullptr);
  for (const auto& config : {inline_form, table_form}) {
    const Listener& l = config->listeners.at(0);
    EXPECT_TRUE(l.tls.enabled);
    ASSERT_EQ(l.tls.certificates.size(), 2u);
    EXPECT_EQ(l.tls.certificates[0].cert, dir.file("ecdsa.crt"));
    EXPECT_EQ(l.tls.certificates[0].key, dir.file("ecdsa.key"));
    EXPECT_EQ(l.tls.certificates[1].cert, dir.file("rsa.crt"));
    EXPECT_EQ(l.tls.certificates[1].key, dir.file("rsa.key"));
    ASSERT_EQ(l.routes.size(), 1u);
    ASSERT_EQ(l.routes[0].certificates.size(), 1u);
    EXPECT_EQ(l.routes[0].certificates[0].key, dir.file("rsa.key"));
    const ClusterTls& ctls = config->clusters.at(0).tls;
    EXPECT_TRUE(ctls.enabled);
    ASSERT_TRUE(ctls.client_certificate.has_value());
    EXPECT_EQ(ctls.client_certificate->cert, dir.file("ecdsa.crt"));
  }
  // The table form points at the values under the headers.
  const auto& refs = table_form->listeners[0].tls.certificates[1];
  expectRef(refs.cert_ref, 10, 10, "listener[0].tls.certificate[1].cert");
  expectRef(refs.key_ref, 11, 9, "listener[0].tls.certificate[1].key");
  expectRef(table_form->listeners[0].tls.ref, 5, 3, "listener[0].tls");
}

TEST(TlsParseTest, DottedKeysWork) {
  CertDir dir;
  auto config = dir.loadOk(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
tls.certificate = [{ cert = "ecdsa.crt", key = "ecdsa.key" }]
tls.client_auth = "optional"
tls.client_ca = "ca.crt"
[[cluster]]
name = "rabbit"
tls.verify = false
node = [{ address = "127.0.0.1:5672" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_TRUE(config->listeners[0].tls.enabled);
  EXPECT_EQ(config->listeners[0].tls.client_auth, ClientAuth::Optional);
  EXPECT_TRUE(config->clusters[0].tls.enabled);
  EXPECT_FALSE(config->clusters[0].tls.verify);
}

TEST(TlsParseTest, EveryVersionAndClientAuth) {
  CertDir dir;
  const std::pair<const char*, TlsVersion> versions[] = {{"1.0", TlsVersion::Tls10},
                                                         {"1.1", TlsVersion::Tls11},
                                                         {"1.2", TlsVersion::Tls12},
                                                         {"1.3", TlsVersion::Tls13}};
  const std::pair<const char*, ClientAuth> auths[] = {{"none", ClientAuth::None},
                                                      {"optional", ClientAuth::Optional},
                                                      {"required", ClientAuth::Required}};
  for (size_t i = 0; i < 4; ++i) {
    const auto [text, version] = versions[i];
    const auto [auth_text, auth] = auths[i % 3];
    auto config = dir.loadOk(std::string(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [{ cert = "rsa.crt", key = "rsa.key" }]
  client_ca = "ca.crt"
  min_version = ")") + text + "\"\n  max_version = \"" + text + "\"\n  client_auth = \"" +
                             auth_text + "\"\n" + R"(
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
  [cluster.tls]
  min_version = ")" + text + "\"\n");
    ASSERT_NE(config, nullptr) << text;
    EXPECT_EQ(config->listeners[0].tls.min_version, version);
    EXPECT_EQ(config->listeners[0].tls.max_version, version);
    EXPECT_EQ(config->listeners[0].tls.client_auth, auth);
    EXPECT_EQ(config->clusters[0].tls.min_version, version);
  }
}

TEST(TlsParseTest, ServerNamesAreLowerCasedAndWildcardsKept) {
  CertDir dir;
  auto config = dir.loadOk(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
tls.certificate = [{ cert = "rsa.crt", key = "rsa.key" }]
  [[listener.route]]
  server_names = ["RABBIT.Example.COM", "*.EU.example.com", "localhost", "xn--bcher-kva.example", "a-1.b2.c"]
  cluster = "rabbit"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->listeners[0].routes[0].server_names,
            (std::vector<std::string>{"rabbit.example.com", "*.eu.example.com", "localhost",
                                      "xn--bcher-kva.example", "a-1.b2.c"}));
}

TEST(TlsParseTest, RelativePathsAreResolvedAgainstTheConfigFileDirectory) {
  CertDir dir({"etc/tls/a.crt", "etc/tls/a.key", "shared/ca.crt"});
  dir.write("etc/warren.toml", R"([[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [{ cert = "tls/a.crt", key = "./tls//a.key" }]
  client_ca = "../shared/ca.crt"
  client_auth = "optional"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
  [cluster.tls]
  ca = ")" + dir.file("shared/ca.crt") + R"("
)");
  auto result = loadFile(dir.file("etc/warren.toml"));
  std::string all;
  for (const auto& e : result.errors) all += e.format() + "\n";
  ASSERT_TRUE(result.ok()) << all;
  const ListenerTls& tls = result.config->listeners[0].tls;
  // Resolved and stored absolute; ".." is kept (the kernel resolves it, symlinks and all).
  EXPECT_EQ(tls.certificates[0].cert, dir.file("etc/tls/a.crt"));
  EXPECT_EQ(tls.certificates[0].key, dir.file("etc/tls/a.key"));
  EXPECT_EQ(tls.client_ca, dir.file("etc/../shared/ca.crt"));
  // Absolute paths are kept as written.
  EXPECT_EQ(result.config->clusters[0].tls.ca, dir.file("shared/ca.crt"));
}

TEST(TlsParseTest, EmptyRouteArrayIsNoRoutes) {
  auto config = loadOk(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
route = []
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_TRUE(config->listeners[0].routes.empty());
}

TEST(TlsParseTest, SameNameInDifferentListenersIsFine) {
  CertDir dir;
  auto config = dir.loadOk(R"(
[[listener]]
name = "a"
address = "127.0.0.1:5671"
cluster = "rabbit"
tls.certificate = [{ cert = "rsa.crt", key = "rsa.key" }]
route = [{ server_names = ["a.example.com"], cluster = "rabbit" }]
[[listener]]
name = "b"
address = "127.0.0.1:5681"
cluster = "rabbit"
tls.certificate = [{ cert = "rsa.crt", key = "rsa.key" }]
route = [{ server_names = ["a.example.com"], cluster = "rabbit" }]
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)");
  ASSERT_NE(config, nullptr);
}

}  // namespace
}  // namespace warren::config
