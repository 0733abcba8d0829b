#!/usr/bin/python3
"""Byte-exact relay over TLS: 16 client connections to a TLS listener (`protocol = "tcp"`) in
front of one echo node, each writing its own pseudo-random stream in writes of 1 B..256 KiB
(log-uniform) and checking every byte that comes back. >= 1 GiB in all (>= 16 GiB with
--long or WARREN_FAULTS_LONG=1).

    /usr/bin/python3 test_tls_relay.py --warren build/proxy/warren [--long]
"""

import sys
import time
import unittest

import faults
from faults import GiB, EchoNode, Pump, StreamConn, Warren

CONNECTIONS = 16


class TlsRelay(unittest.TestCase):
    def test_byte_exact_over_tls(self):
        total = (16 if faults.OPTS.long else 1) * GiB
        per_conn = -(-total // CONNECTIONS)
        node_port, port, admin = faults.free_ports(3)
        node = EchoNode(node_port)
        warren = None
        pump = None
        try:
            warren = Warren(faults.config_toml(admin, [faults.listener_toml("tls", port, "echo", tls=True)],
                                               [faults.cluster_toml("echo", [node.address])]),
                            [port], admin)
            warren.start()
            ctx = faults.client_tls_context()
            pump = Pump(StreamConn(faults.connect(port, ctx), seed=1000 + i, target=per_conn)
                        for i in range(CONNECTIONS))
            t0 = time.monotonic()
            finished = pump.run(time_limit=600 if faults.OPTS.long else 90)
            seconds = time.monotonic() - t0
            moved = pump.totals()
            mismatches = sum(1 for c in pump.conns if c.mismatch_at is not None)
            closed = [c for c in pump.conns if c.closed_at is not None]
            faults.figure("tls_relay", "%.2f GiB over %d connections in %.1f s (%.0f MiB/s), %d mismatches"
                          % (moved / GiB, CONNECTIONS, seconds, moved / faults.MiB / seconds, mismatches))
            self.assertTrue(finished, "not done within the time limit: %.2f GiB moved" % (moved / GiB))
            self.assertEqual(closed, [], [(c.seed, c.error) for c in closed])
            self.assertEqual(mismatches, 0, [(c.seed, c.mismatch_at) for c in pump.conns if c.mismatch_at])
            self.assertTrue(all(c.exact for c in pump.conns))
            self.assertGreaterEqual(moved, total)
        finally:
            faults.release(pump, warren, node)


if __name__ == "__main__":
    sys.exit(faults.main(__name__))
