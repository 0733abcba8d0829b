// The typed configuration model. Plain structs with in-class defaults; the TOML
// loader (loader.h) fills them and validates them. A loaded Config is immutable
// and shared (std::shared_ptr<const Config>) by every worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/address.h"

namespace warren::config {

using Duration = std::chrono::milliseconds;

enum class LogLevel { Trace, Debug, Info, Warn, Error };
enum class BalancePolicy { LeastConn, RoundRobin };
enum class ProxyProtocol { None, V1, V2 };

// TCP socket options applied to accepted client sockets and to node sockets.
struct TcpOptions {
  // TCP_NODELAY on both sides: AMQP is request/response heavy.
  bool nodelay = true;
  // SO_KEEPALIVE, so that dead peers of quiet connections are found.
  bool keepalive = true;
  // TCP_KEEPIDLE: idle time before the first probe.
  Duration keepalive_idle = std::chrono::seconds(60);
  // TCP_KEEPINTVL: time between probes.
  Duration keepalive_interval = std::chrono::seconds(10);
  // TCP_KEEPCNT: unanswered probes before the peer is declared dead.
  int keepalive_count = 6;
};

struct Listener {
  // Unique name, used in logs ("listener=amqp").
  std::string name;
  // Where to listen: "0.0.0.0:5672", "[::]:5672"; port 0 picks a free port.
  Address address;
  // Name of the cluster connections are sent to.
  std::string cluster;
  // Expect a PROXY v1/v2 header from an outer L4 balancer and pass its address on.
  bool accept_proxy = false;
  // How long the outer PROXY header may take to arrive (accept_proxy only).
  Duration proxy_header_timeout = std::chrono::seconds(3);
  // Close a connection with no bytes in either direction for this long; 0 = never.
  Duration idle_timeout = Duration(0);
  // Most connections open at once on this listener; 0 = no per-listener limit.
  uint32_t max_connections = 0;
  // listen(2) backlog.
  int backlog = 1024;
  TcpOptions tcp;
};

struct Node {
  // "host:port" of a broker node; an IP literal ("10.0.0.5:5672", "[fd00::5]:5672").
  Address address;
  // Relative share of new connections (1..1000).
  uint32_t weight = 1;
};

struct Cluster {
  std::string name;
  std::vector<Node> nodes;
  BalancePolicy balance = BalancePolicy::LeastConn;
  // PROXY protocol header sent to the nodes before any client byte.
  ProxyProtocol proxy_protocol = ProxyProtocol::None;
  // How long a connect to a node may take before the next node is tried.
  Duration connect_timeout = std::chrono::seconds(5);
  // Nodes tried per client connection before giving up (bounded by the node count).
  uint32_t connect_attempts = 3;
  // A node that refused or timed out is skipped for this long (passive health).
  Duration down_backoff = std::chrono::seconds(10);
  TcpOptions tcp;
};

struct Global {
  // Worker threads; 0 = one per core ("auto" in TOML).
  uint32_t workers = 0;
  LogLevel log_level = LogLevel::Info;
  // Write one access-log line per closed connection.
  bool access_log = true;
  // On SIGTERM/SIGINT open connections get this long to finish before they are closed.
  Duration shutdown_timeout = std::chrono::seconds(30);
  // Most connections open at once over all listeners; 0 = unlimited.
  uint32_t max_connections = 0;
  // Per direction: stop reading the source once this many bytes wait for the sink...
  uint32_t buffer_high_watermark = 256 * 1024;
  // ...and read again once it has drained below this.
  uint32_t buffer_low_watermark = 128 * 1024;
};

struct Config {
  // Path the config was loaded from (for messages).
  std::string source;
  Global global;
  std::vector<Listener> listeners;
  std::vector<Cluster> clusters;

  const Cluster* findCluster(const std::string& name) const {
    for (const auto& c : clusters) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

using ConfigConstSharedPtr = std::shared_ptr<const Config>;

const char* toString(LogLevel level);
const char* toString(BalancePolicy policy);
const char* toString(ProxyProtocol protocol);

}  // namespace warren::config
