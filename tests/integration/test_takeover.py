#!/usr/bin/python3
"""Zero-downtime binary upgrade of the real binary (`warren run --takeover SOCKET`), with an
echo server as the node: a client connecting in a tight loop throughout the upgrade (bounded:
about 4 s) sees no refused or reset connection; a connection opened on the old process keeps
relaying after the new one took over, until the old one drains; a listener only the new
config has is bound fresh; the admin port moves to the new process.

    /usr/bin/python3 test_takeover.py --warren build/proxy/warren [unittest args]
"""

import argparse
import os
import shutil
import socket
import sys
import tempfile
import subprocess
import threading
import time
import unittest
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (WarrenProcess, echo_round_trip, executable_warren, free_ports, run_tests,  # noqa: E402
                     start_echo_server, wait_until)

OPTS = None


def config_text(tmp, listeners, node_port, admin_port):
    text = ('[global]\nworkers = 2\nshutdown_timeout = "20s"\ntakeover_socket = "%s"\n\n'
            '[admin]\naddress = "127.0.0.1:%d"\n' % (os.path.join(tmp, "takeover.sock"), admin_port))
    for name, port in listeners:
        text += ('\n[[listener]]\nname = "%s"\naddress = "127.0.0.1:%d"\ncluster = "echo"\nprotocol = "tcp"\n'
                 % (name, port))
    text += '\n[[cluster]]\nname = "echo"\nnode = [{ address = "127.0.0.1:%d" }]\n' % node_port
    return text


class ConnectLoop(threading.Thread):
    """Connects, echoes 5 bytes and closes, again and again, until stopped (at most `limit` s)."""

    def __init__(self, port, limit=30.0):
        super().__init__(daemon=True)
        self.port, self.limit = port, limit
        self.ok, self.failures = 0, []
        self.stop_flag = threading.Event()

    def run(self):
        deadline = time.monotonic() + self.limit
        while not self.stop_flag.is_set() and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    if echo_round_trip(s, b"hello") != b"hello":
                        self.failures.append("short echo")
                        continue
                self.ok += 1
            except OSError as e:
                self.failures.append(repr(e))


def admin_version_ok(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class Takeover(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="warren-takeover-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.echo, self.node_port = start_echo_server()
        self.addCleanup(self.echo.server_close)
        self.addCleanup(self.echo.shutdown)

    def test_upgrade_under_a_connect_loop(self):
        port, extra_port, admin_port = free_ports(3)
        old = WarrenProcess("old", dir=os.path.join(self.tmp), ports=[port, admin_port], binary=OPTS.warren,
                            config=config_text(self.tmp, [("amqp", port)], self.node_port, admin_port),
                            config_name="old.toml", log_path=os.path.join(self.tmp, "old.log"))
        self.addCleanup(old.stop)
        old.start()
        held = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.addCleanup(held.close)
        self.assertEqual(echo_round_trip(held, b"before"), b"before")

        loop = ConnectLoop(port)
        loop.start()
        time.sleep(1.0)  # the loop runs against the old process alone first
        new = WarrenProcess("new", dir=self.tmp, ports=[port, extra_port], binary=OPTS.warren,
                            config=config_text(self.tmp, [("amqp", port), ("extra", extra_port)],
                                               self.node_port, admin_port),
                            config_name="new.toml", log_path=os.path.join(self.tmp, "new.log"))
        self.addCleanup(new.stop)
        new.start(cmd=[OPTS.warren, "run", "-c", new.config_path,
                       "--takeover", os.path.join(self.tmp, "takeover.sock")])
        self.assertTrue(new.wait_line_matching(r"takeover_complete", timeout=15), new.log_tail())
        self.assertTrue(old.wait_line_matching(r"takeover_started", timeout=5), old.log_tail())
        time.sleep(2.0)  # the loop runs against the new process (and the draining old one)
        loop.stop_flag.set()
        loop.join(10)
        self.assertEqual(loop.failures, [], "connections refused or reset during the upgrade")
        self.assertGreater(loop.ok, 20)

        # The old process still relays what it holds, and accepts nothing new.
        self.assertIsNone(old.proc.poll(), old.log_tail())
        self.assertEqual(echo_round_trip(held, b"after takeover"), b"after takeover")
        self.assertTrue(wait_until(lambda: admin_version_ok(admin_port), 10), new.log_tail())
        with socket.create_connection(("127.0.0.1", extra_port), timeout=5) as s:
            self.assertEqual(echo_round_trip(s, b"fresh"), b"fresh")
        held.close()
        self.assertEqual(old.proc.wait(timeout=15), 0, old.log_tail())
        # Everything accepted after the takeover went to the new process.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            self.assertEqual(echo_round_trip(s, b"new only"), b"new only")
        self.assertIn("takeover_received", new.log_text())

    def test_worker_count_mismatch_leaves_the_old_one_serving(self):
        port, admin_port = free_ports(2)
        old = WarrenProcess("old", dir=self.tmp, ports=[port], binary=OPTS.warren,
                            config=config_text(self.tmp, [("amqp", port)], self.node_port, admin_port),
                            config_name="old.toml", log_path=os.path.join(self.tmp, "old.log"))
        self.addCleanup(old.stop)
        old.start()
        text = config_text(self.tmp, [("amqp", port)], self.node_port, admin_port).replace("workers = 2",
                                                                                         "workers = 3")
        path = os.path.join(self.tmp, "new.toml")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([OPTS.warren, "run", "-c", path, "--takeover", os.path.join(self.tmp, "takeover.sock")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("workers = 2", r.stdout + r.stderr)
        self.assertTrue(old.wait_line_matching(r"takeover_aborted", timeout=5), old.log_tail())
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            self.assertEqual(echo_round_trip(s, b"still old"), b"still old")

    def test_no_running_warren(self):
        port = free_ports(1)[0]
        path = os.path.join(self.tmp, "c.toml")
        with open(path, "w") as f:
            f.write(config_text(self.tmp, [("amqp", port)], self.node_port, 0))
        r = subprocess.run([OPTS.warren, "run", "-c", path, "--takeover", os.path.join(self.tmp, "none.sock")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("takeover", r.stdout + r.stderr)


def main():
    global OPTS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warren", required=True)
    OPTS, rest = parser.parse_known_args()
    OPTS.warren = executable_warren(OPTS.warren)
    if OPTS.warren is None:
        return 2
    return run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
