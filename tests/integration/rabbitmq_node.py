"""Start a throw-away RabbitMQ node for integration tests (stdlib only).

    from rabbitmq_node import RabbitMQNode

    with RabbitMQNode(proxy_protocol=True) as node:
        print(node.amqp_port, node.nodename, node.startup_seconds)
        node.ctl("list_queues")
        for c in node.list_connections():
            print(c["name"], c["peer_host"], c["peer_port"], c["host"], c["port"])

Everything the node writes lives in one temporary directory (config, cookie, mnesia, logs)
that stop() removes. The node listens on 127.0.0.1 only: AMQP on a free port, Erlang
distribution on another free port (both from harness.free_ports). It runs
/usr/lib/rabbitmq/bin/rabbitmq-server directly, in its own session, so stop() can always
clean up its whole process group. The shared epmd (port 4369) that the first Erlang node on
the host starts is left running: other nodes may use it.

Measured here (Debian 12, rabbitmq-server 3.10.8, Erlang 25.2, 2 cores, `+S 1:1`): 4.5-9 s
from spawn to "AMQP port accepts and `rabbitmqctl await_startup` succeeded" (the port opens
~1 s before; the upper end with other builds running), ~2 s to stop; one rabbitmqctl call
~0.6-1 s. See `port_seconds` and `startup_seconds`.

Set WARREN_IT_KEEP=1 to keep the temporary directory (logs) after stop().
"""

import ipaddress
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
RABBITMQCTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"

from harness import free_ports  # noqa: E402,F401  (re-exported)

CONNECTION_FIELDS = ("name", "peer_host", "peer_port", "host", "port", "client_properties")

_counter = 0


def port_accepts(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _amqp_table(value):
    """The JSON formatter renders AMQP tables as [[key, type, value], ...] -> dict."""
    if not isinstance(value, list):
        return value
    return {k: (_amqp_table(v) if t == "table" else v) for k, t, v in value}


def _ip_text(value):
    """The JSON formatter renders Erlang IP tuples as lists: [127,0,0,2] -> "127.0.0.2"."""
    if isinstance(value, list) and len(value) == 4:
        return ".".join(str(x) for x in value)
    if isinstance(value, list) and len(value) == 8:
        return str(ipaddress.IPv6Address(b"".join(x.to_bytes(2, "big") for x in value)))
    return value


class RabbitMQNodeError(RuntimeError):
    pass


class RabbitMQNode:
    """One RabbitMQ node in a temporary directory. Use as a context manager or
    call start()/stop() yourself (stop() is idempotent)."""

    def __init__(self, proxy_protocol=True, name_prefix="warren-it", start_timeout=60.0,
                 cookie=None, extra_conf="", plugins=(), amqp_port=None, dist_port=None,
                 keep_dir=None, parent_dir=None):
        global _counter
        _counter += 1
        self.nodename = "%s-%d-%d@localhost" % (name_prefix, os.getpid(), _counter)
        self.proxy_protocol = proxy_protocol
        self.start_timeout = start_timeout
        self.cookie = cookie or secrets.token_hex(16).upper()
        self.extra_conf = extra_conf
        self.plugins = list(plugins)
        self._want_amqp_port = amqp_port
        self._want_dist_port = dist_port
        if keep_dir is None:
            keep_dir = os.environ.get("WARREN_IT_KEEP") == "1"
        self.keep_dir = keep_dir
        self.parent_dir = parent_dir  # where the temporary directory goes (default: $TMPDIR)
        self.host = "127.0.0.1"
        self.amqp_port = None
        self.dist_port = None
        self.dir = None
        self.home = None
        self.proc = None
        self.startup_seconds = None  # spawn -> port accepts and await_startup succeeded
        self.port_seconds = None  # spawn -> AMQP port accepts
        self._env = None

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def amqp_address(self):
        return "%s:%d" % (self.host, self.amqp_port)

    @property
    def log_file(self):
        return os.path.join(self.dir, "log", self.nodename + ".log")

    @property
    def console_file(self):
        return os.path.join(self.dir, "console.log")

    def start(self):
        if self.proc is not None:
            raise RabbitMQNodeError("node already started")
        ports = free_ports(2)
        self.amqp_port = self._want_amqp_port or ports[0]
        self.dist_port = self._want_dist_port or ports[1]
        for what, port in (("AMQP", self.amqp_port), ("distribution", self.dist_port)):
            if port_accepts(self.host, port):
                raise RabbitMQNodeError("%s port %s:%d is already in use"
                                        % (what, self.host, port))
        self.dir = tempfile.mkdtemp(prefix="warren-rmq-", dir=self.parent_dir)
        try:
            self._write_files()
            self._spawn_and_wait()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_files(self):
        d = self.dir
        self.home = os.path.join(d, "home")
        for sub in ("home", "mnesia", "log"):
            os.makedirs(os.path.join(d, sub))
        cookie_path = os.path.join(self.home, ".erlang.cookie")
        with open(cookie_path, "w") as f:
            f.write(self.cookie)
        os.chmod(cookie_path, 0o400)

        conf = [
            "proxy_protocol = %s" % ("true" if self.proxy_protocol else "false"),
            "loopback_users.guest = false",
            # "= PORT" alone would bind [::]:PORT (all interfaces, overriding
            # RABBITMQ_NODE_IP_ADDRESS); "IP:PORT" keeps it on loopback.
            "listeners.tcp.default = %s:%d" % (self.host, self.amqp_port),
            "log.file = %s.log" % self.nodename,
            "log.file.level = info",
            "log.console = false",
        ]
        if self.extra_conf:
            conf.append(self.extra_conf.strip())
        with open(os.path.join(d, "rabbitmq.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        with open(os.path.join(d, "enabled_plugins"), "w") as f:
            f.write("[%s].\n" % ",".join(self.plugins))
        open(os.path.join(d, "rabbitmq-env.conf"), "w").close()

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("RABBITMQ_", "ERL_"))}
        loopback_dist = "-kernel inet_dist_use_interface {127,0,0,1}"
        env.update({
            "HOME": self.home,
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": self.host,
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": os.path.join(d, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(d, "log"),
            "RABBITMQ_CONFIG_FILE": os.path.join(d, "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(d, "enabled_plugins"),
            "RABBITMQ_PID_FILE": os.path.join(d, "rabbitmq.pid"),
            "RABBITMQ_CONF_ENV_FILE": os.path.join(d, "rabbitmq-env.conf"),
            # One scheduler keeps CPU low; distribution (node and rabbitmqctl) on loopback only.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "+S 1:1 " + loopback_dist,
            "RABBITMQ_CTL_ERL_ARGS": loopback_dist,
            # If this node is the first Erlang node here, the epmd it starts binds loopback.
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        self._env = env

    def _spawn_and_wait(self):
        t0 = time.monotonic()
        with open(self.console_file, "wb") as console:
            self.proc = subprocess.Popen(
                [RABBITMQ_SERVER], env=self._env, cwd=self.dir,
                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = t0 + self.start_timeout
        # 1. The AMQP listener opens last during boot.
        while True:
            if self.proc.poll() is not None:
                raise RabbitMQNodeError("rabbitmq-server exited with %s during start\n%s"
                                        % (self.proc.returncode, self.diagnostics()))
            if port_accepts(self.host, self.amqp_port):
                self.port_seconds = time.monotonic() - t0
                break
            if time.monotonic() > deadline:
                raise RabbitMQNodeError("AMQP port %d not accepting after %.0f s\n%s"
                                        % (self.amqp_port, self.start_timeout,
                                           self.diagnostics()))
            time.sleep(0.2)
        # 2. And the node says it is fully booted.
        left = max(5.0, deadline - time.monotonic())
        r = self.ctl("await_startup", "--timeout", str(int(left)), timeout=left + 15,
                     check=False)
        if r.returncode != 0:
            raise RabbitMQNodeError("await_startup failed (%d): %s\n%s"
                                    % (r.returncode, r.stdout + r.stderr, self.diagnostics()))
        self.startup_seconds = time.monotonic() - t0

    def stop(self, timeout=30.0):
        """Stop the node (rabbitmqctl stop, then SIGTERM/SIGKILL to its process group)
        and remove its directory. Safe to call more than once."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if proc.poll() is None:
                    try:
                        self.ctl("stop", timeout=timeout, check=False)
                    except subprocess.TimeoutExpired:
                        pass
                    self._wait(proc, 15)
                self._kill_group(proc)
            finally:
                # Reap, whatever happened.
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        if self.dir and os.path.isdir(self.dir):
            if self.keep_dir:
                print("rabbitmq_node: kept %s" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None if not self.keep_dir else self.dir

    @staticmethod
    def _wait(proc, seconds):
        try:
            proc.wait(timeout=seconds)
            return True
        except subprocess.TimeoutExpired:
            return False

    @staticmethod
    def _group_alive(pgid):
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def _kill_group(self, proc):
        # The group is the session we started (start_new_session=True): pgid == proc.pid.
        # The shell script, beam.smp, erl_child_setup, inet_gethost live there; epmd
        # daemonizes into its own session and is not touched.
        pgid = proc.pid
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            if not self._group_alive(pgid):
                return
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            end = time.monotonic() + grace
            while time.monotonic() < end:
                proc.poll()
                if not self._group_alive(pgid):
                    return
                time.sleep(0.1)

    # ---------------------------------------------------------------- rabbitmqctl

    def ctl_command_line(self):
        """The rabbitmqctl command a human can paste into a shell for this node."""
        return "HOME=%s %s -n %s" % (shlex.quote(self.home), RABBITMQCTL, self.nodename)

    def ctl(self, *args, timeout=60.0, check=True):
        """Run `rabbitmqctl -n NODE ARGS...`; returns CompletedProcess (text)."""
        if self._env is None:
            raise RabbitMQNodeError("node not configured")
        r = subprocess.run([RABBITMQCTL, "-n", self.nodename] + [str(a) for a in args],
                           env=self._env, cwd=self.dir, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RabbitMQNodeError("rabbitmqctl %s failed (%d): %s%s"
                                    % (" ".join(map(str, args)), r.returncode, r.stdout,
                                       r.stderr))
        return r

    def list_connections(self, fields=CONNECTION_FIELDS):
        """Connections on this node as a list of dicts keyed by `fields` (default name,
        peer_host, peer_port, host, port, client_properties); IPs as text, ports as int,
        client_properties as a dict, plus connection_name taken from it (or None)."""
        r = self.ctl("list_connections", "--quiet", "--formatter", "json", *fields)
        rows = json.loads(r.stdout or "[]")
        out = []
        for row in rows:
            d = {f: row.get(f) for f in fields}
            for f in ("peer_host", "host"):
                if f in d:
                    d[f] = _ip_text(d[f])
            for f in ("peer_port", "port"):
                if f in d and isinstance(d[f], str) and d[f].isdigit():
                    d[f] = int(d[f])
            if "client_properties" in d:
                d["client_properties"] = _amqp_table(d["client_properties"]) or {}
                d["connection_name"] = d["client_properties"].get("connection_name")
            out.append(d)
        return out

    # ---------------------------------------------------------------- diagnostics

    def diagnostics(self, lines=40):
        """Tail of the console output and the node log, for failure messages."""
        parts = []
        for path in (self.console_file, self.log_file):
            try:
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
                parts.append("--- %s (tail)\n%s" % (path, "".join(tail)))
            except (OSError, TypeError):
                pass
        return "\n".join(parts)


if __name__ == "__main__":
    # Smoke: start a node, print its address and start time, list connections, stop.
    import sys
    with RabbitMQNode(proxy_protocol="--no-proxy" not in sys.argv) as n:
        print("node %s amqp %s dist %d: port open after %.1f s, ready after %.1f s"
              % (n.nodename, n.amqp_address, n.dist_port, n.port_seconds, n.startup_seconds))
        t = time.monotonic()
        n.ctl("status")
        print("one rabbitmqctl call: %.1f s" % (time.monotonic() - t))
        print("connections:", n.list_connections())
