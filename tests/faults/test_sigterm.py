#!/usr/bin/python3
"""SIGTERM with 500 open connections: each has relayed a round trip through a `tcp` listener
to an echo node and stays open; shutdown_timeout = 3s. Warren must exit 0 within the timeout
+ 0.5 s and write exactly one access line per connection (its client port), with
reason=shutdown (session/close_reason.cc); every client sees its connection end.

    /usr/bin/python3 test_sigterm.py --warren build/proxy/warren
"""

import os
import signal
import subprocess
import sys
import time
import unittest

import faults

CONNECTIONS = 500
TIMEOUT_S = 3.0
MARGIN_S = 0.5


class Sigterm(unittest.TestCase):
    def test_sigterm_with_open_connections(self):
        node_port, port, admin = faults.free_ports(3)
        node = faults.EchoNode(node_port)
        warren = None
        clients = []
        try:
            warren = faults.Warren(faults.config_toml(admin, [faults.listener_toml("front", port, "echo")],
                                                      [faults.cluster_toml("echo", [node.address])],
                                                      shutdown_timeout="%ds" % TIMEOUT_S),
                                   [port], admin)
            warren.start()
            for i in range(CONNECTIONS):
                s = faults.connect(port)
                clients.append(s)
                payload = b"connection %d" % i
                self.assertEqual(faults.round_trip(s, payload), payload)
            ports = {"127.0.0.1:%d" % s.getsockname()[1] for s in clients}
            self.assertEqual(sum(warren.node_connections().values()), CONNECTIONS)

            t0 = time.monotonic()
            os.kill(warren.pid, signal.SIGTERM)
            try:
                rc = warren.proc.wait(timeout=TIMEOUT_S + MARGIN_S + 5)
            except subprocess.TimeoutExpired:
                rc = None
            seconds = time.monotonic() - t0
            ended = 0
            for s in clients:
                s.settimeout(1.0)
                try:
                    ended += s.recv(1) == b""
                except ConnectionResetError:
                    ended += 1
                except OSError:
                    pass
            lines = warren.access_lines()
            shutdown = [l for l in lines if l.get("reason") == "shutdown"]
            faults.figure("sigterm", "%d connections: exit %s at %.2f s (shutdown_timeout %.0f s), "
                          "%d access lines, %d reason=shutdown, %d clients saw the end"
                          % (CONNECTIONS, rc, seconds, TIMEOUT_S, len(lines), len(shutdown), ended))
            self.assertEqual(rc, 0, warren.log_tail())
            self.assertLessEqual(seconds, TIMEOUT_S + MARGIN_S)
            self.assertEqual(len(lines), CONNECTIONS)
            self.assertEqual(len(shutdown), CONNECTIONS, {l.get("reason") for l in lines})
            self.assertEqual({l.get("client") for l in lines}, ports)
            self.assertEqual(ended, CONNECTIONS)
        finally:
            faults.release(*clients, warren, node)


if __name__ == "__main__":
    sys.exit(faults.main(__name__))
