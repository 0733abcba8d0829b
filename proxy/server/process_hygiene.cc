#include "server/process_hygiene.h"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"

namespace warren::server {

std::string applyCoreDumpPolicy(bool allow) {
  if (allow) {
    spdlog::info("core_dumps allowed=true hint=\"global.allow_core_dumps: a core holds private keys and secrets\"");
    return "";
  }
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) return std::string("setrlimit(RLIMIT_CORE): ") + std::strerror(errno);
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return std::string("prctl(PR_SET_DUMPABLE): ") + std::strerror(errno);
  return "";
}

void warnIfRoot() {
  if (::geteuid() != 0) return;
  spdlog::warn("running_as_root uid=0 hint=\"run Warren as an unprivileged user; to bind ports below 1024 give it "
               "CAP_NET_BIND_SERVICE (deploy/systemd/warren.service shows how)\"");
}

uint64_t filesNeeded(uint32_t max_connections) {
  return max_connections == 0 ? 0 : 2 * uint64_t{max_connections} + kReservedFiles;
}

std::string fileLimitProblem(uint32_t max_connections, uint64_t limit) {
  const uint64_t needed = filesNeeded(max_connections);
  if (max_connections != 0 && needed <= limit) return "";
  return "global.max_connections = " + std::to_string(max_connections) +
         (max_connections == 0 ? " (unlimited)" : " needs " + std::to_string(needed)) +
         " file descriptors (2 per connection + " + std::to_string(kReservedFiles) + "), the limit is " +
         std::to_string(limit) +
         ": raise LimitNOFILE (ulimit -n) or lower global.max_connections; beyond the limit clients are closed "
         "as local_resource_exhausted";
}

uint64_t raiseFileLimit(uint32_t max_connections) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised{lim.rlim_max, lim.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  const uint64_t soft = lim.rlim_cur;
  const uint64_t needed = filesNeeded(max_connections);
  if (const std::string problem = fileLimitProblem(max_connections, soft); !problem.empty()) {
    spdlog::warn("file_limit_too_low soft={} hard={} max_connections={} needed={} hint={}", soft,
                 static_cast<uint64_t>(lim.rlim_max), max_connections,
                 needed == 0 ? std::string("unbounded") : std::to_string(needed), logging::quote(problem));
  } else {
    spdlog::info("file_limit soft={} max_connections={} needed={}", soft, max_connections, needed);
  }
  return soft;
}

std::string fileLimitWarning(uint32_t max_connections) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return "";
  const std::string problem = fileLimitProblem(max_connections, lim.rlim_max);
  if (problem.empty()) return "";
  return problem + " (the hard RLIMIT_NOFILE here; a systemd unit's LimitNOFILE may differ)";
}

}  // namespace warren::server
