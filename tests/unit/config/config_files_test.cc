// Every *.toml shipped under config/ loads without errors; the example is complete,
// its commented-out TLS blocks are valid and set the defaults; the TLS example is the
// setup it describes.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.h"
#include "unit/config/config_test_util.h"

namespace warren::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CertDir;

const fs::path kConfigDir = fs::path(WARREN_SOURCE_DIR) / "config";

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigFilesTest, EveryShippedFileValidates) {
  size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kConfigDir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    auto result = loadFile(entry.path().string());
    std::string all;
    for (const auto& e : result.errors) all += e.format() + "\n";
    EXPECT_TRUE(result.ok()) << all;
    ++checked;
  }
  EXPECT_GE(checked, 3u) << "expected warren.example.toml, tls.example.toml and minimal.toml in "
                         << kConfigDir;
}

TEST(ConfigFilesTest, ExampleSetsEveryKeyToItsDefault) {
  auto result = loadFile((kConfigDir / "warren.example.toml").string());
  ASSERT_TRUE(result.ok());
  const Config& c = *result.config;
  const Config defaults;
  EXPECT_EQ(c.global.workers, defaults.global.workers);
  EXPECT_EQ(c.global.log_level, defaults.global.log_level);
  EXPECT_EQ(c.global.access_log, defaults.global.access_log);
  EXPECT_EQ(c.global.shutdown_timeout, defaults.global.shutdown_timeout);
  EXPECT_EQ(c.global.max_connections, defaults.global.max_connections);
  EXPECT_EQ(c.global.allow_core_dumps, defaults.global.allow_core_dumps);
  EXPECT_EQ(c.global.buffer_high_watermark, defaults.global.buffer_high_watermark);
  EXPECT_EQ(c.global.buffer_low_watermark, defaults.global.buffer_low_watermark);
  EXPECT_EQ(c.admin.enabled, defaults.admin.enabled);
  EXPECT_EQ(c.admin.address, defaults.admin.address);
  EXPECT_EQ(c.admin.token_file, defaults.admin.token_file);
  EXPECT_EQ(c.admin.protect_metrics, defaults.admin.protect_metrics);

  ASSERT_EQ(c.listeners.size(), 1u);
  const Listener listener_defaults;
  const Listener& l = c.listeners[0];
  EXPECT_EQ(l.accept_proxy, listener_defaults.accept_proxy);
  EXPECT_EQ(l.proxy_header_timeout, listener_defaults.proxy_header_timeout);
  EXPECT_EQ(l.idle_timeout, listener_defaults.idle_timeout);
  EXPECT_EQ(l.protocol, listener_defaults.protocol);
  EXPECT_EQ(l.heartbeat_multiplier, listener_defaults.heartbeat_multiplier);
  EXPECT_EQ(l.idle_timeout_without_heartbeat, listener_defaults.idle_timeout_without_heartbeat);
  EXPECT_EQ(l.amqp_handshake_timeout, listener_defaults.amqp_handshake_timeout);
  EXPECT_EQ(l.max_connections, listener_defaults.max_connections);
  EXPECT_EQ(l.backlog, listener_defaults.backlog);
  EXPECT_EQ(l.max_connections_per_source, listener_defaults.max_connections_per_source);
  EXPECT_EQ(l.source_ipv6_prefix, listener_defaults.source_ipv6_prefix);
  EXPECT_EQ(l.accept_rate, listener_defaults.accept_rate);
  EXPECT_EQ(l.accept_burst, listener_defaults.accept_burst);
  // The TLS blocks are commented out: their presence would turn TLS on.
  EXPECT_FALSE(l.tls.enabled);
  EXPECT_TRUE(l.routes.empty());

  ASSERT_EQ(c.clusters.size(), 1u);
  const Cluster cluster_defaults;
  const Cluster& k = c.clusters[0];
  EXPECT_EQ(k.balance, cluster_defaults.balance);
  EXPECT_EQ(k.proxy_protocol, cluster_defaults.proxy_protocol);
  EXPECT_EQ(k.connect_timeout, cluster_defaults.connect_timeout);
  EXPECT_EQ(k.connect_attempts, cluster_defaults.connect_attempts);
  EXPECT_EQ(k.down_backoff, cluster_defaults.down_backoff);
  EXPECT_EQ(k.proxy_protocol_tlvs, cluster_defaults.proxy_protocol_tlvs);
  EXPECT_FALSE(k.tls.enabled);
  EXPECT_FALSE(k.health_check.enabled);
  EXPECT_EQ(k.slow_start, cluster_defaults.slow_start);
  ASSERT_EQ(k.nodes.size(), 1u);
  EXPECT_EQ(k.nodes[0].weight, Node{}.weight);

  const TcpOptions tcp_defaults;
  for (const TcpOptions* tcp : {&l.tcp, &k.tcp}) {
    EXPECT_EQ(tcp->nodelay, tcp_defaults.nodelay);
    EXPECT_EQ(tcp->keepalive, tcp_defaults.keepalive);
    EXPECT_EQ(tcp->keepalive_idle, tcp_defaults.keepalive_idle);
    EXPECT_EQ(tcp->keepalive_interval, tcp_defaults.keepalive_interval);
    EXPECT_EQ(tcp->keepalive_count, tcp_defaults.keepalive_count);
    EXPECT_EQ(tcp->send_buffer, tcp_defaults.send_buffer);
    EXPECT_EQ(tcp->receive_buffer, tcp_defaults.receive_buffer);
  }
}

// Keys of `key = value` lines; with `uncomment`, also of commented-out ones
// ("# key = value", "# # key = value"). (No std::regex: GCC 12 with ASan warns in it.)
std::set<std::string> keysWritten(const std::string& text, bool uncomment) {
  std::set<std::string> written;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    if (uncomment) start = line.find_first_not_of("# ", start);
    if (start == std::string::npos) continue;
    size_t end = start;
    while (end < line.size() &&
           (std::islower(static_cast<unsigned char>(line[end])) || line[end] == '_' ||
            (end > start && std::isdigit(static_cast<unsigned char>(line[end]))))) {
      ++end;
    }
    const size_t equals = line.find_first_not_of(' ', end);
    if (end > start && equals != std::string::npos && line[equals] == '=') {
      written.insert(line.substr(start, end - start));
    }
  }
  return written;
}

// Every key the loader knows is written out in the example (the loader rejects unknown
// keys, so the other direction is covered by EveryShippedFileValidates).
TEST(ConfigFilesTest, ExampleMentionsEveryKey) {
  const std::string text = readFile(kConfigDir / "warren.example.toml");
  const std::set<std::string> written = keysWritten(text, /*uncomment=*/false);
  for (const char* key : {"workers",
                          "log_level",
                          "access_log",
                          "shutdown_timeout",
                          "max_connections",
                          "buffer_high_watermark",
                          "buffer_low_watermark",
                          "name",
                          "address",
                          "cluster",
                          "accept_proxy",
                          "proxy_header_timeout",
                          "protocol",
                          "idle_timeout",
                          "heartbeat_multiplier",
                          "idle_timeout_without_heartbeat",
                          "amqp_handshake_timeout",
                          "backlog",
                          "max_connections_per_source",
                          "source_ipv6_prefix",
                          "allow_core_dumps",
                          "accept_rate",
                          "accept_burst",
                          "send_buffer",
                          "receive_buffer",
                          "nodelay",
                          "keepalive",
                          "keepalive_idle",
                          "keepalive_interval",
                          "keepalive_count",
                          "balance",
                          "proxy_protocol",
                          "connect_timeout",
                          "connect_attempts",
                          "down_backoff",
                          "resolve_interval",
                          "watch",
                          "weight",
                          "enabled",
                          "protect_metrics"}) {
    EXPECT_TRUE(written.count(key)) << key << " is missing from warren.example.toml";
  }
  for (const char* table : {"[global]", "[admin]", "[[listener]]", "[listener.tcp]", "[[cluster]]",
                            "[cluster.tcp]", "[[cluster.node]]"}) {
    EXPECT_NE(text.find(table), std::string::npos)
        << table << " is missing from warren.example.toml";
  }
  EXPECT_TRUE(written.count("proxy_protocol_tlvs"));
  // The TLS keys are in commented-out blocks ("# key = value", "# # key = value" for
  // those without a default).
  const std::set<std::string> commented = keysWritten(text, /*uncomment=*/true);
  for (const char* key : {"certificate", "min_version", "max_version", "ciphers",
                          "curves", "session_tickets", "ticket_key_rotation", "handshake_timeout",
                          "strict_sni", "client_ca", "client_auth", "server_names", "ca",
                          "verify", "server_name", "type", "interval", "timeout", "rise", "fall",
                          "proxy", "token_file"}) {
    EXPECT_TRUE(commented.count(key)) << key << " is missing from warren.example.toml";
  }
  // cert and key: in the inline tables of `certificate`.
  EXPECT_NE(text.find("{ cert = \""), std::string::npos);
  EXPECT_NE(text.find(", key = \""), std::string::npos);
  for (const char* table :
       {"# [listener.tls]", "# [[listener.route]]", "# [cluster.tls]", "# [cluster.health_check]"}) {
    EXPECT_NE(text.find(table), std::string::npos)
        << table << " is missing from warren.example.toml";
  }
}

// warren.example.toml with its TLS blocks uncommented: each block starts at a line
// "# [header]" and runs to the next line that is not a comment; "# " is removed from
// its lines, so "# # text" stays a comment.
std::string uncommentTlsBlocks(const std::string& text) {
  std::istringstream lines(text);
  std::string out;
  bool in_block = false;
  for (std::string line; std::getline(lines, line);) {
    const size_t start = line.find_first_not_of(' ');
    const std::string trimmed = start == std::string::npos ? "" : line.substr(start);
    if (trimmed == "# [listener.tls]" || trimmed == "# [[listener.route]]" ||
        trimmed == "# [cluster.tls]" || trimmed == "# [cluster.health_check]") {
      in_block = true;
    } else if (trimmed.empty() || trimmed.front() != '#') {
      in_block = false;
    }
    if (in_block && trimmed.rfind("# ", 0) == 0) {
      line = line.substr(0, start) + trimmed.substr(2);
    }
    out += line + "\n";
  }
  return out;
}

TEST(ConfigFilesTest, ExampleTlsBlocksAreValidAndSetTheDefaults) {
  const std::string uncommented = uncommentTlsBlocks(readFile(kConfigDir / "warren.example.toml"));
  ASSERT_NE(uncommented.find("\n  [listener.tls]\n"), std::string::npos);
  ASSERT_NE(uncommented.find("\n  [[listener.route]]\n"), std::string::npos);
  ASSERT_NE(uncommented.find("\n  [cluster.tls]\n"), std::string::npos);
  ASSERT_NE(uncommented.find("\n  [cluster.health_check]\n"), std::string::npos);
  // Its relative certificate paths, next to the file.
  CertDir dir({"tls/warren.crt", "tls/warren.key"});
  auto config = dir.loadOk(uncommented, "warren.example.toml");
  ASSERT_NE(config, nullptr);

  const Listener& l = config->listeners.at(0);
  const ListenerTls defaults;
  EXPECT_TRUE(l.tls.enabled);
  ASSERT_EQ(l.tls.certificates.size(), 1u);
  EXPECT_EQ(l.tls.certificates[0].cert, dir.file("tls/warren.crt"));
  EXPECT_EQ(l.tls.certificates[0].key, dir.file("tls/warren.key"));
  EXPECT_EQ(l.tls.min_version, defaults.min_version);
  EXPECT_EQ(l.tls.max_version, defaults.max_version);
  EXPECT_EQ(l.tls.ciphers, defaults.ciphers);
  EXPECT_EQ(l.tls.curves, defaults.curves);
  EXPECT_EQ(l.tls.session_tickets, defaults.session_tickets);
  EXPECT_EQ(l.tls.ticket_key_rotation, defaults.ticket_key_rotation);
  EXPECT_EQ(l.tls.handshake_timeout, defaults.handshake_timeout);
  EXPECT_EQ(l.tls.strict_sni, defaults.strict_sni);
  EXPECT_EQ(l.tls.client_ca, defaults.client_ca);
  EXPECT_EQ(l.tls.client_auth, defaults.client_auth);
  ASSERT_EQ(l.routes.size(), 1u);
  EXPECT_TRUE(l.routes[0].certificates.empty());

  const ClusterTls& k = config->clusters.at(0).tls;
  const ClusterTls cluster_defaults;
  EXPECT_TRUE(k.enabled);
  EXPECT_EQ(k.ca, cluster_defaults.ca);
  EXPECT_EQ(k.verify, cluster_defaults.verify);
  EXPECT_EQ(k.server_name, cluster_defaults.server_name);
  EXPECT_EQ(k.min_version, cluster_defaults.min_version);
  EXPECT_EQ(k.max_version, cluster_defaults.max_version);
  EXPECT_FALSE(k.client_certificate.has_value());

  // The health check block shows the defaults.
  const HealthCheck& h = config->clusters.at(0).health_check;
  const HealthCheck check_defaults;
  EXPECT_TRUE(h.enabled);
  EXPECT_EQ(h.type, check_defaults.type);
  EXPECT_EQ(h.interval, check_defaults.interval);
  EXPECT_EQ(h.timeout, check_defaults.timeout);
  EXPECT_EQ(h.rise, check_defaults.rise);
  EXPECT_EQ(h.fall, check_defaults.fall);
  EXPECT_EQ(h.proxy, check_defaults.proxy);
}

// The files tls.example.toml names under ../tests/fixtures/tls/.
std::vector<std::string> fixturesNamedIn(const std::string& text) {
  const std::string prefix = "../tests/fixtures/tls/";
  std::set<std::string> names;
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
    at += prefix.size();
    names.insert(text.substr(at, text.find('"', at) - at));
  }
  return {names.begin(), names.end()};
}

// With placeholder files in place of tests/fixtures/tls, so that this checks the file
// itself whatever the state of the fixtures; EveryShippedFileValidates reads the real ones.
TEST(ConfigFilesTest, TlsExampleIsTheSetupItDescribes) {
  const std::string text = readFile(kConfigDir / "tls.example.toml");
  std::vector<std::string> files;
  for (const auto& name : fixturesNamedIn(text)) files.push_back("tests/fixtures/tls/" + name);
  EXPECT_EQ(files.size(), 11u);
  CertDir dir(files);
  dir.write("config/tls.example.toml", text);  // "config/.." must exist
  auto config = dir.loadOk(text, "config/tls.example.toml");
  ASSERT_NE(config, nullptr);
  const std::string fixtures = dir.file("config/../tests/fixtures/tls/");

  ASSERT_EQ(config->listeners.size(), 1u);
  const Listener& l = config->listeners[0];
  EXPECT_EQ(l.cluster, "rabbit");
  EXPECT_TRUE(l.tls.enabled);
  ASSERT_EQ(l.tls.certificates.size(), 2u);  // ECDSA and RSA
  EXPECT_EQ(l.tls.certificates[0].cert, fixtures + "rabbit-ecdsa.crt");
  EXPECT_EQ(l.tls.certificates[1].key, fixtures + "rabbit-rsa.key");
  EXPECT_EQ(l.tls.client_auth, ClientAuth::Optional);
  EXPECT_EQ(l.tls.client_ca, fixtures + "ca.crt");
  ASSERT_EQ(l.routes.size(), 2u);
  EXPECT_EQ(l.routes[0].server_names, (std::vector<std::string>{"rabbit.example.com"}));
  EXPECT_EQ(l.routes[0].cluster, "rabbit-new");
  EXPECT_TRUE(l.routes[0].certificates.empty());
  EXPECT_EQ(l.routes[1].server_names, (std::vector<std::string>{"*.eu.example.com"}));
  EXPECT_EQ(l.routes[1].cluster, "rabbit-eu");
  ASSERT_EQ(l.routes[1].certificates.size(), 2u);
  EXPECT_EQ(l.routes[1].certificates[0].cert, fixtures + "wildcard-eu-ecdsa.crt");

  const Cluster* eu = config->findCluster("rabbit-eu");
  ASSERT_NE(eu, nullptr);
  EXPECT_EQ(eu->proxy_protocol, ProxyProtocol::V2);
  EXPECT_TRUE(eu->tls.enabled);
  EXPECT_EQ(eu->tls.ca, fixtures + "ca.crt");
  EXPECT_EQ(eu->tls.server_name, "rabbit-eu.internal");
  ASSERT_TRUE(eu->tls.client_certificate.has_value());
  EXPECT_EQ(eu->tls.client_certificate->cert, fixtures + "client.crt");
  ASSERT_NE(config->findCluster("rabbit"), nullptr);
  EXPECT_FALSE(config->findCluster("rabbit")->tls.enabled);
}

TEST(ConfigFilesTest, MinimalHasThreeLocalNodes) {
  auto result = loadFile((kConfigDir / "minimal.toml").string());
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.config->listeners.size(), 1u);
  ASSERT_EQ(result.config->clusters.size(), 1u);
  const auto& nodes = result.config->clusters[0].nodes;
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].address.toString(), "127.0.0.1:5672");
  EXPECT_EQ(nodes[1].address.toString(), "127.0.0.1:5673");
  EXPECT_EQ(nodes[2].address.toString(), "127.0.0.1:5674");
}

}  // namespace
}  // namespace warren::config
