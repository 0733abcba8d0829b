#!/usr/bin/python3
"""A node killed mid-traffic: 48 connections stream through a `tcp` listener to three echo
nodes (least_conn: 16 each); once a quarter of the bytes are back, one node's process gets
SIGKILL. Its clients must be closed within 1 s of the kill; every other connection stays
byte-exact to the end; then 30 new connections all land on the two survivors (the access
log's node=).

    /usr/bin/python3 test_node_killed.py --warren build/proxy/warren
"""

import sys
import time
import unittest

import faults
from faults import MiB, EchoNode, Pump, StreamConn, Warren

CONNECTIONS = 48
NEW_CONNECTIONS = 30
CLOSE_WITHIN = 1.0


class NodeKilled(unittest.TestCase):
    def test_node_killed_mid_traffic(self):
        per_conn = (64 if faults.OPTS.long else 8) * MiB
        ports = faults.free_ports(5)
        nodes = [EchoNode(p) for p in ports[:3]]
        port, admin = ports[3:]
        warren = None
        pump = None
        new_conns = []
        try:
            warren = Warren(faults.config_toml(admin, [faults.listener_toml("front", port, "echo")],
                                               [faults.cluster_toml("echo", [n.address for n in nodes])]),
                            [port], admin)
            warren.start()
            pump = Pump(StreamConn(faults.connect(port), seed=2000 + i, target=per_conn)
                        for i in range(CONNECTIONS))
            self.assertTrue(faults.wait_until(lambda: sum(warren.node_connections().values()) == CONNECTIONS),
                            warren.node_connections())
            victim = nodes[0]
            on_victim = warren.node_connections()[victim.address]
            killed_at = []

            def tick():
                if not killed_at and pump.totals() >= CONNECTIONS * per_conn // 4:
                    killed_at.append(victim.kill())
                return False

            self.assertTrue(pump.run(time_limit=120, tick=tick), "relay not done in 120 s")
            self.assertTrue(killed_at, "the node was never killed")
            closed = [c for c in pump.conns if c.closed_at is not None]
            others = [c for c in pump.conns if c.closed_at is None]
            slowest = max((c.closed_at - killed_at[0] for c in closed), default=float("nan"))
            exact = sum(1 for c in others if c.exact)
            faults.release(pump)
            pump = None

            # Every first-phase access line is out before the new connections' are read.
            self.assertTrue(faults.wait_until(lambda: len(warren.access_lines()) >= CONNECTIONS),
                            warren.log_tail())
            mark = warren.log_size()
            for i in range(NEW_CONNECTIONS):
                s = faults.connect(port)
                new_conns.append(s)
                payload = b"new connection %d " % i * 100
                self.assertEqual(faults.round_trip(s, payload), payload)
            for s in new_conns:
                s.close()
            self.assertTrue(faults.wait_until(lambda: len(warren.access_lines(mark)) >= NEW_CONNECTIONS),
                            warren.log_tail())
            lines = warren.access_lines(mark)
            on_survivors = sum(1 for l in lines if l.get("node") in (nodes[1].address, nodes[2].address))
            retried = sum(1 for l in lines if l.get("attempts") != "1")
            faults.figure("node_killed", "%d/%d of the killed node's clients closed within %.3f s, "
                          "%d/%d others byte-exact, %d/%d new connections on the survivors (%d retried)"
                          % (len(closed), on_victim, slowest, exact, len(others), on_survivors,
                             NEW_CONNECTIONS, retried))
            self.assertEqual(len(closed), on_victim, [(c.seed, c.error) for c in closed])
            self.assertLess(slowest, CLOSE_WITHIN)
            self.assertTrue(all(c.mismatch_at is None for c in closed), "a killed connection got wrong bytes")
            self.assertEqual(exact, len(others))
            self.assertEqual(len(others), CONNECTIONS - on_victim)
            self.assertEqual(on_survivors, NEW_CONNECTIONS, lines)
        finally:
            faults.release(pump, *new_conns, warren, *nodes)


if __name__ == "__main__":
    sys.exit(faults.main(__name__))
