#!/bin/sh
# Warren vs HAProxy vs nginx side by side (bench/compare.py; options: --help, README.md).
# Run with Debian's python3 (/usr/bin/python3): amqp_e2e.py, called by --amqp, needs its pika.
exec /usr/bin/python3 "$(dirname "$0")/compare.py" "$@"
