#!/usr/bin/python3
"""200 SIGHUPs while 100 connections relay: the connections stream through a `tcp` listener
to an echo node (a thread of this process keeps them going) while the main thread sends
SIGHUP 200 times, each after the previous reload is done: its `config_reloaded` line, and the
extra listener bound or closed (the workers close a removed listener's sockets after that
line; see README.md). The file changes
every time (an extra `tcp` listener and a TLS listener's presence alternate, so that reloads
bind, close and build TLS contexts). After the storm every connection finishes byte-exact (0
dropped), warren_config_reloads_total{result="success"} is 200, and Warren's RSS after is
within a few MiB of what it was after the first two reloads (each file loaded once).

    /usr/bin/python3 test_sighup_storm.py --warren build/proxy/warren
"""

import os
import signal
import sys
import threading
import time
import unittest

import faults
from faults import MiB, EchoNode, Pump, StreamConn, Warren

CONNECTIONS = 100
RELOADS = 200
RSS_GROWTH_MIB = 4
RELOAD_WAIT_S = 5.0


class SighupStorm(unittest.TestCase):
    def test_reloads_while_relaying(self):
        node_port, port, extra_port, tls_port, admin = faults.free_ports(5)
        node = EchoNode(node_port)
        cluster = faults.cluster_toml("echo", [node.address])
        main = faults.listener_toml("front", port, "echo")
        configs = [faults.config_toml(admin, [main], [cluster]),
                   faults.config_toml(admin, [main, faults.listener_toml("extra", extra_port, "echo"),
                                              faults.listener_toml("tls", tls_port, "echo", tls=True)],
                                      [cluster])]
        warren = None
        pump = None
        thread = None
        stop = threading.Event()
        result = {}
        try:
            warren = Warren(configs[0], [port], admin)
            warren.start()
            pump = Pump(StreamConn(faults.connect(port), seed=5000 + i, target=1 << 40, window=1 * MiB)
                        for i in range(CONNECTIONS))

            def tick():
                if stop.is_set():
                    for c in pump.conns:
                        c.finish_soon()
                    stop.clear()
                return False

            def run():
                result["finished"] = pump.run(time_limit=180, tick=tick)

            thread = threading.Thread(target=run, daemon=True)
            thread.start()
            self.assertTrue(faults.wait_until(lambda: pump.totals() >= CONNECTIONS * MiB, timeout=20),
                            "the connections do not relay")
            rss_before = None
            t0 = time.monotonic()
            mark = warren.log_size()
            for i in range(RELOADS):
                if i == 2:  # both files loaded once (the TLS listener's context built)
                    rss_before = warren.rss_kib()
                tmp = warren.config_path + ".tmp"
                with open(tmp, "w") as f:
                    f.write(configs[(i + 1) % 2])
                os.rename(tmp, warren.config_path)
                os.kill(warren.pid, signal.SIGHUP)
                line = warren.wait_for_line(lambda l: "config_reload" in l, timeout=RELOAD_WAIT_S,
                                            interval=0.002, after=mark)
                self.assertIsNotNone(line, "reload %d: no config_reloaded line\n%s" % (i + 1, warren.log_tail()))
                self.assertIn("config_reloaded source=sighup", line)
                mark = warren.log_size()
                # Done means the listener change is applied too: the workers close a removed
                # listener's sockets after the line (binding it again before that fails).
                added = (i + 1) % 2 == 1
                self.assertTrue(faults.wait_until(lambda: faults.tcp_listening("127.0.0.1", extra_port) == added,
                                                  timeout=RELOAD_WAIT_S, interval=0.002),
                                "reload %d: listener extra not %s" % (i + 1, "bound" if added else "closed"))
                self.assertTrue(all(c.closed_at is None for c in pump.conns), "a connection ended at reload %d"
                                % (i + 1))
            storm_s = time.monotonic() - t0
            rss_after = warren.rss_kib()
            stop.set()
            thread.join(timeout=60)
            self.assertFalse(thread.is_alive(), "the relay did not finish")
            dropped = sum(1 for c in pump.conns if c.closed_at is not None)
            exact = sum(1 for c in pump.conns if c.exact)
            moved = pump.totals()
            _, metrics, _ = warren.get("/metrics")
            reloads = faults.metric_value(metrics, "warren_config_reloads_total", result="success")
            faults.figure("sighup_storm", "%d SIGHUPs in %.1f s while %d connections relayed %.0f MiB: "
                          "%d dropped, %d/%d byte-exact, RSS %.1f MiB (after 2 reloads) -> %.1f MiB"
                          % (RELOADS, storm_s, CONNECTIONS, moved / MiB, dropped, exact, CONNECTIONS,
                             faults.mib(rss_before), faults.mib(rss_after)))
            self.assertTrue(result.get("finished"))
            self.assertEqual(dropped, 0)
            self.assertEqual(exact, CONNECTIONS)
            self.assertEqual(reloads, RELOADS)
            self.assertLess(abs(rss_after - rss_before), RSS_GROWTH_MIB * 1024)
        finally:
            stop.set()
            if thread is not None and thread.is_alive():
                for c in pump.conns:
                    c.target = c.sent  # let the pump thread end
                thread.join(timeout=10)
            faults.release(pump, warren, node)


if __name__ == "__main__":
    sys.exit(faults.main(__name__))
