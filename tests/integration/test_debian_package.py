#!/usr/bin/python3
"""The Debian package end to end: `cpack` builds warren_<version>_amd64.deb from the build
directory; its control data and files are what deploy/debian/package.cmake promises;
lintian reports no error; and in a clean Debian 12 root made by mmdebstrap (variant apt:
Essential packages and apt, from the host's Debian mirror) `apt-get install ./warren_*.deb`
pulls in its dependencies, `warren --version` runs (BoringSSL found through the RUNPATH)
and `warren check /etc/warren/warren.toml` passes; purge removes it. ~70 s, most of it
mmdebstrap downloading and unpacking.

Exits 77 (skipped) when mmdebstrap, lintian or dpkg-deb is not installed
(deploy/packages/test.txt lists them).

    /usr/bin/python3 test_debian_package.py --build-dir build --source-dir . [unittest args]
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SKIP, missing_prerequisites, run_tests  # noqa: E402

OPTS = None
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
BORINGSSL_DIR = "/usr/lib/x86_64-linux-gnu/android"
CONFFILE = "/etc/warren/warren.toml"

# What the package must hold (dpkg-deb -c, without the leading "."), beyond directories.
EXPECTED_FILES = [
    "/usr/bin/warren",
    CONFFILE,
    "/usr/lib/systemd/system/warren.service",
    "/usr/lib/sysusers.d/warren.conf",
    "/usr/share/man/man8/warren.8.gz",
    "/usr/share/man/man5/warren.toml.5.gz",
    "/usr/share/bash-completion/completions/warren",
    "/usr/share/doc/warren/copyright",
    "/usr/share/doc/warren/changelog.gz",
    "/usr/share/doc/warren/README.md",
    "/usr/share/doc/warren/warren.example.toml",
    "/usr/share/doc/warren/examples/nlb-accept-proxy.toml",
    "/usr/share/lintian/overrides/warren",
]

# Run inside the new root by a customize hook, each with its output and exit status kept in
# /tmp/results/NAME.{out,rc} (copied out afterwards), so that every step is reported.
CHROOT_STEPS = [
    ("install", "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/{deb}"),
    ("version", "warren --version"),
    ("check", "warren check " + CONFFILE),
    ("ldd", "ldd /usr/bin/warren"),
    ("conffiles", "dpkg-query -W -f='${{Conffiles}}\\n' warren"),
    ("purge", "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q warren"
              " && test ! -e /usr/bin/warren && test ! -e " + CONFFILE),
]


def run(argv, timeout, **kwargs):
    """Runs argv, prints how long it took (the test's time is mostly mmdebstrap's)."""
    start = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)
    print(f"{time.monotonic() - start:6.1f} s  {os.path.basename(argv[0])} {' '.join(argv[1:3])}", file=sys.stderr)
    return r


def host_mirror():
    """The host's Debian mirror for SUITE (the one apt-get here can reach), else Debian's."""
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            for stanza in f.read().split("\n\n"):
                fields = dict(re.findall(r"(?m)^(\w[\w-]*):\s*(.*)$", stanza))
                if SUITE in fields.get("Suites", "").split() and "deb" in fields.get("Types", "").split():
                    return fields["URIs"].split()[0]
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    words = re.sub(r"\[[^]]*\]", "", line).split()
                    if len(words) >= 3 and words[0] == "deb" and words[2] == SUITE:
                        return words[1]
    return DEFAULT_MIRROR


def cpack_variable(name):
    with open(os.path.join(OPTS.build_dir, "CPackConfig.cmake")) as f:
        m = re.search(r'^set\(%s "([^"]*)"\)' % name, f.read(), re.M)
    assert m, f"{name} not in CPackConfig.cmake"
    return m.group(1)


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="warren-deb-")
        # cpack installs what is built: the binary and the gzipped man pages and changelog.
        r = run(["cmake", "--build", OPTS.build_dir, "--target", "warren", "warren_docs"], 600)
        assert r.returncode == 0, r.stdout + r.stderr
        r = run(["cpack", "--config", os.path.join(OPTS.build_dir, "CPackConfig.cmake"), "-B", cls.tmp.name], 300)
        assert r.returncode == 0, r.stdout + r.stderr
        cls.version = cpack_variable("CPACK_PACKAGE_VERSION")
        cls.deb = os.path.join(cls.tmp.name, f"warren_{cls.version}_amd64.deb")
        assert os.path.exists(cls.deb), f"cpack made {os.listdir(cls.tmp.name)}, not {cls.deb}"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def field(self, name):
        r = run(["dpkg-deb", "-f", self.deb, name], 30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def extract(self):
        root = os.path.join(self.tmp.name, "extract")
        if not os.path.isdir(root):
            r = run(["dpkg-deb", "-x", self.deb, root], 60)
            self.assertEqual(r.returncode, 0, r.stderr)
        return root

    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "warren")
        self.assertEqual(self.field("Version"), self.version)
        self.assertEqual(self.field("Architecture"), "amd64")
        depends = {d.split()[0] for d in self.field("Depends").split(", ")}
        # dpkg-shlibdeps followed the RUNPATH to BoringSSL; nothing pulls OpenSSL in.
        for package in ("android-libboringssl", "libuv1", "libc6"):
            self.assertIn(package, depends)
        self.assertFalse({d for d in depends if d.startswith("libssl")}, depends)

    def test_files(self):
        r = run(["dpkg-deb", "-c", self.deb], 30)
        self.assertEqual(r.returncode, 0, r.stderr)
        files = {line.split()[-1].lstrip(".") for line in r.stdout.splitlines() if not line.startswith("d")}
        self.assertEqual([f for f in EXPECTED_FILES if f not in files], [])
        root = self.extract()
        control = os.path.join(self.tmp.name, "control")  # conffiles is in the control part
        r = run(["dpkg-deb", "-e", self.deb, control], 30)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(control, "conffiles")) as f:
            self.assertEqual(f.read().split(), [CONFFILE])
        # The unit names the package's paths, whatever prefix the build was configured with.
        with open(os.path.join(root, "usr/lib/systemd/system/warren.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/bin/warren run --config " + CONFFILE, unit)
        self.assertNotIn("/usr/local", unit)

    def test_binary_keeps_the_boringssl_runpath(self):
        r = run(["readelf", "-d", os.path.join(self.extract(), "usr/bin/warren")], 30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\(RUNPATH\)\s+Library runpath: \[%s\]" % re.escape(BORINGSSL_DIR))

    def test_changelog_matches_the_package(self):
        with open(os.path.join(OPTS.source_dir, "deploy", "debian", "changelog")) as f:
            changelog = f.read()
        self.assertRegex(changelog.splitlines()[0], r"^warren \(%s\) " % re.escape(self.version))
        trailer = re.search(r"(?m)^ -- (.+?)  ", changelog).group(1)
        self.assertEqual(trailer, self.field("Maintainer"))

    def test_lintian_reports_no_error(self):
        r = run(["lintian", "--display-info", self.deb], 300)
        print("lintian:\n" + (r.stdout + r.stderr).strip())
        errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_installs_and_runs_in_a_clean_debian_12_root(self):
        results = os.path.join(self.tmp.name, "results")
        deb = os.path.basename(self.deb)
        hooks = [f"copy-in {shlex.quote(self.deb)} /tmp", 'mkdir -p "$1/tmp/results"']
        for name, command in CHROOT_STEPS:
            command = command.format(deb=deb)
            hooks.append('chroot "$1" sh -c %s' % shlex.quote(
                f"({command}) > /tmp/results/{name}.out 2>&1; echo $? > /tmp/results/{name}.rc"))
        hooks.append(f"copy-out /tmp/results {shlex.quote(self.tmp.name)}")
        # The mirror may be a dated snapshot whose Release files are past Valid-Until (the
        # host's apt.conf.d says the same): the option also lands in the root's apt config.
        argv = ["mmdebstrap", "--variant=apt", "--aptopt=Acquire::Check-Valid-Until \"false\""]
        argv += [f"--customize-hook={h}" for h in hooks]
        argv += [SUITE, "/dev/null", host_mirror()]
        r = run(argv, 600)
        self.assertEqual(r.returncode, 0, "mmdebstrap failed:\n" + r.stdout[-4000:] + r.stderr[-4000:])

        def step(name):
            with open(os.path.join(results, name + ".out")) as f:
                out = f.read()
            with open(os.path.join(results, name + ".rc")) as f:
                rc = int(f.read())
            print(f"--- {name} (exit {rc})\n" + "\n".join(out.strip().splitlines()[-12:]))
            self.assertEqual(rc, 0, f"{name} failed:\n{out}")
            return out

        step("install")
        version = step("version")
        self.assertIn(f"warren {self.version}", version)
        self.assertIn("BoringSSL", version)
        self.assertIn(f"{CONFFILE}: OK", step("check"))
        ldd = step("ldd")
        self.assertRegex(ldd, r"libssl\.so\.0 => %s/libssl\.so\.0" % re.escape(BORINGSSL_DIR))
        self.assertNotIn("not found", ldd)
        self.assertNotRegex(ldd, r"libssl\.so\.[13]")  # OpenSSL is never loaded
        self.assertIn(CONFFILE, step("conffiles"))
        step("purge")


def main():
    global OPTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    OPTS, rest = parser.parse_known_args()
    if missing_prerequisites([(t, shutil.which(t)) for t in ("mmdebstrap", "lintian", "dpkg-deb", "cpack", "readelf")]):
        return SKIP
    return run_tests(__name__, rest)


if __name__ == "__main__":
    sys.exit(main())
