#!/usr/bin/python3
"""AMQP end to end: confirmed messages per second, published and consumed through a real
RabbitMQ node, direct and through Warren (protocol = "amqp"), HAProxy and nginx. See
bench/README.md.

Two throw-away nodes (tests/integration/rabbitmq_node.py): one with proxy_protocol = true
behind the proxies (Warren and HAProxy send PROXY v2, nginx v1), one without it for the
direct baseline. Per path and round, W worker pairs run at once, each pair in two processes
with its own pika connection: a publisher with publisher confirms (every basic_publish waits
for the broker's ack) and a consumer (manual acks, prefetch 200) on the pair's own queue.
msgs/s = messages consumed by all pairs / (last consume - first publish). Every message is
checked (count, order, size). Rounds and paths are interleaved. Exit status 1 if any
message was lost or any connection failed, 77 if rabbitmq-server or python3-pika is missing.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "proxies"))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import proxyrun  # noqa: E402
from rabbitmq_node import RABBITMQ_SERVER, RabbitMQNode  # noqa: E402

try:
    import pika  # Debian's python3-pika: run with /usr/bin/python3
except ImportError:
    pika = None

SKIP = 77


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--warren", default=os.path.join(REPO, "build", "proxy", "warren"))
    p.add_argument("--proxies", default=",".join(proxyrun.PROXIES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--pairs", type=int, default=4, help="publisher/consumer pairs at once")
    p.add_argument("--messages", type=int, default=5000, help="messages per pair")
    p.add_argument("--size", type=int, default=512, help="message body bytes")
    p.add_argument("--tls", action="store_true",
                   help="clients use TLS 1.3 to the proxies (the direct path stays plaintext)")
    p.add_argument("--smoke", action="store_true", help="1 round, 2 pairs x 200 messages")
    p.add_argument("--json", metavar="FILE", help="write every raw result here")
    a = p.parse_args(argv)
    if a.smoke:
        a.rounds, a.pairs, a.messages = 1, 2, 200
    a.proxies = [x for x in a.proxies.split(",") if x]
    return a


# ------------------------------------------------------------------ worker processes

def connect(port, tls, name):
    params = dict(host="127.0.0.1", port=port, client_properties={"connection_name": name},
                  connection_attempts=1, socket_timeout=10, blocked_connection_timeout=30)
    if tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        params["ssl_options"] = pika.SSLOptions(ctx, "localhost")
    return pika.BlockingConnection(pika.ConnectionParameters(**params))


@contextlib.contextmanager
def client(res, port, tls, name):
    """A pika connection for one worker; any exception ends up in res["error"] (reported to
    the parent, which fails the run), and the connection is closed."""
    conn = None
    try:
        conn = connect(port, tls, name)
        yield conn
    except Exception as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        if conn is not None and conn.is_open:
            try:
                conn.close()
            except Exception:
                pass


def consumer(port, tls, queue, count, size, ready, go, out):
    """Declare `queue`, say ready, then consume `count` messages; check order and size."""
    res = {"role": "consumer", "queue": queue, "received": 0, "error": None}
    with client(res, port, tls, "e2e-consumer-" + queue) as conn:
        ch = conn.channel()
        ch.queue_declare(queue, auto_delete=True)
        ch.basic_qos(prefetch_count=200)
        ready.set()
        if not go.wait(60):
            raise RuntimeError("no start signal")
        for method, props, body in ch.consume(queue, inactivity_timeout=30):
            if method is None:
                raise RuntimeError("no message for 30 s after %d" % res["received"])
            if props.message_id != str(res["received"]) or len(body) != size:
                raise RuntimeError("message %d: got id %s, %d bytes"
                                   % (res["received"], props.message_id, len(body)))
            res["received"] += 1
            if res["received"] % 100 == 0 or res["received"] == count:
                ch.basic_ack(method.delivery_tag, multiple=True)
            if res["received"] == count:
                break
        res["end"] = time.time()
        ch.cancel()
    out.put(res)


def publisher(port, tls, queue, count, size, ready, go, out):
    """Wait for the start signal, then publish `count` confirmed messages to `queue`."""
    res = {"role": "publisher", "queue": queue, "published": 0, "error": None}
    with client(res, port, tls, "e2e-publisher-" + queue) as conn:
        ch = conn.channel()
        ch.confirm_delivery()
        body = os.urandom(size)
        ready.set()
        if not go.wait(60):
            raise RuntimeError("no start signal")
        res["start"] = time.time()
        for i in range(count):
            # With confirms on, this returns after the broker's ack (raises on a nack).
            ch.basic_publish("", queue, body, pika.BasicProperties(message_id=str(i)),
                             mandatory=True)
            res["published"] += 1
    out.put(res)


def run_path(a, port, tls, label):
    """All pairs at once through `port`; returns the run's record."""
    mp = multiprocessing.get_context("fork")
    out = mp.Queue()
    go = mp.Event()
    procs, readies = [], []
    for i in range(a.pairs):
        queue = "%s-%d-%d" % (label, os.getpid(), i)
        for role in (consumer, publisher):
            ready = mp.Event()
            readies.append(ready)
            procs.append(mp.Process(target=role, args=(port, tls, queue, a.messages, a.size,
                                                       ready, go, out), daemon=True))
    # Consumers first: their queues must exist before anything is published.
    for p in procs:
        p.start()
    deadline = time.monotonic() + 60
    while not all(r.is_set() for r in readies) and time.monotonic() < deadline:
        if any(p.exitcode not in (None, 0) for p in procs):
            break
        time.sleep(0.05)
    go.set()
    results = []
    limit = time.monotonic() + 120 + a.messages * a.pairs / 100.0
    while len(results) < len(procs) and time.monotonic() < limit:
        try:
            results.append(out.get(timeout=1))
        except Exception:
            if all(p.exitcode is not None for p in procs) and out.empty():
                break
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():
            p.terminate()  # our own child, by PID
            p.join(timeout=5)
    errors = [r["error"] for r in results if r["error"]]
    if len(results) < len(procs):
        errors.append("%d of %d processes did not report" % (len(procs) - len(results),
                                                              len(procs)))
    received = sum(r.get("received", 0) for r in results)
    if received != a.pairs * a.messages:
        errors.append("consumed %d of %d messages" % (received, a.pairs * a.messages))
    starts = [r["start"] for r in results if "start" in r]
    ends = [r["end"] for r in results if "end" in r]
    rate = None
    if not errors and starts and ends:
        rate = received / (max(ends) - min(starts))
    return {"path": label, "msgs_per_s": rate, "received": received, "errors": errors}


# ------------------------------------------------------------------ main

def start_nodes(work):
    """The proxy-protocol node and the plain one, started in parallel (5-9 s each)."""
    nodes = {"pp": RabbitMQNode(proxy_protocol=True, name_prefix="e2e-pp", parent_dir=work),
             "plain": RabbitMQNode(proxy_protocol=False, name_prefix="e2e-plain",
                                   parent_dir=work)}
    errors = {}

    def start(key):
        try:
            nodes[key].start()
        except Exception as e:
            errors[key] = e

    threads = [threading.Thread(target=start, args=(k,)) for k in nodes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for n in nodes.values():
            n.stop()
        raise RuntimeError("node start failed: %s" % errors)
    return nodes


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv):
    a = parse_args(argv)
    missing = [w for w, ok in (("rabbitmq-server", os.access(RABBITMQ_SERVER, os.X_OK)),
                               ("python3-pika (run with /usr/bin/python3)", pika is not None),
                               ("openssl", shutil.which("openssl")))
               if not ok]
    if missing:
        print("SKIP: missing: %s" % ", ".join(missing), file=sys.stderr)
        return SKIP
    proxies = [p for p in a.proxies if proxyrun.installed(p, a.warren)]
    for p in set(a.proxies) - set(proxies):
        print("note: %s is not installed, left out" % p, file=sys.stderr)

    work = tempfile.mkdtemp(prefix="warren-amqp-e2e-")
    old_term = signal.signal(signal.SIGTERM, _interrupt)
    records, nodes, rc = [], {}, 0
    try:
        certs = proxyrun.make_certificates(work) if a.tls else None
        t0 = time.monotonic()
        nodes = start_nodes(work)
        print("nodes ready after %.1f s" % (time.monotonic() - t0), file=sys.stderr)
        for rnd in range(1, a.rounds + 1):
            for path in ["direct"] + proxies:
                px = None
                try:
                    if path == "direct":
                        port, tls = nodes["plain"].amqp_port, False
                    else:
                        d = tempfile.mkdtemp(prefix="%s-%d-" % (path, rnd), dir=work)
                        px = proxyrun.Proxy(path, d, nodes["pp"].amqp_port, warren=a.warren,
                                            certs=certs, protocol="amqp", connections=1000)
                        port, tls = px.listen_port, a.tls
                    rec = run_path(a, port, tls, "%s-r%d" % (path, rnd))
                except RuntimeError as e:
                    rec = {"path": "%s-r%d" % (path, rnd), "msgs_per_s": None,
                           "errors": [str(e)]}
                finally:
                    if px is not None:
                        px.stop()
                rec.update(round=rnd, proxy=path)
                records.append(rec)
                print("round %d %-7s %s" % (rnd, path, "%.0f msgs/s" % rec["msgs_per_s"]
                                            if not rec["errors"] else
                                            "ERROR " + "; ".join(rec["errors"])),
                      file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        rc = 1
    except RuntimeError as e:
        print("error: %s" % e, file=sys.stderr)
        rc = 1
    finally:
        signal.signal(signal.SIGTERM, old_term)
        for n in nodes.values():
            n.stop()
        shutil.rmtree(work, ignore_errors=True)

    med = {}
    for p in ["direct"] + proxies:
        vals = [r["msgs_per_s"] for r in records if r["proxy"] == p and r["msgs_per_s"]]
        med[p] = statistics.median(vals) if vals else None
    print("AMQP 0-9-1 end to end (RabbitMQ, %d pairs x %d confirmed messages of %d B, %s "
          "clients, median of %d):" % (a.pairs, a.messages, a.size,
                                       "TLS 1.3" if a.tls else "plaintext", a.rounds))
    print("| path | msgs/s | / direct | warren / this |")
    print("|---|---|---|---|")
    for p, v in med.items():
        rd = "%.2f" % (v / med["direct"]) if v and med.get("direct") else "-"
        rw = "%.2f" % (med["warren"] / v) if v and med.get("warren") else "-"
        print("| %s | %s | %s | %s |" % (p, "%.0f" % v if v else "-", rd, rw))
    failed = [r for r in records if r["errors"]]
    print("%d runs, %d with errors" % (len(records), len(failed)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"settings": {k: getattr(a, k) for k in ("pairs", "messages", "size",
                                                               "tls", "rounds")},
                       "medians": med, "runs": records}, f, indent=1)
    return 1 if failed or rc else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
