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
from rabbitmq_node import RabbitMQNode, free_ports  # noqa: E402

try:
    import pika  # Debian's python3-pika; run with /usr/bin/python3
    import pika.tcp_socket_opts
except ImportError:  # reported by main() as a skip
    pika = None

SKIP = 77  # ctest SKIP_RETURN_CODE: a prerequisite is not installed

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

def tcp_listening(ip, port):
    """True when a socket LISTENs on ip:port (IPv4), read from /proc/net/tcp.

    Used instead of a probe connection: a probe would go through Warren to a node (one more
    access-log line, and a passive health mark on a dead node before the test starts).
    A listening socket accepts: the kernel completes the handshake into its backlog.
    """
    want = "%s:%04X" % ("".join("%02X" % b for b in reversed(socket.inet_aton(ip))), port)
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[1] == want and fields[3] == "0A":  # TCP_LISTEN
                    return True
    except OSError:
        pass
    return False


class ProxyProcess:
    """Warren (or the HAProxy stand-in) running one listener in front of `nodes`."""

    def __init__(self, name, nodes, proxy_protocol):
        self.name = name
        self.nodes = list(nodes)  # ["127.0.0.1:PORT", ...], in config order
        self.proxy_protocol = proxy_protocol
        self.port = free_ports(1)[0]
        self.address = "127.0.0.1:%d" % self.port
        self.dir = tempfile.mkdtemp(prefix=name + "-", dir=WORKDIR)
        self.log_path = os.path.join(self.dir, "stderr.log")
        self.proc = None

    @property
    def is_warren(self):
        return not OPTS.stand_in_haproxy

    def command(self):
        if self.is_warren:
            path = os.path.join(self.dir, "warren.toml")
            with open(path, "w") as f:
                f.write(self.warren_config())
            return [OPTS.warren, "run", "-c", path]
        path = os.path.join(self.dir, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(self.haproxy_config())
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
        cmd = self.command()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %s before listening\n%s"
                                     % (cmd[0], self.proc.returncode, self.log_tail()))
            if tcp_listening("127.0.0.1", self.port):
                return self
            if time.monotonic() > deadline:
                raise AssertionError("%s not listening on %s after %.0f s\n%s"
                                     % (cmd[0], self.address, timeout, self.log_tail()))
            time.sleep(0.1)

    def terminate(self, timeout):
        """SIGTERM; returns (exit code or None if still running after timeout, seconds)."""
        t0 = time.monotonic()
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def stop(self):
        """Stop whatever is left of the process group we started (bounded)."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        for sig, grace in ((signal.SIGTERM, SHUTDOWN_TIMEOUT_S + 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, lines=30):
        return "--- %s (tail)\n%s" % (self.log_path,
                                       "".join(self.log_text().splitlines(True)[-lines:]))

    def wait_access_line(self, client, timeout=10.0):
        """Warren's access-log line for `client` ("ip:port"), waiting for it (bounded)."""
        pattern = re.compile(r"\baccess\b.*\bclient=%s(\s|$)" % re.escape(client))
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_text().splitlines():
                if pattern.search(line):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)


# ------------------------------------------------------------------ clients

@contextlib.contextmanager
def source_address(ip):
    """Bind the sockets pika creates inside this block to `ip` (port 0).

    Yields a list that receives each socket pika created (so the test knows the client
    port). See the module docstring for why this hook.
    """
    original = pika.tcp_socket_opts.set_sock_opts
    sockets = []

    def set_sock_opts(tcp_options, sock):
        sock.bind((ip, 0))
        sockets.append(sock)
        original(tcp_options, sock)

    pika.tcp_socket_opts.set_sock_opts = set_sock_opts
    try:
        yield sockets
    finally:
        pika.tcp_socket_opts.set_sock_opts = original


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
    rng = random.Random(seed)
    sizes = [0, 1, 8, 4096, 131072, 131073, 300000][:count]
    sizes += [rng.choice((rng.randrange(1, 64), rng.randrange(64, 16384)))
              for _ in range(count - len(sizes))]
    return [rng.randbytes(n) for n in sizes]


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
            bodies = message_bodies(tag, count)
            for i, body in enumerate(bodies):
                # With confirms on, pika raises if the broker nacks or returns the message.
                ch.basic_publish(exchange="", routing_key=queue, body=body, mandatory=True,
                                 properties=pika.BasicProperties(message_id=str(i)))
            got = []
            for method, props, body in ch.consume(queue, inactivity_timeout=15):
                if method is None:
                    break
                got.append((props.message_id, body))
                ch.basic_ack(method.delivery_tag)
                if len(got) == len(bodies):
                    break
            ch.cancel()
            self.assertEqual(len(got), len(bodies), "messages received")
            for i, (mid, body) in enumerate(got):
                self.assertEqual(mid, str(i))
                self.assertEqual(body, bodies[i], "body %d (%d bytes) differs" % (i, len(bodies[i])))

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
    missing = [what for what, ok in (
        ("rabbitmq-server (apt)", os.access("/usr/lib/rabbitmq/bin/rabbitmq-server", os.X_OK)),
        ("python3-pika (apt; run with /usr/bin/python3)", pika is not None),
        ("amqp-tools (apt)", shutil.which("amqp-publish") is not None),
        ("haproxy (apt)", not OPTS.stand_in_haproxy or os.access("/usr/sbin/haproxy", os.X_OK)),
    ) if not ok]
    if missing:
        print("SKIP: not installed: %s" % ", ".join(missing), file=sys.stderr)
        return SKIP
    if not OPTS.stand_in_haproxy:
        if not OPTS.warren or not os.access(OPTS.warren, os.X_OK):
            print("error: --warren PATH (an executable) is required, got %r" % OPTS.warren,
                  file=sys.stderr)
            return 2
        OPTS.warren = os.path.abspath(OPTS.warren)
    prog = unittest.main(module=sys.modules[__name__], argv=[sys.argv[0]] + rest,
                         exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
