#include "config/decode.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <limits>

#include "config/admin_decode.h"
#include "config/decode_util.h"
#include "config/duration.h"
#include "config/paths.h"
#include "config/health_check_decode.h"
#include "config/message.h"
#include "config/table_reader.h"
#include "config/tls_decode.h"
#include "config/trusted_proxies.h"

namespace warren::config {
namespace {

using std::chrono::seconds;

constexpr int64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kMaxWatermark = 64 * 1024 * 1024;
// Linux caps TCP_KEEPIDLE and TCP_KEEPINTVL at 32767 seconds.
constexpr Duration kMaxKeepalive = seconds(32767);
// SO_SNDBUF/SO_RCVBUF take an int that the kernel doubles.
constexpr uint64_t kMaxSocketBuffer = 256 * 1024 * 1024;
constexpr int64_t kMaxAcceptRate = 1'000'000;

// A file Warren creates (the access log, the takeover socket): resolved against the
// config's directory; its directory must exist.
std::optional<std::string> readCreatedPath(TableReader& r, std::string_view key, const std::string& base_dir,
                                           SourceRef& ref) {
  const toml::node* node = r.node(key);
  auto value = r.readString(key);
  if (!value || node == nullptr) return value;
  const SourcePos pos = positionOf(*node);
  ref = SourceRef{pos.line, pos.column, r.keyPath(key)};
  if (value->empty()) return value;
  std::string path = resolvePath(base_dir, *value);
  const std::string dir = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    r.error(*node, key, "directory " + quote(dir) + " does not exist");
    return std::nullopt;
  }
  return path;
}

void decodeGlobal(TableReader& r, Global& g, const std::string& base_dir) {
  if (const toml::node* workers = r.node("workers")) {
    if (workers->is_string() && workers->as_string()->get() == "auto") {
      g.workers = 0;
      r.record("workers", *workers);
    } else if (workers->is_string()) {
      r.error(*workers, "workers",
              "expected \"auto\" or an integer between 1 and 256, found " +
                  quote(workers->as_string()->get()));
    } else if (!workers->is_integer()) {
      r.error(*workers, "workers", "expected \"auto\" or an integer, found " + typeName(*workers));
    } else if (int64_t n = workers->as_integer()->get(); n < 1 || n > 256) {
      r.error(*workers, "workers",
              "must be between 1 and 256 (or \"auto\"), found " + std::to_string(n));
    } else {
      g.workers = static_cast<uint32_t>(n);
      r.record("workers", *workers);
    }
  }
  assign(g.log_level, readEnum(r, "log_level",
                               std::array{LogLevel::Trace, LogLevel::Debug, LogLevel::Info,
                                          LogLevel::Warn, LogLevel::Error}));
  assign(g.log_format, readEnum(r, "log_format", std::array{LogFormat::Text, LogFormat::Json}));
  assign(g.access_log, r.readBool("access_log"));
  assign(g.access_log_file, readCreatedPath(r, "access_log_file", base_dir, g.access_log_file_ref));
  assign(g.takeover_socket, readCreatedPath(r, "takeover_socket", base_dir, g.takeover_socket_ref));
  assign(g.shutdown_timeout, r.readDuration("shutdown_timeout", Duration(0), kMaxDuration));
  assign(g.max_connections, r.readInteger("max_connections", 0, kMaxU32));
  assign(g.allow_core_dumps, r.readBool("allow_core_dumps"));
  assign(g.buffer_high_watermark, r.readSize("buffer_high_watermark", 1, kMaxWatermark));
  assign(g.buffer_low_watermark, r.readSize("buffer_low_watermark", 1, kMaxWatermark));
  assign(g.watch, r.readBool("watch"));
  r.finish();
}

void decodeTcp(TableReader& r, TcpOptions& tcp) {
  assign(tcp.nodelay, r.readBool("nodelay"));
  assign(tcp.keepalive, r.readBool("keepalive"));
  assign(tcp.keepalive_idle, r.readDuration("keepalive_idle", seconds(1), kMaxKeepalive, true));
  assign(tcp.keepalive_interval,
         r.readDuration("keepalive_interval", seconds(1), kMaxKeepalive, true));
  assign(tcp.keepalive_count, r.readInteger("keepalive_count", 1, 127));
  assign(tcp.send_buffer, r.readSize("send_buffer", 0, kMaxSocketBuffer));
  assign(tcp.receive_buffer, r.readSize("receive_buffer", 0, kMaxSocketBuffer));
  r.finish();
}

const std::vector<std::string>& tcpKeys() {
  static const auto keys = keysOf<TcpOptions>(
      [](TableReader& r, TcpOptions& tcp, ErrorList&, SourceMap&) { decodeTcp(r, tcp); });
  return keys;
}

// `section` is "listener" or "cluster".
void decodeTcpOf(TableReader& parent, const char* section, TcpOptions& tcp, ErrorList& errors,
                 SourceMap& sources) {
  const std::string header = std::string("[") + section + ".tcp]";
  parent.addMisplacedHint(tcpKeys(), header);
  if (const toml::table* table = parent.readTable("tcp")) {
    TableReader r(*table, parent.keyPath("tcp"), errors, sources);
    // Only the keys read before this point: those are the ones a slip can move here.
    r.addMisplacedHint(parent.knownKeys(), std::string("[[") + section + "]]; keys after the " +
                                               header + " header go into " + header);
    decodeTcp(r, tcp);
  }
}

void decodeListener(TableReader& r, Listener& l, const DecodeContext& context) {
  l.ref = refOf(r);
  assign(l.name, r.readName("name"));
  assign(l.address, r.readAddress("address", PortZero::Allowed));
  assign(l.cluster, r.readString("cluster", Need::Required));
  assign(l.accept_proxy, r.readBool("accept_proxy"));
  if (const toml::node* accept_proxy = r.node("accept_proxy")) {
    const SourcePos pos = positionOf(*accept_proxy);
    l.accept_proxy_ref = SourceRef{pos.line, pos.column, r.keyPath("accept_proxy")};
  }
  assign(l.trusted_proxies, readTrustedProxies(r, "trusted_proxies"));
  assign(l.proxy_header_timeout, r.readDuration("proxy_header_timeout", kNonZero, kMaxDuration));
  assign(l.protocol, readEnum(r, "protocol", std::array{ListenerProtocol::Amqp, ListenerProtocol::Tcp}));
  assign(l.idle_timeout, r.readDuration("idle_timeout", Duration(0), kMaxDuration));
  assign(l.heartbeat_multiplier, r.readInteger("heartbeat_multiplier", 1, 100));
  assign(l.idle_timeout_without_heartbeat,
         r.readDuration("idle_timeout_without_heartbeat", Duration(0), kMaxDuration));
  assign(l.amqp_handshake_timeout, r.readDuration("amqp_handshake_timeout", kNonZero, kMaxDuration));
  assign(l.max_connections, r.readInteger("max_connections", 0, kMaxU32));
  if (auto per_source = r.readInteger("max_connections_per_source", 0, kMaxU32)) {
    l.max_connections_per_source = static_cast<uint32_t>(*per_source);
  } else if (l.accept_proxy && !l.sourceFromHeader()) {
    l.max_connections_per_source = 0;  // every connection comes from the outer balancer's address
  }
  assign(l.source_ipv6_prefix, r.readInteger("source_ipv6_prefix", 1, 128));
  assign(l.accept_rate, r.readInteger("accept_rate", 0, kMaxAcceptRate));
  assign(l.accept_burst, r.readInteger("accept_burst", 0, kMaxAcceptRate));
  assign(l.backlog, r.readInteger("backlog", 1, 65535));
  decodeTcpOf(r, "listener", l.tcp, context.errors, context.sources);
  decodeListenerTlsOf(r, l.tls, context);
  decodeRoutesOf(r, l.routes, context);
  r.finish();
}

void decodeNode(TableReader& r, Node& node) {
  if (auto endpoint = r.readEndpoint("address", PortZero::Rejected)) {
    node.host = endpoint->host;
    node.port = endpoint->port;
    if (endpoint->literal) node.address = *endpoint->literal;
  }
  assign(node.weight, r.readInteger("weight", 1, 1000));
  r.finish();
}

void decodeCluster(TableReader& r, Cluster& c, const DecodeContext& context) {
  ErrorList& errors = context.errors;
  SourceMap& sources = context.sources;
  c.ref = refOf(r);
  assign(c.name, r.readName("name"));
  assign(c.balance,
         readEnum(r, "balance", std::array{BalancePolicy::LeastConn, BalancePolicy::RoundRobin}));
  assign(c.proxy_protocol,
         readEnum(r, "proxy_protocol",
                  std::array{ProxyProtocol::None, ProxyProtocol::V1, ProxyProtocol::V2}));
  assign(c.proxy_protocol_tlvs, r.readBool("proxy_protocol_tlvs"));
  assign(c.connect_timeout, r.readDuration("connect_timeout", kNonZero, kMaxDuration));
  assign(c.connect_attempts, r.readInteger("connect_attempts", 1, 16));
  assign(c.down_backoff, r.readDuration("down_backoff", Duration(0), kMaxDuration));
  assign(c.slow_start, r.readDuration("slow_start", Duration(0), kMaxDuration));
  assign(c.resolve_interval, r.readDuration("resolve_interval", std::chrono::seconds(1), kMaxDuration));
  decodeTcpOf(r, "cluster", c.tcp, errors, sources);
  decodeClusterTlsOf(r, c.tls, context);
  decodeHealthCheckOf(r, c.health_check, errors, sources);

  static const auto node_keys = keysOf<Node>(
      [](TableReader& reader, Node& node, ErrorList&, SourceMap&) { decodeNode(reader, node); });
  r.addMisplacedHint(node_keys, "[[cluster.node]]");
  const toml::node* present = r.node("node");
  if (present == nullptr) {
    errors.add(r.position(), r.keyPath("node"), "at least one node is required");
  } else if (const toml::array* nodes =
                 r.readArray("node", "an array of tables ([[cluster.node]] or node = [{ ... }])")) {
    if (nodes->empty()) r.error(*nodes, "node", "at least one node is required");
    c.nodes.resize(nodes->size());
    forEachTable(r, *nodes, "node", [&](size_t i, const toml::table& table) {
      TableReader node_reader(table, r.keyPath(indexed("node", i)), errors, sources);
      node_reader.addMisplacedHint(
          r.knownKeys(), "[[cluster]]; keys after a [[cluster.node]] header go into that node");
      decodeNode(node_reader, c.nodes[i]);
    });
  }
  r.finish();
}

}  // namespace

Config decodeConfig(const toml::table& root, const std::string& base_dir, ErrorList& errors,
                    SourceMap& sources) {
  const DecodeContext context{base_dir, errors, sources};
  Config config;
  TableReader r(root, "", errors, sources);
  static const auto global_keys = keysOf<Global>([](TableReader& reader, Global& global, ErrorList&,
                                                    SourceMap&) { decodeGlobal(reader, global, ""); });
  r.addMisplacedHint(global_keys, "[global]");

  if (const toml::table* global = r.readTable("global")) {
    TableReader g(*global, "global", errors, sources);
    decodeGlobal(g, config.global, base_dir);
  }

  decodeAdminOf(r, config.admin, context);

  if (const toml::array* listeners = r.readArray("listener", "an array of tables ([[listener]])")) {
    config.listeners.resize(listeners->size());
    forEachTable(r, *listeners, "listener", [&](size_t i, const toml::table& table) {
      TableReader l(table, indexed("listener", i), errors, sources);
      decodeListener(l, config.listeners[i], context);
    });
  }

  if (const toml::array* clusters = r.readArray("cluster", "an array of tables ([[cluster]])")) {
    config.clusters.resize(clusters->size());
    forEachTable(r, *clusters, "cluster", [&](size_t i, const toml::table& table) {
      TableReader c(table, indexed("cluster", i), errors, sources);
      decodeCluster(c, config.clusters[i], context);
    });
  }

  r.finish();
  return config;
}

}  // namespace warren::config
