#!/usr/bin/python3
"""Logs and systemd readiness of the real binary, with an echo server as the node:

- log_format = "json": every line is one JSON object with ts/level/event, the access line too;
- access_log_file: access lines go there, SIGUSR1 reopens it after a rename (logrotate), and
  Warren keeps running;
- JOURNAL_STREAM naming stderr: every line starts with its syslog priority "<N>";
- process hygiene: SIGUSR2 and SIGPIPE leave Warren running; core dumps are off
  (RLIMIT_CORE 0 in /proc/PID/limits) unless allow_core_dumps = true; running as root is
  warned about; a secret file readable by others is warned about at start, on reload and by
  `warren check`;
- NOTIFY_SOCKET (a path and an abstract name): READY=1 once listening, RELOADING=1 +
  MONOTONIC_USEC then READY=1 around a SIGHUP reload (good file, then a bad one: STATUS says it
  failed), STOPPING=1 on SIGTERM; WATCHDOG=1 repeatedly when WATCHDOG_USEC is set.

    /usr/bin/python3 test_logs_notify.py --warren build/proxy/warren [unittest args]
"""

import argparse
import json
import os
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
from harness import (WarrenProcess, echo_round_trip, executable_warren, free_ports, run_tests,  # noqa: E402
                     start_echo_server, wait_until)

OPTS = None


def config_text(listen_port, node_port, extra_global=""):
    return ('[global]\nworkers = 2\nshutdown_timeout = "2s"\n%s\n'
            '[admin]\nenabled = false\n\n'
            '[[listener]]\nname = "echo"\naddress = "127.0.0.1:%d"\ncluster = "echo"\nprotocol = "tcp"\n\n'
            '[[cluster]]\nname = "echo"\nnode = [{ address = "127.0.0.1:%d" }]\n'
            % (extra_global, listen_port, node_port))


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="warren-logs-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.echo, self.node_port = start_echo_server()
        self.addCleanup(self.echo.server_close)
        self.addCleanup(self.echo.shutdown)
        self.port = free_ports(1)[0]

    def start(self, extra_global="", env=None):
        w = WarrenProcess("warren", dir=self.tmp, ports=[self.port], binary=OPTS.warren,
                          config=config_text(self.port, self.node_port, extra_global))
        self.addCleanup(w.stop)
        if env is not None:
            saved = dict(os.environ)
            os.environ.update(env)
            try:
                w.start()
            finally:
                os.environ.clear()
                os.environ.update(saved)
        else:
            w.start()
        return w

    def one_connection(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            self.assertEqual(echo_round_trip(s, b"ping"), b"ping")


class Logs(Base):
    def test_json_lines(self):
        w = self.start('log_format = "json"')
        self.one_connection()
        w.stop()
        lines = [l for l in w.log_text().splitlines() if l.strip()]
        self.assertTrue(lines)
        events = []
        for line in lines:
            obj = json.loads(line)  # every line is one JSON object
            self.assertEqual(list(obj)[:3], ["ts", "level", "event"], line)
            self.assertRegex(obj["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            events.append(obj)
        access = [e for e in events if e["event"] == "access"]
        self.assertEqual(len(access), 1, lines)
        self.assertEqual(access[0]["listener"], "echo")
        self.assertEqual(access[0]["bytes_up"], 4)
        self.assertIn("listening", [e["event"] for e in events])

    def test_access_log_file_reopened_on_sigusr1(self):
        path = os.path.join(self.tmp, "access.log")
        w = self.start('access_log_file = "access.log"')  # relative to the config's directory
        self.one_connection()
        self.assertTrue(wait_until(lambda: "access " in read_text(path)))
        os.rename(path, path + ".1")
        os.kill(w.proc.pid, signal.SIGUSR1)
        self.assertTrue(w.wait_line_matching(r"log_reopen signal=SIGUSR1"), w.log_tail())
        self.one_connection()
        self.assertTrue(wait_until(lambda: "access " in read_text(path)))
        self.assertIsNone(w.proc.poll(), "SIGUSR1 must not stop Warren")
        with open(path + ".1") as f:
            self.assertEqual(len(f.read().splitlines()), 1)
        with open(path) as f:
            self.assertEqual(len(f.read().splitlines()), 1)
        self.assertNotIn(" access ", w.log_text(), "access lines go to the file only")

    def test_journal_priority_prefix(self):
        log_path = os.path.join(self.tmp, "stderr.log")  # WarrenProcess's stderr (truncated, same inode)
        open(log_path, "wb").close()
        st = os.stat(log_path)
        # stderr is the log file: JOURNAL_STREAM names it as systemd names the journal's socket.
        w = self.start('log_level = "debug"', env={"JOURNAL_STREAM": "%d:%d" % (st.st_dev, st.st_ino)})
        self.one_connection()
        os.kill(w.proc.pid, signal.SIGHUP)  # no change: info
        w.stop()
        lines = [l for l in w.log_text().splitlines() if l]
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[2-7]>\d{4}-", line)
        self.assertTrue(any(l.startswith("<6>") and " info access " in l for l in lines), lines)


def core_limit(pid):
    """(soft, hard) of "Max core file size" in /proc/PID/limits, as strings."""
    for line in read_text("/proc/%d/limits" % pid).splitlines():
        if line.startswith("Max core file size"):
            fields = line.split()
            return fields[4], fields[5]
    return None


class Process(Base):
    def test_sigusr2_and_sigpipe_do_not_stop_warren(self):
        w = self.start()
        for sig, name in ((signal.SIGUSR2, "SIGUSR2"), (signal.SIGPIPE, "SIGPIPE")):
            os.kill(w.proc.pid, sig)
            if sig == signal.SIGUSR2:
                self.assertTrue(w.wait_line_matching(r"signal_ignored signal=SIGUSR2"), w.log_tail())
            self.one_connection()  # served after the signal
            self.assertIsNone(w.proc.poll(), "%s must not stop Warren\n%s" % (name, w.log_tail()))

    def test_core_dumps_are_off_by_default(self):
        w = self.start()
        self.assertEqual(core_limit(w.proc.pid), ("0", "0"))

    def test_allow_core_dumps_keeps_the_inherited_limit(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        if hard == 0:
            self.skipTest("RLIMIT_CORE hard limit is 0 here: nothing to keep")
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
        self.addCleanup(resource.setrlimit, resource.RLIMIT_CORE, (soft, hard))
        w = self.start("allow_core_dumps = true")
        self.assertNotEqual(core_limit(w.proc.pid)[0], "0")
        self.assertIn("core_dumps allowed=true", w.log_text())

    def test_running_as_root_is_warned_about(self):
        w = self.start()
        self.assertEqual("running_as_root" in w.log_text(), os.geteuid() == 0, w.log_tail())

    def test_secret_file_readable_by_others_is_warned_about(self):
        token = os.path.join(self.tmp, "token")
        with open(token, "w") as f:
            f.write("s3cret\n")
        os.chmod(token, 0o644)
        text = config_text(self.port, self.node_port).replace(
            "[admin]\nenabled = false\n", '[admin]\nenabled = false\ntoken_file = "token"\n')
        path = os.path.join(self.tmp, "check.toml")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([OPTS.warren, "check", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"warning: .*check.toml:\d+:\d+: admin.token_file: secret file .*token "
                                   r"is readable by others \(mode 0644\)")
        os.chmod(token, 0o600)
        r = subprocess.run([OPTS.warren, "check", path], capture_output=True, text=True, timeout=30)
        self.assertNotIn("secret file", r.stderr)
        # At start, and again on a reload once the file is readable by others.
        os.chmod(token, 0o640)
        w = WarrenProcess("warren", dir=self.tmp, ports=[self.port], binary=OPTS.warren, config=text)
        self.addCleanup(w.stop)
        w.start()
        self.assertIn("is readable by its group (mode 0640)", w.log_text())
        os.chmod(token, 0o604)
        os.kill(w.proc.pid, signal.SIGHUP)
        self.assertTrue(w.wait_line_matching(r"config_warning .*admin.token_file: secret file .*readable by others"),
                        w.log_tail())


class NotifyReceiver:
    def __init__(self, address):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages = []

    def wait_for(self, pred, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages:
                if pred(m):
                    return m
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass
        return None

    def close(self):
        self.sock.close()


class Notify(Base):
    def receiver(self, address):
        r = NotifyReceiver(address)
        self.addCleanup(r.close)
        return r

    def run_sequence(self, bind_address, env_value):
        r = self.receiver(bind_address)
        w = self.start(env={"NOTIFY_SOCKET": env_value})
        self.assertIsNotNone(r.wait_for(lambda m: "READY=1" in m), r.messages)
        # READY came after the bind: the port listens.
        self.one_connection()
        # A good reload.
        os.kill(w.proc.pid, signal.SIGHUP)
        self.assertIsNotNone(r.wait_for(lambda m: "RELOADING=1" in m), r.messages)
        ok = r.wait_for(lambda m: "READY=1" in m and "reloaded" in m)
        self.assertIsNotNone(ok, r.messages)
        reloading = [m for m in r.messages if "RELOADING=1" in m][0]
        self.assertRegex(reloading, r"MONOTONIC_USEC=\d+")
        self.assertLess(r.messages.index(reloading), r.messages.index(ok))
        # A bad file: RELOADING, then READY with a STATUS that says it failed.
        with open(w.config_path, "a") as f:
            f.write("\n[global]\nbroken = \n")
        os.kill(w.proc.pid, signal.SIGHUP)
        failed = r.wait_for(lambda m: "READY=1" in m and "reload failed" in m)
        self.assertIsNotNone(failed, r.messages)
        self.assertIn("STATUS=", failed)
        self.assertEqual(sum("RELOADING=1" in m for m in r.messages), 2, r.messages)
        self.one_connection()  # still serving the old config
        rc, _ = w.terminate(10)
        self.assertEqual(rc, 0)
        self.assertIsNotNone(r.wait_for(lambda m: "STOPPING=1" in m, timeout=2), r.messages)
        kinds = [m.split("\n")[0] for m in r.messages]
        self.assertEqual(kinds[0], "READY=1", kinds)
        self.assertEqual(kinds[-1], "STOPPING=1", kinds)

    def test_path_socket(self):
        path = os.path.join(self.tmp, "notify.sock")
        self.run_sequence(path, path)

    def test_abstract_socket(self):
        name = "warren-test-notify-%d" % os.getpid()
        self.run_sequence("\0" + name, "@" + name)

    def test_watchdog(self):
        path = os.path.join(self.tmp, "notify.sock")
        r = self.receiver(path)
        self.start(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})  # every 100 ms
        self.assertIsNotNone(r.wait_for(lambda m: sum("WATCHDOG=1" in x for x in r.messages) >= 5, timeout=10),
                             r.messages)

    def test_watchdog_of_another_process_is_ignored(self):
        path = os.path.join(self.tmp, "notify.sock")
        r = self.receiver(path)
        self.start(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})
        self.assertIsNotNone(r.wait_for(lambda m: "READY=1" in m))
        time.sleep(0.6)
        r.wait_for(lambda m: False, timeout=0.3)
        self.assertFalse(any("WATCHDOG=1" in m for m in r.messages), r.messages)


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
