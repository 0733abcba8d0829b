#!/usr/bin/python3
"""The warren binary as an operator meets it: --version/--help, `warren check`, and what
`warren run` does with a bad config, a port in use, and no reachable node.

    /usr/bin/python3 test_cli.py --warren build/proxy/warren --source-dir . [unittest args]
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (echo_round_trip, free_port, start_echo_server,  # noqa: E402
                     wait_listening as _wait_listening)

OPTS = None


def refused_port():
    """A port on 127.0.0.1 where nobody listens."""
    return free_port()


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def minimal_config(listen_port, node_port, extra_global=""):
    return f"""
[global]
workers = 1
shutdown_timeout = "2s"
{extra_global}
[[listener]]
name = "amqp"
address = "127.0.0.1:{listen_port}"
cluster = "rabbit"

[[cluster]]
name = "rabbit"
connect_timeout = "1s"
[[cluster.node]]
address = "127.0.0.1:{node_port}"
"""


def wait_listening(port, proc, timeout=10.0):
    """True once 127.0.0.1:port is in LISTEN state (checked in /proc, not by connecting)."""
    return _wait_listening(proc, [port], timeout)


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def run_warren(self, *args, timeout=20):
        return subprocess.run([OPTS.warren, *args], capture_output=True, text=True, timeout=timeout)

    def test_version_and_help(self):
        r = self.run_warren("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^warren \d+\.\d+\.\d+")
        r = self.run_warren("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("run", "check"):
            self.assertIn(word, r.stdout)

    def test_version_names_commit_and_tls_library(self):
        r = self.run_warren("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"(?m)^commit ([0-9a-f]{7,40}|unknown)$")
        self.assertRegex(r.stdout, r"(?m)^BoringSSL \(.*API version \d+\)$")

    def test_check_takes_the_file_as_positional_or_with_c(self):
        path = os.path.join(OPTS.source_dir, "config", "minimal.toml")
        for args in (["check", path], ["check", "-c", path], ["check", "--config", path]):
            r = self.run_warren(*args)
            self.assertEqual(r.returncode, 0, "%s\n%s" % (args, r.stderr))
            self.assertTrue(r.stdout.startswith(path + ": OK\n"), r.stdout)

    def test_check_warns_when_max_connections_cannot_fit_in_the_file_limit(self):
        """Under a hard RLIMIT_NOFILE of 1024: 2 x 5000 + 64 descriptors do not fit (warned,
        still valid); 2 x 400 + 64 do (no warning)."""
        import resource

        def low_limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

        for max_connections, warned in ((5000, True), (400, False)):
            path = write(self.tmp.name, "w%d.toml" % max_connections,
                         minimal_config(free_port(), refused_port(),
                                        "max_connections = %d" % max_connections))
            r = subprocess.run([OPTS.warren, "check", path], capture_output=True, text=True,
                               timeout=20, preexec_fn=low_limit)
            self.assertEqual(r.returncode, 0, r.stderr)
            line = [l for l in r.stderr.splitlines() if "file descriptors" in l]
            if warned:
                self.assertEqual(len(line), 1, r.stderr)
                self.assertIn("warning: global.max_connections = 5000 needs 10064 file descriptors", line[0])
                self.assertIn("the limit is 1024", line[0])
            else:
                self.assertEqual(line, [], r.stderr)

    def test_check_explains_the_effective_limits(self):
        # minimal.toml sets no limit: the defaults are shown, with what they mean.
        path = os.path.join(OPTS.source_dir, "config", "minimal.toml")
        r = self.run_warren("check", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("global.max_connections = 100000", r.stdout)
        self.assertRegex(r.stdout, r'listener "[^"]+": max_connections = 0 \(only the global limit\), '
                                   r'max_connections_per_source = 1000 \(IPv6 sources per /64\), accept_rate = 0 \(off\)')

    def test_command_line_misuse_exits_64(self):
        # README.md, Command line: 64 (EX_USAGE) for any misuse, distinct from 1 and 2.
        path = os.path.join(OPTS.source_dir, "config", "minimal.toml")
        for args in ([], ["frobnicate"], ["run"], ["run", "-c"], ["check"], ["check", path, "-c", path],
                     ["check", "--no-such-option", path], ["--no-such-option"]):
            r = self.run_warren(*args)
            self.assertEqual(r.returncode, 64, "%s\n%s" % (args, r.stderr))

    def test_missing_file_is_an_invalid_configuration(self):
        missing = os.path.join(self.tmp.name, "missing.toml")
        for args in (["check", missing], ["run", "-c", missing]):
            r = self.run_warren(*args)
            self.assertEqual(r.returncode, 1, "%s\n%s" % (args, r.stderr))
            self.assertIn("cannot read file", r.stderr)

    def test_bash_completion_offers_the_binarys_words(self):
        with open(os.path.join(OPTS.source_dir, "deploy", "completion", "warren.bash")) as f:
            text = f.read()
        top = self.run_warren("--help").stdout
        subcommands = set(re.findall(r"(?m)^  (\w+)\s", top.split("Subcommands:")[1]))
        self.assertIn("run", subcommands)
        offered = re.search(r'"".*compgen -W "([^"]*)"', text).group(1).split()
        self.assertEqual({w for w in offered if not w.startswith("-")}, subcommands)
        for sub in subcommands:
            options = set(re.findall(r"(?m)^  (-\S+)", self.run_warren(sub, "--help").stdout))
            options = {o for group in options for o in group.split(",")}
            line = re.search(r"(?m)^\s*%s\)(.*)$" % sub, text)
            self.assertIsNotNone(line, sub)
            body = text[line.start():text.index(";;", line.start()) if sub != "check" else text.index("esac", line.start())]
            self.assertEqual(set(re.findall(r"-[-\w]+", " ".join(re.findall(r'compgen -W "([^"]*)"', body)))), options, sub)

    def test_check_accepts_every_shipped_config(self):
        config_dir = os.path.join(OPTS.source_dir, "config")
        files = sorted(f for f in os.listdir(config_dir) if f.endswith(".toml"))
        self.assertIn("warren.example.toml", files)
        for name in files:
            r = self.run_warren("check", os.path.join(config_dir, name))
            self.assertEqual(r.returncode, 0, name + "\n" + r.stderr)
            self.assertIn("OK", r.stdout)

    def test_check_reports_every_error_with_position_and_key(self):
        path = write(self.tmp.name, "bad.toml", """
[global]
workers = "many"

[[listener]]
name = "amqp"
address = "127.0.0.1:5672"
cluster = "rabbit"
conect_timeout = "5s"

[[cluster]]
name = "rabbit"
[[cluster.node]]
address = "127.0.0.1:5672"
weight = 0
""")
        r = self.run_warren("check", path)
        self.assertEqual(r.returncode, 1)
        lines = [l for l in r.stderr.splitlines() if re.match(re.escape(path) + r":\d", l)]
        self.assertGreaterEqual(len(lines), 3, r.stderr)
        for line in lines:
            self.assertRegex(line, "^" + re.escape(path) + r":\d+:\d+: \S+: .+")
        self.assertRegex(r.stderr, re.escape(path) + r":3:\d+: global\.workers: ")
        self.assertRegex(r.stderr, re.escape(path) + r":9:\d+: listener\[0\]\.conect_timeout: ")
        self.assertRegex(r.stderr, re.escape(path) + r":15:\d+: cluster\[0\]\.node\[0\]\.weight: ")

    def test_check_syntax_error_names_line_and_column(self):
        path = write(self.tmp.name, "syntax.toml", "[global\nworkers = 1\n")
        r = self.run_warren("check", path)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, re.escape(path) + r":1:\d+: ")

    def test_run_with_bad_config_starts_nothing(self):
        port = free_port()
        path = write(self.tmp.name, "bad.toml", minimal_config(port, 1).replace('"2s"', "2"))
        r = self.run_warren("run", "-c", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("global.shutdown_timeout", r.stderr)
        self.assertIn("nothing started", r.stderr)

    def test_run_with_port_in_use_is_a_clear_error(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            path = write(self.tmp.name, "w.toml", minimal_config(port, refused_port()))
            r = self.run_warren("run", "-c", path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("listener amqp: 127.0.0.1:%d: Address already in use" % port, r.stderr)

    # What "within shutdown_timeout" means: the drain's deadline plus this, stated in
    # config/README.md (closing what is left, stopping the admin endpoint, joining threads).
    STOP_MARGIN_S = 0.5

    def test_sigterm_stops_within_shutdown_timeout_plus_margin(self):
        """Connections that never finish, and idle connections held on the admin port: the
        drain waits its 2 s, then closes them (reason=shutdown) and Warren exits 0."""
        node, node_port = start_echo_server()
        self.addCleanup(node.server_close)
        self.addCleanup(node.shutdown)
        port, admin_port = free_port(), free_port()
        admin = '\n[admin]\nenabled = true\naddress = "127.0.0.1:%d"\n' % admin_port
        tcp = minimal_config(port, node_port).replace('cluster = "rabbit"\n\n', 'cluster = "rabbit"\nprotocol = "tcp"\n\n', 1)
        path = write(self.tmp.name, "w.toml", tcp + admin)
        log = open(os.path.join(self.tmp.name, "warren.log"), "w+")
        self.addCleanup(log.close)
        proc = subprocess.Popen([OPTS.warren, "run", "-c", path], stderr=log, start_new_session=True)
        held = []
        try:
            self.assertTrue(_wait_listening(proc, [port, admin_port]), "warren did not start")
            for i in range(5):
                c = socket.create_connection(("127.0.0.1", port), timeout=10)
                held.append(c)
                self.assertEqual(echo_round_trip(c, b"held %d" % i), b"held %d" % i)
            for _ in range(3):  # the admin port: connected, never a request
                held.append(socket.create_connection(("127.0.0.1", admin_port), timeout=10))
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=2 + 10)
            took = time.monotonic() - t0
        finally:
            for c in held:
                c.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        print("SIGTERM with 5 held connections: exit %d after %.3f s (shutdown_timeout 2 s)"
              % (rc, took), file=sys.stderr)
        self.assertEqual(rc, 0)
        self.assertGreaterEqual(took, 2.0 - 0.05)  # the drain did wait for them
        self.assertLessEqual(took, 2.0 + self.STOP_MARGIN_S)
        log.seek(0)
        text = log.read()
        self.assertEqual(len(re.findall(r"access client=127\.0\.0\.1:\d+ .*reason=shutdown", text)), 5, text)

    def test_no_node_reachable_closes_client_and_access_log_says_why(self):
        port = free_port()
        dead = refused_port()
        path = write(self.tmp.name, "w.toml", minimal_config(port, dead))
        log = open(os.path.join(self.tmp.name, "warren.log"), "w+")
        self.addCleanup(log.close)
        proc = subprocess.Popen([OPTS.warren, "run", "-c", path], stderr=log, start_new_session=True)
        try:
            self.assertTrue(wait_listening(port, proc), "warren did not start")
            with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
                c.sendall(b"AMQP\x00\x00\x09\x01")
                try:  # closed by Warren: FIN, or a reset since our bytes were never read
                    self.assertEqual(c.recv(100), b"")
                except ConnectionResetError:
                    pass
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=10), 0)
        log.seek(0)
        text = log.read()
        self.assertRegex(text, r"node_connect_failed node=127\.0\.0\.1:%d .*error=ECONNREFUSED" % dead)
        self.assertRegex(text, r"access client=127\.0\.0\.1:\d+ listener=amqp node=- attempts=1 .*reason=connect_failed")


def main():
    global OPTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--warren", required=True)
    parser.add_argument("--source-dir", required=True)
    OPTS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
