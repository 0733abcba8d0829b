#!/usr/bin/python3
"""docs/examples/ against the real tools: every Warren example passes `warren check`, the
HAProxy original of docs/migrating-from-haproxy.md passes `haproxy -c -f`. The files name
/etc/warren/... and /etc/haproxy/...: the test lays those out in a temp dir with the test
certificates (tests/fixtures/tls) and rewrites the paths. Nothing is started; ~1 s.

    /usr/bin/python3 test_examples.py --warren build/proxy/warren --source-dir . [unittest args]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import executable_warren, run_tests  # noqa: E402

OPTS = None


class Examples(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="warren-examples-")
        self.addCleanup(shutil.rmtree, self.tmp)
        fixtures = os.path.join(OPTS.source_dir, "tests", "fixtures", "tls")
        for d in ("warren/tls", "haproxy/tls"):
            os.makedirs(os.path.join(self.tmp, d))
        shutil.copyfile(os.path.join(fixtures, "rabbit-ecdsa.crt"), os.path.join(self.tmp, "warren/tls/rabbit.crt"))
        shutil.copyfile(os.path.join(fixtures, "rabbit-ecdsa.key"), os.path.join(self.tmp, "warren/tls/rabbit.key"))
        with open(os.path.join(self.tmp, "warren/admin.token"), "w") as f:
            f.write("example-token\n")
        with open(os.path.join(self.tmp, "haproxy/tls/rabbit.pem"), "w") as pem:
            for name in ("rabbit-ecdsa.crt", "rabbit-ecdsa.key"):
                with open(os.path.join(fixtures, name)) as f:
                    pem.write(f.read())

    def laid_out(self, name):
        with open(os.path.join(OPTS.source_dir, "docs", "examples", name)) as f:
            text = f.read()
        text = text.replace("/etc/warren/", self.tmp + "/warren/").replace("/etc/haproxy/", self.tmp + "/haproxy/")
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_every_warren_example_passes_warren_check(self):
        names = sorted(n for n in os.listdir(os.path.join(OPTS.source_dir, "docs", "examples")) if n.endswith(".toml"))
        self.assertIn("warren-from-haproxy.toml", names)
        self.assertIn("nlb-accept-proxy.toml", names)
        for name in names:
            r = subprocess.run([OPTS.warren, "check", self.laid_out(name)], capture_output=True, text=True, timeout=20)
            self.assertEqual(r.returncode, 0, name + "\n" + r.stderr)
            self.assertIn(": OK", r.stdout)

    def test_nlb_example_accepts_proxy_on_every_listener(self):
        import tomllib
        with open(os.path.join(OPTS.source_dir, "docs", "examples", "nlb-accept-proxy.toml"), "rb") as f:
            config = tomllib.load(f)
        self.assertTrue(all(l.get("accept_proxy") for l in config["listener"]))

    @unittest.skipUnless(shutil.which("haproxy"), "haproxy not installed")
    def test_haproxy_original_passes_haproxy_check(self):
        path = self.laid_out("haproxy-rabbitmq.cfg")
        r = subprocess.run(["haproxy", "-c", "-f", path], capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Configuration file is valid", r.stdout + r.stderr)


def main():
    global OPTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--warren", required=True)
    parser.add_argument("--source-dir", required=True)
    OPTS, rest = parser.parse_known_args()
    OPTS.warren = executable_warren(OPTS.warren)
    if OPTS.warren is None:
        return 2
    return run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
