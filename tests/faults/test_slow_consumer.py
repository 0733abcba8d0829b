#!/usr/bin/python3
"""One slow consumer does not slow the others: a client on a `tcp` listener writes until its
socket takes no more and never reads (the echo backs up: Warren's buffers up to the
watermark, the node, the kernel's). Meanwhile 15 other connections move >= 1 GiB byte-exact,
at no less than half the rate they had without it (a first, shorter pass measures that).
Warren's RSS may grow by the stuck connection's buffers, bounded; printed. In the end the
slow client reads and gets every byte it wrote, in order.

    /usr/bin/python3 test_slow_consumer.py --warren build/proxy/warren
"""

import sys
import time
import unittest

import faults
from faults import GiB, MiB, EchoNode, Pump, StreamConn, Warren

OTHERS = 15
RSS_GROWTH_MIB = 16
MIN_RATE_RATIO = 0.5


def relay(port, total, seed, time_limit):
    """`total` bytes over OTHERS fresh connections; (conns, seconds, finished)."""
    pump = Pump(StreamConn(faults.connect(port), seed=seed + i, target=-(-total // OTHERS))
                for i in range(OTHERS))
    try:
        t0 = time.monotonic()
        finished = pump.run(time_limit=time_limit)
        return pump.conns, time.monotonic() - t0, finished
    finally:
        faults.release(pump)


class SlowConsumer(unittest.TestCase):
    def test_one_client_that_never_reads(self):
        total = (8 if faults.OPTS.long else 1) * GiB
        node_port, port, admin = faults.free_ports(3)
        node = EchoNode(node_port)
        warren = None
        slow = None
        try:
            warren = Warren(faults.config_toml(admin, [faults.listener_toml("front", port, "echo")],
                                               [faults.cluster_toml("echo", [node.address])]),
                            [port], admin)
            warren.start()
            conns, base_s, finished = relay(port, total // 4, 3000, 60)
            self.assertTrue(finished and all(c.exact for c in conns), "baseline pass failed")
            base_rate = sum(c.received for c in conns) / base_s
            rss_before = warren.rss_kib()

            # The slow client: writes until nothing more is taken for 0.5 s (bounded), then stops.
            slow = StreamConn(faults.connect(port), seed=3999, target=1 << 40, window=1 << 40)
            last_growth = time.monotonic()
            deadline = last_growth + 20
            while time.monotonic() - last_growth < 0.5 and time.monotonic() < deadline:
                before = slow.sent
                slow.on_write()
                self.assertIsNone(slow.closed_at, slow.error)
                if slow.sent > before:
                    last_growth = time.monotonic()
                else:
                    time.sleep(0.005)
            self.assertLess(time.monotonic(), deadline, "the slow client's writes never blocked")
            slow.finish_soon()
            stuck = slow.sent

            conns, seconds, finished = relay(port, total, 3100, 120)
            moved = sum(c.received for c in conns)
            exact = sum(1 for c in conns if c.exact)
            rss_after = warren.rss_kib()
            rate = moved / seconds

            # The slow client reads at last: everything it wrote, in order.
            pump = Pump([slow])
            slow_done = pump.run(time_limit=30)
            slow_exact = slow.exact
            faults.release(pump)
            slow = None
            faults.figure("slow_consumer", "one client stuck with %.1f MiB unread; the others %.2f GiB, "
                          "%d/%d byte-exact at %.0f MiB/s (%.0f MiB/s without it); RSS %.1f -> %.1f MiB (%+.1f)"
                          % (stuck / MiB, moved / GiB, exact, len(conns), rate / MiB, base_rate / MiB,
                             faults.mib(rss_before), faults.mib(rss_after), faults.mib(rss_after - rss_before)))
            self.assertTrue(finished, "the others did not finish in 120 s")
            self.assertEqual(exact, len(conns))
            self.assertGreaterEqual(moved, total)
            self.assertGreaterEqual(rate, MIN_RATE_RATIO * base_rate)
            self.assertLess(rss_after - rss_before, RSS_GROWTH_MIB * 1024)
            self.assertTrue(slow_done and slow_exact, "the slow client did not get its bytes back")
        finally:
            faults.release(slow, warren, node)


if __name__ == "__main__":
    sys.exit(faults.main(__name__))
