#include "limits/limit_kind.h"

namespace warren::limits {

const char* toString(LimitKind kind) {
  switch (kind) {
    case LimitKind::Global: return "global";
    case LimitKind::Listener: return "listener";
    case LimitKind::Source: return "source";
    case LimitKind::Rate: return "rate";
  }
  return "unknown";
}

}  // namespace warren::limits
