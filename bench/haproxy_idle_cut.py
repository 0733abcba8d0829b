#!/usr/bin/python3
"""What an idle timeout does to an AMQP connection without heartbeats: HAProxy vs Warren.

    bench/haproxy_idle_cut.py --warren build/proxy/warren [--quiet 10] [--haproxy-timeout 3]

Starts one RabbitMQ node (tests/integration/rabbitmq_node.py, proxy_protocol = true) and, in
front of it, HAProxy (`mode tcp`, `timeout client 3s`, `timeout server 3s`, `send-proxy-v2`)
and Warren (default listener settings: protocol = "amqp", idle_timeout_without_heartbeat =
"0s"; only proxy_protocol = "v2" set, which the node needs). Through each it opens one pika
connection with heartbeat=0 (publisher confirms on, an exclusive queue declared), stays
completely quiet for --quiet seconds (time.sleep: pika neither reads nor writes), then
publishes one confirmed message and reads it back. Prints, per proxy, whether the connection
survived, the exception if not, and the proxy's own log line for the connection (HAProxy's
tcplog termination state, Warren's access line), then what the broker still has.

Exit status: 0 if HAProxy cut its connection and Warren's survived (the expected result),
1 otherwise, 77 if rabbitmq-server, python3-pika or haproxy is missing. Everything binds to
127.0.0.1 on free ports; every process started is stopped (its own process group) at the end.
Run it with /usr/bin/python3 (Debian's pika).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from rabbitmq_node import RabbitMQNode  # noqa: E402
from harness import WarrenProcess, free_ports  # noqa: E402

try:
    import pika
    import pika.exceptions
except ImportError:
    pika = None

SKIP = 77


class Proc(WarrenProcess):
    """A proxy process in its own process group, stderr+stdout to a log file."""

    error = RuntimeError

    def __init__(self, name, cmd, workdir, port):
        super().__init__(name, ports=[port], dir=workdir,
                         log_path=os.path.join(workdir, name + ".log"))
        self.cmd, self.port = cmd, port

    def start(self, timeout=15.0):
        super().start(timeout, cmd=self.cmd, cwd=None)

    def stop(self):
        super().stop(term_grace=5)

    def log(self):
        return self.log_text()


def wait_for(fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warren", required=True, help="path to the warren binary")
    ap.add_argument("--haproxy", default="/usr/sbin/haproxy")
    ap.add_argument("--quiet", type=float, default=10.0,
                    help="seconds the connections stay quiet (default 10)")
    ap.add_argument("--haproxy-timeout", type=int, default=3,
                    help="HAProxy timeout client/server in seconds (default 3)")
    opts = ap.parse_args()
    missing = [w for w, ok in (
        ("rabbitmq-server", os.access("/usr/lib/rabbitmq/bin/rabbitmq-server", os.X_OK)),
        ("python3-pika (run with /usr/bin/python3)", pika is not None),
        ("haproxy", os.access(opts.haproxy, os.X_OK))) if not ok]
    if missing:
        print("SKIP: not installed: %s" % ", ".join(missing), file=sys.stderr)
        return SKIP
    warren_bin = os.path.abspath(opts.warren)
    if not os.access(warren_bin, os.X_OK):
        print("error: --warren %r is not an executable" % opts.warren, file=sys.stderr)
        return 2

    workdir = tempfile.mkdtemp(prefix="warren-bench-idle-cut-")
    node, procs, conns = None, [], {}
    try:
        t0 = time.monotonic()
        node = RabbitMQNode(proxy_protocol=True, name_prefix="warren-bench-idle")
        node.start()
        haproxy_port, warren_port = free_ports(2)
        to = opts.haproxy_timeout
        hcfg = os.path.join(workdir, "haproxy.cfg")
        with open(hcfg, "w") as f:
            f.write("\n".join([
                "global", "  log stderr format raw local0 info",
                "defaults", "  mode tcp", "  log global", "  option tcplog",
                "  timeout connect 2s", "  timeout client %ds" % to, "  timeout server %ds" % to,
                "frontend amqp", "  bind 127.0.0.1:%d" % haproxy_port, "  default_backend rabbit",
                "backend rabbit", "  server n0 %s send-proxy-v2" % node.amqp_address, ""]))
        wcfg = os.path.join(workdir, "warren.toml")
        with open(wcfg, "w") as f:
            f.write("\n".join([
                "[[listener]]", 'name = "amqp"', 'address = "127.0.0.1:%d"' % warren_port,
                'cluster = "rabbit"', "",
                "[[cluster]]", 'name = "rabbit"', 'proxy_protocol = "v2"',
                'node = [{ address = "%s" }]' % node.amqp_address, ""]))
        haproxy = Proc("haproxy", [opts.haproxy, "-db", "-f", hcfg], workdir, haproxy_port)
        warren = Proc("warren", [warren_bin, "run", "-c", wcfg], workdir, warren_port)
        for p in (haproxy, warren):
            procs.append(p)
            p.start()
        version = subprocess.run([warren_bin, "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip()
        hversion = subprocess.run([opts.haproxy, "-v"], capture_output=True, text=True,
                                  timeout=10).stdout.splitlines()[0]
        print("RabbitMQ node %s (proxy_protocol = true), ready in %.1f s"
              % (node.amqp_address, node.startup_seconds))
        print("HAProxy  127.0.0.1:%d  %s; mode tcp, timeout client %ds, timeout server %ds, "
              "send-proxy-v2" % (haproxy_port, hversion, to, to))
        print("Warren   127.0.0.1:%d  %s; defaults (protocol amqp, "
              "idle_timeout_without_heartbeat 0s), proxy_protocol v2" % (warren_port, version))

        for p in (haproxy, warren):
            params = pika.ConnectionParameters(
                host="127.0.0.1", port=p.port, heartbeat=0,
                credentials=pika.PlainCredentials("guest", "guest"),
                client_properties={"connection_name": "idle-cut-via-" + p.name},
                connection_attempts=1, socket_timeout=5, stack_timeout=15)
            conn = pika.BlockingConnection(params)
            ch = conn.channel()
            ch.confirm_delivery()
            q = ch.queue_declare(queue="", exclusive=True).method.queue
            conns[p.name] = (conn, ch, q, "%s:%d" % conn._impl._transport._sock.getsockname()[:2])
            print("%-8s connected, heartbeat=%s (negotiated), local %s"
                  % (p.name, conn._impl.params.heartbeat, conns[p.name][3]))

        print("both quiet for %.0f s (time.sleep: pika neither reads nor writes) ..." % opts.quiet)
        time.sleep(opts.quiet)

        results = {}
        for p in (haproxy, warren):
            conn, ch, q, local = conns[p.name]
            t = time.monotonic()
            try:
                ch.basic_publish(exchange="", routing_key=q, body=b"after %.0f s" % opts.quiet,
                                 mandatory=True)
                method, _props, body = ch.basic_get(q, auto_ack=True)
                ok = method is not None and body == b"after %.0f s" % opts.quiet
                results[p.name] = (ok, "published and read back 1 message" if ok
                                   else "publish confirmed but basic_get returned %r" % (body,))
            except Exception as e:  # what the application would see
                results[p.name] = (False, "%s: %s" % (type(e).__name__, e))
            results[p.name] += (time.monotonic() - t,)

        print()
        print("%-8s %-9s %-7s %s" % ("proxy", "heartbeat", "quiet", "after the quiet period"))
        for p in (haproxy, warren):
            ok, what, secs = results[p.name]
            print("%-8s %-9s %-7s %s %s (%.2f s)"
                  % (p.name, 0, "%.0f s" % opts.quiet, "SURVIVED:" if ok else "CUT:", what, secs))

        # The proxies' own record of each connection.
        local = conns["haproxy"][3]
        hline = wait_for(lambda: [l for l in haproxy.log().splitlines()
                                  if local in l and "amqp rabbit" in l], 5)
        print()
        print("haproxy log: %s" % (hline[0] if hline else "(no line for %s)" % local))
        if hline:
            # tcplog: ... Tw/Tc/Tt bytes_read termination_state actconn/feconn/...
            m = re.search(r"\s-?\d+/-?\d+/(\d+)\s+\d+\s+([-a-zA-Z]{2,4})\s+\d+/\d+/\d+/\d+/\d+",
                          hline[0])
            if m:
                print("             closed by HAProxy after %s ms, termination state %s%s"
                      % (m.group(1), m.group(2), {
                    "cD": ": the client-side timeout expired while data could flow "
                          "(timeout client)",
                    "sD": ": the server-side timeout expired while data could flow "
                          "(timeout server)"}.get(m.group(2)[:2], "")))
        for conn, _ch, _q, _l in conns.values():
            try:
                if conn.is_open:
                    conn.close()
            except Exception:
                pass
        wlocal = conns["warren"][3]
        wline = wait_for(lambda: [l for l in warren.log().splitlines()
                                  if " access " in l and "client=%s " % wlocal in l], 5)
        print("warren log:  %s" % (wline[0] if wline else "(no access line for %s)" % wlocal))
        broker_log = ""
        try:
            with open(node.log_file, errors="replace") as f:
                broker_log = f.read()
        except OSError:
            pass
        for l in broker_log.splitlines():
            if "client unexpectedly closed TCP connection" in l or "idle-cut-via-haproxy" in l \
                    and "closing" in l:
                print("broker log:  %s" % l.strip())

        hap_cut = not results["haproxy"][0]
        war_ok = results["warren"][0]
        print()
        print("RESULT: HAProxy %s the quiet heartbeat=0 connection; Warren %s."
              % ("cut" if hap_cut else "did NOT cut", "kept it" if war_ok else "ALSO cut it"))
        print("(total %.1f s)" % (time.monotonic() - t0))
        return 0 if hap_cut and war_ok else 1
    finally:
        for conn, _ch, _q, _l in conns.values():
            try:
                if conn.is_open:
                    conn.close()
            except Exception:
                pass
        for p in procs:
            p.stop()
        if node is not None:
            node.stop()
        if os.environ.get("WARREN_IT_KEEP") == "1":
            print("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
