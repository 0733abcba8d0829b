"""Start Warren, HAProxy or nginx from the templates in this folder (or the minimal relay,
bench/minimal/main.cc, from its command line), for bench/compare.py and
bench/amqp_e2e.py: certificates, config rendering, core pinning, the PIDs whose CPU counts,
bounded start and stop. Standard library only.

Every process is started in its own session and stopped by its PID (SIGTERM, then SIGKILL
to its process group), with bounded waits.
"""

import os
import resource
import shutil
import signal
import socket
import string
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# "minimal": warren-minimal-relay, the simplest TLS + PROXY v2 relay (no product: what the
# kernel and BoringSSL cost).
PROXIES = ("warren", "haproxy", "nginx", "minimal")
NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"

# One cipher order for all three (AES-128-GCM first, as BoringSSL's default), so that the
# bulk figures compare the same cipher.
TLS12_CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384")
TLS13_CIPHERSUITES = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384"

# PROXY protocol version each proxy sends to its backend (nginx can only send v1).
PROXY_PROTOCOL = {"warren": "v2", "haproxy": "v2", "nginx": "v1", "minimal": "v2"}


def raise_nofile():
    """Soft RLIMIT_NOFILE up to the hard limit (inherited by every child); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def minimal_binary(warren):
    """warren-minimal-relay of the same build as `warren` (BUILD/proxy/warren)."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(warren or ".")))
    return os.path.join(build, "bench", "warren-minimal-relay")


def installed(proxy, warren=None):
    """True if `proxy` can run here."""
    if proxy == "minimal":
        return bool(warren) and os.access(minimal_binary(warren), os.X_OK)
    if proxy == "warren":
        return bool(warren) and os.access(warren, os.X_OK)
    if proxy == "haproxy":
        return shutil.which("haproxy") is not None
    if proxy == "nginx":
        return shutil.which("nginx") is not None and os.path.exists(NGINX_STREAM_MODULE)
    return False


def version(proxy, warren=None):
    """One line: the proxy's version, or "not installed"."""
    if not installed(proxy, warren):
        return "not installed"
    if proxy == "minimal":
        return "warren-minimal-relay of this tree (bench/minimal/main.cc)"
    cmd = {"warren": [warren, "--version"], "haproxy": ["haproxy", "-v"],
           "nginx": ["nginx", "-v"]}[proxy]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "unknown (%s)" % e
    out = (r.stdout + r.stderr).strip().splitlines()
    return out[0] if out else "unknown"


def make_certificates(directory):
    """Self-signed ECDSA P-256 and RSA-2048 certificates for `localhost` (openssl CLI);
    returns a dict of paths: ecdsa_crt, ecdsa_key, rsa_crt, rsa_key, and ecdsa_pem, rsa_pem
    (certificate + key in one file, for HAProxy)."""
    paths = {}
    for kind, newkey in (("ecdsa", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                         ("rsa", ["-newkey", "rsa:2048"])):
        crt = os.path.join(directory, kind + ".crt")
        key = os.path.join(directory, kind + ".key")
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "30"] + newkey +
                       ["-keyout", key, "-out", crt, "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        pem = os.path.join(directory, kind + ".pem")
        with open(pem, "w") as out:
            for part in (crt, key):
                with open(part) as f:
                    out.write(f.read())
        paths.update({kind + "_crt": crt, kind + "_key": key, kind + "_pem": pem})
    return paths


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_listening(port):
    """A LISTEN socket on 127.0.0.1:port, from /proc/net/tcp (no probe connection)."""
    want = "0100007F:%04X" % port
    with open("/proc/net/tcp") as f:
        next(f)
        return any(line.split()[1] == want and line.split()[3] == "0A" for line in f)


def _template(name):
    with open(os.path.join(HERE, name)) as f:
        return string.Template(f.read())


def render(proxy, directory, listen_port, backend_port, certs=None, protocol="tcp",
           connections=10000):
    """Write `proxy`'s config into `directory`; returns its path. `certs` (from
    make_certificates) turns TLS on; `connections` sizes the connection limits."""
    nofile = raise_nofile()
    v = dict(dir=directory, listen_port=listen_port, backend_port=backend_port,
             protocol=protocol, maxconn=connections + 64, nofile=nofile,
             worker_connections=2 * connections + 64, tls12_ciphers=TLS12_CIPHERS,
             tls13_ciphersuites=TLS13_CIPHERSUITES, **(certs or {}))
    if proxy == "warren":
        v["tls_table"] = _template("warren-tls.toml").substitute(v) if certs else ""
        name = "warren.toml"
    elif proxy == "haproxy":
        v["bind_tls"] = (" ssl crt %s crt %s" % (certs["ecdsa_pem"], certs["rsa_pem"])
                         if certs else "")
        name = "haproxy.cfg"
    else:
        v["listen_ssl"] = " ssl" if certs else ""
        v["ssl_directives"] = _template("nginx-tls.conf").substitute(v) if certs else ""
        name = "nginx.conf"
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(_template(name).substitute(v))
    return path


def children(pid):
    """PIDs of `pid`'s children (all threads' children lists)."""
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


class Process:
    """A process in its own session, output to a log file, optionally pinned to `cpu`."""

    def __init__(self, cmd, log_path, cpu=None, cwd=None):
        self.cmd = (["taskset", "-c", str(cpu)] if cpu is not None else []) + list(cmd)
        self.log_path = log_path
        with open(log_path, "wb") as log:
            # taskset execs the command: the PID is the command's own.
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=cwd,
                                         start_new_session=True)
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self, term_grace=10.0, kill_grace=5.0):
        """SIGTERM to the PID and wait; then SIGKILL to its process group. Returns the exit
        code (None if it had to be killed)."""
        if self.proc.poll() is not None:
            return self.proc.returncode
        try:
            os.kill(self.pid, signal.SIGTERM)
            return self.proc.wait(timeout=term_grace)
        except ProcessLookupError:
            return self.proc.poll()
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=kill_grace)
        except subprocess.TimeoutExpired:
            pass
        return None


class Proxy(Process):
    """One proxy from its template, listening on 127.0.0.1:listen_port, ready when it listens.
    `cpu_pids` are the PIDs whose CPU time is the proxy's (nginx: the worker)."""

    def __init__(self, proxy, directory, backend_port, warren=None, certs=None,
                 protocol="tcp", connections=10000, cpu=None, start_timeout=15.0, sig="ecdsa"):
        self.name = proxy
        self.dir = directory
        self.listen_port = free_port()
        if proxy == "minimal":
            # One certificate: the one the phase's clients accept (`sig`: ecdsa or rsa).
            self.config = None
            tls = ["--cert", certs[sig + "_crt"], "--key", certs[sig + "_key"]] if certs else []
            cmd = [minimal_binary(warren), "--listen", "127.0.0.1:%d" % self.listen_port,
                   "--backend", "127.0.0.1:%d" % backend_port] + tls
        else:
            self.config = render(proxy, directory, self.listen_port, backend_port, certs,
                                 protocol, connections)
            cmd = {"warren": [warren, "run", "-c", self.config],
                   "haproxy": ["haproxy", "-db", "-f", self.config],
                   "nginx": ["nginx", "-p", directory, "-e", os.path.join(directory, "error.log"),
                             "-c", self.config]}[proxy]
        super().__init__(cmd, os.path.join(directory, proxy + ".log"), cpu, cwd=directory)
        self.cpu_pids = [self.pid]
        deadline = time.monotonic() + start_timeout
        while True:
            if not self.alive():
                raise RuntimeError("%s exited with %s before listening:\n%s%s"
                                   % (proxy, self.proc.returncode, self.log_tail(),
                                      self._error_log()))
            ready = tcp_listening(self.listen_port)
            if ready and proxy == "nginx":
                workers = children(self.pid)
                ready = bool(workers)
                self.cpu_pids = workers
            if ready:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s not listening after %.0f s:\n%s%s"
                                   % (proxy, start_timeout, self.log_tail(), self._error_log()))
            time.sleep(0.05)

    def _error_log(self):
        try:
            with open(os.path.join(self.dir, "error.log"), errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""
