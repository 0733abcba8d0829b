#include "config/health_check_decode.h"

#include <array>

#include "config/decode_util.h"
#include "config/duration.h"

namespace warren::config {
namespace {

void decodeHealthCheck(TableReader& r, HealthCheck& check) {
  check.enabled = true;
  check.ref = refOf(r);
  assign(check.type, readEnum(r, "type", std::array{HealthCheckType::Tcp, HealthCheckType::Amqp}));
  assign(check.interval, r.readDuration("interval", kNonZero, kMaxDuration));
  assign(check.timeout, r.readDuration("timeout", kNonZero, kMaxDuration));
  assign(check.rise, r.readInteger("rise", 1, 100));
  assign(check.fall, r.readInteger("fall", 1, 100));
  assign(check.proxy,
         readEnum(r, "proxy", std::array{HealthCheckProxy::OwnAddress, HealthCheckProxy::Local}));
  // The checker starts a node's next check only after the last one ended; a timeout longer
  // than the interval would silently stretch the interval.
  if (check.timeout > check.interval) {
    const char* key = r.node("timeout") != nullptr ? "timeout" : "interval";
    r.error(*r.node(key), key,
            "timeout (" + formatDuration(check.timeout) + ") must not exceed interval (" +
                formatDuration(check.interval) + ")");
  }
  r.finish();
}

}  // namespace

void decodeHealthCheckOf(TableReader& cluster, HealthCheck& check, ErrorList& errors, SourceMap& sources) {
  static const auto keys = keysOf<HealthCheck>(
      [](TableReader& r, HealthCheck& model, ErrorList&, SourceMap&) { decodeHealthCheck(r, model); });
  cluster.addMisplacedHint(keys, "[cluster.health_check]");
  const toml::table* table = cluster.readTable("health_check");
  if (table == nullptr) return;
  TableReader r(*table, cluster.keyPath("health_check"), errors, sources);
  std::vector<std::string> cluster_keys = cluster.knownKeys();
  cluster_keys.emplace_back("node");  // read next
  r.addMisplacedHint(cluster_keys,
                     "[[cluster]]; keys after the [cluster.health_check] header go into [cluster.health_check]");
  decodeHealthCheck(r, check);
}

}  // namespace warren::config
