#!/usr/bin/python3
"""Slowloris and garbage floods: for a few seconds (30 s with --long)
  * slowloris: 300 admin connections (more than the admin server holds, 256) trickle an HTTP
    request head, 200 TLS listener connections trickle a real ClientHello, 200 AMQP listener
    connections trickle a protocol header and then bytes, one byte per connection every
    100 ms; a connection Warren closes is opened again;
  * garbage: two threads open connections to the TLS and the AMQP listener in a loop, write
    1 B..64 KiB of random bytes, read until Warren closes;
while normal clients are served every 50 ms in turn: a TLS echo round trip, a plain `tcp`
echo round trip, GET /metrics, GET /healthz. Each must succeed within 1 s; Warren's RSS stays
bounded (its peak during the floods is printed).

    /usr/bin/python3 test_floods.py --warren build/proxy/warren
"""

import os
import random
import socket
import ssl
import sys
import threading
import time
import unittest

import faults
from faults import KiB, EchoNode, Warren

ADMIN_SLOW = 300
TLS_SLOW = 200
AMQP_SLOW = 200
ANSWER_WITHIN = 1.0
RSS_GROWTH_MIB = 32


def client_hello():
    """The bytes of a real TLS ClientHello (memory BIO, never sent anywhere)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = faults.client_tls_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


class Trickler:
    """Slowloris connections: each gets its next byte of `payload` every round; a connection
    that Warren closed is opened again (counted)."""

    def __init__(self, port, count, payload):
        self.port = port
        self.payload = payload
        self.socks = [None] * count
        self.pos = [0] * count
        self.reopened = 0
        self.opened = 0

    def round(self):
        for i, s in enumerate(self.socks):
            if s is None:
                try:
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                except OSError:
                    continue
                s.setblocking(False)
                self.socks[i] = s
                self.pos[i] = 0
                self.opened += 1
            try:
                s.send(self.payload[self.pos[i] % len(self.payload):][:1])
                self.pos[i] += 1
                while s.recv(4096):
                    pass
                closed = True  # recv returned b"": Warren closed it
            except (BlockingIOError, InterruptedError):
                closed = False
            except OSError:
                closed = True
            if closed:
                s.close()
                self.socks[i] = None
                self.reopened += 1

    def close(self):
        for s in self.socks:
            if s is not None:
                s.close()


def garbage_loop(port, seed, stop, counts):
    rng = random.Random(seed)
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(rng.randbytes(faults.log_uniform_size(rng, 1, 64 * KiB)))
                while s.recv(65536):
                    pass
        except OSError:
            pass
        counts[port] = counts.get(port, 0) + 1


class Floods(unittest.TestCase):
    def test_slowloris_and_garbage(self):
        seconds = 30 if faults.OPTS.long else 5
        node_port, tls_port, amqp_port, tcp_port, admin = faults.free_ports(5)
        node = EchoNode(node_port)
        warren = None
        stop = threading.Event()
        threads = []
        tricklers = []
        try:
            warren = Warren(faults.config_toml(admin, [faults.listener_toml("tls", tls_port, "echo", tls=True),
                                                       faults.listener_toml("amqp", amqp_port, "echo",
                                                                            protocol="amqp"),
                                                       faults.listener_toml("front", tcp_port, "echo")],
                                               [faults.cluster_toml("echo", [node.address])]),
                            [tls_port, amqp_port, tcp_port], admin)
            warren.start()
            ctx = faults.client_tls_context()

            def tls_echo():
                with faults.connect(tls_port, ctx, timeout=ANSWER_WITHIN) as s:
                    payload = os.urandom(16 * KiB)
                    return faults.round_trip(s, payload, ANSWER_WITHIN) == payload

            def tcp_echo():
                with faults.connect(tcp_port, timeout=ANSWER_WITHIN) as s:
                    payload = os.urandom(16 * KiB)
                    return faults.round_trip(s, payload, ANSWER_WITHIN) == payload

            def metrics():
                status, body, _ = warren.get("/metrics", timeout=ANSWER_WITHIN)
                return status == 200 and "warren_connections_accepted_total" in body

            def healthz():
                return warren.get("/healthz", timeout=ANSWER_WITHIN)[0] == 200

            normal = [("tls_echo", tls_echo), ("tcp_echo", tcp_echo), ("metrics", metrics), ("healthz", healthz)]
            for _, check in normal:
                self.assertTrue(check())
            rss_before = warren.rss_kib()

            tricklers = [Trickler(admin, ADMIN_SLOW, b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                                  + b"a" * 8000),
                         Trickler(tls_port, TLS_SLOW, client_hello()),
                         Trickler(amqp_port, AMQP_SLOW, b"AMQP\x00\x00\x09\x01" + random.Random(7).randbytes(4096))]

            def trickle():
                while not stop.is_set():
                    t = time.monotonic()
                    for tr in tricklers:
                        tr.round()
                    stop.wait(max(0.0, 0.1 - (time.monotonic() - t)))

            counts = {}
            threads = [threading.Thread(target=trickle, daemon=True),
                       threading.Thread(target=garbage_loop, args=(tls_port, 1, stop, counts), daemon=True),
                       threading.Thread(target=garbage_loop, args=(amqp_port, 2, stop, counts), daemon=True)]
            for t in threads:
                t.start()

            served = {name: 0 for name, _ in normal}
            failed = {name: [] for name, _ in normal}
            slowest = {name: 0.0 for name, _ in normal}
            rss_peak = rss_before
            end = time.monotonic() + seconds
            i = 0
            while time.monotonic() < end:
                name, check = normal[i % len(normal)]
                i += 1
                t0 = time.monotonic()
                try:
                    ok = check()
                except (OSError, ssl.SSLError) as e:
                    ok = False
                    failed[name].append(repr(e))
                took = time.monotonic() - t0
                slowest[name] = max(slowest[name], took)
                if ok and took <= ANSWER_WITHIN:
                    served[name] += 1
                elif ok:
                    failed[name].append("took %.2f s" % took)
                rss_peak = max(rss_peak, warren.rss_kib())
                time.sleep(0.05)
            stop.set()
            for t in threads:
                t.join(timeout=10)
            slow_total = sum(tr.opened for tr in tricklers)
            garbage = sum(counts.values())
            total_served = sum(served.values())
            total = total_served + sum(len(f) for f in failed.values())
            faults.figure("floods", "%d slowloris connections held (%d opened, %d of them admin), %d garbage connections in %d s: "
                          "%d/%d normal requests served (slowest %.3f s), RSS %.1f -> peak %.1f MiB (%+.1f)"
                          % (ADMIN_SLOW + TLS_SLOW + AMQP_SLOW, slow_total, tricklers[0].opened, garbage, seconds, total_served, total,
                             max(slowest.values()), faults.mib(rss_before), faults.mib(rss_peak),
                             faults.mib(rss_peak - rss_before)))
            self.assertEqual({k: v for k, v in failed.items() if v}, {})
            self.assertTrue(all(served.values()), served)
            self.assertGreater(garbage, 0)
            self.assertLess(rss_peak - rss_before, RSS_GROWTH_MIB * 1024)
            self.assertIsNone(warren.proc.poll(), "Warren exited")
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=10)
            faults.release(*tricklers, warren, node)


if __name__ == "__main__":
    sys.exit(faults.main(__name__))
