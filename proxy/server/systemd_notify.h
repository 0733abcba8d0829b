// systemd's notify protocol (sd_notify(3)), by hand: one datagram "KEY=value\n..." to the
// AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
// With no $NOTIFY_SOCKET every call is a no-op, so it is always safe to call.
//
//   READY=1                               after every listener is bound and the workers run
//   RELOADING=1 MONOTONIC_USEC=...        a reload starts (Reloader)
//   READY=1 STATUS=...                    it ended (STATUS says how; a failure keeps the old config)
//   STOPPING=1                            graceful stop begins
//   WATCHDOG=1                            every WATCHDOG_USEC/2 while the workers answer (Watchdog)
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace warren::server::systemd {

struct NotifyAddress {
  sockaddr_un address{};
  socklen_t length = 0;
};

// The socket address of a NOTIFY_SOCKET value: "/run/systemd/notify" or "@abstract".
// nullopt for "", a relative path or one too long for sockaddr_un.
std::optional<NotifyAddress> parseNotifyAddress(std::string_view value);

// The watchdog's ping interval (half of WATCHDOG_USEC), or zero when the watchdog is off or
// meant for another process (WATCHDOG_PID names someone else).
std::chrono::microseconds watchdogInterval(const char* watchdog_usec, const char* watchdog_pid, pid_t self);

// "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC now>".
std::string reloadingMessage();

// Sends `state` to $NOTIFY_SOCKET (read once). False when there is none or the send failed.
bool notify(std::string_view state);
// True when $NOTIFY_SOCKET is set.
bool enabled();

}  // namespace warren::server::systemd
