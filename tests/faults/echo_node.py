#!/usr/bin/python3
"""A plain TCP echo "node" for the fault tests: one process per node, so that a test can kill
a node by its PID (tests/faults/faults.py starts it).

    /usr/bin/python3 echo_node.py --port PORT [--host 127.0.0.1]

One thread, epoll (selectors), non-blocking sockets. Every byte read is written back in order.
A connection whose echo cannot be written (its peer does not read) stops being read until the
pending bytes are gone: the node holds at most one read (256 KiB) per connection, and the
backpressure reaches the sender as it would with a real broker that stops reading.
"""

import argparse
import resource
import selectors
import signal
import socket
import sys

READ_SIZE = 256 * 1024


def send_some(s, data):
    """Bytes of `data` the socket took (0 when full), or None when the connection failed."""
    try:
        return s.send(data)
    except (BlockingIOError, InterruptedError):
        return 0
    except OSError:
        return None


def serve(host, port):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(4096)
    listener.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    pending = {}  # socket -> memoryview of bytes still to write back
    buf = bytearray(READ_SIZE)
    view = memoryview(buf)

    def close(s):
        pending.pop(s, None)
        sel.unregister(s)
        s.close()

    while True:
        for key, events in sel.select():
            s = key.fileobj
            if s is listener:
                for _ in range(256):
                    try:
                        c, _ = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:  # out of descriptors: try again on the next event
                        break
                    c.setblocking(False)
                    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sel.register(c, selectors.EVENT_READ, None)
                continue
            if events & selectors.EVENT_WRITE:
                rest = pending[s]
                n = send_some(s, rest)
                if n is None:
                    close(s)
                    continue
                if n < len(rest):
                    pending[s] = rest[n:]
                else:
                    del pending[s]
                    sel.modify(s, selectors.EVENT_READ, None)
                continue
            try:
                n = s.recv_into(buf)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                close(s)
                continue
            if n == 0:
                close(s)
                continue
            sent = send_some(s, view[:n])
            if sent is None:
                close(s)
                continue
            if sent < n:
                pending[s] = memoryview(bytes(view[sent:n]))
                sel.modify(s, selectors.EVENT_WRITE, None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
