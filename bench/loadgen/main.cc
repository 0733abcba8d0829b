// warren-loadgen: drives TLS (or plain TCP) load through a proxy to
// warren-bench-backend and reports the proxy's cost per unit of work. See README.md.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <string>

#include "common/net.h"
#include "loadgen/modes.h"
#include "loadgen/options.h"

namespace {

using warren::bench::Json;

// Without --json: the same fields, one per line, nested objects flattened.
void printHuman(const Json& report, const std::string& prefix = "") {
  for (const auto& [key, value] : report.items()) {
    if (value.is_object()) {
      if (value.empty()) {
        std::cout << prefix << key << ": -\n";
      } else {
        printHuman(value, prefix + key + ".");
      }
    } else {
      std::cout << prefix << key << ": " << value.dump() << "\n";
    }
  }
}

std::vector<int> parsePids(const std::string& text) {
  std::vector<int> pids;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string token = text.substr(pos, end - pos);
    if (!token.empty()) pids.push_back(std::stoi(token));
    pos = end + 1;
  }
  return pids;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace warren::bench;
  CLI::App app{"warren-loadgen: TLS/TCP load through a proxy to warren-bench-backend"};
  Options options;
  std::string target;
  std::string mode = "handshake";
  std::string tls = "1.3";
  std::string sig = "ecdsa";
  std::string pids;
  const std::map<std::string, LoadMode> modes = {
      {"handshake", LoadMode::Handshake}, {"resume", LoadMode::Resume}, {"bulk-up", LoadMode::BulkUp},
      {"bulk-down", LoadMode::BulkDown},  {"latency", LoadMode::Latency}, {"idle", LoadMode::Idle}};
  app.add_option("--target", target, "IP:PORT of the proxy (or of the backend with --send-proxy-v2)")
      ->required();
  app.add_option("--mode", mode, "handshake|resume|bulk-up|bulk-down|latency|idle")
      ->check(CLI::IsMember({"handshake", "resume", "bulk-up", "bulk-down", "latency", "idle"}));
  app.add_option("--tls", tls, "TLS version, or none for plain TCP")->check(CLI::IsMember({"1.3", "1.2", "none"}));
  app.add_option("--sig", sig, "server key the client accepts (ecdsa: P-256, rsa: RSA; any: no check)")
      ->check(CLI::IsMember({"ecdsa", "rsa", "any"}));
  app.add_option("--sni", options.sni, "SNI server name");
  app.add_option("--rate", options.rate, "connections (handshake/resume/idle) or requests (latency) per second")
      ->check(CLI::PositiveNumber);
  app.add_option("--duration", options.duration_s, "seconds of measured load (handshake/resume/latency)")
      ->check(CLI::PositiveNumber);
  app.add_option("--count", options.count, "connections/requests instead of duration × rate");
  app.add_option("--connections", options.connections, "bulk: parallel connections (4); latency: 50; idle: 9500");
  app.add_option("--bytes", options.bytes, "bulk: total bytes over all connections (1 GiB)")->check(CLI::PositiveNumber);
  app.add_flag("--send-proxy-v2", options.send_proxy_v2, "write a PROXY v2 header first (direct to the backend)");
  app.add_flag("!--no-half-close", options.half_close, "bulk-up: do not half-close after the upload");
  app.add_option("--warmup", options.warmup_s, "seconds of unmeasured load first (handshake/resume/latency)");
  app.add_option("--timeout", options.timeout_s, "seconds allowed after the schedule ends (bulk: without progress)")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-in-flight", options.max_in_flight, "handshake/resume: cap on open connections (1000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--proxy-pid", pids, "PID[,PID...] of the proxy: CPU and RSS are measured over all");
  app.add_flag("--json", options.json, "one JSON object on stdout");
  CLI11_PARSE(app, argc, argv);

  const auto address = parseHostPort(target);
  if (!address) {
    std::cerr << "warren-loadgen: bad --target: " << target << "\n";
    return 2;
  }
  options.target = *address;
  options.mode = modes.at(mode);
  options.tls = tls == "1.3" ? TlsVersion::Tls13 : tls == "1.2" ? TlsVersion::Tls12 : TlsVersion::None;
  options.sig = sig == "ecdsa" ? SigKind::Ecdsa : sig == "rsa" ? SigKind::Rsa : SigKind::Any;
  try {
    options.proxy_pids = parsePids(pids);
  } catch (const std::exception&) {
    std::cerr << "warren-loadgen: bad --proxy-pid: " << pids << "\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  raiseOpenFilesLimit();

  ModeResult result;
  switch (options.mode) {
    case LoadMode::Handshake:
    case LoadMode::Resume:
      result = runHandshakes(options);
      break;
    case LoadMode::BulkUp:
    case LoadMode::BulkDown:
      result = runBulk(options);
      break;
    case LoadMode::Latency:
      result = runLatency(options);
      break;
    case LoadMode::Idle:
      result = runIdle(options);
      break;
  }
  result.report["success"] = result.success;
  if (options.json) {
    std::cout << result.report.dump() << std::endl;
  } else {
    printHuman(result.report);
    if (result.report.value("fell_behind", false)) {
      std::cout << "WARNING: the load generator fell behind its schedule (see start_lag_us)\n";
    }
  }
  return result.success ? 0 : 1;
}
