// Socket helpers shared by the bench load generator and backend: non-blocking TCP over
// IPv4/IPv6 loopback or LAN addresses, and the open-files limit for ~10,000 connections.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"

namespace warren::bench {

// "IP:PORT" or "[IPv6]:PORT"; "localhost:PORT" is taken as 127.0.0.1.
std::optional<Address> parseHostPort(std::string_view text);

// Raises the soft RLIMIT_NOFILE to the hard limit. Returns the new soft limit.
long raiseOpenFilesLimit();

// A non-blocking, close-on-exec TCP socket with TCP_NODELAY, connect() started.
// Returns the fd, or -errno when socket() or connect() failed at once.
int startConnect(const Address& target);

// A non-blocking listening socket (SO_REUSEADDR). Returns the fd or -errno.
int listenOn(const Address& address, int backlog);

// The local address of a socket (e.g. to learn the port bound for port 0).
Address localAddress(int fd);
Address peerAddress(int fd);

}  // namespace warren::bench
