#!/usr/bin/python3
"""Integration test: Warren's active health checks against a real RabbitMQ node
(proxy_protocol = true).

    /usr/bin/python3 test_health_checks.py --warren build/proxy/warren [unittest args]

One RabbitMQ node for the module; each test runs its own Warren. Checks:
  * amqp check, proxy = "own_address" (v2 and v1): the node is marked up, clients connect
    through Warren, and the broker log has no error (no crash report) for any of the checks:
    per check it logs `accepting AMQP connection` (info) and `closing AMQP connection ...
    client unexpectedly closed TCP connection` (warning), nothing else.
  * tcp check: the broker logs nothing at info level or above.
  * amqp check, proxy = "local" (v2 LOCAL, v1 PROXY UNKNOWN): RabbitMQ 3.10 crashes the
    connection process (an error-level crash report, `no match of right hand side value
    #{command => local,version => 2}` in rabbit_net:socket_ends/2); the check fails and Warren
    marks the node down. This is why own_address is the default. (Fixed in 3.11.19 / 3.12.1:
    the test skips on other versions than 3.10.)
  * the node stops: Warren logs it down within interval x fall (+ one timeout) of the stop.
    Runs last: it stops the module's node.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rabbitmq_node import RabbitMQNode  # noqa: E402
from harness import (  # noqa: E402
    SKIP, WarrenProcess, executable_warren, free_ports, missing_prerequisites, pika, run_tests)

INTERVAL_MS = 300
TIMEOUT_MS = 250
FALL = 2
RISE = 2

OPTS = None
NODE = None
WORKDIR = None


def setUpModule():
    global NODE, WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="warren-it-health-")
    NODE = RabbitMQNode(proxy_protocol=True)
    NODE.start()
    print("\nrabbitmq node %s on %s ready in %.1f s"
          % (NODE.nodename, NODE.amqp_address, NODE.startup_seconds), file=sys.stderr)


def tearDownModule():
    if NODE is not None:
        NODE.stop()
    if WORKDIR and os.path.isdir(WORKDIR) and os.environ.get("WARREN_IT_KEEP") != "1":
        shutil.rmtree(WORKDIR, ignore_errors=True)


def rabbitmq_version():
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "rabbitmq-server"],
                         capture_output=True, text=True, check=False).stdout
    return out.split("-")[0]


def broker_log_since(offset):
    with open(NODE.log_file, errors="replace") as f:
        f.seek(offset)
        return f.read()


def broker_log_size():
    return os.path.getsize(NODE.log_file)


def settle_broker_log(quiet=0.5, limit=5.0):
    """Waits (bounded) until the broker log stopped growing for `quiet` seconds: the last
    check of a stopped Warren is logged by then."""
    deadline = time.monotonic() + limit
    size, since = broker_log_size(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = broker_log_size()
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


class CheckedWarren(WarrenProcess):
    def __init__(self, name, proxy_protocol="v2", check_type="amqp", proxy=None):
        self.port = free_ports(1)[0]
        lines = ['[global]', 'workers = 1', 'log_level = "debug"', 'shutdown_timeout = "2s"', '',
                 '[[listener]]', 'name = "amqp"', 'address = "127.0.0.1:%d" ' % self.port,
                 'cluster = "rabbit"', '',
                 '[[cluster]]', 'name = "rabbit"', 'proxy_protocol = "%s"' % proxy_protocol,
                 '  [cluster.health_check]', '  type = "%s"' % check_type,
                 '  interval = "%dms"' % INTERVAL_MS, '  timeout = "%dms"' % TIMEOUT_MS,
                 '  rise = %d' % RISE, '  fall = %d' % FALL]
        if proxy is not None:
            lines.append('  proxy = "%s"' % proxy)
        lines += ['  [[cluster.node]]', '  address = "%s"' % NODE.amqp_address]
        super().__init__(name, WORKDIR, [self.port], config="\n".join(lines) + "\n",
                         binary=OPTS.warren)

    def health_line(self, to, timeout):
        return self.wait_line_matching(r"\bnode_health\b.*\bto=%s\b" % to, timeout, interval=0.05)


class HealthChecks(unittest.TestCase):
    def run_warren(self, name, **kwargs):
        warren = CheckedWarren(name, **kwargs)
        warren.start()
        self.addCleanup(warren.stop)
        return warren

    def checks_seen(self, offset, count):
        """Waits (bounded) until the broker logged `count` connections since `offset`."""
        return wait_until(lambda: broker_log_since(offset).count("accepting AMQP connection") >= count,
                          timeout=count * INTERVAL_MS / 1000.0 + 10)

    def test_1_own_address_leaves_no_error_in_the_broker_log(self):
        for pp in ("v2", "v1"):
            with self.subTest(proxy_protocol=pp):
                offset = broker_log_size()
                warren = self.run_warren("own-" + pp, proxy_protocol=pp, proxy="own_address")
                self.assertIsNotNone(warren.health_line("up", 10), warren.log_tail())
                # Real traffic goes through while the checks run.
                params = pika.ConnectionParameters(host="127.0.0.1", port=warren.port,
                                                   blocked_connection_timeout=10, socket_timeout=10)
                conn = pika.BlockingConnection(params)
                ch = conn.channel()
                q = ch.queue_declare("", exclusive=True).method.queue
                ch.basic_publish("", q, b"checked")
                self.assertTrue(wait_until(lambda: ch.basic_get(q, auto_ack=True)[2] == b"checked", 10))
                conn.close()
                self.assertTrue(self.checks_seen(offset, 6), broker_log_since(offset)[-2000:])
                warren.stop()
                settle_broker_log()
                log = broker_log_since(offset)
                self.assertNotIn("[error]", log)
                self.assertNotIn("crasher", log)
                self.assertNotIn("to=down", warren.log_text())
                # What the broker does log for a check: one info line, two warning lines.
                for line in log.splitlines():
                    if "[warning]" in line:
                        self.assertRegex(line, r"closing AMQP connection|client unexpectedly closed TCP connection")
                self.assertIn("client unexpectedly closed TCP connection", log)

    def test_2_tcp_check_is_silent_in_the_broker_log(self):
        offset = broker_log_size()
        warren = self.run_warren("tcp", check_type="tcp")
        self.assertIsNotNone(warren.health_line("up", 10), warren.log_tail())
        time.sleep(6 * INTERVAL_MS / 1000.0)  # several more checks (the line above proves the first)
        warren.stop()
        settle_broker_log()
        self.assertNotIn("to=down", warren.log_text())
        log = broker_log_since(offset)
        self.assertNotIn("accepting AMQP connection", log)
        self.assertNotIn("[warning]", log)
        self.assertNotIn("[error]", log)

    def test_3_local_crashes_the_connection_on_rabbitmq_3_10(self):
        version = rabbitmq_version()
        if not version.startswith("3.10."):
            self.skipTest("RabbitMQ %s: only 3.10 is known to crash on LOCAL" % version)
        # v1 "PROXY UNKNOWN" is decoded as a PROXY command without a transport.
        for pp, needle in (("v2", "#{command => local"), ("v1", "transport_family => undefined")):
            with self.subTest(proxy_protocol=pp):
                offset = broker_log_size()
                warren = self.run_warren("local-" + pp, proxy_protocol=pp, proxy="local")
                line = warren.health_line("down", 10 + FALL * INTERVAL_MS / 1000.0)
                self.assertIsNotNone(line, warren.log_tail())
                self.assertRegex(line, r'reason="(read error ECONNRESET|node closed the connection)')
                warren.stop()
                settle_broker_log()
                log = broker_log_since(offset)
                self.assertIn("crasher", log)
                self.assertIn("rabbit_net:socket_ends/2", log)
                self.assertIn(needle, log)
                print("\n  proxy=local %s: %d crash reports, %d error lines in the broker log; Warren: %s"
                      % (pp, log.count("initial call: rabbit_reader:init"), log.count("[error]"),
                         line.split("node_health ", 1)[1]), file=sys.stderr)

    def test_4_stopped_node_is_logged_down(self):
        warren = self.run_warren("stop")
        self.assertIsNotNone(warren.health_line("up", 10), warren.log_tail())
        t0 = time.monotonic()
        NODE.stop()
        stopped = time.monotonic() - t0
        budget = FALL * INTERVAL_MS / 1000.0 + TIMEOUT_MS / 1000.0
        line = warren.health_line("down", stopped + budget + 10)
        self.assertIsNotNone(line, warren.log_tail())
        took = time.monotonic() - t0
        print("\n  node stop took %.1f s; Warren logged it down %.1f s after the stop began "
              "(interval x fall + timeout = %.2f s): %s"
              % (stopped, took, budget, line.split("node_health ", 1)[1]), file=sys.stderr)
        self.assertLessEqual(took, stopped + budget + 2.0)


def main():
    global OPTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--warren", help="path to the warren binary")
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
