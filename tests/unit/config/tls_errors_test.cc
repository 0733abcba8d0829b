// Errors in the TLS parts: certificates and files, versions, curves, client
// certificates, routes and server names, TLS to the nodes, unknown and misplaced keys.
// Every message is asserted exactly as `warren check` prints it; "$DIR" stands for the
// temporary directory the test files are in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

using ::testing::ElementsAre;
using testing::CertDir;

// A TLS listener whose [listener.tls] is on line 5 and whose lines after `tls_lines`
// start on line 6; then a valid cluster.
std::string tlsListener(const std::string& tls_lines, const std::string& after = "") {
  return R"([[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
  [listener.tls]
)" + tls_lines +
         after + R"(
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)";
}

constexpr std::string_view kCert = "  certificate = [{ cert = \"rsa.crt\", key = \"rsa.key\" }]\n";

TEST(TlsErrorsTest, CertificatesAreRequiredAndHaveAShape) {
  CertDir dir;
  EXPECT_THAT(dir.errorsOf(tlsListener("")),
              ElementsAre("t.toml:5:3: listener[0].tls.certificate: at least one certificate is required"));
  EXPECT_THAT(dir.errorsOf(tlsListener("  certificate = []\n")),
              ElementsAre("t.toml:6:17: listener[0].tls.certificate: at least one certificate is required"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener("  certificate = { cert = \"rsa.crt\", key = \"rsa.key\" }\n")),
      ElementsAre(
          "t.toml:6:17: listener[0].tls.certificate: expected an array of tables ([[listener.tls.certificate]] or certificate = [{ cert = \"...\", key = \"...\" }]), found a table"));
  EXPECT_THAT(dir.errorsOf(tlsListener("  certificate = [\"rsa.crt\"]\n")),
              ElementsAre("t.toml:6:18: listener[0].tls.certificate[0]: expected a table, found a string"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener("  certificate = [{ cert = \"rsa.crt\" }, { key = \"rsa.key\" }]\n")),
      ElementsAre("t.toml:6:18: listener[0].tls.certificate[0].key: missing required key",
                  "t.toml:6:40: listener[0].tls.certificate[1].cert: missing required key"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener("  certificate = [{ cert = \"\", key = 5 }]\n")),
      ElementsAre("t.toml:6:27: listener[0].tls.certificate[0].cert: must not be empty",
                  "t.toml:6:37: listener[0].tls.certificate[0].key: expected a string, found an integer"));
}

TEST(TlsErrorsTest, EveryUnreadableFileIsNamedAtItsValue) {
  CertDir dir;
  ::mkdir(dir.file("certs.d").c_str(), 0700);
  EXPECT_THAT(
      dir.errorsOf(tlsListener(
          "  certificate = [{ cert = \"missing.crt\", key = \"certs.d\" },\n"
          "                 { cert = \"/nonexistent/rsa.crt\", key = \"rsa.key\" }]\n"
          "  client_ca = \"ca.pem\"\n"
          "  client_auth = \"required\"\n")),
      ElementsAre(
          "t.toml:6:27: listener[0].tls.certificate[0].cert: cannot read file \"$DIR/missing.crt\": No such file or directory",
          "t.toml:6:48: listener[0].tls.certificate[0].key: cannot read file \"$DIR/certs.d\": Is a directory",
          "t.toml:7:27: listener[0].tls.certificate[1].cert: cannot read file \"/nonexistent/rsa.crt\": No such file or directory",
          // No "client_auth needs client_ca" on top: client_ca was given, it is the file that is wrong.
          "t.toml:8:15: listener[0].tls.client_ca: cannot read file \"$DIR/ca.pem\": No such file or directory"));
}

TEST(TlsErrorsTest, FilesWithoutReadPermission) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can read any file";
  CertDir dir;
  ASSERT_EQ(::chmod(dir.file("rsa.key").c_str(), 0), 0);
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert))),
      ElementsAre(
          "t.toml:6:44: listener[0].tls.certificate[0].key: cannot read file \"$DIR/rsa.key\": Permission denied"));
}

TEST(TlsErrorsTest, LongPathsAreShownWhole) {
  CertDir dir;
  const std::string name = std::string(60, 'a') + ".crt";
  EXPECT_THAT(dir.errorsOf(tlsListener("  certificate = [{ cert = \"" + name +
                                       "\", key = \"rsa.key\" }]\n")),
              ElementsAre("t.toml:6:27: listener[0].tls.certificate[0].cert: cannot read file \"$DIR/" +
                          name + "\": No such file or directory"));
}

TEST(TlsErrorsTest, PathsWithNulCharacters) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener("  certificate = [{ cert = \"rsa.crt\\u0000x\", key = \"rsa.key\" }]\n")),
      ElementsAre(
          "t.toml:6:27: listener[0].tls.certificate[0].cert: invalid path \"rsa.crt\\x00x\": contains a NUL character"));
}

TEST(TlsErrorsTest, Versions) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) +
                               "  min_version = \"1.4\"\n"
                               "  max_version = 1.3\n")),
      ElementsAre(
          "t.toml:7:17: listener[0].tls.min_version: unknown value \"1.4\"; expected one of 1.0, 1.1, 1.2, 1.3",
          "t.toml:8:17: listener[0].tls.max_version: expected a string (one of 1.0, 1.1, 1.2, 1.3), found a floating-point number (did you mean \"1.3\"?)"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) +
                               "  min_version = \"TLSv1.2\"\n"
                               "  max_version = 2\n")),
      ElementsAre(
          "t.toml:7:17: listener[0].tls.min_version: unknown value \"TLSv1.2\" (did you mean \"1.2\"?); expected one of 1.0, 1.1, 1.2, 1.3",
          "t.toml:8:17: listener[0].tls.max_version: expected a string (one of 1.0, 1.1, 1.2, 1.3), found an integer"));
}

TEST(TlsErrorsTest, MinVersionMustNotBeAboveMaxVersion) {
  CertDir dir;
  // Reported at min_version when it was written...
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  min_version = \"1.3\"\n  max_version = \"1.2\"\n")),
      ElementsAre(
          "t.toml:7:17: listener[0].tls.min_version: min_version (1.3) must not be greater than max_version (1.2)"));
  // ...else at max_version.
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  max_version = \"1.1\"\n")),
      ElementsAre(
          "t.toml:7:17: listener[0].tls.max_version: min_version (1.2) must not be greater than max_version (1.1)"));
  // Not when one of them is wrong itself.
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  min_version = \"1.3\"\n  max_version = \"1.22\"\n")),
      ElementsAre(
          "t.toml:8:17: listener[0].tls.max_version: unknown value \"1.22\"; expected one of 1.0, 1.1, 1.2, 1.3"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert), R"(
[[cluster]]
name = "tls"
node = [{ address = "127.0.0.1:5671" }]
  [cluster.tls]
  max_version = "1.0")")),
      ElementsAre(
          "t.toml:12:17: cluster[0].tls.max_version: min_version (1.2) must not be greater than max_version (1.0)"));
}

TEST(TlsErrorsTest, Curves) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) +
                               "  curves = [\"x25519\", \"secp256r1\", \"P384\", \"X448\", 25519, \"x25519\"]\n")),
      ElementsAre(
          "t.toml:7:13: listener[0].tls.curves[0]: unknown curve \"x25519\" (did you mean \"X25519\"?); expected one of X25519, P-256, P-384, P-521",
          "t.toml:7:23: listener[0].tls.curves[1]: unknown curve \"secp256r1\" (did you mean \"P-256\"?); expected one of X25519, P-256, P-384, P-521",
          "t.toml:7:36: listener[0].tls.curves[2]: unknown curve \"P384\" (did you mean \"P-384\"?); expected one of X25519, P-256, P-384, P-521",
          "t.toml:7:44: listener[0].tls.curves[3]: unknown curve \"X448\"; expected one of X25519, P-256, P-384, P-521",
          "t.toml:7:52: listener[0].tls.curves[4]: expected a string, found an integer",
          "t.toml:7:59: listener[0].tls.curves[5]: unknown curve \"x25519\" (did you mean \"X25519\"?); expected one of X25519, P-256, P-384, P-521"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  curves = [\"P-256\", \"X25519\", \"P-256\"]\n")),
      ElementsAre("t.toml:7:32: listener[0].tls.curves[2]: duplicate curve \"P-256\" (also curves[0])"));
  EXPECT_THAT(dir.errorsOf(tlsListener(std::string(kCert) + "  curves = []\n")),
              ElementsAre("t.toml:7:12: listener[0].tls.curves: at least one curve is required"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  curves = \"X25519:P-256\"\n")),
      ElementsAre(
          "t.toml:7:12: listener[0].tls.curves: expected an array of strings such as [\"X25519\", \"P-256\"], found a string"));
}

TEST(TlsErrorsTest, OtherListenerTlsValues) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) +
                               "  ticket_key_rotation = \"0s\"\n"
                               "  handshake_timeout = 10\n"
                               "  session_tickets = \"yes\"\n"
                               "  strict_sni = 1\n"
                               "  ciphers = [\"AES128\"]\n"
                               "  client_auth = \"require\"\n")),
      ElementsAre(
          "t.toml:7:25: listener[0].tls.ticket_key_rotation: must be greater than 0s",
          "t.toml:8:23: listener[0].tls.handshake_timeout: expected a duration string such as \"10s\", found an integer",
          "t.toml:9:21: listener[0].tls.session_tickets: expected a boolean (true or false), found a string",
          "t.toml:10:16: listener[0].tls.strict_sni: expected a boolean (true or false), found an integer",
          "t.toml:11:13: listener[0].tls.ciphers: expected a string, found an array",
          "t.toml:12:17: listener[0].tls.client_auth: unknown value \"require\" (did you mean \"required\"?); expected one of none, optional, required"));
}

TEST(TlsErrorsTest, ClientAuthNeedsClientCa) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  client_auth = \"required\"\n")),
      ElementsAre(
          "t.toml:7:17: listener[0].tls.client_auth: client_auth \"required\" needs client_ca: the CA bundle (PEM) that client certificates must chain to"));
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  client_ca = \"\"\n  client_auth = \"optional\"\n")),
      ElementsAre(
          "t.toml:7:15: listener[0].tls.client_ca: must not be empty when client_auth is \"optional\""));
  // A client_ca of the wrong type is one error, not two.
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  client_ca = true\n  client_auth = \"optional\"\n")),
      ElementsAre("t.toml:7:15: listener[0].tls.client_ca: expected a string, found a boolean"));
  // With client_auth = "none" a client_ca is allowed (and unused).
  EXPECT_THAT(dir.errorsOf(tlsListener(std::string(kCert) + "  client_ca = \"ca.crt\"\n")),
              ElementsAre());
}

// A plaintext listener with routes; cluster "rabbit" exists.
TEST(TlsErrorsTest, RoutesNeedTls) {
  CertDir dir;
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
  [[listener.route]]
  server_names = ["a.example.com"]
  cluster = "rabbit"
  [[listener.route]]
  server_names = ["b.example.com"]
  cluster = "rabbit"
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)"),
              ElementsAre("t.toml:5:3: listener[0].route: routes need TLS: SNI comes from the TLS handshake"));
  // Inline routes: at the array.
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
route = [{ server_names = ["a.example.com"], cluster = "rabbit" }]
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)"),
              ElementsAre("t.toml:5:9: listener[0].route: routes need TLS: SNI comes from the TLS handshake"));
  // A [listener.tls] with an error of its own is not also "missing".
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
tls = true
route = [{ server_names = ["a.example.com"], cluster = "rabbit" }]
[[cluster]]
name = "rabbit"
node = [{ address = "127.0.0.1:5672" }]
)"),
              ElementsAre("t.toml:5:7: listener[0].tls: expected a table, found a boolean"));
}

TEST(TlsErrorsTest, RouteShapeAndClusters) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert), R"(
  [[listener.route]]
  cluster = "rabit"
  [[listener.route]]
  server_names = []
  [[listener.route]]
  server_names = "c.example.com"
  cluster = "rabbit"
  certificate = []
  [[listener.route]]
  server_names = ["d.example.com", 4]
  cluster = "rabbit"
  certificate = [{ cert = "nope.crt", key = "rsa.key" }])")),
      ElementsAre(
          "t.toml:8:3: listener[0].route[0].server_names: missing required key",
          "t.toml:9:13: listener[0].route[0].cluster: no [[cluster]] is named \"rabit\" (did you mean \"rabbit\"?)",
          "t.toml:10:3: listener[0].route[1].cluster: missing required key",
          "t.toml:11:18: listener[0].route[1].server_names: at least one server name is required",
          "t.toml:13:18: listener[0].route[2].server_names: expected an array of strings such as [\"rabbit.example.com\"], found a string",
          "t.toml:15:17: listener[0].route[2].certificate: at least one certificate is required (leave certificate out to use the listener's certificates)",
          "t.toml:17:36: listener[0].route[3].server_names[1]: expected a string, found an integer",
          "t.toml:19:27: listener[0].route[3].certificate[0].cert: cannot read file \"$DIR/nope.crt\": No such file or directory"));
}

TEST(TlsErrorsTest, InvalidServerNames) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert), R"(
  [[listener.route]]
  cluster = "rabbit"
  server_names = [
    "",
    "a.*.example.com",
    "*a.example.com",
    "*",
    "rabbit_1.example.com",
    "a..example.com",
    "-a.example.com",
    "example.com.",
    "10.0.0.5",
    "bücher.example",
    "a b",
  ])")),
      ElementsAre(
          "t.toml:11:5: listener[0].route[0].server_names[0]: must not be empty",
          "t.toml:12:5: listener[0].route[0].server_names[1]: invalid server name \"a.*.example.com\": a wildcard must be the whole first label, as in \"*.example.com\"",
          "t.toml:13:5: listener[0].route[0].server_names[2]: invalid server name \"*a.example.com\": a wildcard must be the whole first label, as in \"*.example.com\"",
          "t.toml:14:5: listener[0].route[0].server_names[3]: invalid server name \"*\": a wildcard needs a domain after it, as in \"*.example.com\"",
          "t.toml:15:5: listener[0].route[0].server_names[4]: invalid server name \"rabbit_1.example.com\": \"_\" is not allowed (use letters, digits, '-' and '.')",
          "t.toml:16:5: listener[0].route[0].server_names[5]: invalid server name \"a..example.com\": empty label",
          "t.toml:17:5: listener[0].route[0].server_names[6]: invalid server name \"-a.example.com\": a label must not start or end with '-'",
          "t.toml:18:5: listener[0].route[0].server_names[7]: invalid server name \"example.com.\": remove the trailing dot",
          "t.toml:19:5: listener[0].route[0].server_names[8]: invalid server name \"10.0.0.5\": an IP address is not a server name (SNI carries DNS names only)",
          "t.toml:20:5: listener[0].route[0].server_names[9]: invalid server name \"bücher.example\": non-ASCII characters; write the name in its xn-- (punycode) form",
          "t.toml:21:5: listener[0].route[0].server_names[10]: invalid server name \"a b\": \" \" is not allowed (use letters, digits, '-' and '.')"));
}

TEST(TlsErrorsTest, EachServerNameInOneRouteOnly) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert), R"(
  [[listener.route]]
  server_names = ["a.example.com", "*.example.com", "A.Example.Com"]
  cluster = "rabbit"
  [[listener.route]]
  server_names = ["b.example.com", "a.example.com"]
  cluster = "rabbit"
  [[listener.route]]
  server_names = ["*.EXAMPLE.com", "b.example.com", "c.example.com"]
  cluster = "rabbit")")),
      ElementsAre(
          "t.toml:9:53: listener[0].route[0].server_names[2]: duplicate server name \"a.example.com\" (also listener[0].route[0].server_names[0])",
          "t.toml:12:36: listener[0].route[1].server_names[1]: server name \"a.example.com\" is already used by listener[0].route[0]",
          "t.toml:15:19: listener[0].route[2].server_names[0]: server name \"*.example.com\" is already used by listener[0].route[0]",
          "t.toml:15:36: listener[0].route[2].server_names[1]: server name \"b.example.com\" is already used by listener[0].route[1]"));
}

TEST(TlsErrorsTest, StrictSniNeedsRoutes) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) + "  strict_sni = true\n")),
      ElementsAre(
          "t.toml:7:16: listener[0].tls.strict_sni: strict_sni = true needs at least one [[listener.route]]: without routes every handshake would be refused"));
}

TEST(TlsErrorsTest, ClusterTls) {
  CertDir dir;
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "a"
[[cluster]]
name = "a"
proxy_protocol_tlvs = "yes"
node = [{ address = "127.0.0.1:5671" }]
  [cluster.tls]
  ca = "missing-ca.crt"
  verify = "true"
  server_name = "*.example.com"
  certificate = [{ cert = "rsa.crt", key = "rsa.key" }]
[[cluster]]
name = "b"
node = [{ address = "127.0.0.1:5671" }]
  [cluster.tls]
  server_name = "10.0.0.5"
  [cluster.tls.certificate]
  cert = "rsa.crt"
[[cluster]]
name = "c"
tls = "on"
node = [{ address = "127.0.0.1:5671" }]
)"),
              ElementsAre(
                  "t.toml:7:23: cluster[0].proxy_protocol_tlvs: expected a boolean (true or false), found a string",
                  "t.toml:10:8: cluster[0].tls.ca: cannot read file \"$DIR/missing-ca.crt\": No such file or directory",
                  "t.toml:11:12: cluster[0].tls.verify: expected a boolean (true or false), found a string",
                  "t.toml:12:17: cluster[0].tls.server_name: invalid server name \"*.example.com\": a wildcard is not allowed here",
                  "t.toml:13:17: cluster[0].tls.certificate: expected a table ([cluster.tls.certificate] or certificate = { cert = \"...\", key = \"...\" }), found an array",
                  "t.toml:18:17: cluster[1].tls.server_name: invalid server name \"10.0.0.5\": an IP address is not a server name (SNI carries DNS names only)",
                  "t.toml:19:3: cluster[1].tls.certificate.key: missing required key",
                  "t.toml:23:7: cluster[2].tls: expected a table, found a string"));
}

TEST(TlsErrorsTest, UnknownKeysHaveHints) {
  CertDir dir;
  EXPECT_THAT(
      dir.errorsOf(tlsListener(std::string(kCert) +
                               "  min_verison = \"1.2\"\n"
                               "  clientauth = \"required\"\n"
                               "  curve = [\"X25519\"]\n",
                               R"(
  [[listener.route]]
  server_name = ["a.example.com"]
  cluster = "rabbit")") + R"(
  [cluster.tls]
  server_names = "a.example.com"
  cafile = "ca.crt")"),
      ElementsAre(
          "t.toml:7:17: listener[0].tls.min_verison: unknown key 'min_verison' (did you mean 'min_version'?)",
          "t.toml:8:16: listener[0].tls.clientauth: unknown key 'clientauth' (did you mean 'client_auth'?)",
          "t.toml:9:11: listener[0].tls.curve: unknown key 'curve' (did you mean 'curves'?)",
          "t.toml:11:3: listener[0].route[0].server_names: missing required key",
          "t.toml:12:17: listener[0].route[0].server_name: unknown key 'server_name' (did you mean 'server_names'?)",
          "t.toml:19:18: cluster[0].tls.server_names: unknown key 'server_names' (did you mean 'server_name'?)",
          "t.toml:20:12: cluster[0].tls.cafile: unknown key 'cafile'"));
}

TEST(TlsErrorsTest, KeysInTheWrongTableSayWhereTheyBelong) {
  CertDir dir;
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqps"
address = "127.0.0.1:5671"
cluster = "rabbit"
min_version = "1.2"
server_names = ["a.example.com"]
cert = "rsa.crt"
  [listener.tls]
  backlog = 10
  cert = "rsa.crt"
  server_names = ["a.example.com"]
    [[listener.tls.certificate]]
    cert = "rsa.crt"
    key = "rsa.key"
    strict_sni = true
  [[listener.route]]
  server_names = ["a.example.com"]
  cluster = "rabbit"
  client_auth = "none"
  key = "rsa.key"
  address = "127.0.0.1:5672"
[[cluster]]
name = "rabbit"
verify = false
node = [{ address = "127.0.0.1:5672" }]
  [cluster.tls]
  connect_timeout = "1s"
  key = "rsa.key"
    [cluster.tls.certificate]
    cert = "rsa.crt"
    key = "rsa.key"
    server_name = "rabbit.internal"
)"),
              ElementsAre(
                  "t.toml:5:15: listener[0].min_version: unknown key 'min_version' (it belongs in [listener.tls])",
                  "t.toml:6:16: listener[0].server_names: unknown key 'server_names' (it belongs in [[listener.route]])",
                  "t.toml:7:8: listener[0].cert: unknown key 'cert' (it belongs in [[listener.tls.certificate]])",
                  "t.toml:9:13: listener[0].tls.backlog: unknown key 'backlog' (it belongs in [[listener]]; keys after the [listener.tls] header go into [listener.tls])",
                  "t.toml:10:10: listener[0].tls.cert: unknown key 'cert' (it belongs in [[listener.tls.certificate]])",
                  "t.toml:11:18: listener[0].tls.server_names: unknown key 'server_names' (it belongs in [[listener.route]])",
                  "t.toml:15:18: listener[0].tls.certificate[0].strict_sni: unknown key 'strict_sni' (it belongs in [listener.tls]; keys after a [[listener.tls.certificate]] header go into that certificate)",
                  "t.toml:19:17: listener[0].route[0].client_auth: unknown key 'client_auth' (it belongs in [listener.tls])",
                  "t.toml:20:9: listener[0].route[0].key: unknown key 'key' (it belongs in [[listener.route.certificate]])",
                  "t.toml:21:13: listener[0].route[0].address: unknown key 'address' (it belongs in [[listener]]; keys after a [[listener.route]] header go into that route)",
                  "t.toml:24:10: cluster[0].verify: unknown key 'verify' (it belongs in [cluster.tls])",
                  "t.toml:27:21: cluster[0].tls.connect_timeout: unknown key 'connect_timeout' (it belongs in [[cluster]]; keys after the [cluster.tls] header go into [cluster.tls])",
                  "t.toml:28:9: cluster[0].tls.key: unknown key 'key' (it belongs in [cluster.tls.certificate])",
                  "t.toml:32:19: cluster[0].tls.certificate.server_name: unknown key 'server_name' (it belongs in [cluster.tls]; keys after the [cluster.tls.certificate] header go into [cluster.tls.certificate])"));
}

TEST(TlsErrorsTest, NodesAfterTheClusterTlsHeader) {
  CertDir dir;
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
[[cluster]]
name = "rabbit"
  [cluster.tls]
  verify = false
node = [{ address = "127.0.0.1:5671" }]
)"),
              ElementsAre("t.toml:5:1: cluster[0].node: at least one node is required",
                          "t.toml:9:8: cluster[0].tls.node: unknown key 'node' (it belongs in [[cluster]]; keys after the [cluster.tls] header go into [cluster.tls])"));
}

TEST(TlsErrorsTest, EverythingIsReportedInFileOrder) {
  CertDir dir;
  EXPECT_THAT(dir.errorsOf(R"(
[[listener]]
name = "amqps"
address = "0.0.0.0:5671"
cluster = "rabbit"
  [listener.tls]
  certificate = [{ cert = "ecdsa.crt", key = "ecdsa.key" }, { cert = "rsa.crt", key = "rsa.pem" }]
  min_version = "1.3"
  max_version = "1.2"
  curves = ["X25519", "P-256", "X25519"]
  client_auth = "required"
  [[listener.route]]
  server_names = ["a.example.com", "*.*.example.com"]
  cluster = "rabbit-a"
  [[listener.route]]
  server_names = ["a.example.com"]
  cluster = "rabbit"
[[listener]]
name = "amqp"
address = "0.0.0.0:5672"
cluster = "rabbit"
route = [{ server_names = ["x.example.com"], cluster = "rabbit" }]
[[cluster]]
name = "rabbit"
node = [{ address = "10.0.0.5:5672" }]
  [cluster.tls]
  min_version = "1.1"
  certificate = { cert = "ecdsa.crt" }
)"),
              ElementsAre(
                  "t.toml:6:87: listener[0].tls.certificate[1].key: cannot read file \"$DIR/rsa.pem\": No such file or directory",
                  "t.toml:7:17: listener[0].tls.min_version: min_version (1.3) must not be greater than max_version (1.2)",
                  "t.toml:9:32: listener[0].tls.curves[2]: duplicate curve \"X25519\" (also curves[0])",
                  "t.toml:10:17: listener[0].tls.client_auth: client_auth \"required\" needs client_ca: the CA bundle (PEM) that client certificates must chain to",
                  "t.toml:12:36: listener[0].route[0].server_names[1]: invalid server name \"*.*.example.com\": a wildcard must be the whole first label, as in \"*.example.com\"",
                  "t.toml:13:13: listener[0].route[0].cluster: no [[cluster]] is named \"rabbit-a\" (did you mean \"rabbit\"?)",
                  "t.toml:15:19: listener[0].route[1].server_names[0]: server name \"a.example.com\" is already used by listener[0].route[0]",
                  "t.toml:21:9: listener[1].route: routes need TLS: SNI comes from the TLS handshake",
                  "t.toml:27:17: cluster[0].tls.certificate.key: missing required key"));
}

}  // namespace
}  // namespace warren::config
