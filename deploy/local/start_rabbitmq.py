#!/usr/bin/python3
"""Start one RabbitMQ node (proxy_protocol = true) for deploy/local/run.sh and keep it up.

    /usr/bin/python3 deploy/local/start_rabbitmq.py --port 5682 --info .run/rabbitmq.env

The node itself is tests/integration/rabbitmq_node.py (one implementation for tests and
this script). When it is ready this writes --info (shell-sourceable: RABBITMQ_NODENAME,
RABBITMQ_PORT, RABBITMQ_CTL) and prints one line; it then waits until SIGTERM/SIGINT (or the
node dies), stops the node and removes its directory and the info file.
"""

import argparse
import os
import shlex
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from rabbitmq_node import RabbitMQNode  # noqa: E402


class Stop(Exception):
    pass


def on_signal(signum, frame):
    raise Stop(signal.Signals(signum).name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=int(os.environ.get("RABBITMQ_PORT", "5682")),
                    help="AMQP port on 127.0.0.1 (default $RABBITMQ_PORT or 5682)")
    ap.add_argument("--info", help="write node name, port and rabbitmqctl command here")
    ap.add_argument("--dir", help="parent directory for the node's files (default $TMPDIR)")
    ap.add_argument("--no-proxy-protocol", action="store_true")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    node = RabbitMQNode(proxy_protocol=not args.no_proxy_protocol, name_prefix="warren-local",
                        amqp_port=args.port, parent_dir=args.dir)
    try:
        node.start()
        if args.info:
            tmp = args.info + ".tmp"
            with open(tmp, "w") as f:
                f.write("RABBITMQ_NODENAME=%s\n" % shlex.quote(node.nodename))
                f.write("RABBITMQ_PORT=%d\n" % node.amqp_port)
                f.write("RABBITMQ_DIR=%s\n" % shlex.quote(node.dir))
                f.write("RABBITMQ_CTL=%s\n" % shlex.quote(node.ctl_command_line()))
            os.replace(tmp, args.info)  # appears complete or not at all
        print("rabbitmq: node %s ready on %s in %.1f s (proxy_protocol = %s), logs in %s"
              % (node.nodename, node.amqp_address, node.startup_seconds,
                 str(node.proxy_protocol).lower(), os.path.dirname(node.log_file)), flush=True)
        while node.proc.poll() is None:
            time.sleep(1)
        print("rabbitmq: node exited with %s\n%s" % (node.proc.returncode, node.diagnostics()),
              file=sys.stderr)
        return 1
    except Stop as e:
        print("rabbitmq: %s, stopping node %s" % (e, node.nodename), flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if args.info and os.path.exists(args.info):
            os.unlink(args.info)
        node.stop()


if __name__ == "__main__":
    sys.exit(main())
