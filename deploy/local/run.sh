#!/usr/bin/env bash
# Run Warren for real on one Debian 12 machine (as root): install the packages, build Warren
# (Release), start one RabbitMQ node with proxy_protocol = true, put Warren in front of it
# and print how to connect. Ctrl-C (or SIGTERM) stops Warren and the node.
#
#   sudo deploy/local/run.sh
#   WARREN_PORT=5673 RABBITMQ_PORT=5692 SKIP_APT=1 deploy/local/run.sh
#
# Environment:
#   WARREN_PORT    Warren's AMQP listener on 127.0.0.1 (default 5672)
#   WARREN_TLS_PORT  Warren's amqps:// (TLS) listener on 127.0.0.1 (default 5671)
#   RABBITMQ_PORT  the node's AMQP port on 127.0.0.1 (default 5682)
#   BUILD_DIR      CMake build directory (default <repo>/build)
#   SKIP_APT=1     do not apt-get update/install (packages already there, or not root)
#   SKIP_BUILD=1   use the warren binary already in BUILD_DIR
# Files: deploy/local/.run/ (git-ignored): warren.toml, certs/, warren.log, rabbitmq.env.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/deploy/local
RUN_DIR=$HERE/.run
WARREN_PORT=${WARREN_PORT:-5672}
WARREN_TLS_PORT=${WARREN_TLS_PORT:-5671}
RABBITMQ_PORT=${RABBITMQ_PORT:-5682}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
SKIP_APT=${SKIP_APT:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
PYTHON=/usr/bin/python3   # Debian's python3-pika lives there, whatever python3 is on PATH

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

port_in_use() {  # 127.0.0.1:$1 has a listening socket
  ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# ---------------------------------------------------------------- packages
if [[ $SKIP_APT != 1 ]]; then
  [[ $EUID -eq 0 ]] || die "installing packages needs root (or set SKIP_APT=1)"
  say "Debian packages"
  "$ROOT/deploy/packages/install.sh" "$ROOT/deploy/packages/build.txt" "$ROOT/deploy/packages/run.txt"
fi
for tool in cmake ninja openssl ss "$PYTHON"; do
  command -v "$tool" >/dev/null || die "$tool not found (run without SKIP_APT=1)"
done
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || die "rabbitmq-server is not installed"

for port in "$WARREN_PORT" "$WARREN_TLS_PORT" "$RABBITMQ_PORT"; do
  if port_in_use "$port"; then
    ss -Htlnp "sport = :$port" >&2 || true
    die "port $port is in use (a system rabbitmq-server on 5672? 'systemctl disable --now \
rabbitmq-server', or choose WARREN_PORT=/RABBITMQ_PORT=)"
  fi
done

# ---------------------------------------------------------------- build
WARREN=$BUILD_DIR/proxy/warren
if [[ $SKIP_BUILD != 1 ]]; then
  say "build Warren (Release) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" --target warren
fi
[[ -x $WARREN ]] || die "$WARREN not found"

# ---------------------------------------------------------------- files
mkdir -p "$RUN_DIR/certs"
CERTS=$RUN_DIR/certs
if [[ ! -s $CERTS/server.crt ]]; then
  # A local CA and a server certificate for localhost/127.0.0.1, for the TLS listener.
  # Clients trust ca.crt.
  say "certificates in $CERTS"
  (
    cd "$CERTS"
    umask 077
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 825 \
      -subj "/CN=Warren local CA" -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=localhost" \
      -keyout server.key -out server.csr 2>/dev/null
    printf '%s\n' "subjectAltName = DNS:localhost, IP:127.0.0.1" \
      "basicConstraints = critical, CA:FALSE" \
      "keyUsage = critical, digitalSignature, keyEncipherment" \
      "extendedKeyUsage = serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
      -sha256 -extfile server.ext -out server.crt 2>/dev/null
    rm -f server.csr server.ext ca.srl
    chmod 644 ca.crt server.crt
  )
  openssl verify -CAfile "$CERTS/ca.crt" "$CERTS/server.crt" >/dev/null \
    || die "generated certificate does not verify"
fi

cat >"$RUN_DIR/warren.toml" <<EOF
# Written by deploy/local/run.sh; rewritten on every run.
[global]
workers = 2
log_level = "info"
shutdown_timeout = "5s"

[[listener]]
name = "amqp"
address = "127.0.0.1:$WARREN_PORT"
cluster = "rabbit"

# amqps:// clients: TLS terminated by Warren, PROXY v2 with TLS TLVs to the node.
[[listener]]
name = "amqps"
address = "127.0.0.1:$WARREN_TLS_PORT"
cluster = "rabbit"
  [listener.tls]
  certificate = [ { cert = "$CERTS/server.crt", key = "$CERTS/server.key" } ]

[[cluster]]
name = "rabbit"
proxy_protocol = "v2"

[[cluster.node]]
address = "127.0.0.1:$RABBITMQ_PORT"
EOF
"$WARREN" check "$RUN_DIR/warren.toml" >/dev/null || die "warren check $RUN_DIR/warren.toml failed"

# ---------------------------------------------------------------- processes
NODE_PID=""
WARREN_PID=""

# shellcheck disable=SC2317  # (called from the traps)
stop_pid() {  # stop_pid PID NAME SECONDS: SIGTERM, wait (bounded), then SIGKILL
  local pid=$1 name=$2 secs=$3 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "run.sh: $name (pid $pid) did not stop in ${secs}s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317
cleanup() {
  trap - INT TERM EXIT
  say "stopping"
  stop_pid "$WARREN_PID" warren 10
  stop_pid "$NODE_PID" rabbitmq 60   # the node needs a few seconds to stop cleanly
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "start RabbitMQ on 127.0.0.1:$RABBITMQ_PORT (proxy_protocol = true)"
rm -f "$RUN_DIR/rabbitmq.env"
"$PYTHON" "$HERE/start_rabbitmq.py" --port "$RABBITMQ_PORT" --info "$RUN_DIR/rabbitmq.env" \
  --dir "$RUN_DIR" &
NODE_PID=$!
for ((i = 0; i < 900; i++)); do   # 90 s
  [[ -s $RUN_DIR/rabbitmq.env ]] && break
  kill -0 "$NODE_PID" 2>/dev/null || die "RabbitMQ did not start (see above)"
  sleep 0.1
done
[[ -s $RUN_DIR/rabbitmq.env ]] || die "RabbitMQ not ready after 90 s"
# shellcheck disable=SC1091
. "$RUN_DIR/rabbitmq.env"

say "start Warren on 127.0.0.1:$WARREN_PORT (log: $RUN_DIR/warren.log)"
"$WARREN" run -c "$RUN_DIR/warren.toml" 2> >(tee "$RUN_DIR/warren.log" >&2) &
WARREN_PID=$!
for ((i = 0; i < 100; i++)); do   # 10 s
  port_in_use "$WARREN_PORT" && break
  kill -0 "$WARREN_PID" 2>/dev/null || die "Warren exited (see above)"
  sleep 0.1
done
port_in_use "$WARREN_PORT" || die "Warren not listening on $WARREN_PORT after 10 s"

cat <<EOF

Warren 127.0.0.1:$WARREN_PORT (and TLS on $WARREN_TLS_PORT) -> RabbitMQ $RABBITMQ_NODENAME 127.0.0.1:$RABBITMQ_PORT (PROXY v2)

Publish and get one message through Warren (guest/guest):

  /usr/bin/python3 -c 'import pika, time
c = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", $WARREN_PORT, credentials=pika.PlainCredentials("guest", "guest"), client_properties={"connection_name": "hello-warren"}))
ch = c.channel(); ch.queue_declare("hello")
ch.basic_publish("", "hello", b"hello through warren")
print(ch.basic_get("hello", auto_ack=True)[2])
time.sleep(30); c.close()'

While it sleeps (30 s), the broker shows the client's own address as peer_host:peer_port
(from the PROXY header: the same port as client= in Warren's log, not Warren's outgoing
port; from another machine, its IP) and Warren's listener as host:port:

  $RABBITMQ_CTL list_connections name peer_host peer_port host port

The same over TLS (amqps://, port $WARREN_TLS_PORT; the client trusts the generated CA):

  /usr/bin/python3 -c 'import pika, ssl
ctx = ssl.create_default_context(cafile="$CERTS/ca.crt")
c = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", $WARREN_TLS_PORT, credentials=pika.PlainCredentials("guest", "guest"), ssl_options=pika.SSLOptions(ctx, server_hostname="localhost")))
ch = c.channel(); ch.queue_declare("hello")
ch.basic_publish("", "hello", b"hello through warren over TLS")
print(ch.basic_get("hello", auto_ack=True)[2]); c.close()'

A failed handshake is logged with its cause, e.g. try: openssl s_client -connect 127.0.0.1:$WARREN_TLS_PORT -tls1_1
Ctrl-C stops Warren and the node.
EOF

# Wait for Warren; a trapped signal interrupts the wait and runs cleanup.
set +e
wait "$WARREN_PID"
rc=$?
set -e
WARREN_PID=""
echo "run.sh: warren exited with $rc" >&2
exit "$rc"
