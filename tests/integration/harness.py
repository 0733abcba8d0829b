"""Helpers shared by the integration tests (and the bench scripts): free ports, LISTEN
checks through /proc/net/tcp, a Warren (or stand-in) process in its own process group,
pika's source-address hook, message bodies and a confirmed publish/consume round trip.

Standard library only; pika is imported if it is installed (callers report its absence).
"""

import contextlib
import os
import random
import re
import signal
import socketserver
import socket
import subprocess
import tempfile
import sys
import threading
import time
import unittest

try:
    import pika  # Debian's python3-pika; run with /usr/bin/python3
    import pika.exceptions
    import pika.tcp_socket_opts
except ImportError:  # the tests report it as a skip
    pika = None


SKIP = 77  # ctest SKIP_RETURN_CODE: a prerequisite is not installed


# ------------------------------------------------------------------ running a test module

def missing_prerequisites(checks):
    """`checks`: (what, ok) pairs. Prints a SKIP line and returns True if any is not ok."""
    missing = [what for what, ok in checks if not ok]
    if missing:
        print("SKIP: not installed: %s" % ", ".join(missing), file=sys.stderr)
    return bool(missing)


def executable_warren(path):
    """`path` made absolute if it is an executable, else None (after printing an error)."""
    if not path or not os.access(path, os.X_OK):
        print("error: --warren PATH (an executable) is required, got %r" % path,
              file=sys.stderr)
        return None
    return os.path.abspath(path)


def run_tests(module_name, rest):
    """unittest.main over module `module_name` with the arguments left over; exit code."""
    prog = unittest.main(module=sys.modules[module_name], argv=[sys.argv[0]] + rest,
                         exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


# ------------------------------------------------------------------ ports

def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_ports(count, host="127.0.0.1"):
    """Return `count` distinct free TCP ports on `host` for listeners.

    The ports are taken below the kernel's ephemeral range: a port from bind(0) is an
    ephemeral one, and any outgoing connection (a test's connect loop, Warren's own node
    connections) may take it as its source port before the listener binds it (that made
    integration.takeover fail with "Address already in use"). Ports are picked at random in
    [10000, low end of the ephemeral range) and checked by binding; all sockets stay open
    until every port is chosen, so the ports are distinct. Bounded: 2000 tries.
    """
    low, _ = _ephemeral_range()
    top = max(low, 11000)
    rng = random.Random()
    socks = []
    try:
        tries = 0
        while len(socks) < count:
            tries += 1
            if tries > 2000:
                raise RuntimeError("no free port below the ephemeral range after 2000 tries")
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((host, rng.randrange(10000, top)))
            except OSError:
                s.close()
                continue
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port(host="127.0.0.1"):
    return free_ports(1, host)[0]


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


def wait_listening(proc, ports, timeout=10.0, ip="127.0.0.1", interval=0.05):
    """True once every port in `ports` LISTENs on `ip`; False if `proc` exits or on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if all(tcp_listening(ip, p) for p in ports):
            return True
        time.sleep(interval)
    return False


# ------------------------------------------------------------------ processes

class WarrenProcess:
    """A process (Warren, or a stand-in such as HAProxy) in its own process group, stdout and
    stderr to a log file, ready once its `ports` LISTEN on 127.0.0.1.

    `name` and `workdir` give its own temp directory (mkdtemp); or pass `dir` to use an
    existing one. `config` (text) is written to `config_name` there.
    """

    error = AssertionError  # raised by start()

    def __init__(self, name, workdir=None, ports=(), config=None, binary=None,
                 config_name="warren.toml", dir=None, log_path=None):
        self.name = name
        self.dir = dir if dir is not None else tempfile.mkdtemp(prefix=name + "-", dir=workdir)
        self.log_path = log_path or os.path.join(self.dir, "stderr.log")
        self.ports = list(ports)
        self.binary = binary
        self.config = None
        self.config_path = None
        self.proc = None
        if config is not None:
            self.write_config(config, config_name)

    def write_config(self, text, filename="warren.toml"):
        self.config = text
        self.config_path = os.path.join(self.dir, filename)
        with open(self.config_path, "w") as f:
            f.write(text)
        return self.config_path

    def command(self):
        return [self.binary, "run", "-c", self.config_path]

    def failure_detail(self):
        """Text added to start()'s error."""
        return self.log_tail()

    def start(self, timeout=15.0, cmd=None, interval=0.05, cwd=True):
        """Start `cmd` (default: command()) in self.dir (cwd=True), in `cwd`, or where this
        process is (cwd=None); wait until every port listens."""
        cmd = cmd if cmd is not None else self.command()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.dir if cwd is True else cwd, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        label = os.path.basename(cmd[0])
        deadline = time.monotonic() + timeout
        while not all(tcp_listening("127.0.0.1", p) for p in self.ports):
            if self.proc.poll() is not None:
                raise self.error("%s exited with %s before listening\n%s"
                                 % (label, self.proc.returncode, self.failure_detail()))
            if time.monotonic() > deadline:
                raise self.error("%s not listening on %s after %.0f s\n%s"
                                 % (label, self.ports, timeout, self.failure_detail()))
            time.sleep(interval)
        return self

    def terminate(self, timeout):
        """SIGTERM; returns (exit code or None if still running after timeout, seconds)."""
        t0 = time.monotonic()
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def stop(self, term_grace=8, kill_grace=5):
        """SIGTERM, then SIGKILL, to the process group we started (bounded waits)."""
        if self.proc is None:
            return
        for sig, grace in ((signal.SIGTERM, term_grace), (signal.SIGKILL, kill_grace)):
            try:
                os.killpg(self.proc.pid, sig)
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

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_tail(self, lines=30):
        return "--- %s (tail)\n%s" % (self.log_path,
                                       "".join(self.log_text().splitlines(True)[-lines:]))

    def wait_for_line(self, match, timeout=10.0, interval=0.05, after=0):
        """First log line (at byte offset >= `after`) for which `match(line)` is true, waiting
        for it (bounded); None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), open(self.log_path, "rb") as f:
                f.seek(after)
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if match(line):
                        return line
            if time.monotonic() > deadline:
                return None
            time.sleep(interval)

    def wait_line_matching(self, pattern, timeout=10.0, interval=0.05, after=0):
        return self.wait_for_line(re.compile(pattern).search, timeout, interval, after)


# ------------------------------------------------------------------ pika

@contextlib.contextmanager
def source_address(ip):
    """Bind the sockets pika creates inside this block to `ip` (port 0).

    pika 1.2 has no option for it (tcp_options only knows keepalive/user-timeout). Its
    connector creates the socket, then calls pika.tcp_socket_opts.set_sock_opts(tcp_options,
    sock) before connect(); this wraps that one function for the duration of the block and
    binds the socket there. Yields a list that receives each socket pika created (so the test
    knows the client port).
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


def message_bodies(seed, count, first_sizes, random_size):
    """Random bodies from `seed`: sizes `first_sizes` (cut to `count`), then `random_size(rng)`
    for the rest."""
    rng = random.Random(seed)
    sizes = list(first_sizes)[:count]
    sizes += [random_size(rng) for _ in range(count - len(sizes))]
    return [rng.randbytes(n) for n in sizes]


def publish_and_read_back(test, ch, queue, bodies, inactivity_timeout=15):
    """`ch` has confirms on: publish `bodies` to `queue` (message_id = index), consume them
    and assert (on unittest case `test`) they come back in order, byte for byte."""
    for i, body in enumerate(bodies):
        # With confirms on, pika raises if the broker nacks or returns the message.
        ch.basic_publish(exchange="", routing_key=queue, body=body, mandatory=True,
                         properties=pika.BasicProperties(message_id=str(i)))
    got = []
    for method, props, body in ch.consume(queue, inactivity_timeout=inactivity_timeout):
        if method is None:
            break
        got.append((props.message_id, body))
        ch.basic_ack(method.delivery_tag)
        if len(got) == len(bodies):
            break
    ch.cancel()
    test.assertEqual(len(got), len(bodies), "messages received")
    for i, (mid, body) in enumerate(got):
        test.assertEqual(mid, str(i))
        test.assertEqual(body, bodies[i], "body %d (%d bytes) differs" % (i, len(bodies[i])))


# ------------------------------------------------------------------ an echo node

class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(30)
        while True:
            try:
                data = self.request.recv(65536)
            except OSError:
                return
            if not data:
                return
            try:
                self.request.sendall(data)
            except OSError:
                return


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_echo_server(host="127.0.0.1"):
    """A threaded TCP echo server on a free port of `host`, serving in a daemon thread.
    Returns (server, port); call server.shutdown() and server.server_close() when done."""
    server = _EchoServer((host, 0), _EchoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def wait_until(pred, timeout=10.0, interval=0.05):
    """True once `pred()` is true, polling every `interval`; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return False


def echo_round_trip(sock, payload):
    """Send `payload` on `sock` and read as many bytes back; returns what came back."""
    sock.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return got
