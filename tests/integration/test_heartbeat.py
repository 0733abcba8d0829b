#!/usr/bin/python3
"""Integration test: Warren's AMQP handshake awareness and heartbeat-aware idle policy,
against a real RabbitMQ node (proxy_protocol = true) behind Warren (PROXY v2).

    /usr/bin/python3 test_heartbeat.py --warren build/proxy/warren --source-dir . [unittest args]
    /usr/bin/python3 test_heartbeat.py --warren build/proxy/warren --source-dir . -v HeartbeatDeadClient

One RabbitMQ node is started for the module; every class starts its own Warren (one AMQP
listener, its own idle keys). Clients bind 127.0.0.2 (pika through the hook that
test_rabbitmq_proxy.py uses, raw sockets directly), so each access line is found by its
client=127.0.0.2:PORT. Classes:

  NoHeartbeatNeverCut      idle_timeout_without_heartbeat = "0s" (the default): a heartbeat=0
                           pika connection quiet for 9 s (3x the 3 s limit HAProxy-style
                           proxies cut at) survives, then publishes and consumes.
  NoHeartbeatIdleLimit     idle_timeout_without_heartbeat = "2s": the same connection is cut
                           after ~2 s of quiet (reason=idle_timeout); publishing then fails.
  HeartbeatHealthy         heartbeat=2, pika servicing its heartbeats in small steps: 20 s
                           idle survive (Warren's limit is 3 x 2 = 6 s), then publish/consume.
  HeartbeatDeadClient      heartbeat=2, a client that stops sending: a raw-socket 0-9-1 client
                           (Tune-Ok heartbeat=2, then silence) and pika blocked in time.sleep
                           are gone within multiplier x H + 1 s = 7 s. RabbitMQ itself gives up
                           after 2-3 H (4-6 s), Warren after 3 H (6 s), so it is a race; either
                           way the access line says heartbeat_timeout and the warning
                           silent=client: detected_by=warren limit_ms=6000 if Warren is first;
                           detected_by=node limit_ms=4000 if the broker is (it resets the
                           socket, and its log must say "missed heartbeats from client").
  HeartbeatWarrenFirst     heartbeat_multiplier = 1 (limit 2 s < RabbitMQ's 4-6 s): the silent
                           raw client must be closed by Warren itself, heartbeat_timeout
                           silent=client detected_by=warren limit_ms=2000, within 3 s.
  HandshakeTimeout         amqp_handshake_timeout = "2s" (RabbitMQ's is 10 s): a client that
                           sends only the protocol header, and one that sends nothing, are
                           closed at ~2 s with reason=amqp_handshake_timeout.
  WrongProtocol            `GET / HTTP/1.1` and a TLS ClientHello on the AMQP port get
                           `AMQP\\x00\\x00\\x09\\x01` back; HTTP logs protocol_mismatch sent=http
                           with a hint, TLS logs tls_on_plaintext (sni=, offered=); both
                           access lines say reason=protocol_mismatch.
  AccessLine               a pika session with a dedicated user (rabbitmqctl add_user, a
                           distinctive password), heartbeat=5, a connection_name with spaces:
                           the access line carries vhost=/, connection_name (quoted),
                           client_product, client_version, heartbeat=5, and the password
                           (plain, hex, nor the base64 of the SASL PLAIN response) appears
                           nowhere in Warren's whole log (log_level = "trace"). The spelling
                           protocol=amqp091 has a test of its own.

Timings are measured with time.monotonic() and printed (stderr), so a run shows how close
each close came to its limit.
"""

import argparse
import base64
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import struct
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
    free_ports, source_address)


CLIENT_IP = "127.0.0.2"
AMQP_HEADER = b"AMQP\x00\x00\x09\x01"
LOG_WAIT_S = 10.0

OPTS = None  # argparse result, set in main()
NODE = None  # RabbitMQNode shared by all tests
WORKDIR = None


def setUpModule():
    global NODE, WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="warren-it-hb-")
    node = RabbitMQNode(proxy_protocol=True, name_prefix="warren-it-hb")
    node.start()
    NODE = node
    print("\nrabbitmq node %s on %s ready in %.1f s"
          % (NODE.nodename, NODE.amqp_address, NODE.startup_seconds), file=sys.stderr)


def tearDownModule():
    global NODE
    if NODE is not None:
        NODE.stop()
        NODE = None
    if WORKDIR and os.path.isdir(WORKDIR):
        if os.environ.get("WARREN_IT_KEEP") == "1":
            print("kept %s" % WORKDIR, file=sys.stderr)
        else:
            shutil.rmtree(WORKDIR, ignore_errors=True)


def note(fmt, *args):
    print("    " + (fmt % args if args else fmt), file=sys.stderr)


# ------------------------------------------------------------------ Warren

class Warren(WarrenProcess):
    """One `warren run`: one AMQP listener with `listener_keys`, PROXY v2 to NODE."""

    def __init__(self, name, listener_keys=None, log_level="info"):
        self.port = free_ports(1)[0]
        self.address = "127.0.0.1:%d" % self.port
        lines = ['[global]', 'workers = 2', 'log_level = "%s"' % log_level,
                 'shutdown_timeout = "2s"', '',
                 '[[listener]]', 'name = "amqp"', 'address = "%s"' % self.address,
                 'cluster = "rabbit"']
        for k, v in (listener_keys or {}).items():
            lines.append('%s = %s' % (k, '"%s"' % v if isinstance(v, str) else v))
        lines += ['', '[[cluster]]', 'name = "rabbit"', 'proxy_protocol = "v2"',
                  'node = [{ address = "%s" }]' % NODE.amqp_address]
        super().__init__(name, WORKDIR, [self.port], "\n".join(lines) + "\n", OPTS.warren)

    def failure_detail(self):
        return "%s\n%s" % (self.config, self.log_tail())

    def lines_for(self, event, client):
        """Log lines of `event` (the word after the level) for `client` ("ip:port")."""
        pattern = re.compile(r"^\S+ \w+ %s\b.*\bclient=%s(\s|$)"
                             % (re.escape(event), re.escape(client)))
        return [l for l in self.log_text().splitlines() if pattern.search(l)]

    def wait_line(self, event, client, timeout=LOG_WAIT_S):
        pattern = re.compile(r"^\S+ \w+ %s\b.*\bclient=%s(\s|$)"
                             % (re.escape(event), re.escape(client)))
        return self.wait_for_line(pattern.search, timeout)


def field(line, key):
    """Value of key=value in a log line (a quoted value unquoted), or None."""
    m = re.search(r'(?:^|\s)%s=("(?:[^"\\]|\\.)*"|\S*)' % re.escape(key), line)
    if m is None:
        return None
    v = m.group(1)
    if v.startswith('"'):
        v = re.sub(r'\\(.)', r'\1', v[1:-1])
    return v


class WarrenTestCase(unittest.TestCase):
    LISTENER = {}  # extra [[listener]] keys of this class's Warren
    LOG_LEVEL = "info"
    warren = None

    @classmethod
    def setUpClass(cls):
        w = Warren(cls.__name__.lower(), cls.LISTENER, cls.LOG_LEVEL)
        try:
            w.start()
        except BaseException:
            w.stop()
            raise
        cls.warren = w

    @classmethod
    def tearDownClass(cls):
        if cls.warren is not None:
            cls.warren.stop()

    def setUp(self):
        self._t0 = time.monotonic()

    def tearDown(self):
        note("[%s: %.1f s]", self._testMethodName, time.monotonic() - self._t0)

    def access_line(self, client, timeout=LOG_WAIT_S):
        line = self.warren.wait_line("access", client, timeout)
        self.assertIsNotNone(line, "no access line for %s\n%s" % (client, self.warren.log_tail()))
        note("access: %s", line.split(" access ", 1)[-1])
        return line

    def assert_reason(self, line, reason):
        self.assertEqual(field(line, "reason"), reason, line)


# ------------------------------------------------------------------ pika

def pika_connect(warren, name, heartbeat, user="guest", password="guest"):
    """BlockingConnection through `warren` from CLIENT_IP; returns (conn, "ip:port")."""
    params = pika.ConnectionParameters(
        host="127.0.0.1", port=warren.port,
        credentials=pika.PlainCredentials(user, password),
        client_properties={"connection_name": name},
        heartbeat=heartbeat, connection_attempts=1, socket_timeout=5, stack_timeout=15,
        blocked_connection_timeout=30)
    with source_address(CLIENT_IP) as sockets:
        conn = pika.BlockingConnection(params)
    ip, port = sockets[-1].getsockname()[:2]
    return conn, "%s:%d" % (ip, port)


def publish_and_consume(test, conn, tag, count=5):
    """Confirmed publishes to an exclusive queue, read back byte for byte."""
    ch = conn.channel()
    ch.confirm_delivery()
    queue = ch.queue_declare(queue="", exclusive=True).method.queue
    bodies = [("%s-%d " % (tag, i)).encode() + os.urandom(64 * i) for i in range(count)]
    for body in bodies:
        ch.basic_publish(exchange="", routing_key=queue, body=body, mandatory=True)
    got = []
    for method, _props, body in ch.consume(queue, inactivity_timeout=10):
        if method is None:
            break
        got.append(body)
        ch.basic_ack(method.delivery_tag)
        if len(got) == len(bodies):
            break
    ch.cancel()
    test.assertEqual(got, bodies, "messages read back")
    ch.close()


def close_quietly(conn):
    with contextlib.suppress(Exception):
        if conn.is_open:
            conn.close()


# ------------------------------------------------------------------ raw AMQP 0-9-1

def shortstr(s):
    b = s.encode()
    return struct.pack("!B", len(b)) + b


def longstr(b):
    return struct.pack("!I", len(b)) + b


def method_frame(class_id, method_id, args, channel=0):
    payload = struct.pack("!HH", class_id, method_id) + args
    return struct.pack("!BHI", 1, channel, len(payload)) + payload + b"\xce"


class RawAmqpClient:
    """A minimal AMQP 0-9-1 client over a plain socket bound to CLIENT_IP: enough to
    complete the handshake with a chosen heartbeat and then do nothing at all."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((CLIENT_IP, 0))
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.client = "%s:%d" % self.sock.getsockname()[:2]
        self.buf = b""
        self.last_send = None

    def send(self, data):
        self.sock.sendall(data)
        self.last_send = time.monotonic()

    def read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("EOF after %d bytes" % len(self.buf))
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_frame(self):
        ftype, channel, size = struct.unpack("!BHI", self.read_exact(7))
        payload = self.read_exact(size)
        end = self.read_exact(1)
        if end != b"\xce":
            raise AssertionError("bad frame end %r" % end)
        return ftype, channel, payload

    def read_method(self, class_id, method_id):
        """Skip heartbeats; return the arguments of the expected method."""
        while True:
            ftype, _ch, payload = self.read_frame()
            if ftype == 8:
                continue
            got = struct.unpack("!HH", payload[:4])
            if ftype != 1 or got != (class_id, method_id):
                raise AssertionError("expected method %d.%d, got frame type %d %r"
                                     % (class_id, method_id, ftype, payload[:32]))
            return payload[4:]

    def handshake(self, heartbeat, user="guest", password="guest", name="warren-it-raw"):
        self.send(AMQP_HEADER)
        self.read_method(10, 10)  # Connection.Start
        props = (shortstr("connection_name") + b"S" + longstr(name.encode())
                 + shortstr("product") + b"S" + longstr(b"warren-it raw client"))
        self.send(method_frame(10, 11, struct.pack("!I", len(props)) + props + shortstr("PLAIN")
                               + longstr(b"\0" + user.encode() + b"\0" + password.encode())
                               + shortstr("en_US")))
        tune = self.read_method(10, 30)  # Connection.Tune
        channel_max, frame_max, _server_hb = struct.unpack("!HIH", tune[:8])
        self.send(method_frame(10, 31, struct.pack("!HIH", channel_max, frame_max, heartbeat)))
        self.send(method_frame(10, 40, shortstr("/") + shortstr("") + b"\x00"))  # Open
        self.read_method(10, 41)  # Open-Ok

    def wait_eof(self, timeout):
        """Read (and drop: heartbeats from the node) until EOF or reset; returns the
        monotonic time it came, or None after `timeout`. Never sends."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(min(left, 0.5))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return time.monotonic()
            if not chunk:
                return time.monotonic()
            self.buf += chunk

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()


# ------------------------------------------------------------------ heartbeat = 0

class NoHeartbeatNeverCut(WarrenTestCase):
    LISTENER = {"protocol": "amqp", "heartbeat_multiplier": 3,
                "idle_timeout_without_heartbeat": "0s"}
    QUIET_S = 9.0  # 3 x 3 s, the idle limit a proxy like HAProxy (timeout client 3s) cuts at

    def test_heartbeat0_connection_quiet_9s_survives_then_publishes(self):
        conn, client = pika_connect(self.warren, "warren-it-hb0-survive", heartbeat=0)
        try:
            self.assertEqual(conn._impl.params.heartbeat, 0)
            t0 = time.monotonic()
            time.sleep(self.QUIET_S)  # nothing touches the socket, in either direction
            note("quiet %.1f s with heartbeat=0", time.monotonic() - t0)
            self.assertTrue(conn.is_open)
            publish_and_consume(self, conn, "hb0")
        finally:
            close_quietly(conn)
        line = self.access_line(client)
        self.assert_reason(line, "client_closed")
        self.assertEqual(field(line, "heartbeat"), "0", line)
        self.assertGreaterEqual(int(field(line, "duration_ms")), self.QUIET_S * 1000, line)
        self.assertEqual(self.warren.lines_for("idle_timeout", client), [])


class NoHeartbeatIdleLimit(WarrenTestCase):
    LIMIT_S = 2.0
    LISTENER = {"protocol": "amqp", "heartbeat_multiplier": 3,
                "idle_timeout_without_heartbeat": "2s"}

    def test_heartbeat0_connection_quiet_is_cut_after_limit(self):
        conn, client = pika_connect(self.warren, "warren-it-hb0-cut", heartbeat=0)
        try:
            ch = conn.channel()  # last bytes either way: Channel.Open / Open-Ok
            t0 = time.monotonic()
            # process_data_events only reads (heartbeat=0: pika sends nothing), so the
            # connection stays quiet and the cut is seen when it happens. Bounded: 3 x limit.
            cut = None
            while time.monotonic() - t0 < 3 * self.LIMIT_S:
                try:
                    conn.process_data_events(time_limit=0.05)
                except (pika.exceptions.StreamLostError, pika.exceptions.AMQPConnectionError) as e:
                    cut = time.monotonic() - t0
                    note("cut after %.2f s of quiet: %r", cut, e)
                    break
            self.assertIsNotNone(cut, "heartbeat=0 connection still open after %.0f s of "
                                 "quiet with idle_timeout_without_heartbeat = 2s\n%s"
                                 % (3 * self.LIMIT_S, self.warren.log_tail()))
            self.assertGreaterEqual(cut, self.LIMIT_S - 0.1)
            self.assertLessEqual(cut, self.LIMIT_S + 1.0)
            with self.assertRaises(pika.exceptions.AMQPError):
                ch.basic_publish(exchange="", routing_key="nowhere", body=b"too late")
        finally:
            close_quietly(conn)
        line = self.access_line(client)
        self.assert_reason(line, "idle_timeout")
        self.assertEqual(field(line, "heartbeat"), "0", line)
        idle = self.warren.wait_line("idle_timeout", client)
        self.assertIsNotNone(idle, self.warren.log_tail())
        self.assertEqual(field(idle, "heartbeat"), "0", idle)
        self.assertGreaterEqual(int(field(idle, "quiet_ms")), 2000, idle)


# ------------------------------------------------------------------ heartbeat = 2

class HeartbeatHealthy(WarrenTestCase):
    # idle_timeout_without_heartbeat is set short on purpose: it must not apply to a
    # connection with a heartbeat.
    LISTENER = {"protocol": "amqp", "heartbeat_multiplier": 3,
                "idle_timeout_without_heartbeat": "3s"}
    IDLE_S = 20.0

    def test_heartbeat2_idle_20s_survives_then_publishes_and_consumes(self):
        conn, client = pika_connect(self.warren, "warren-it-hb2-healthy", heartbeat=2)
        try:
            self.assertEqual(conn._impl.params.heartbeat, 2)
            t0 = time.monotonic()
            while time.monotonic() - t0 < self.IDLE_S:
                conn.process_data_events(time_limit=0.25)  # pika sends its heartbeats here
            note("idle %.1f s with heartbeat=2, heartbeats serviced", time.monotonic() - t0)
            self.assertTrue(conn.is_open)
            publish_and_consume(self, conn, "hb2")
        finally:
            close_quietly(conn)
        line = self.access_line(client)
        self.assert_reason(line, "client_closed")
        self.assertEqual(field(line, "heartbeat"), "2", line)
        self.assertEqual(self.warren.lines_for("heartbeat_timeout", client), [])
        self.assertEqual(self.warren.lines_for("idle_timeout", client), [])


class HeartbeatDeadClient(WarrenTestCase):
    MULTIPLIER = 3
    HEARTBEAT = 2
    LISTENER = {"protocol": "amqp", "heartbeat_multiplier": MULTIPLIER,
                "idle_timeout_without_heartbeat": "3s"}
    EXPECT_DETECTED_BY = None  # Warren or the broker, whichever gives up first

    @property
    def bound_s(self):
        return self.MULTIPLIER * self.HEARTBEAT + 1.0

    def explain_close(self, client, line):
        """The access line says heartbeat_timeout, silent=client, whoever noticed first: Warren
        (its own limit, multiplier x H) or the broker (it gave up on the client: Warren saw
        the node end the connection after at least 2 x H of the client's silence)."""
        reason = field(line, "reason")
        self.assertEqual(reason, "heartbeat_timeout", line)
        warn = self.warren.wait_line("heartbeat_timeout", client)
        self.assertIsNotNone(warn, self.warren.log_tail())
        note("warning: %s", warn.split(" warning ", 1)[-1])
        self.assertEqual(field(warn, "silent"), "client", warn)
        self.assertEqual(field(warn, "heartbeat"), str(self.HEARTBEAT), warn)
        detected_by = field(warn, "detected_by")
        if self.EXPECT_DETECTED_BY is not None:
            self.assertEqual(detected_by, self.EXPECT_DETECTED_BY, warn)
        if detected_by == "warren":
            limit_ms = self.MULTIPLIER * self.HEARTBEAT * 1000
        else:
            # The broker gave up first (2-3 H without a byte from the client). RabbitMQ closes
            # its sockets with SO_LINGER 0, so Warren saw a reset from the node; the broker's
            # log says why.
            self.assertEqual(detected_by, "node", warn)
            limit_ms = 2 * self.HEARTBEAT * 1000
            why = self.broker_close_message(client)
            self.assertIsNotNone(why, "the broker's log has no close message for %s" % client)
            note("broker: %s", why)
            self.assertIn("missed heartbeats from client, timeout: %ds" % self.HEARTBEAT, why)
        self.assertEqual(int(field(warn, "limit_ms")), limit_ms, warn)
        self.assertGreaterEqual(int(field(warn, "silent_ms")), limit_ms, warn)
        return detected_by

    @staticmethod
    def broker_close_message(client, timeout=LOG_WAIT_S):
        """The broker's reason for closing the connection from `client` (the PROXY source):
        the line after its "closing AMQP connection <pid> (CLIENT -> ...)" line. Waits for
        it (the node writes its log a little after closing the socket)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(NODE.log_file, errors="replace") as f:
                    lines = f.read().splitlines()
            except OSError:
                lines = []
            for i, l in enumerate(lines[:-1]):
                if "closing AMQP connection" in l and "(%s ->" % client in l:
                    return lines[i + 1].split("> ", 1)[-1].strip()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    def test_raw_client_silent_after_tune_ok_is_gone_within_7s(self):
        c = RawAmqpClient(self.warren.port)
        try:
            c.handshake(heartbeat=self.HEARTBEAT, name="warren-it-hb2-raw-silent")
            silent_since = c.last_send
            eof = c.wait_eof(timeout=self.bound_s + 5)
            self.assertIsNotNone(eof, "silent heartbeat=%d client still connected %.0f s after "
                                 "its last byte\n%s" % (self.HEARTBEAT, self.bound_s + 5,
                                                        self.warren.log_tail()))
            gone = eof - silent_since
        finally:
            c.close()
        line = self.access_line(c.client)
        detected_by = self.explain_close(c.client, line)
        note("raw silent client gone %.2f s after its last byte (bound %.1f s), detected_by=%s",
             gone, self.bound_s, detected_by)
        self.assertLessEqual(gone, self.bound_s)
        self.assertEqual(field(line, "heartbeat"), str(self.HEARTBEAT), line)
        self.assertEqual(field(line, "connection_name"), "warren-it-hb2-raw-silent", line)

    def test_pika_blocked_in_sleep_is_gone_within_7s(self):
        conn, client = pika_connect(self.warren, "warren-it-hb2-sleeping", heartbeat=2)
        try:
            ch = conn.channel()
            ch.confirm_delivery()
            t0 = time.monotonic()
            # The application is stuck in time.sleep: pika neither reads nor sends. The test
            # thread only watches Warren's log meanwhile (never touches pika's socket).
            line = None
            while time.monotonic() - t0 < self.bound_s + 3:
                time.sleep(0.1)
                found = self.warren.lines_for("access", client)
                if found:
                    line = found[0]
                    break
            gone = time.monotonic() - t0
            self.assertIsNotNone(line, "sleeping heartbeat=2 client still relayed %.0f s later\n%s"
                                 % (self.bound_s + 3, self.warren.log_tail()))
            with self.assertRaises(pika.exceptions.AMQPError):
                ch.basic_publish(exchange="", routing_key="nowhere", body=b"after the sleep")
        finally:
            close_quietly(conn)
        note("access: %s", line.split(" access ", 1)[-1])
        detected_by = self.explain_close(client, line)
        note("pika in time.sleep gone %.2f s after its last byte (bound %.1f s), detected_by=%s",
             gone, self.bound_s, detected_by)
        self.assertLessEqual(gone, self.bound_s)


class HeartbeatWarrenFirst(HeartbeatDeadClient):
    """multiplier 1: Warren's limit (1 x 2 = 2 s) is below RabbitMQ's (2-3 H = 4-6 s), so
    Warren itself must close both silent clients, within 1 x H + 1 s = 3 s."""
    MULTIPLIER = 1
    LISTENER = {"protocol": "amqp", "heartbeat_multiplier": MULTIPLIER}
    EXPECT_DETECTED_BY = "warren"


# ------------------------------------------------------------------ handshake timeout

class HandshakeTimeout(WarrenTestCase):
    LIMIT_S = 2.0
    LISTENER = {"protocol": "amqp", "amqp_handshake_timeout": "2s"}

    def check_closed_at_limit(self, c, started, what):
        eof = c.wait_eof(timeout=8.0)  # RabbitMQ's own handshake timeout is 10 s
        c.close()
        self.assertIsNotNone(eof, "%s still open after 8 s\n%s" % (what, self.warren.log_tail()))
        took = eof - started
        note("%s closed after %.2f s (amqp_handshake_timeout = 2s)", what, took)
        self.assertGreaterEqual(took, self.LIMIT_S - 0.1)
        self.assertLessEqual(took, self.LIMIT_S + 1.0)
        warn = self.warren.wait_line("amqp_handshake_timeout", c.client)
        self.assertIsNotNone(warn, self.warren.log_tail())
        note("warning: %s", warn.split(" warning ", 1)[-1])
        self.assertGreaterEqual(int(field(warn, "after_ms")), 2000, warn)
        self.assertLess(int(field(warn, "after_ms")), 3000, warn)
        line = self.access_line(c.client)
        self.assert_reason(line, "amqp_handshake_timeout")
        return line

    def test_protocol_header_only_is_closed_at_2s(self):
        c = RawAmqpClient(self.warren.port)
        started = time.monotonic()
        c.send(AMQP_HEADER)
        start = c.read_method(10, 10)  # the node answered: Warren relayed the header
        self.assertTrue(start)
        self.check_closed_at_limit(c, started, "client that sent only the protocol header")

    def test_client_sending_nothing_is_closed_at_2s(self):
        c = RawAmqpClient(self.warren.port)
        started = time.monotonic()
        self.check_closed_at_limit(c, started, "client that sent nothing")


# ------------------------------------------------------------------ wrong protocol

class WrongProtocol(WarrenTestCase):
    LISTENER = {"protocol": "amqp"}

    def exchange(self, payload):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((CLIENT_IP, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", self.warren.port))
        client = "%s:%d" % s.getsockname()[:2]
        got = b""
        try:
            s.sendall(payload)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(4096)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            s.close()
        return client, got

    def test_http_get_gets_amqp_header_and_protocol_mismatch(self):
        client, got = self.exchange(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(got, AMQP_HEADER)
        warn = self.warren.wait_line("protocol_mismatch", client)
        self.assertIsNotNone(warn, self.warren.log_tail())
        note("warning: %s", warn.split(" warning ", 1)[-1])
        self.assertEqual(field(warn, "sent"), "http", warn)
        self.assertIn("15672", field(warn, "hint") or "", warn)
        self.assert_reason(self.access_line(client), "protocol_mismatch")

    def test_tls_client_hello_gets_amqp_header_and_protocol_mismatch(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
        with self.assertRaises(ssl.SSLWantReadError):
            obj.do_handshake()
        client, got = self.exchange(outgoing.read())
        self.assertEqual(got, AMQP_HEADER)
        # An amqps:// client on the plaintext port is logged like a failed TLS handshake
        # (tls_on_plaintext, with its SNI and offer); an older build said
        # protocol_mismatch sent=tls. Either way the access line says protocol_mismatch.
        line = self.access_line(client)
        self.assert_reason(line, "protocol_mismatch")
        tls_line = self.warren.lines_for("tls_on_plaintext", client)
        mismatch = self.warren.lines_for("protocol_mismatch", client)
        self.assertTrue(tls_line or mismatch, self.warren.log_tail())
        if tls_line:
            note("warning: %s", tls_line[0].split(" warning ", 1)[-1][:160] + " ...")
            self.assertEqual(field(tls_line[0], "sni"), "localhost", tls_line[0])
        else:
            self.assertEqual(field(mismatch[0], "sent"), "tls", mismatch[0])


# ------------------------------------------------------------------ access line

class AccessLine(WarrenTestCase):
    LISTENER = {"protocol": "amqp"}
    LOG_LEVEL = "trace"  # the password must not appear even at the most verbose level
    USER = "warren-it-hb-user"
    PASSWORD = "Pw-" + secrets.token_hex(12) + "-Zq"  # distinctive, random per run
    NAME = 'warren it "access" line'

    @classmethod
    def setUpClass(cls):
        NODE.ctl("add_user", cls.USER, cls.PASSWORD)
        NODE.ctl("set_permissions", "-p", "/", cls.USER, ".*", ".*", ".*")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        with contextlib.suppress(Exception):
            NODE.ctl("delete_user", cls.USER)

    def session(self, name, heartbeat):
        conn, client = pika_connect(self.warren, name, heartbeat=heartbeat,
                                    user=self.USER, password=self.PASSWORD)
        try:
            publish_and_consume(self, conn, "access")
        finally:
            close_quietly(conn)
        line = self.access_line(client)
        self.assert_reason(line, "client_closed")
        return line

    def test_access_line_has_handshake_fields_and_no_password(self):
        line = self.session(self.NAME, heartbeat=5)
        self.assertEqual(field(line, "vhost"), "/", line)
        self.assertEqual(field(line, "connection_name"), self.NAME, line)
        self.assertIn(r'connection_name="warren it \"access\" line"', line)
        self.assertEqual(field(line, "client_product"), "Pika Python Client Library", line)
        self.assertEqual(field(line, "client_version"), pika.__version__, line)
        self.assertEqual(field(line, "heartbeat"), "5", line)
        self.assertEqual(field(line, "listener"), "amqp", line)
        self.assertEqual(field(line, "node"), NODE.amqp_address, line)
        self.assertIsNotNone(field(line, "protocol"), line)
        self.assert_no_password()

    def test_access_line_protocol_is_amqp091(self):
        # The documented value is protocol=amqp091 (the example access line).
        line = self.session("warren-it-protocol-field", heartbeat=5)
        self.assert_no_password()
        self.assertEqual(field(line, "protocol"), "amqp091", line)

    def assert_no_password(self):
        with open(self.warren.log_path, "rb") as f:
            raw = f.read()
        log = raw.decode("utf-8", "replace")
        sasl = b"\0" + self.USER.encode() + b"\0" + self.PASSWORD.encode()
        for secret in (self.PASSWORD, base64.b64encode(sasl).decode(), sasl.hex(),
                       self.PASSWORD.encode().hex()):
            self.assertNotIn(secret, log, "credentials in Warren's log")
        self.assertNotIn(self.PASSWORD.encode(), raw)
        note("password %s: not in Warren's log (%d lines at log_level trace)",
             self.PASSWORD, len(log.splitlines()))


def main():
    global OPTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--warren", help="path to the warren binary")
    ap.add_argument("--source-dir", help="the source tree (unused; for symmetry with ctest)")
    OPTS, rest = ap.parse_known_args()
    if missing_prerequisites((
        ("rabbitmq-server (apt)", os.access("/usr/lib/rabbitmq/bin/rabbitmq-server", os.X_OK)),
        ("python3-pika (apt; run with /usr/bin/python3)", pika is not None),
    )):
        return SKIP
    OPTS.warren = executable_warren(OPTS.warren)
    if OPTS.warren is None:
        return 2
    return run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
