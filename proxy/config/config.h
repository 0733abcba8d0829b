// The typed configuration model. Plain structs with in-class defaults; the TOML
// loader (loader.h) fills them and validates them. A loaded Config is immutable
// and shared (std::shared_ptr<const Config>) by every worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/ip_prefix.h"
#include "common/log_level.h"

namespace warren::config {

using Duration = std::chrono::milliseconds;

// [global] log_level: the logger's own level (common/log_level.h), spelled trace … error.
using LogLevel = logging::Level;
// How log lines are written: "<time> <level> <event> key=value ..." or one JSON object per line.
enum class LogFormat { Text, Json };
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
  // SO_SNDBUF / SO_RCVBUF in bytes; 0 = the kernel's default (and its autotuning). Linux
  // doubles the value and caps it at net.core.wmem_max / rmem_max. Listener sockets get them
  // before listen() (accepted sockets inherit them, and the receive window scale is chosen
  // in the SYN), node sockets before connect().
  uint32_t send_buffer = 0;
  uint32_t receive_buffer = 0;
};

// Where a value came from in the config file, for errors found after loading (e.g. a
// certificate that does not match its key, found when the TLS context is built).
// Limit defaults (config/README.md, "Limits": why these values).
inline constexpr uint32_t kDefaultGlobalMaxConnections = 100000;
inline constexpr uint32_t kDefaultMaxConnectionsPerSource = 1000;
inline constexpr uint32_t kDefaultSourceIpv6Prefix = 64;

struct SourceRef {
  uint32_t line = 0;
  uint32_t column = 0;
  std::string key;  // key path, e.g. "listener[0].tls.certificate[1].key"
};

enum class TlsVersion { Tls10, Tls11, Tls12, Tls13 };
// What a listener's clients speak: AMQP (handshake read, heartbeat-aware idle policy) or
// any TCP protocol (plain idle timeout).
enum class ListenerProtocol { Amqp, Tcp };
enum class ClientAuth { None, Optional, Required };

// One certificate chain and its private key (PEM files). ECDSA and RSA may both be given;
// the one the client supports is chosen per handshake.
struct CertificateFiles {
  std::string cert;  // PEM: leaf first, then intermediates
  std::string key;   // PEM private key
  SourceRef cert_ref;
  SourceRef key_ref;
};

// [listener.tls]: TLS termination on a listener. Absent table = plaintext listener.
struct ListenerTls {
  bool enabled = false;  // true when the [listener.tls] table is present
  // Default certificate set (at least one), used when no route's certificates match the SNI.
  std::vector<CertificateFiles> certificates;
  TlsVersion min_version = TlsVersion::Tls12;
  TlsVersion max_version = TlsVersion::Tls13;
  // TLS 1.2 cipher list in OpenSSL/BoringSSL syntax; empty = the library's secure default.
  // (TLS 1.3 suites are not configurable in BoringSSL.)
  std::string ciphers;
  // Key-exchange groups in preference order: "X25519", "P-256", "P-384", "P-521".
  std::vector<std::string> curves = {"X25519", "P-256", "P-384"};
  // Stateless session resumption with tickets; keys rotate every ticket_key_rotation,
  // the previous key is still accepted for one more period.
  bool session_tickets = true;
  Duration ticket_key_rotation = std::chrono::hours(1);
  // A handshake that takes longer is closed as handshake_timeout (RabbitMQ: ssl_handshake_timeout).
  Duration handshake_timeout = std::chrono::seconds(10);
  // Unknown or missing SNI: false = use the listener's default route; true = unrecognized_name alert.
  bool strict_sni = false;
  // mTLS: CA bundle (PEM) that client certificates must chain to, and whether one is required.
  std::string client_ca;
  SourceRef client_ca_ref;
  ClientAuth client_auth = ClientAuth::None;
  SourceRef ref;  // the [listener.tls] table
};

// [[listener.route]]: SNI → cluster, with optional certificates of its own.
struct Route {
  // Exact names ("rabbit.example.com") and wildcards ("*.example.com": one label).
  std::vector<std::string> server_names;
  std::string cluster;
  std::vector<CertificateFiles> certificates;  // empty = the listener's default set
  SourceRef ref;
};

// [cluster.tls]: TLS from Warren to the nodes (brokers listening on 5671).
struct ClusterTls {
  bool enabled = false;  // true when the [cluster.tls] table is present
  std::string ca;        // CA bundle to verify the nodes; empty = system default paths
  SourceRef ca_ref;
  bool verify = true;    // verify the node's certificate (and name, when server_name is set)
  std::string server_name;  // SNI and name to verify; empty = no SNI, no name check
  std::optional<CertificateFiles> client_certificate;  // presented to the nodes (mTLS)
  TlsVersion min_version = TlsVersion::Tls12;
  TlsVersion max_version = TlsVersion::Tls13;
  SourceRef ref;
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
  SourceRef accept_proxy_ref;  // where accept_proxy = true was written (for the warning without trusted_proxies)
  // accept_proxy only: the TCP peers allowed to send that header (the outer balancers); any
  // other peer is refused at accept (proxy_peer_untrusted). Empty = every peer, as before
  // this key existed (warned about: any client can then claim any address).
  std::vector<IpPrefix> trusted_proxies;
  // How long the outer PROXY header may take to arrive (accept_proxy only).
  Duration proxy_header_timeout = std::chrono::seconds(3);
  // amqp: Warren reads the AMQP handshake (0-9-1 or 1.0) and follows the negotiated
  // heartbeat; tcp: bytes are relayed blindly, with a plain idle timeout.
  ListenerProtocol protocol = ListenerProtocol::Amqp;
  // protocol = "tcp": close a connection with no bytes in either direction for this long; 0 = never.
  Duration idle_timeout = Duration(0);
  // protocol = "amqp": with a negotiated heartbeat H > 0, each direction must carry a byte at
  // least every heartbeat_multiplier × H, else the connection is closed (heartbeat_timeout).
  uint32_t heartbeat_multiplier = 3;
  // protocol = "amqp", heartbeat disabled (0): close after this long with no byte either way;
  // 0 = never (TCP keepalive still finds dead peers).
  Duration idle_timeout_without_heartbeat = Duration(0);
  // protocol = "amqp": the handshake (protocol header to Connection.Open) must complete in this
  // long (RabbitMQ's handshake_timeout is 10 s).
  Duration amqp_handshake_timeout = std::chrono::seconds(10);
  // Most connections open at once on this listener; 0 = no per-listener limit (the global
  // max_connections still applies).
  uint32_t max_connections = 0;
  // Most connections open at once from one client IP address, over all workers; 0 = unlimited.
  // The address is the TCP peer at accept, or, with accept_proxy and trusted_proxies, the
  // PROXY header's source once it is read (sourceFromHeader()). Default
  // kDefaultMaxConnectionsPerSource, except with accept_proxy = true and no trusted_proxies
  // (the peer is then the outer balancer, and the header's source cannot be trusted): 0.
  uint32_t max_connections_per_source = kDefaultMaxConnectionsPerSource;
  // IPv6 clients count as one source per this many leading bits of their address (1..128):
  // a host usually holds a whole /64. IPv4 (and IPv4-mapped IPv6) sources are one address.
  uint32_t source_ipv6_prefix = kDefaultSourceIpv6Prefix;
  // New connections per second (token bucket shared by the workers); 0 = unlimited.
  // Connections over the rate are accepted and closed at once.
  uint32_t accept_rate = 0;
  // Bucket size: connections accepted back to back before the rate applies; 0 = accept_rate.
  uint32_t accept_burst = 0;
  // listen(2) backlog.
  int backlog = 1024;
  TcpOptions tcp;
  ListenerTls tls;
  std::vector<Route> routes;  // TLS listeners only; `cluster` above is the default route
  SourceRef ref;              // the [[listener]] table

  // May `peer` (the TCP peer) send this listener a PROXY header? Every peer when
  // trusted_proxies is empty.
  bool trustsProxy(const Address& peer) const;
  // The per-source limit counts the PROXY header's source, not the TCP peer: only when the
  // peers that may send a header are known (trusted_proxies), else any client could pick
  // the address it is counted as.
  bool sourceFromHeader() const { return accept_proxy && !trusted_proxies.empty(); }
};

// [cluster.health_check]: active health checks of every node of a cluster.
enum class HealthCheckType { Tcp, Amqp };
// What an amqp check sends first to a cluster with proxy_protocol: a PROXY command with the
// check socket's own address as source (OwnAddress), or v2 LOCAL / v1 "PROXY UNKNOWN"
// (Local). RabbitMQ before 3.11.19 crashes the connection on LOCAL, hence the default.
enum class HealthCheckProxy { OwnAddress, Local };

struct HealthCheck {
  bool enabled = false;  // true when the [cluster.health_check] table is present
  // tcp: a connect (and, with [cluster.tls], a TLS handshake) within `timeout`; amqp: also
  // the AMQP 0-9-1 protocol header answered by a complete Connection.Start frame.
  HealthCheckType type = HealthCheckType::Amqp;
  Duration interval = std::chrono::seconds(5);  // from one check's start to the next
  Duration timeout = std::chrono::seconds(2);   // per check; at most `interval`
  uint32_t rise = 2;  // consecutive successes that bring a down node back up
  uint32_t fall = 3;  // consecutive failures (checks, or connects from traffic) that mark it down
  HealthCheckProxy proxy = HealthCheckProxy::OwnAddress;
  SourceRef ref;  // the [cluster.health_check] table
};

struct Node {
  // "host:port" of a broker node: an IP literal ("10.0.0.5:5672", "[fd00::5]:5672") sets
  // `address`; a DNS name ("rabbit.svc.cluster.local:5672") sets `host` and `port` instead,
  // and each address the name resolves to becomes a node of its own (same weight).
  Address address;
  // Relative share of new connections (1..1000).
  uint32_t weight = 1;
  std::string host{};  // empty for an IP literal
  uint16_t port = 0;
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
  // A node that comes back up (after a passive backoff or failed active checks) gets its
  // share of new connections ramped linearly from almost nothing to its full weight over
  // this long; 0 = at once.
  Duration slow_start = Duration(0);
  // Nodes given by host name are resolved again this often (added/removed records join
  // and leave the pool).
  Duration resolve_interval = std::chrono::seconds(30);
  TcpOptions tcp;
  ClusterTls tls;
  HealthCheck health_check;
  // With proxy_protocol = "v2" and a TLS client connection: send PP2_TYPE_AUTHORITY (SNI)
  // and PP2_TYPE_SSL (version, cipher, client certificate CN/algorithms) TLVs.
  bool proxy_protocol_tlvs = true;
  SourceRef ref;  // the [[cluster]] table
};

struct Global {
  // Worker threads; 0 = one per core ("auto" in TOML).
  uint32_t workers = 0;
  LogLevel log_level = LogLevel::Info;
  LogFormat log_format = LogFormat::Text;
  // Write one access-log line per closed connection.
  bool access_log = true;
  // Absolute path (resolved against the config file's directory) of a file the access
  // lines go to instead of stderr, appended to and reopened on SIGUSR1; "" = stderr.
  std::string access_log_file;
  SourceRef access_log_file_ref;
  // Absolute path of a unix socket on which this process hands its listening sockets to a
  // new Warren started with `warren run --takeover SOCKET` (binary upgrade); "" = none.
  std::string takeover_socket;
  SourceRef takeover_socket_ref;
  // On SIGTERM/SIGINT open connections get this long to finish before they are closed.
  Duration shutdown_timeout = std::chrono::seconds(30);
  // Most connections open at once over all listeners; 0 = unlimited.
  uint32_t max_connections = kDefaultGlobalMaxConnections;
  // Leave core dumps possible. Off: Warren makes itself non-dumpable (prctl PR_SET_DUMPABLE 0,
  // RLIMIT_CORE 0) at start, since a core would hold private keys, the admin token and the
  // session-ticket keys.
  bool allow_core_dumps = false;
  // Per direction: stop reading the source once this many bytes wait for the sink...
  uint32_t buffer_high_watermark = 256 * 1024;
  // ...and read again once it has drained below this.
  uint32_t buffer_low_watermark = 128 * 1024;
  // Reload by itself when the config file (or a certificate, key or CA file it names) changes.
  bool watch = false;
};

// [admin]: the HTTP endpoint serving /metrics, /healthz, /readyz and the admin API.
struct Admin {
  // false (or address = "") turns the endpoint off.
  bool enabled = true;
  // Where it listens (IP literal and port; port 0 picks a free port). Loopback by default:
  // the API can drain nodes and reload the config.
  Address address = *Address::parse("127.0.0.1:9090");
  // File whose content (surrounding whitespace trimmed) is the bearer token the API
  // requires ("Authorization: Bearer <token>"); empty = no token.
  std::string token_file;
  SourceRef token_file_ref;
  // Require the token for /metrics, /healthz and /readyz too (default: those stay open, so
  // that Prometheus and probes need no secret).
  bool protect_metrics = false;
  SourceRef ref;  // the [admin] table
};

struct Config {
  // Path the config was loaded from (for messages).
  std::string source;
  Global global;
  Admin admin;
  std::vector<Listener> listeners;
  std::vector<Cluster> clusters;

  bool hasHostNames() const {
    for (const auto& c : clusters) {
      for (const auto& n : c.nodes) {
        if (!n.host.empty()) return true;
      }
    }
    return false;
  }

  const Cluster* findCluster(const std::string& name) const {
    for (const auto& c : clusters) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

using ConfigConstSharedPtr = std::shared_ptr<const Config>;

const char* toString(LogLevel level);
const char* toString(LogFormat format);  // "text" | "json"
const char* toString(BalancePolicy policy);
const char* toString(ProxyProtocol protocol);
const char* toString(ListenerProtocol protocol);  // "amqp" | "tcp"
const char* toString(TlsVersion version);  // "1.0" … "1.3" (the TOML spelling)
const char* toString(ClientAuth auth);     // "none" | "optional" | "required"
const char* toString(HealthCheckType type);    // "tcp" | "amqp"
const char* toString(HealthCheckProxy proxy);  // "own_address" | "local"

}  // namespace warren::config
