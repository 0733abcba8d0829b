// Finds Warren's own sockets from inside the test process (the server runs in-process) by
// walking /proc/self/fd, so that component tests can read their options with getsockopt:
// the accepted client socket (its peer is the test client), the node socket (its peer is
// the test backend) and the listening sockets.
#pragma once

#include <optional>
#include <vector>

#include "common/address.h"

namespace warren::test {

// The socket whose peer is `peer`, or -1.
int findSocketByPeer(const Address& peer);
// Listening sockets bound to `local` (one per worker with SO_REUSEPORT).
std::vector<int> findListeningSockets(const Address& local);
// getsockopt(SOL_SOCKET, name) as an int; -1 on error.
int socketOption(int fd, int name);
// A listening socket's accept-queue limit as the kernel holds it (TCP_INFO tcpi_sacked
// holds sk_max_ack_backlog for a listener): the backlog given to listen(), capped by
// net.core.somaxconn.
int listenBacklog(int fd);

}  // namespace warren::test
