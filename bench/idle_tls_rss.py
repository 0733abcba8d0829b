#!/usr/bin/python3
"""Warren's memory (RSS) per idle TLS connection, against plaintext for comparison.

    bench/idle_tls_rss.py --warren build/proxy/warren              # N=9500, tls1.3 tls1.2 plain
    bench/idle_tls_rss.py --warren build/proxy/warren -n 2000 --modes tls1.3
    bench/idle_tls_rss.py --warren build/proxy/warren --smoke      # N=200, a few seconds (ctest)

For each mode, a fresh Warren (1 worker, one listener: TLS with the ECDSA test certificate, or
plaintext; PROXY v2 to the backend) is started in front of a backend that accepts and idles.
The script records Warren's VmRSS with 0 connections, opens N client connections from a
separate process (TLS 1.3, TLS 1.2, or plain TCP), completes every handshake, sends one
8-byte AMQP-header-like payload through each (so that Warren connects to the node and
relays once), checks that the backend holds N connections that all got the payload, waits
until Warren is idle (no CPU time used, RSS stable), and reads VmRSS again:

    KiB per idle connection = (VmRSS with N idle connections - VmRSS with 0) / N

plus the linear projection to 1,000,000 connections. Only Warren's user-space memory is
counted; the kernel's socket memory (two sockets per connection in Warren) is not in RSS.

With --rounds 2 (the default) the same Warren then gets a second batch of N connections after
the first was closed: RSS after close shows what Warren keeps (allocator, pools), and a
second batch that needs no new memory shows that it is reused, not leaked.

The client and the backend run in their own processes (this file, --role client/backend),
each with RLIMIT_NOFILE raised to its hard limit. Warren inherits the raised limit from this
process and needs 2 descriptors per connection, so N is at most (limit - 64) / 2.

Exit status: 0 when every mode ran with all N connections established and relayed; 1
otherwise; 2 on bad arguments.
"""

import argparse
import errno
import json
import os
import resource
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
PAYLOAD = b"AMQP\x00\x00\x09\x01"  # what an AMQP 0-9-1 client sends first
MODES = ("tls1.3", "tls1.2", "plain")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_nofile():
    """Soft RLIMIT_NOFILE up to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ role: backend

def run_backend(args):
    """Accept and idle. Counts connections and those whose bytes include the payload (after
    the PROXY header). Commands on stdin: "stat" -> one JSON line; "quit" or EOF -> exit."""
    raise_nofile()
    sel = selectors.DefaultSelector()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4096)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, "listen")
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    conns = {}  # socket -> bytearray (first bytes) or None once the payload was seen
    stats = {"accepted": 0, "closed": 0, "bytes": 0, "with_payload": 0, "accept_errors": 0}
    emit({"port": ls.getsockname()[1], "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]})
    while True:
        for key, _ in sel.select():
            if key.data == "listen":
                for _ in range(256):
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    except OSError:
                        stats["accept_errors"] += 1
                        break
                    c.setblocking(False)
                    conns[c] = bytearray()
                    stats["accepted"] += 1
                    sel.register(c, selectors.EVENT_READ, "conn")
            elif key.data == "stdin":
                line = sys.stdin.readline()
                if not line or line.strip() == "quit":
                    return 0
                emit(dict(stats, open=len(conns)))
            else:
                c = key.fileobj
                try:
                    data = c.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(c)
                    buf = conns.pop(c)
                    if buf is None:
                        stats["with_payload"] -= 1
                    stats["closed"] += 1
                    c.close()
                    continue
                stats["bytes"] += len(data)
                buf = conns[c]
                if buf is not None:
                    buf += data
                    if PAYLOAD in buf:
                        conns[c] = None
                        stats["with_payload"] += 1
                    elif len(buf) > 4096:
                        del buf[:-len(PAYLOAD)]


# ------------------------------------------------------------------ role: client

def run_client(args):
    """Open N connections (TLS or plain), handshake, send the payload once, then idle.
    Prints one JSON line when all are idle (or failed), then waits for "close" on stdin."""
    raise_nofile()
    ctx = None
    if args.mode != "plain":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(os.path.join(args.certs, "ca.crt"))
        v = ssl.TLSVersion.TLSv1_3 if args.mode == "tls1.3" else ssl.TLSVersion.TLSv1_2
        ctx.minimum_version = ctx.maximum_version = v
    sel = selectors.DefaultSelector()
    target = ("127.0.0.1", args.port)
    state = {}  # fileno -> [phase, sock]
    idle, failed, started = [], [], 0
    errors = {}
    versions, ciphers = {}, {}
    t0 = time.monotonic()
    deadline = t0 + args.timeout

    def fail(fd, why):
        phase, s = state.pop(fd)
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
        failed.append(fd)
        errors[why] = errors.get(why, 0) + 1

    def step(fd):
        """Advance one connection as far as it goes without blocking."""
        entry = state[fd]
        phase, s = entry
        if phase == "connect":
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return fail(fd, "connect:" + errno.errorcode.get(err, str(err)))
            if ctx is not None:
                s = ctx.wrap_socket(s, server_hostname="localhost",
                                    do_handshake_on_connect=False)
                entry[1] = s
                sel.modify(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
                phase = entry[0] = "handshake"
            else:
                phase = entry[0] = "send"
        if phase == "handshake":
            try:
                s.do_handshake()
            except ssl.SSLWantReadError:
                sel.modify(s, selectors.EVENT_READ)
                return
            except ssl.SSLWantWriteError:
                sel.modify(s, selectors.EVENT_WRITE)
                return
            except (ssl.SSLError, OSError) as e:
                return fail(fd, "handshake:" + type(e).__name__ + ":" + str(e)[:80])
            versions[s.version()] = versions.get(s.version(), 0) + 1
            ciphers[s.cipher()[0]] = ciphers.get(s.cipher()[0], 0) + 1
            phase = entry[0] = "send"
        if phase == "send":
            try:
                n = s.send(PAYLOAD)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                sel.modify(s, selectors.EVENT_WRITE)
                return
            except OSError as e:
                return fail(fd, "send:" + type(e).__name__)
            if n != len(PAYLOAD):
                return fail(fd, "send:short")
            entry[0] = "idle"
            idle.append(fd)
            # Stay registered for reads: drains TLS 1.3 session tickets, notices a close.
            sel.modify(s, selectors.EVENT_READ)
            return
        if phase == "idle":
            try:
                data = s.recv(4096)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                return
            except OSError as e:
                idle.remove(fd)
                return fail(fd, "idle:" + type(e).__name__)
            if not data:
                idle.remove(fd)
                return fail(fd, "idle:closed_by_warren")

    def open_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex(target)
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            errors["connect:" + errno.errorcode.get(rc, str(rc))] = \
                errors.get("connect:" + errno.errorcode.get(rc, str(rc)), 0) + 1
            failed.append(-1)
            return
        state[s.fileno()] = ["connect", s]
        sel.register(s, selectors.EVENT_WRITE)

    while len(idle) + len(failed) < args.n:
        in_flight = started - len(idle) - len(failed)
        while started < args.n and in_flight < args.window:
            open_one()
            started += 1
            in_flight += 1
        if time.monotonic() > deadline:
            errors["timeout"] = args.n - len(idle) - len(failed)
            break
        for key, _ in sel.select(timeout=1.0):
            fd = key.fd  # key.fileobj may be the plain socket that wrap_socket() detached
            if fd in state:
                step(fd)
    setup_s = time.monotonic() - t0
    emit({"idle": len(idle), "failed": len(failed) + errors.get("timeout", 0),
          "errors": errors, "versions": versions, "ciphers": ciphers,
          "setup_s": round(setup_s, 3), "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]})
    # Idle until told to close; keep draining (tickets) and noticing closes meanwhile.
    sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
    while True:
        for key, _ in sel.select(timeout=1.0):
            if key.data == "stdin":
                sys.stdin.readline()
                for _, s in state.values():
                    s.close()
                emit({"closed": len(state)})
                return 0
            fd = key.fd  # key.fileobj may be the plain socket that wrap_socket() detached
            if fd in state:
                step(fd)


# ------------------------------------------------------------------ the benchmark

def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
                out[k] = int(v.split()[0])
    return out


def proc_cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def tcp_listening(port):
    return harness.tcp_listening("127.0.0.1", port)


def read_json_line(proc, timeout, what):
    """One JSON line from a helper's stdout, bounded."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        if not sel.select(timeout):
            raise RuntimeError("%s: no answer within %.0f s" % (what, timeout))
        line = proc.stdout.readline()
    finally:
        sel.close()
    if not line:
        raise RuntimeError("%s exited (%s) without answering" % (what, proc.poll()))
    return json.loads(line)


class Child:
    """A helper process (this script, --role ...) or Warren, in its own process group."""

    def __init__(self, cmd, log=None, pipes=False):
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
            stdout=subprocess.PIPE if pipes else log, stderr=log if log else None,
            text=True, start_new_session=True)

    def ask(self, line, timeout, what):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return read_json_line(self.proc, timeout, what)

    def stop(self, grace=10):
        p = self.proc
        if p is None:
            return
        self.proc = None
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
            if p.poll() is not None:
                break
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                break
            try:
                p.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        for f in (p.stdin, p.stdout):
            if f:
                f.close()


def warren_config(mode, port, backend_port, certs):
    tls = ""
    if mode != "plain":
        tls = """
  [listener.tls]
  certificate = [ {{ cert = "{c}/localhost-ecdsa.crt", key = "{c}/localhost-ecdsa.key" }} ]
""".format(c=certs)
    return f"""
[global]
workers = 1
log_level = "warn"
access_log = false
shutdown_timeout = "1s"

[[listener]]
name = "bench"
address = "127.0.0.1:{port}"
cluster = "idle"
backlog = 4096
max_connections_per_source = 0
{tls}
[[cluster]]
name = "idle"
proxy_protocol = "v2"
node = [ {{ address = "127.0.0.1:{backend_port}" }} ]
"""


def wait_idle(pid, settle_max, step=0.5):
    """Wait until Warren used no CPU for one step and VmRSS moved < 64 KiB; bounded."""
    end = time.monotonic() + settle_max
    ticks, rss = proc_cpu_ticks(pid), proc_status(pid)["VmRSS"]
    while True:
        time.sleep(step)
        t2, r2 = proc_cpu_ticks(pid), proc_status(pid)["VmRSS"]
        if (t2 == ticks and abs(r2 - rss) < 64) or time.monotonic() > end:
            return t2 == ticks and abs(r2 - rss) < 64
        ticks, rss = t2, r2


def run_mode(mode, args, tmp):
    """One fresh Warren + backend + client for `mode`; returns a result dict."""
    me = [sys.executable, os.path.abspath(__file__)]
    res = {"mode": mode, "n": args.n}
    backend = Child(me + ["--role", "backend"], pipes=True)
    warren = client = None
    try:
        hello = read_json_line(backend.proc, 10, "backend")
        backend_port = hello["port"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cfg = os.path.join(tmp, "warren-%s.toml" % mode)
        with open(cfg, "w") as f:
            f.write(warren_config(mode, port, backend_port, args.certs))
        log_path = os.path.join(tmp, "warren-%s.log" % mode)
        with open(log_path, "w") as log:
            warren = Child([args.warren, "run", "-c", cfg], log=log)
        pid = warren.proc.pid
        end = time.monotonic() + 10
        while not tcp_listening(port):
            if warren.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("warren did not start: %s" % open(log_path).read()[-2000:])
            time.sleep(0.05)
        time.sleep(args.settle_min)
        base = proc_status(pid)
        fds0 = len(os.listdir("/proc/%d/fd" % pid))
        res["rounds"] = []
        for _ in range(args.rounds):
            r = one_round(me, mode, port, pid, backend, args)
            res["rounds"].append(r)
            if not r["ok"]:
                break
        first = res["rounds"][0]
        res.update({k: first[k] for k in ("client_idle", "client_failed", "errors", "versions",
                                          "ciphers", "setup_s", "backend_open",
                                          "backend_with_payload", "idle_reached")})
        n = max(1, first["client_idle"])
        res["fds_per_conn"] = round((first["fds"] - fds0) / n, 2)
        res["rss0_kib"], res["rss_kib"] = base["VmRSS"], first["rss_kib"]
        res["anon0_kib"], res["anon_kib"] = base["RssAnon"], first["anon_kib"]
        res["kib_per_conn"] = round((first["rss_kib"] - base["VmRSS"]) / n, 2)
        res["anon_kib_per_conn"] = round((first["anon_kib"] - base["RssAnon"]) / n, 2)
        res["projection_1m_gib"] = round(
            (base["VmRSS"] + res["kib_per_conn"] * 1_000_000) / (1024 * 1024), 2)
        res["rss_after_close_kib"] = first["rss_after_close_kib"]
        res["ok"] = (len(res["rounds"]) == args.rounds and all(r["ok"] for r in res["rounds"]))
        return res
    finally:
        if warren is not None:
            warren.stop()
        if backend.proc is not None:
            try:
                backend.proc.stdin.write("quit\n")
                backend.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
            backend.stop(grace=5)


def one_round(me, mode, port, pid, backend, args):
    """Open N idle connections through Warren `pid`, measure, close them all, measure."""
    res = {}
    client = Child(me + ["--role", "client", "--mode", mode, "--port", str(port),
                         "-n", str(args.n), "--certs", args.certs,
                         "--timeout", str(args.client_timeout)], pipes=True)
    try:
        c = read_json_line(client.proc, args.client_timeout + 30, "client")
        res.update(client_idle=c["idle"], client_failed=c["failed"], errors=c["errors"],
                   versions=c["versions"], ciphers=c["ciphers"], setup_s=c["setup_s"])
        # Every connection reached the backend and carried the payload (bounded wait).
        end = time.monotonic() + 30
        while True:
            b = backend.ask("stat", 10, "backend")
            if b["with_payload"] >= c["idle"] or time.monotonic() > end:
                break
            time.sleep(0.2)
        res.update(backend_open=b["open"], backend_with_payload=b["with_payload"])
        res["idle_reached"] = wait_idle(pid, args.settle_max)
        time.sleep(args.settle_min)
        loaded = proc_status(pid)
        res["fds"] = len(os.listdir("/proc/%d/fd" % pid))
        res["rss_kib"], res["anon_kib"] = loaded["VmRSS"], loaded["RssAnon"]

        client.ask("close", 30, "client")
        client.stop()
        client = None
        # Warren closes each node connection after its client's (bounded wait).
        end = time.monotonic() + 15
        while True:
            left = backend.ask("stat", 10, "backend")["open"]
            if left == 0 or time.monotonic() > end:
                break
            time.sleep(0.2)
        res["backend_open_after_close"] = left
        wait_idle(pid, args.settle_max)
        res["rss_after_close_kib"] = proc_status(pid)["VmRSS"]
        res["ok"] = (c["idle"] == args.n and c["failed"] == 0 and left == 0
                     and b["with_payload"] == args.n and b["open"] >= args.n)
        return res
    finally:
        if client is not None:
            client.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warren", default=os.path.join(REPO, "build", "proxy", "warren"),
                    help="the warren binary (default: %(default)s)")
    ap.add_argument("-n", "--connections", type=int, dest="n", default=None,
                    help="idle connections per mode (default 9500; --smoke: 200)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="comma-separated, of %s (default: all)" % ", ".join(MODES))
    ap.add_argument("--smoke", action="store_true",
                    help="N=200 and short settle times: a quick check for the test suite")
    ap.add_argument("--certs", default=os.path.join(REPO, "tests", "fixtures", "tls"),
                    help="directory with ca.crt and localhost-ecdsa.{crt,key}")
    ap.add_argument("--rounds", type=int, default=2,
                    help="batches of N connections per Warren, one after the other (default 2)")
    ap.add_argument("--commit", default=None,
                    help="commit to print (default: git rev-parse --short HEAD of this checkout)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    # helper roles (internal)
    ap.add_argument("--role", choices=("bench", "client", "backend"), default="bench",
                    help=argparse.SUPPRESS)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, default=300, help=argparse.SUPPRESS)
    ap.add_argument("--window", type=int, default=256, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role == "backend":
        return run_backend(args)
    if args.role == "client":
        return run_client(args)

    if args.n is None:
        args.n = 200 if args.smoke else 9500
    args.settle_min = 0.3 if args.smoke else 2.0
    args.settle_max = 3.0 if args.smoke else 20.0
    args.client_timeout = max(30.0, args.n / 50.0)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes or args.n < 1 or args.rounds < 1:
        ap.error("bad --modes %r or -n %r" % (bad, args.n))
    if not os.access(args.warren, os.X_OK):
        ap.error("no warren binary at %s (--warren)" % args.warren)
    args.warren = os.path.abspath(args.warren)
    args.certs = os.path.abspath(args.certs)
    nofile = raise_nofile()  # Warren inherits it
    max_n = (nofile - 64) // 2
    if args.n > max_n:
        print("note: RLIMIT_NOFILE %d allows Warren about %d connections (2 fds each): "
              "N lowered from %d" % (nofile, max_n, args.n), file=sys.stderr)
        args.n = max_n

    commit = args.commit or subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                           capture_output=True, text=True).stdout.strip() or "?"
    print("warren %s (commit %s), 1 worker, N=%d idle connections per mode, payload %d bytes, "
          "PROXY v2, RLIMIT_NOFILE %d" % (args.warren, commit, args.n, len(PAYLOAD), nofile))
    tmp = tempfile.mkdtemp(prefix="warren-bench-rss-")
    results = []
    try:
        for mode in modes:
            r = run_mode(mode, args, tmp)
            results.append(r)
            if not r["ok"]:
                print("FAILED %s: %s" % (mode, json.dumps(r)), file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    head = ("mode", "conns", "setup_s", "rss0 KiB", "rssN KiB", "KiB/conn", "anon KiB/conn",
            "1M conns GiB", "fds/conn", "after close KiB", "rounds: rssN / after close KiB")
    rows = [(r["mode"] + (" " + ",".join(r["ciphers"]) if r["ciphers"] else ""),
             "%d/%d" % (r["backend_with_payload"], r["n"]), "%.1f" % r["setup_s"],
             r["rss0_kib"], r["rss_kib"], "%.2f" % r["kib_per_conn"],
             "%.2f" % r["anon_kib_per_conn"], "%.2f" % r["projection_1m_gib"],
             r["fds_per_conn"], r["rss_after_close_kib"],
             " ".join("%s/%s" % (x.get("rss_kib", "-"), x.get("rss_after_close_kib", "-"))
                      for x in r["rounds"])) for r in results]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    for row in (head,) + tuple(rows):
        print("  ".join(str(x).rjust(w) if i else str(x).ljust(w)
                        for i, (x, w) in enumerate(zip(row, widths))))
    for r in results:
        if not r["idle_reached"]:
            print("note: %s: Warren was not idle within %.0f s when measured"
                  % (r["mode"], args.settle_max))
    plain = next((r for r in results if r["mode"] == "plain"), None)
    for r in results:
        if plain is not None and r is not plain:
            print("%s costs %.2f KiB more per idle connection than plaintext"
                  % (r["mode"], r["kib_per_conn"] - plain["kib_per_conn"]))
    if args.json:
        print(json.dumps({"commit": commit, "n": args.n, "results": results}, indent=1))
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
