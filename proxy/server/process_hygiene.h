// What `warren run` does to its own process before it serves: core dumps off (unless
// [global] allow_core_dumps) and a warning when it runs as root.
#pragma once

#include <cstdint>
#include <string>

namespace warren::server {

// allow = false: prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE 0, so that no core file (nor a
// ptrace attach by the same user) exposes the private keys, the admin token or the
// session-ticket keys held in memory. Returns "" or what failed (logged by the caller).
std::string applyCoreDumpPolicy(bool allow);

// Logs running_as_root (warning) when the effective user is root.
void warnIfRoot();

// Each relayed connection takes two descriptors (client and node sockets), plus
// kReservedFiles for listeners, the admin endpoint and logs. 0 when `max_connections` is 0
// (unlimited: no limit is enough).
inline constexpr uint64_t kReservedFiles = 64;
uint64_t filesNeeded(uint32_t max_connections);

// The hint of file_limit_too_low; "" when `max_connections` fits in `limit` descriptors.
std::string fileLimitProblem(uint32_t max_connections, uint64_t limit);

// Raises the soft RLIMIT_NOFILE to the hard limit and warns (file_limit_too_low) when
// `max_connections` does not fit in it. Returns the soft limit now in force.
uint64_t raiseFileLimit(uint32_t max_connections);

// For `warren check`: the warning when `max_connections` does not fit in this process's hard
// RLIMIT_NOFILE (what `warren run` started the same way would raise its soft limit to), or "".
std::string fileLimitWarning(uint32_t max_connections);

}  // namespace warren::server
