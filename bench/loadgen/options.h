// warren-loadgen's command line, parsed in main.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/address.h"

namespace warren::bench {

enum class LoadMode { Handshake, Resume, BulkUp, BulkDown, Latency, Idle };
enum class TlsVersion { Tls13, Tls12, None };
enum class SigKind { Ecdsa, Rsa, Any };

struct Options {
  Address target;
  LoadMode mode = LoadMode::Handshake;
  TlsVersion tls = TlsVersion::Tls13;
  SigKind sig = SigKind::Ecdsa;
  std::string sni = "localhost";
  double rate = 0;          // per second; 0 = the mode's default
  double duration_s = 10;
  uint64_t count = 0;       // 0 = duration × rate
  uint64_t connections = 0; // 0 = the mode's default
  uint64_t bytes = 1ull << 30;
  bool send_proxy_v2 = false;
  bool half_close = true;
  double warmup_s = 0;
  double timeout_s = 30;    // grace after the last scheduled event before stragglers fail
  uint64_t max_in_flight = 1000;
  std::vector<int> proxy_pids;
  bool json = false;
};

const char* toString(LoadMode mode);
const char* toString(TlsVersion tls);
const char* toString(SigKind sig);

}  // namespace warren::bench
