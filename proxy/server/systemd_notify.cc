#include "server/systemd_notify.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace warren::server::systemd {

std::optional<NotifyAddress> parseNotifyAddress(std::string_view value) {
  NotifyAddress out;
  out.address.sun_family = AF_UNIX;
  if (value.empty() || (value[0] != '/' && value[0] != '@')) return std::nullopt;
  if (value.size() >= sizeof(out.address.sun_path)) return std::nullopt;
  std::memcpy(out.address.sun_path, value.data(), value.size());
  if (value[0] == '@') {
    out.address.sun_path[0] = '\0';  // abstract: the name is the bytes after the NUL, no terminator
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + value.size());
  } else {
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + value.size() + 1);
  }
  return out;
}

std::chrono::microseconds watchdogInterval(const char* watchdog_usec, const char* watchdog_pid, pid_t self) {
  if (watchdog_usec == nullptr) return std::chrono::microseconds(0);
  if (watchdog_pid != nullptr && std::strtoll(watchdog_pid, nullptr, 10) != self) return std::chrono::microseconds(0);
  char* end = nullptr;
  const long long usec = std::strtoll(watchdog_usec, &end, 10);
  if (end == watchdog_usec || *end != '\0' || usec <= 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(usec / 2);
}

std::string reloadingMessage() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

namespace {

const std::optional<NotifyAddress>& target() {
  static const std::optional<NotifyAddress> address = [] {
    const char* value = std::getenv("NOTIFY_SOCKET");
    return value == nullptr ? std::nullopt : parseNotifyAddress(value);
  }();
  return address;
}

}  // namespace

bool enabled() { return target().has_value(); }

bool notify(std::string_view state) {
  const auto& address = target();
  if (!address) return false;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&address->address), address->length);
  ::close(fd);
  return n == static_cast<ssize_t>(state.size());
}

}  // namespace warren::server::systemd
