#!/usr/bin/python3
"""Warren against HAProxy 2.6 and nginx 1.22 (stream), side by side: TLS handshake CPU,
resumption, bulk CPU per byte, latency, memory per idle connection. See bench/README.md.

Each phase is one warren-loadgen run against one freshly started proxy (pinned to core 0)
in front of one freshly started warren-bench-backend; loadgen and backend share core 1.
Rounds, phases and proxies are interleaved (for round: for phase: for proxy), medians over
rounds are printed in one table with the issue-4 targets. Exit status 1 if any run had an
error (a missed target is not an error), 77 if a required tool is missing.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "proxies"))
import proxyrun  # noqa: E402

SKIP = 77
PROXY_CPU, CLIENT_CPU = 0, 1

# name -> loadgen arguments (without target/proxy flags). Filled in by phase_table().
PHASE_NAMES = ("tcp", "hs13-ecdsa", "hs13-rsa", "hs12-ecdsa", "resume12", "resume13",
               "bulk-up", "bulk-down", "latency", "idle")


def phase_table(a):
    hs = ["--rate", str(a.rate), "--duration", str(a.duration), "--warmup", str(a.warmup)]
    bulk = ["--tls", "1.3", "--sig", "ecdsa", "--bytes", str(a.bulk_bytes)]
    return {
        # The same connections without TLS (the proxies listen in plaintext): what the
        # kernel's TCP work and the proxy's own per-connection work cost.
        "tcp": ["--mode", "handshake", "--tls", "none", "--sig", "any"] + hs,
        "hs13-ecdsa": ["--mode", "handshake", "--tls", "1.3", "--sig", "ecdsa"] + hs,
        "hs13-rsa": ["--mode", "handshake", "--tls", "1.3", "--sig", "rsa"] + hs,
        "hs12-ecdsa": ["--mode", "handshake", "--tls", "1.2", "--sig", "ecdsa"] + hs,
        "resume12": ["--mode", "resume", "--tls", "1.2", "--sig", "ecdsa"] + hs,
        "resume13": ["--mode", "resume", "--tls", "1.3", "--sig", "ecdsa"] + hs,
        "bulk-up": ["--mode", "bulk-up"] + bulk,
        "bulk-down": ["--mode", "bulk-down"] + bulk,
        "latency": ["--mode", "latency", "--tls", "1.3", "--sig", "ecdsa", "--connections", "50",
                    "--rate", str(a.latency_rate), "--duration", str(a.duration),
                    "--warmup", str(a.warmup)],
        # Opened at the handshake rate: at 1000/s nginx and HAProxy fall behind on this
        # machine and the bursts overflow the backend's SYN queue.
        "idle": ["--mode", "idle", "--tls", "1.3", "--sig", "ecdsa", "--rate", str(a.rate),
                 "--connections", str(a.idle_connections)],
    }


# Table rows: (label, phase, figure, target ratio or None). "added p99" is computed.
ROWS = [
    ("connection without TLS, µs CPU", "tcp", "cpu_us_per_handshake", None),
    ("handshake TLS1.3 ECDSA, µs CPU", "hs13-ecdsa", "cpu_us_per_handshake", 0.35),
    ("handshake TLS1.3 RSA, µs CPU", "hs13-rsa", "cpu_us_per_handshake", 0.35),
    ("handshake TLS1.2 ECDSA, µs CPU", "hs12-ecdsa", "cpu_us_per_handshake", 0.35),
    ("resumed TLS1.2, µs CPU", "resume12", "cpu_us_per_handshake", 0.35),
    ("resumed TLS1.3, µs CPU", "resume13", "cpu_us_per_handshake", 0.35),
    ("bulk up (client->node), ns CPU/B", "bulk-up", "cpu_ns_per_byte", 0.8),
    ("bulk down (node->client), ns CPU/B", "bulk-down", "cpu_ns_per_byte", 0.8),
    ("latency p50, µs", "latency", "p50", None),
    ("latency p99, µs", "latency", "p99", None),
    ("latency p99.9, µs", "latency", "p999", None),
    ("added p99 (proxy - direct), µs", "latency", "added_p99", 1.0),
    ("latency, µs CPU/request", "latency", "cpu_us_per_request", None),
    ("idle TLS connection, KB RSS", "idle", "rss_kb_per_connection", 0.3),
]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--smoke", action="store_true",
                   help="1 round, 1 s per phase, 200 idle connections: checks that every "
                        "phase runs without errors, not the numbers")
    p.add_argument("--phases", default=",".join(PHASE_NAMES),
                   help="comma-separated subset of: " + ", ".join(PHASE_NAMES))
    p.add_argument("--proxies", default=",".join(proxyrun.PROXIES))
    p.add_argument("--json", metavar="FILE", help="write every raw result here")
    p.add_argument("--rate", type=int, default=400,
                   help="handshakes per second, the same for every proxy (default 400)")
    p.add_argument("--latency-rate", type=int, default=2000)
    p.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--bulk-bytes", type=int, default=2 << 30,
                   help="bytes per bulk phase (default 2 GiB)")
    p.add_argument("--idle-connections", type=int, default=0,
                   help="default: as many as the file limit allows for one proxy (~9000)")
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    p.add_argument("--warren", help="default BUILD/proxy/warren")
    p.add_argument("--loadgen", help="default BUILD/bench/warren-loadgen")
    p.add_argument("--backend", help="default BUILD/bench/warren-bench-backend")
    p.add_argument("--amqp", action="store_true", help="also run bench/amqp_e2e.py")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs)")
    a = p.parse_args(argv)
    a.warren = a.warren or os.path.join(a.build_dir, "proxy", "warren")
    a.loadgen = a.loadgen or os.path.join(a.build_dir, "bench", "warren-loadgen")
    a.backend = a.backend or os.path.join(a.build_dir, "bench", "warren-bench-backend")
    hard = proxyrun.raise_nofile()
    if a.smoke:
        a.rounds, a.duration, a.warmup = 1, 1.0, 0.0
        a.bulk_bytes = min(a.bulk_bytes, 64 << 20)
        a.idle_connections = a.idle_connections or 200
    # A proxy holds 2 descriptors per connection (client and node) under one process limit.
    a.idle_connections = a.idle_connections or min(9000, (hard - 256) // 2)
    a.phases = [x for x in a.phases.split(",") if x]
    a.proxies = [x for x in a.proxies.split(",") if x]
    bad = [x for x in a.phases if x not in PHASE_NAMES] + \
          [x for x in a.proxies if x not in proxyrun.PROXIES]
    if bad:
        p.error("unknown phase/proxy: %s" % ", ".join(bad))
    return a


def missing_tools(a):
    missing = [what for what, ok in (
        ("warren (%s)" % a.warren, os.access(a.warren, os.X_OK)),
        ("warren-loadgen (%s)" % a.loadgen, os.access(a.loadgen, os.X_OK)),
        ("warren-bench-backend (%s)" % a.backend, os.access(a.backend, os.X_OK)),
        ("openssl", shutil.which("openssl")),
        ("taskset", shutil.which("taskset")),
        ("2 CPUs", len(os.sched_getaffinity(0)) >= 2)) if not ok]
    return missing


class Backend(proxyrun.Process):
    """warren-bench-backend on a free port, pinned with the loadgen; stats on stop()."""

    def __init__(self, binary, directory, proxy_protocol):
        self.port = proxyrun.free_port()
        self.stats_path = os.path.join(directory, "backend-stats.json")
        super().__init__([binary, "--listen", "127.0.0.1:%d" % self.port,
                          "--proxy-protocol", proxy_protocol, "--stats-file", self.stats_path],
                         os.path.join(directory, "backend.log"), CLIENT_CPU)
        deadline = time.monotonic() + 10
        while not proxyrun.tcp_listening(self.port):
            if not self.alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("backend did not start:\n" + self.log_tail())
            time.sleep(0.02)

    def finish(self):
        """Stop it; its stats (dict), with "exit_code"."""
        rc = self.stop()
        try:
            with open(self.stats_path) as f:
                stats = json.load(f)
        except (OSError, ValueError) as e:
            stats = {"stats_error": str(e)}
        stats["exit_code"] = rc
        return stats


def run_loadgen(a, args, timeout):
    """One loadgen run pinned to the client core; (exit code, parsed JSON or None, stderr)."""
    cmd = ["taskset", "-c", str(CLIENT_CPU), a.loadgen] + args + ["--json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        return None, None, "timed out after %.0f s: %s" % (timeout, e.stderr or "")
    try:
        out = json.loads(r.stdout)
    except ValueError:
        out = None
    return r.returncode, out, r.stderr


def phase_timeout(a, phase):
    if phase == "idle":
        return 120 + 2.0 * a.idle_connections / a.rate
    if phase.startswith("bulk"):
        return 120 + a.bulk_bytes / (20 << 20)
    return 60 + a.duration + a.warmup


def one_run(a, work, certs, rnd, phase, proxy, loadgen_args):
    """Start backend (+ proxy), run the loadgen, stop both. Returns the run's record."""
    d = tempfile.mkdtemp(prefix="r%d-%s-%s-" % (rnd, phase, proxy), dir=work)
    rec = {"round": rnd, "phase": phase, "proxy": proxy, "errors": []}
    backend = px = None
    try:
        pp = "v2" if proxy == "direct" else proxyrun.PROXY_PROTOCOL[proxy]
        backend = Backend(a.backend, d, pp)
        if proxy == "direct":
            target = ["--target", "127.0.0.1:%d" % backend.port, "--send-proxy-v2",
                      "--tls", "none"]
            args = [x for x in loadgen_args]
            i = args.index("--tls")
            del args[i:i + 2]
            i = args.index("--sig")
            del args[i:i + 2]
            target += args
        else:
            # Connection limits (HAProxy maxconn, nginx worker_connections) fit the idle phase
            # and the handshake phases' bursts (the loadgen keeps up to 1000 in flight).
            sig = loadgen_args[loadgen_args.index("--sig") + 1]
            plain = loadgen_args[loadgen_args.index("--tls") + 1] == "none"
            px = proxyrun.Proxy(proxy, d, backend.port, warren=a.warren,
                                certs=None if plain else certs,
                                connections=max(a.idle_connections, 2000), cpu=PROXY_CPU,
                                sig=sig)
            target = ["--target", "127.0.0.1:%d" % px.listen_port, "--sni", "localhost",
                      "--proxy-pid", ",".join(map(str, px.cpu_pids))] + loadgen_args
        rec["loadgen_args"] = target
        rc, out, err = run_loadgen(a, target, phase_timeout(a, phase))
        rec.update(exit_code=rc, result=out, stderr=err[-4000:])
        if rc != 0 or out is None or not out.get("success", out.get("ok", False)):
            kinds = (out or {}).get("error_kinds")
            rec["errors"].append("loadgen exit %s%s: %s" % (rc, " %s" % kinds if kinds else "",
                                                             err.strip()[-600:]))
        if px is not None and not px.alive():
            rec["errors"].append("%s died during the run:\n%s" % (proxy, px.log_tail()))
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        rec["errors"].append(str(e))
    finally:
        if px is not None:
            rec["proxy_exit"] = px.stop()
        if backend is not None:
            stats = backend.finish()
            rec["backend"] = stats
            if stats.get("header_errors"):
                rec["errors"].append("backend saw %s bad PROXY headers" % stats["header_errors"])
    return rec


def figure(rec, name):
    r = rec.get("result") or {}
    if name in ("p50", "p99", "p999"):
        return (r.get("latency_us") or {}).get(name)
    return r.get(name)


def medians(records, proxies):
    """{(phase, figure): {proxy: median}} over the error-free rounds."""
    by = {}
    direct_p99 = {rec["round"]: figure(rec, "p99") for rec in records
                  if rec["proxy"] == "direct" and not rec["errors"]}
    for rec in records:
        if rec["errors"]:
            continue
        for _, phase, fig, _ in ROWS:
            if phase != rec["phase"]:
                continue
            if fig == "added_p99":
                v = figure(rec, "p99")
                base = direct_p99.get(rec["round"])
                v = None if v is None or base is None or rec["proxy"] == "direct" else v - base
            else:
                v = figure(rec, fig)
            if v is not None:
                by.setdefault((phase, fig), {}).setdefault(rec["proxy"], []).append(v)
    return {k: {p: statistics.median(vs) for p, vs in d.items()} for k, d in by.items()}


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def ratio(med, other, proxy="warren"):
    w, o = med.get(proxy), med.get(other)
    if w is None or o is None or o <= 0:
        return None
    return w / o


def table(a, meds):
    cols = ["direct"] + [p for p in proxyrun.PROXIES if p in a.proxies]
    # min/haproxy: the ratio the minimal relay reaches: what kernel + BoringSSL allow.
    head = ["figure (median of %d)" % a.rounds] + cols + ["w/haproxy", "w/nginx",
                                                           "min/haproxy", "target", "result"]
    rows = []
    for label, phase, fig, target in ROWS:
        if phase not in a.phases:
            continue
        med = meds.get((phase, fig), {})
        rh, rn = ratio(med, "haproxy"), ratio(med, "nginx")
        result = "-"
        if target is not None:
            # Issue 4 sets the targets against HAProxy; w/nginx is shown for information.
            result = "n/a" if rh is None else ("PASS" if rh <= target else "MISS")
        rows.append([label] + [fmt(med.get(c)) for c in cols] +
                    [fmt(rh), fmt(rn), fmt(ratio(med, "haproxy", "minimal")),
                     "<= %.2f" % target if target else "-", result])
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    line = lambda r: "| " + " | ".join(x.ljust(w) if i == 0 else x.rjust(w)  # noqa: E731
                                       for i, (x, w) in enumerate(zip(r, widths))) + " |"
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(out + [line(r) for r in rows])


def header(a):
    def git(*args):
        try:
            return subprocess.run(["git", "-C", REPO] + list(args), capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    dirty = " (+ local changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    return {
        "commit": git("rev-parse", "--short", "HEAD") + dirty,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": {p: proxyrun.version(p, a.warren) for p in proxyrun.PROXIES},
        "settings": {"rounds": a.rounds, "phases": a.phases, "handshake_rate": a.rate,
                     "latency_rate": a.latency_rate, "duration_s": a.duration,
                     "warmup_s": a.warmup, "bulk_bytes": a.bulk_bytes,
                     "idle_connections": a.idle_connections, "smoke": a.smoke},
    }


def _interrupt(signum, frame):
    # SIGTERM (ctest's timeout) ends like Ctrl-C: the finally blocks stop what was started.
    raise KeyboardInterrupt


def main(argv):
    a = parse_args(argv)
    missing = missing_tools(a)
    if missing:
        print("SKIP: missing: %s" % ", ".join(missing), file=sys.stderr)
        return SKIP
    skipped = [p for p in a.proxies if not proxyrun.installed(p, a.warren)]
    for p in skipped:
        print("note: %s is not installed, left out" % p, file=sys.stderr)
    a.proxies = [p for p in a.proxies if p not in skipped]

    info = header(a)
    work = tempfile.mkdtemp(prefix="warren-compare-")
    records = []
    interrupted = False
    old_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        certs = proxyrun.make_certificates(work)
        phases = phase_table(a)
        for rnd in range(1, a.rounds + 1):
            for phase in a.phases:
                runs = (["direct"] if phase == "latency" else []) + a.proxies
                for proxy in runs:
                    t0 = time.monotonic()
                    rec = one_run(a, work, certs, rnd, phase, proxy, phases[phase])
                    rec["seconds"] = round(time.monotonic() - t0, 2)
                    records.append(rec)
                    status = "ERROR " + " | ".join(rec["errors"]) if rec["errors"] else "ok"
                    print("round %d %-10s %-7s %5.1f s  %s"
                          % (rnd, phase, proxy, rec["seconds"], status), file=sys.stderr,
                          flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, old_term)
        if a.keep:
            print("kept %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    meds = medians(records, a.proxies)
    print("Warren vs HAProxy vs nginx (and the minimal relay), commit %s, %s" % (info["commit"], info["date"]))
    for p, v in info["versions"].items():
        print("  %-8s %s" % (p, v))
    s = info["settings"]
    print("  %d round(s); handshakes at %d/s, latency %d req/s over 50 conns, %.0f s per "
          "phase; bulk %d MiB; %d idle connections; proxy on core %d, loadgen+backend "
          "on core %d" % (s["rounds"], s["handshake_rate"], s["latency_rate"], s["duration_s"],
                          s["bulk_bytes"] >> 20, s["idle_connections"], PROXY_CPU, CLIENT_CPU))
    print(table(a, meds))
    # The minimal relay is the reference, not a product under test ("the first error closes
    # both sides"): its errors are printed, and its figure is left out, but they do not fail
    # the run. One bulk-down through it ended short once in 41 CI runs.
    failed = [r for r in records if r["errors"] and r["proxy"] != "minimal"]
    reference = [r for r in records if r["errors"] and r["proxy"] == "minimal"]
    if reference:
        print("minimal relay (reference) had errors in: %s" % ", ".join(
            "r%d %s" % (r["round"], r["phase"]) for r in reference))
    behind = ["r%d %s/%s" % (r["round"], r["phase"], r["proxy"]) for r in records
              if (r.get("result") or {}).get("fell_behind")]
    print("%d runs, %d with errors; loadgen behind its schedule (p99 start lag > 5 ms) in %d "
          "of them%s" % (len(records), len(failed), len(behind),
                         ": " + ", ".join(behind) if 0 < len(behind) <= 10 else ""))

    rc = 1 if failed or interrupted else 0
    if a.amqp and not interrupted:
        # Debian's python3 has pika (another python3 may come first on PATH).
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        cmd = [python, os.path.join(HERE, "amqp_e2e.py"), "--warren", a.warren,
               "--proxies", ",".join(a.proxies)] + (["--smoke"] if a.smoke else
                                                   ["--rounds", str(a.rounds)])
        amqp_rc = subprocess.run(cmd, stdin=subprocess.DEVNULL).returncode
        info["amqp_exit_code"] = amqp_rc
        if amqp_rc not in (0, SKIP):
            rc = 1
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(info, medians={"%s/%s" % k: v for k, v in meds.items()},
                           runs=records), f, indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
