#!/usr/bin/python3
"""Integration test: real clients -> Warren -> a real RabbitMQ node with proxy_protocol = true.

    /usr/bin/python3 test_rabbitmq_proxy.py --warren build/proxy/warren [unittest args]
    /usr/bin/python3 test_rabbitmq_proxy.py --warren build/proxy/warren -v PROXY_V1

One RabbitMQ node is started for the whole module (rabbitmq_node.py); every test class starts
its own Warren instance from a config written into a temp dir. Checks:
  * PROXY v2 and v1: pika, bound to source address 127.0.0.2, publishes 100 messages with
    publisher confirms and reads them back byte for byte; while it is connected the broker
    shows peer 127.0.0.2:<client port> and host:port = Warren's listener; after a clean
    close Warren's access log has the connection with a reason.
  * amqp-tools (librabbitmq) publish/get through Warren.
  * A dead node listed first in the cluster: connections still succeed.
  * SIGTERM: Warren exits 0 within shutdown_timeout (idle, and with an open connection).

Binding pika's source address: pika 1.2 has no option for it (tcp_options only knows
keepalive/user-timeout). Its connector creates the socket, then calls
pika.tcp_socket_opts.set_sock_opts(tcp_options, sock) before connect(); `source_address()`
wraps that one function for the duration of the BlockingConnection(...) call and binds the
socket there. Nothing else in pika is touched.

`--stand-in-haproxy` runs the same tests against HAProxy (mode tcp, send-proxy[-v2]) instead
of Warren, to validate the harness itself; Warren-only assertions (access log) are skipped.
"""

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rabbitmq_node import RabbitMQNode  # noqa: E402
from harness import (  # noqa: E402
    SKIP, WarrenProcess, executable_warren, missing_prerequisites, pika, run_tests,
    free_ports, message_bodies as _message_bodies,
    publish_and_read_back, source_address)



CLIENT_IP = "127.0.0.2"
SHUTDOWN_TIMEOUT_S = 5
MESSAGES = 100

OPTS = None  # argparse result, set in main()
NODE = None  # RabbitMQNode shared by all tests
WORKDIR = None


def setUpModule():
    global NODE, WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="warren-it-")
    NODE = RabbitMQNode(proxy_protocol=True)
    NODE.start()
    print("\nrabbitmq node %s on %s ready in %.1f s"
          % (NODE.nodename, NODE.amqp_address, NODE.startup_seconds), file=sys.stderr)


def tearDownModule():
    if NODE is not None:
        NODE.stop()
    if WORKDIR and os.path.isdir(WORKDIR):
        if os.environ.get("WARREN_IT_KEEP") == "1":
            print("kept %s" % WORKDIR, file=sys.stderr)
        else:
            shutil.rmtree(WORKDIR, ignore_errors=True)


# ------------------------------------------------------------------ proxy under test

class ProxyProcess(WarrenProcess):
    """Warren (or the HAProxy stand-in) running one listener in front of `nodes`."""

    def __init__(self, name, nodes, proxy_protocol):
        self.nodes = list(nodes)  # ["127.0.0.1:PORT", ...], in config order
        self.proxy_protocol = proxy_protocol
        self.port = free_ports(1)[0]
        self.address = "127.0.0.1:%d" % self.port
        super().__init__(name, WORKDIR, [self.port])

    @property
    def is_warren(self):
        return not OPTS.stand_in_haproxy

    def command(self):
        if self.is_warren:
            return [OPTS.warren, "run", "-c", self.write_config(self.warren_config())]
        path = self.write_config(self.haproxy_config(), "haproxy.cfg")
        return ["/usr/sbin/haproxy", "-db", "-f", path]

    def warren_config(self):
        out = ['[global]', 'workers = 2', 'log_level = "info"',
               'shutdown_timeout = "%ds"' % SHUTDOWN_TIMEOUT_S, '',
               '[[listener]]', 'name = "amqp"', 'address = "%s"' % self.address,
               'cluster = "rabbit"', '',
               '[[cluster]]', 'name = "rabbit"', 'proxy_protocol = "%s"' % self.proxy_protocol]
        for n in self.nodes:
            out += ['', '[[cluster.node]]', 'address = "%s"' % n]
        return "\n".join(out) + "\n"

    def haproxy_config(self):
        send = {"v1": "send-proxy", "v2": "send-proxy-v2"}[self.proxy_protocol]
        out = ["global", "  log stderr format raw local0 info",
               "defaults", "  mode tcp", "  log global", "  option tcplog",
               "  timeout connect 2s", "  timeout client 120s", "  timeout server 120s",
               "  retries 1", "  option redispatch 1",
               "frontend amqp", "  bind %s" % self.address, "  default_backend rabbit",
               "backend rabbit", "  balance roundrobin"]
        out += ["  server n%d %s %s" % (i, n, send) for i, n in enumerate(self.nodes)]
        return "\n".join(out) + "\n"

    def start(self, timeout=15.0):
        return super().start(timeout, interval=0.1)

    def stop(self):
        """Stop whatever is left of the process group we started (bounded)."""
        super().stop(term_grace=SHUTDOWN_TIMEOUT_S + 5)

    def wait_access_line(self, client, timeout=10.0):
        """Warren's access-log line for `client` ("ip:port"), waiting for it (bounded)."""
        return self.wait_line_matching(r"\baccess\b.*\bclient=%s(\s|$)" % re.escape(client),
                                       timeout, interval=0.1)


# ------------------------------------------------------------------ clients

def pika_connect(proxy, connection_name, source_ip=CLIENT_IP):
    """BlockingConnection through `proxy` from `source_ip`; returns (conn, "ip:port")."""
    params = pika.ConnectionParameters(
        host="127.0.0.1", port=proxy.port,
        credentials=pika.PlainCredentials("guest", "guest"),
        client_properties={"connection_name": connection_name},
        connection_attempts=1, socket_timeout=5, stack_timeout=15, blocked_connection_timeout=30)
    with source_address(source_ip) as sockets:
        conn = pika.BlockingConnection(params)
    ip, port = sockets[-1].getsockname()[:2]
    return conn, "%s:%d" % (ip, port)


def message_bodies(seed, count=MESSAGES):
    """Bodies of varied size, including empty and bigger than one frame (frame_max 128 KiB)."""
    return _message_bodies(seed, count, [0, 1, 8, 4096, 131072, 131073, 300000],
                           lambda rng: rng.choice((rng.randrange(1, 64), rng.randrange(64, 16384))))


def amqp_url(proxy):
    return "amqp://guest:guest@127.0.0.1:%d/%%2f" % proxy.port


def run(cmd, timeout=30, input=None):
    if input is None:
        return subprocess.run(cmd, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    return subprocess.run(cmd, capture_output=True, timeout=timeout, input=input)


# ------------------------------------------------------------------ tests

class ProxyTestCase(unittest.TestCase):
    PROXY_PROTOCOL = "v2"
    DEAD_NODE_FIRST = False
    proxy = None

    @classmethod
    def setUpClass(cls):
        nodes = [NODE.amqp_address]
        if cls.DEAD_NODE_FIRST:
            nodes.insert(0, "127.0.0.1:%d" % free_ports(1)[0])  # nothing listens there
        cls.proxy = ProxyProcess(cls.__name__.lower(), nodes, cls.PROXY_PROTOCOL)
        try:
            cls.proxy.start()
        except BaseException:
            cls.proxy.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.proxy is not None:
            cls.proxy.stop()

    def find_connection(self, client, timeout=15.0):
        """The broker's view of the connection whose peer is `client` ("ip:port")."""
        ip, port = client.rsplit(":", 1)
        deadline = time.monotonic() + timeout
        while True:
            conns = NODE.list_connections()
            for c in conns:
                if c["peer_host"] == ip and c["peer_port"] == int(port):
                    return c
            if time.monotonic() > deadline:
                self.fail("broker has no connection from %s after %.0f s; it has %r"
                          % (client, timeout, conns))
            time.sleep(0.5)

    def roundtrip(self, tag, count=MESSAGES, check_broker_view=True):
        """Connect from CLIENT_IP, publish `count` confirmed messages, read them back."""
        name = "warren-it-%s-%d" % (tag, os.getpid())
        conn, client = pika_connect(self.proxy, name)
        try:
            self.assertTrue(client.startswith(CLIENT_IP + ":"), client)
            ch = conn.channel()
            ch.confirm_delivery()
            queue = ch.queue_declare(queue=name, exclusive=True).method.queue
            publish_and_read_back(self, ch, queue, message_bodies(tag, count))

            if check_broker_view:
                c = self.find_connection(client)
                # The client's own address from the PROXY header, not Warren's 127.0.0.1 ...
                self.assertEqual("%s:%s" % (c["peer_host"], c["peer_port"]), client)
                # ... and the header's destination: Warren's listener.
                self.assertEqual("%s:%s" % (c["host"], c["port"]), self.proxy.address)
                self.assertEqual(c["connection_name"], name)
            ch.close()
        finally:
            if conn.is_open:
                conn.close()
        return client

    def assert_access_logged(self, client):
        if not self.proxy.is_warren:
            return
        line = self.proxy.wait_access_line(client)
        self.assertIsNotNone(line, "no access line for %s\n%s" % (client, self.proxy.log_tail()))
        # pika closes cleanly (Close/Close-Ok, then FIN); RabbitMQ answers the FIN with a
        # reset, which must not be mistaken for a node error.
        self.assertRegex(line, r"\breason=client_closed\b", line)
        self.assertRegex(line, r"\bbytes_up=[1-9]", line)
        self.assertRegex(line, r"\bbytes_down=[1-9]", line)
        self.assertRegex(line, r"\blistener=amqp\b", line)
        self.assertIn("node=%s" % NODE.amqp_address, line)


class PROXY_V2(ProxyTestCase):
    PROXY_PROTOCOL = "v2"

    def test_pika_roundtrip_shows_client_address(self):
        client = self.roundtrip("v2")
        self.assert_access_logged(client)

    def test_amqp_tools_smoke(self):
        url = amqp_url(self.proxy)
        queue = "warren-it-amqp-tools-%d" % os.getpid()
        body = b"hello through warren \x00\xff"
        r = run(["amqp-declare-queue", "--url", url, "-q", queue])
        self.assertEqual(r.returncode, 0, r.stderr)
        try:
            r = run(["amqp-publish", "--url", url, "-r", queue], input=body)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = run(["amqp-get", "--url", url, "-q", queue])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, body)
        finally:
            run(["amqp-delete-queue", "--url", url, "-q", queue])


class PROXY_V1(ProxyTestCase):
    PROXY_PROTOCOL = "v1"

    def test_pika_roundtrip_shows_client_address(self):
        client = self.roundtrip("v1")
        self.assert_access_logged(client)


class DeadNodeFirst(ProxyTestCase):
    DEAD_NODE_FIRST = True

    def test_connections_skip_dead_node(self):
        # Several connections in a row must all land on the live node. A balancer that
        # starts at the first node, or rotates, tries the dead one at least once in 4.
        clients = []
        for i in range(4):
            with self.subTest(connection=i):
                clients.append(self.roundtrip("dead-first-%d" % i, count=5,
                                              check_broker_view=(i == 0)))
        if self.proxy.is_warren:
            dead = self.proxy.nodes[0]
            tried = [line for line in self.proxy.log_text().splitlines()
                     if dead in line and "client=%s:" % CLIENT_IP in line]
            self.assertTrue(tried, "no log line shows the dead node %s being tried; the "
                            "test proved nothing\n%s" % (dead, self.proxy.log_tail()))
            for client in clients:
                self.assert_access_logged(client)


class Shutdown(unittest.TestCase):
    def start_proxy(self, name):
        proxy = ProxyProcess(name, [NODE.amqp_address], "v2")
        self.addCleanup(proxy.stop)
        return proxy.start()

    def test_sigterm_idle_exits_zero(self):
        proxy = self.start_proxy("sigterm-idle")
        rc, secs = proxy.terminate(timeout=SHUTDOWN_TIMEOUT_S + 3)
        self.assert_clean_exit(proxy, rc, secs)

    def test_sigterm_with_open_connection_exits_zero(self):
        proxy = self.start_proxy("sigterm-busy")
        conn, client = pika_connect(proxy, "warren-it-sigterm-%d" % os.getpid())
        try:
            conn.channel()
            rc, secs = proxy.terminate(timeout=SHUTDOWN_TIMEOUT_S + 3)
            self.assert_clean_exit(proxy, rc, secs)
        finally:
            with contextlib.suppress(Exception):
                conn.close()
        if proxy.is_warren:
            line = proxy.wait_access_line(client, timeout=2)
            self.assertIsNotNone(line, "no access line for %s\n%s" % (client, proxy.log_tail()))

    def assert_clean_exit(self, proxy, rc, secs):
        self.assertIsNotNone(rc, "still running %.1f s after SIGTERM\n%s"
                             % (secs, proxy.log_tail()))
        if proxy.is_warren:
            self.assertEqual(rc, 0, proxy.log_tail())
        else:
            # HAProxy -db dies from SIGTERM (hard stop): only Warren's exit code matters.
            self.assertIn(rc, (0, 143, -signal.SIGTERM), proxy.log_tail())
        self.assertLessEqual(secs, SHUTDOWN_TIMEOUT_S + 2.0, "exit took %.1f s" % secs)


def main():
    global OPTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--warren", help="path to the warren binary")
    ap.add_argument("--stand-in-haproxy", action="store_true", help=argparse.SUPPRESS)
    OPTS, rest = ap.parse_known_args()
    if missing_prerequisites((
        ("rabbitmq-server (apt)", os.access("/usr/lib/rabbitmq/bin/rabbitmq-server", os.X_OK)),
        ("python3-pika (apt; run with /usr/bin/python3)", pika is not None),
        ("amqp-tools (apt)", shutil.which("amqp-publish") is not None),
        ("haproxy (apt)", not OPTS.stand_in_haproxy or os.access("/usr/sbin/haproxy", os.X_OK)),
    )):
        return SKIP
    if not OPTS.stand_in_haproxy:
        OPTS.warren = executable_warren(OPTS.warren)
        if OPTS.warren is None:
            return 2
    return run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
