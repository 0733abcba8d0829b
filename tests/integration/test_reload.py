#!/usr/bin/python3
"""Hot reload of the real binary: SIGHUP with a changed file (a listener appears, a removed
one closes while its connection keeps relaying), a broken file refused with one log line
naming file:line:column while traffic continues, and `watch = true` picking up an edit.
An echo server in this process stands in for the broker: no RabbitMQ needed.

    /usr/bin/python3 test_reload.py --warren build/proxy/warren [unittest args]
"""

import argparse
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (WarrenProcess, echo_round_trip, executable_warren, free_ports, run_tests,  # noqa: E402
                     start_echo_server, tcp_listening, wait_until)

OPTS = None


def config_text(node_port, listeners, watch=False, extra_cluster_line=""):
    """`listeners`: (name, port) pairs, all plain TCP to the echo node."""
    text = '[global]\nworkers = 2\nshutdown_timeout = "2s"\nwatch = %s\n' % ("true" if watch else "false")
    for name, port in listeners:
        text += ('\n[[listener]]\nname = "%s"\naddress = "127.0.0.1:%d"\ncluster = "echo"\nprotocol = "tcp"\n'
                 % (name, port))
    text += '\n[[cluster]]\nname = "echo"\n%snode = [{ address = "127.0.0.1:%d" }]\n' % (extra_cluster_line,
                                                                                        node_port)
    return text


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="warren-reload-")
        self.echo, _ = start_echo_server()
        self.node_port = self.echo.server_address[1]
        self.ports = free_ports(3)
        self.warren = None

    def tearDown(self):
        if self.warren is not None:
            self.warren.stop()
        self.echo.shutdown()
        self.echo.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, text, ports):
        self.warren = WarrenProcess("warren", dir=self.tmp, ports=ports, config=text, binary=OPTS.warren)
        self.warren.start()

    def connect(self, port):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.addCleanup(s.close)
        return s

    def rewrite(self, text):
        tmp = self.warren.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.warren.config_path)

    def test_sighup_adds_and_removes_listeners(self):
        pa, pb, pc = self.ports
        self.start(config_text(self.node_port, [("a", pa), ("b", pb)]), [pa, pb])
        on_b = self.connect(pb)
        self.assertEqual(echo_round_trip(on_b, b"before"), b"before")

        self.rewrite(config_text(self.node_port, [("a", pa), ("c", pc)]))
        mark = self.warren.log_size()
        os.kill(self.warren.proc.pid, signal.SIGHUP)
        line = self.warren.wait_line_matching(r"config_reloaded source=sighup", after=mark)
        self.assertIsNotNone(line, self.warren.log_tail())
        self.assertIn("listeners_added=[c]", line)
        self.assertIn("listeners_removed=[b]", line)
        self.assertTrue(wait_until(lambda: tcp_listening("127.0.0.1", pc)), self.warren.log_tail())
        self.assertTrue(wait_until(lambda: not tcp_listening("127.0.0.1", pb)), self.warren.log_tail())
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", pb), timeout=5).close()
        self.assertEqual(echo_round_trip(on_b, b"after b closed"), b"after b closed")
        self.assertEqual(echo_round_trip(self.connect(pc), b"new listener"), b"new listener")
        self.assertEqual(echo_round_trip(self.connect(pa), b"kept listener"), b"kept listener")

    def test_bad_file_is_refused_with_one_line_and_traffic_continues(self):
        pa = self.ports[0]
        self.start(config_text(self.node_port, [("a", pa)]), [pa])
        open_conn = self.connect(pa)
        self.assertEqual(echo_round_trip(open_conn, b"before"), b"before")

        # Line 14, column 11 (the value): `balanse` is not a cluster key.
        self.rewrite(config_text(self.node_port, [("a", pa)], extra_cluster_line='balanse = "round_robin"\n'))
        mark = self.warren.log_size()
        os.kill(self.warren.proc.pid, signal.SIGHUP)
        line = self.warren.wait_line_matching(r"config_reload_failed", after=mark)
        self.assertIsNotNone(line, self.warren.log_tail())
        self.assertIn("source=sighup", line)
        self.assertIn("errors=1", line)
        self.assertIn(self.warren.config_path + ":14:11: cluster[0].balanse: unknown key", line)
        time.sleep(0.3)
        with open(self.warren.log_path, errors="replace") as f:
            f.seek(mark)
            failures = [l for l in f.read().splitlines() if "config_reload" in l]
        self.assertEqual(len(failures), 1, failures)
        self.assertIsNone(self.warren.proc.poll())
        self.assertEqual(echo_round_trip(open_conn, b"still relaying"), b"still relaying")
        self.assertEqual(echo_round_trip(self.connect(pa), b"still accepting"), b"still accepting")

    def test_watch_picks_up_an_edit(self):
        pa, pb, _ = self.ports
        self.start(config_text(self.node_port, [("a", pa)], watch=True), [pa])
        mark = self.warren.log_size()
        self.rewrite(config_text(self.node_port, [("a", pa), ("b", pb)], watch=True))
        self.assertTrue(wait_until(lambda: tcp_listening("127.0.0.1", pb)), self.warren.log_tail())
        line = self.warren.wait_line_matching(r"config_reloaded source=watch", after=mark)
        self.assertIsNotNone(line, self.warren.log_tail())
        self.assertEqual(echo_round_trip(self.connect(pb), b"watched"), b"watched")


def main():
    global OPTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--warren", required=True)
    OPTS, rest = parser.parse_known_args()
    OPTS.warren = executable_warren(OPTS.warren)
    if OPTS.warren is None:
        return 2
    return run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
