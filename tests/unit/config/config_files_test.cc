// Every *.toml shipped under config/ loads without errors; the example is complete.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.h"

namespace warren::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

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
  EXPECT_GE(checked, 2u) << "expected warren.example.toml and minimal.toml in " << kConfigDir;
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
  EXPECT_EQ(c.global.buffer_high_watermark, defaults.global.buffer_high_watermark);
  EXPECT_EQ(c.global.buffer_low_watermark, defaults.global.buffer_low_watermark);

  ASSERT_EQ(c.listeners.size(), 1u);
  const Listener listener_defaults;
  const Listener& l = c.listeners[0];
  EXPECT_EQ(l.accept_proxy, listener_defaults.accept_proxy);
  EXPECT_EQ(l.proxy_header_timeout, listener_defaults.proxy_header_timeout);
  EXPECT_EQ(l.idle_timeout, listener_defaults.idle_timeout);
  EXPECT_EQ(l.max_connections, listener_defaults.max_connections);
  EXPECT_EQ(l.backlog, listener_defaults.backlog);

  ASSERT_EQ(c.clusters.size(), 1u);
  const Cluster cluster_defaults;
  const Cluster& k = c.clusters[0];
  EXPECT_EQ(k.balance, cluster_defaults.balance);
  EXPECT_EQ(k.proxy_protocol, cluster_defaults.proxy_protocol);
  EXPECT_EQ(k.connect_timeout, cluster_defaults.connect_timeout);
  EXPECT_EQ(k.connect_attempts, cluster_defaults.connect_attempts);
  EXPECT_EQ(k.down_backoff, cluster_defaults.down_backoff);
  ASSERT_EQ(k.nodes.size(), 1u);
  EXPECT_EQ(k.nodes[0].weight, Node{}.weight);

  const TcpOptions tcp_defaults;
  for (const TcpOptions* tcp : {&l.tcp, &k.tcp}) {
    EXPECT_EQ(tcp->nodelay, tcp_defaults.nodelay);
    EXPECT_EQ(tcp->keepalive, tcp_defaults.keepalive);
    EXPECT_EQ(tcp->keepalive_idle, tcp_defaults.keepalive_idle);
    EXPECT_EQ(tcp->keepalive_interval, tcp_defaults.keepalive_interval);
    EXPECT_EQ(tcp->keepalive_count, tcp_defaults.keepalive_count);
  }
}

// Every key the loader knows is written out in the example (the loader rejects unknown
// keys, so the other direction is covered by EveryShippedFileValidates).
TEST(ConfigFilesTest, ExampleMentionsEveryKey) {
  const std::string text = readFile(kConfigDir / "warren.example.toml");
  // Keys of uncommented `key = value` lines. (No std::regex: GCC 12 with ASan warns in it.)
  std::set<std::string> written;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    size_t end = start;
    while (end < line.size() &&
           (std::islower(static_cast<unsigned char>(line[end])) || line[end] == '_')) {
      ++end;
    }
    const size_t equals = line.find_first_not_of(' ', end);
    if (end > start && equals != std::string::npos && line[equals] == '=') {
      written.insert(line.substr(start, end - start));
    }
  }
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
                          "idle_timeout",
                          "backlog",
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
                          "weight"}) {
    EXPECT_TRUE(written.count(key)) << key << " is missing from warren.example.toml";
  }
  for (const char* table : {"[global]", "[[listener]]", "[listener.tcp]", "[[cluster]]",
                            "[cluster.tcp]", "[[cluster.node]]"}) {
    EXPECT_NE(text.find(table), std::string::npos)
        << table << " is missing from warren.example.toml";
  }
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
