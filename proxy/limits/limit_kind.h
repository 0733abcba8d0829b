// Why a new connection was turned away at accept.
#pragma once

#include <cstddef>
#include <cstdint>


namespace warren::limits {

enum class LimitKind : uint8_t {
  Global,    // global.max_connections
  Listener,  // listener.max_connections
  Source,    // listener.max_connections_per_source
  Rate,      // listener.accept_rate / accept_burst
};

inline constexpr size_t kLimitKindCount = 4;

// "global" | "listener" | "source" | "rate": the `limit=` token in logs and the metrics label.
const char* toString(LimitKind kind);

}  // namespace warren::limits
