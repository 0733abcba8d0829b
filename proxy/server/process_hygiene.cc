#include "server/process_hygiene.h"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

}  // namespace warren::server
