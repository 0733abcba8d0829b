#!/usr/bin/python3
"""/metrics and the admin API of the real warren binary: `promtool check metrics` on a real
scrape (no warnings), a real Prometheus server scraping Warren every second and answering
a query with the number of connections made, the families and label names of a scrape
against the checked-in list (metric_families.txt: none renamed or lost), and the API's
answers (readyz, clusters, drain, reload) over HTTP. A Python echo server stands in for the
broker.

    /usr/bin/python3 test_metrics.py --warren build/proxy/warren [unittest args]
"""

import argparse
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

OPTS = None
CONNECTIONS = 7
FAMILIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metric_families.txt")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def http(method, url, body=None, timeout=10):
    """(status, body text) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def echo_once(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        c.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = c.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def families(metrics_text):
    """["name type label,label" (or "-")] of a scrape, sorted: a histogram's `le` and the
    suffixes of its series are the family's, not labels of their own."""
    types = {}
    labels = {}
    for line in metrics_text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            labels.setdefault(name, set())
        elif line and not line.startswith("#"):
            series = line.split(" ")[0]
            name, _, rest = series.partition("{")
            if name not in types:
                for suffix in HISTOGRAM_SUFFIXES:
                    if name.endswith(suffix) and types.get(name[:-len(suffix)]) == "histogram":
                        name = name[:-len(suffix)]
            names = {pair.split("=")[0] for pair in rest.rstrip("}").split(",") if pair}
            labels.setdefault(name, set()).update(names - {"le"})
    return sorted("%s %s %s" % (name, types.get(name, "untyped"), ",".join(sorted(labels[name])) or "-")
                  for name in labels)


def sample(metrics_text, series):
    """Value of the sample line `series value`, or None."""
    for line in metrics_text.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[-1])
    return None


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="warren-metrics-")
        cls.echo = EchoServer(("127.0.0.1", 0), EchoHandler)
        threading.Thread(target=cls.echo.serve_forever, daemon=True).start()
        cls.port, cls.admin_port, cls.amqp_port = harness.free_ports(3)
        cls.config = f"""
[global]
workers = 2
shutdown_timeout = "2s"

[admin]
address = "127.0.0.1:{cls.admin_port}"

[[listener]]
name = "front"
address = "127.0.0.1:{cls.port}"
cluster = "echo"
protocol = "tcp"

[[listener]]
name = "amqp"
address = "127.0.0.1:{cls.amqp_port}"
cluster = "echo"
protocol = "amqp"

[[cluster]]
name = "echo"
[[cluster.node]]
address = "127.0.0.1:{cls.echo.server_address[1]}"
"""
        cls.warren = harness.WarrenProcess("warren", workdir=cls.tmp, binary=OPTS.warren,
                                           ports=[cls.port, cls.admin_port, cls.amqp_port], config=cls.config)
        cls.warren.start()
        for i in range(CONNECTIONS):
            payload = b"x" * (1000 + i)
            assert echo_once(cls.port, payload) == payload, "echo through Warren failed"
        # One client that speaks HTTP to the AMQP listener: Warren answers with the AMQP
        # header and closes (the amqp_* families get a sample of their own).
        with socket.create_connection(("127.0.0.1", cls.amqp_port), timeout=10) as c:
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            while c.recv(65536):
                pass
        cls.admin = "http://127.0.0.1:%d" % cls.admin_port
        # The last close may still be in flight on a worker: wait until every one is counted.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = http("GET", cls.admin + "/metrics")[1]
            if (sample(text, 'warren_connections_active{listener="front"}') == 0
                    and sample(text, 'warren_connections_active{listener="amqp"}') == 0):
                break
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.warren.stop()
        cls.echo.shutdown()
        cls.echo.server_close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_scrape_counts_and_promtool_accepts_it(self):
        status, text = http("GET", self.admin + "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(sample(text, 'warren_connections_accepted_total{listener="front"}'), CONNECTIONS)
        self.assertEqual(sample(text, 'warren_connections_closed_total{listener="front",reason="client_closed"}'),
                         CONNECTIONS)
        relayed = sum(1000 + i for i in range(CONNECTIONS))
        self.assertEqual(sample(text, 'warren_relayed_bytes_total{listener="front",direction="client_to_node"}'),
                         relayed)
        self.assertRegex(text, r'warren_build_info\{version="[^"]+",commit="[^"]+"\} 1')
        self.assertGreater(sample(text, "warren_config_last_reload_success_timestamp_seconds"), 1.6e9)
        check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True,
                               timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())
        self.assertEqual(check.stdout.decode().strip() + check.stderr.decode().strip(), "",
                         "promtool reported problems")

    def test_families_and_labels_match_the_checked_in_list(self):
        status, text = http("GET", self.admin + "/metrics")
        self.assertEqual(status, 200)
        with open(FAMILIES) as f:
            expected = [line.strip() for line in f if line.strip() and not line.startswith("#")]
        self.maxDiff = None
        self.assertEqual(families(text), sorted(expected),
                         "a metric family or label was added, renamed or lost: update %s only for an "
                         "intended change" % FAMILIES)
        self.assertEqual(sample(text, 'warren_amqp_misdirected_total{listener="amqp",kind="http"}'), 1)

    def test_prometheus_scrapes_and_answers_a_query(self):
        prom_port = harness.free_port()
        prom_dir = tempfile.mkdtemp(prefix="prometheus-", dir=self.tmp)
        with open(os.path.join(prom_dir, "prometheus.yml"), "w") as f:
            f.write(f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: warren
    static_configs:
      - targets: ["127.0.0.1:{self.admin_port}"]
""")
        prom = harness.WarrenProcess("prometheus", dir=prom_dir, ports=[prom_port])
        prom.start(timeout=60, cmd=["prometheus", "--config.file=" + os.path.join(prom_dir, "prometheus.yml"),
                                    "--storage.tsdb.path=" + os.path.join(prom_dir, "data"),
                                    "--web.listen-address=127.0.0.1:%d" % prom_port])
        self.addCleanup(prom.stop)
        url = ("http://127.0.0.1:%d/api/v1/query?query=" % prom_port
               + urllib.parse.quote('warren_connections_accepted_total{listener="front"}'))
        deadline = time.monotonic() + 60
        result = None
        while time.monotonic() < deadline:
            status, body = http("GET", url)
            if status == 200:
                result = json.loads(body)["data"]["result"]
                if result:
                    break
            time.sleep(0.5)
        self.assertTrue(result, "Prometheus returned no sample within 60 s\n" + prom.log_tail())
        self.assertEqual(result[0]["metric"]["job"], "warren")
        self.assertEqual(float(result[0]["value"][1]), CONNECTIONS)
        # The scrape itself was healthy.
        status, body = http("GET", "http://127.0.0.1:%d/api/v1/query?query=up" % prom_port)
        self.assertEqual(json.loads(body)["data"]["result"][0]["value"][1], "1")

    def test_admin_api(self):
        self.assertEqual(http("GET", self.admin + "/healthz"), (200, "ok\n"))
        self.assertEqual(http("GET", self.admin + "/readyz")[0], 200)
        status, body = http("GET", self.admin + "/api/clusters")
        self.assertEqual(status, 200)
        node = "127.0.0.1:%d" % self.echo.server_address[1]
        self.assertEqual(json.loads(body)["clusters"][0]["nodes"][0]["address"], node)
        quoted = urllib.parse.quote(node, safe="")
        status, body = http("POST", self.admin + "/api/clusters/echo/nodes/%s/drain" % quoted)
        self.assertEqual(status, 200, body)
        self.assertEqual(http("GET", self.admin + "/readyz")[0], 503)
        self.assertEqual(http("POST", self.admin + "/api/clusters/echo/nodes/0/undrain")[0], 200)
        self.assertEqual(http("GET", self.admin + "/readyz")[0], 200)
        status, body = http("POST", self.admin + "/api/clusters/echo/nodes/0/weight?weight=1001")
        self.assertEqual(status, 400, body)
        # A reload through the API applies the edited file: the node's weight from the file,
        # counted as a successful reload.
        before = sample(http("GET", self.admin + "/metrics")[1], 'warren_config_reloads_total{result="success"}')
        self.addCleanup(self.warren.write_config, self.config)
        with open(self.warren.config_path, "w") as f:
            f.write(self.config.replace('address = "%s"\n' % node, 'address = "%s"\nweight = 7\n' % node))
        status, body = http("POST", self.admin + "/api/reload")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["result"], "ok")
        status, body = http("GET", self.admin + "/api/clusters")
        self.assertEqual(json.loads(body)["clusters"][0]["nodes"][0]["weight"], 7)
        after = sample(http("GET", self.admin + "/metrics")[1], 'warren_config_reloads_total{result="success"}')
        self.assertEqual(after, before + 1)

    def test_reload_reports_an_invalid_file(self):
        with open(self.warren.config_path, "w") as f:
            f.write(self.config.replace('name = "front"', 'name = "front"\nbogus = 1'))
        self.addCleanup(self.warren.write_config, self.config)
        status, body = http("POST", self.admin + "/api/reload")
        self.assertEqual(status, 500, body)
        self.assertRegex(json.loads(body)["error"], r"warren\.toml:\d+:\d+: listener\[0\]\.bogus: unknown key")
        text = http("GET", self.admin + "/metrics")[1]
        self.assertGreaterEqual(sample(text, 'warren_config_reloads_total{result="failure"}'), 1)


def main():
    global OPTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--warren", required=True)
    OPTS, rest = parser.parse_known_args()
    OPTS.warren = harness.executable_warren(OPTS.warren)
    if OPTS.warren is None:
        return 2
    if harness.missing_prerequisites([("promtool (prometheus)", shutil.which("promtool")),
                                      ("prometheus", shutil.which("prometheus"))]):
        return harness.SKIP
    return harness.run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
