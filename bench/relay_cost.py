#!/usr/bin/python3
"""Warren's CPU cost per relayed byte, AMQP listener (handshake read by the sniffer) vs a
plain TCP listener, interleaved rounds, same run. Shows that once the AMQP handshake is
over the relay does no per-byte AMQP work.

    bench/relay_cost.py --warren build/proxy/warren [--mib 1024] [--rounds 3]

One Warren (1 worker), two listeners (protocol "amqp" and "tcp") to one sink backend.
Each round: for each listener, a client does an AMQP 0-9-1 handshake with the fake broker
(the sink answers it), then sends --mib MiB; Warren's user+system CPU time is read from
/proc before and after. Prints ns of Warren CPU per byte, medians, and the ratio.
"""

import argparse
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HEADER = b"AMQP\x00\x00\x09\x01"


def method(cls, meth, args):
    payload = struct.pack(">HH", cls, meth) + args
    return struct.pack(">BHI", 1, 0, len(payload)) + payload + b"\xce"


def shortstr(s):
    return bytes([len(s)]) + s


def longstr(s):
    return struct.pack(">I", len(s)) + s


START = method(10, 10, b"\x00\x09" + longstr(b"") + longstr(b"PLAIN") + longstr(b"en_US"))
START_OK = method(10, 11, longstr(b"") + shortstr(b"PLAIN") + longstr(b"\x00guest\x00guest") + shortstr(b"en_US"))
TUNE = method(10, 30, struct.pack(">HIH", 2047, 131072, 0))
TUNE_OK = method(10, 31, struct.pack(">HIH", 2047, 131072, 0))
OPEN = method(10, 40, shortstr(b"/") + shortstr(b"") + b"\x00")
OPEN_OK = method(10, 41, shortstr(b""))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        part = s.recv(n - len(buf))
        if not part:
            raise EOFError
        buf += part
    return buf


def sink_server(listener):
    """Fake broker: answers the handshake, then swallows everything."""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        def serve(c):
            with c:
                try:
                    handshake(c)
                except (EOFError, OSError):  # the readiness probe
                    return
                while c.recv(1 << 20):
                    pass
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def handshake(c):
    """The broker's side of the AMQP 0-9-1 handshake."""
    recv_exact(c, len(HEADER))
    c.sendall(START)
    recv_exact(c, len(START_OK))
    c.sendall(TUNE)
    recv_exact(c, len(TUNE_OK) + len(OPEN))
    c.sendall(OPEN_OK)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_transfer(port, total):
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(HEADER)
        recv_exact(c, len(START))
        c.sendall(START_OK)
        recv_exact(c, len(TUNE))
        c.sendall(TUNE_OK + OPEN)
        recv_exact(c, len(OPEN_OK))
        block = b"x" * (1 << 20)
        sent = 0
        while sent < total:
            c.sendall(block)
            sent += len(block)
        c.shutdown(socket.SHUT_WR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warren", required=True)
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    opts = ap.parse_args()

    backend = socket.socket()
    backend.bind(("127.0.0.1", 0))
    backend.listen(16)
    threading.Thread(target=sink_server, args=(backend,), daemon=True).start()
    node_port = backend.getsockname()[1]
    amqp_port, tcp_port = free_port(), free_port()
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "warren.toml")
    with open(cfg, "w") as f:
        f.write(f"""
[global]
workers = 1
log_level = "warn"
[[listener]]
name = "amqp"
address = "127.0.0.1:{amqp_port}"
cluster = "sink"
protocol = "amqp"
[[listener]]
name = "tcp"
address = "127.0.0.1:{tcp_port}"
cluster = "sink"
protocol = "tcp"
[[cluster]]
name = "sink"
node = [{{ address = "127.0.0.1:{node_port}" }}]
""")
    warren = subprocess.Popen([opts.warren, "run", "-c", cfg], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", tcp_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        total = opts.mib << 20
        results = {"amqp": [], "tcp": []}
        for _ in range(opts.rounds):
            for name, port in (("amqp", amqp_port), ("tcp", tcp_port)):
                before = cpu_seconds(warren.pid)
                one_transfer(port, total)
                time.sleep(0.3)  # let Warren finish relaying the tail
                results[name].append((cpu_seconds(warren.pid) - before) * 1e9 / total)
        med = {k: statistics.median(v) for k, v in results.items()}
        print(f"bytes per transfer: {total}, rounds: {opts.rounds}")
        for k, v in results.items():
            print(f"{k:5s} listener: " + " ".join(f"{x:.3f}" for x in v) + f"  median {med[k]:.3f} ns/B")
        print(f"amqp / tcp = {med['amqp'] / med['tcp']:.3f}")
    finally:
        warren.terminate()
        warren.wait(timeout=10)
        backend.close()


if __name__ == "__main__":
    sys.exit(main())
