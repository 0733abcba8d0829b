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

// Raises the soft RLIMIT_NOFILE to the hard limit (each relayed connection takes two
// descriptors) and warns (file_limit_too_low) when `max_connections` (0: unlimited) cannot
// fit: 2 per connection plus kReservedFiles for listeners, the admin endpoint and logs.
// Returns the soft limit now in force.
inline constexpr uint64_t kReservedFiles = 64;
uint64_t raiseFileLimit(uint32_t max_connections);

}  // namespace warren::server
