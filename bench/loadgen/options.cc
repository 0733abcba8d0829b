#include "loadgen/options.h"

namespace warren::bench {

const char* toString(LoadMode mode) {
  switch (mode) {
    case LoadMode::Handshake: return "handshake";
    case LoadMode::Resume: return "resume";
    case LoadMode::BulkUp: return "bulk-up";
    case LoadMode::BulkDown: return "bulk-down";
    case LoadMode::Latency: return "latency";
    case LoadMode::Idle: return "idle";
  }
  return "?";
}

const char* toString(TlsVersion tls) {
  switch (tls) {
    case TlsVersion::Tls13: return "1.3";
    case TlsVersion::Tls12: return "1.2";
    case TlsVersion::None: return "none";
  }
  return "?";
}

const char* toString(SigKind sig) {
  switch (sig) {
    case SigKind::Ecdsa: return "ecdsa";
    case SigKind::Rsa: return "rsa";
    case SigKind::Any: return "any";
  }
  return "?";
}

}  // namespace warren::bench
