#!/usr/bin/python3
"""The files in deploy/ against the binary they ship: the Kubernetes config passes `warren
check`, the manifests agree with it (probe ports and paths, container ports, grace period),
the systemd unit and the image's ENTRYPOINT use only subcommands and options the binary has,
and deploy/packages/runtime-libs.txt names every package the binary loads a library from.
Nothing is started; ~1 s.

    /usr/bin/python3 test_deploy_files.py --warren build/proxy/warren --source-dir . [unittest args]
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import cli_help, executable_warren, run_tests  # noqa: E402

try:
    import yaml  # Debian's python3-yaml (deploy/packages/test.txt)
except ImportError:
    yaml = None

OPTS = None
CONFIG_PATH = "/etc/warren/warren.toml"  # where the unit and the image read the config

# Stand-ins for the Secrets that deployment.yaml projects next to the config, by Secret key.
SECRET_STAND_INS = {
    "tls.crt": ("fixture", "tests/fixtures/tls/localhost-ecdsa.crt"),
    "tls.key": ("fixture", "tests/fixtures/tls/localhost-ecdsa.key"),
    "token": ("text", "test-admin-token\n"),
}


def source(*parts):
    return os.path.join(OPTS.source_dir, *parts)


def read(*parts):
    with open(source(*parts)) as f:
        return f.read()


def duration_seconds(text):
    """A duration ("30s", "1.5m", "250ms"; systemd's bare "45" is seconds) in seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|min|m|h)?", text)
    assert m, f"not a duration: {text!r}"
    return float(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "min": 60, "m": 60, "h": 3600}[m.group(2)]


def port_of(address):
    return int(address.rsplit(":", 1)[1])


def help_of(*subcommand):
    return cli_help(OPTS.warren, *subcommand)


class CommandLines(unittest.TestCase):
    """Every warren command line in deploy/ parses with the binary's own CLI."""

    def assert_valid_command(self, argv, where):
        top, _, _ = help_of()
        self.assertGreaterEqual(len(argv), 2, f"{where}: {argv}")
        self.assertIn(argv[1], top, f"{where}: unknown subcommand in {argv}")
        _, options, positionals = help_of(argv[1])
        args, given = argv[2:], []
        while args:
            arg = args.pop(0)
            if arg.startswith("-"):
                name = arg.split("=", 1)[0]
                self.assertIn(name, options, f"{where}: unknown option {name} in {argv}")
                if options[name] and "=" not in arg:
                    self.assertTrue(args, f"{where}: {name} needs a value in {argv}")
                    args.pop(0)
            else:
                given.append(arg)
        self.assertEqual(len(given), len(positionals), f"{where}: positionals {given} vs {positionals}")

    def unit_commands(self):
        """(key, argv) of every Exec*= line of the unit."""
        out = []
        for line in read("deploy", "systemd", "warren.service").splitlines():
            m = re.match(r"^(Exec\w+)=(.*)$", line)
            if m:
                out.append((m.group(1), shlex.split(m.group(2).lstrip("-+!@:"))))
        return out

    def test_unit_command_lines(self):
        commands = self.unit_commands()
        warren = [(k, a) for k, a in commands if os.path.basename(a[0]) == "warren"]
        self.assertIn(("ExecStart", ["/usr/bin/warren", "run", "--config", CONFIG_PATH]), warren)
        for key, argv in warren:
            self.assert_valid_command(argv, f"warren.service {key}")
        # Reload: check first, then the signal; the signal never goes first.
        reload = [a for k, a in commands if k == "ExecReload"]
        self.assertEqual(reload[0][1:], ["check", CONFIG_PATH])
        self.assertEqual(reload[-1], ["/bin/kill", "-HUP", "$MAINPID"])

    def test_unit_stop_timeout_exceeds_shutdown_timeout(self):
        unit = read("deploy", "systemd", "warren.service")
        stop = duration_seconds(re.search(r"^TimeoutStopSec=(\S+)$", unit, re.M).group(1))
        default = tomllib.loads(read("config", "warren.example.toml"))["global"]["shutdown_timeout"]
        self.assertGreater(stop, duration_seconds(default))

    def test_container_entrypoint(self):
        text = read("deploy", "container", "Containerfile")
        argv = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M).group(1))
        self.assertEqual(argv, ["warren", "run", "--config", CONFIG_PATH])
        self.assert_valid_command(argv, "Containerfile ENTRYPOINT")

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_systemd_analyze_verify(self):
        # The unit names /usr/bin/warren; verify wants an executable there: use the one under test.
        with tempfile.TemporaryDirectory() as tmp:
            unit = os.path.join(tmp, "warren.service")
            with open(unit, "w") as f:
                f.write(read("deploy", "systemd", "warren.service").replace("/usr/bin/warren", os.path.abspath(OPTS.warren)))
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], capture_output=True, text=True, timeout=30)
        output = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, output)
        # Unknown keys and bad values are warnings (exit 0): any line about the unit fails.
        self.assertNotIn("warren.service", output)


class KubernetesConfig(unittest.TestCase):
    """deploy/kubernetes: the shipped warren.toml is valid and the manifests match it."""

    @classmethod
    def setUpClass(cls):
        text = read("deploy", "kubernetes", "configmap.yaml")
        cls.tomls = {}
        if yaml is None:  # minimal: the block scalar of each "*.toml: |" key
            for m in re.finditer(r"^  (\S+\.toml): \|\n((?:    .*\n|\s*\n)+)", text, re.M):
                cls.tomls[m.group(1)] = "\n".join(line[4:] for line in m.group(2).splitlines()) + "\n"
            cls.docs = None
            return
        cls.docs = []
        for name in cls.kustomization()["resources"]:
            cls.docs += [d for d in yaml.safe_load_all(read("deploy", "kubernetes", name)) if d]
        (configmap,) = cls.kinds("ConfigMap")
        cls.tomls = {k: v for k, v in configmap["data"].items() if k.endswith(".toml")}

    @classmethod
    def kustomization(cls):
        return yaml.safe_load(read("deploy", "kubernetes", "kustomization.yaml"))

    @classmethod
    def kinds(cls, kind):
        return [d for d in cls.docs if d["kind"] == kind]

    def config(self):
        self.assertEqual(list(self.tomls), ["warren.toml"])
        return tomllib.loads(self.tomls["warren.toml"])

    def container(self):
        (deployment,) = self.kinds("Deployment")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        return deployment["spec"]["template"]["spec"], container

    def test_configmap_passes_warren_check(self):
        self.assertTrue(self.tomls, "no *.toml in configmap.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            etc = os.path.join(tmp, "etc-warren")
            os.makedirs(etc)
            if self.docs is not None:  # the Secrets as deployment.yaml projects them
                self.project_secrets(etc)
            else:
                for key, path in (("tls.crt", "tls/tls.crt"), ("tls.key", "tls/tls.key"), ("token", "admin.token")):
                    self.write_stand_in(key, os.path.join(etc, path))
            for name, text in self.tomls.items():
                path = os.path.join(etc, name)
                with open(path, "w") as f:
                    f.write(text.replace("/etc/warren/", etc + "/"))
                r = subprocess.run([OPTS.warren, "check", path], capture_output=True, text=True, timeout=20)
                self.assertEqual(r.returncode, 0, f"configmap.yaml {name}:\n{r.stderr}")
                self.assertIn(": OK", r.stdout)

    def write_stand_in(self, key, dest):
        self.assertIn(key, SECRET_STAND_INS, f"no stand-in for Secret key {key!r}: add one to this test")
        kind, value = SECRET_STAND_INS[key]
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if kind == "fixture":
            shutil.copyfile(source(value), dest)
        else:
            with open(dest, "w") as f:
                f.write(value)

    def project_secrets(self, etc):
        spec, container = self.container()
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == os.path.dirname(CONFIG_PATH)]
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        for src in volume["projected"]["sources"]:
            for item in src.get("secret", {}).get("items", []):
                self.write_stand_in(item["key"], os.path.join(etc, item["path"]))

    def require_yaml(self):
        if yaml is None:
            self.skipTest("python3-yaml not installed")

    def test_config_mounted_where_the_image_reads_it(self):
        self.require_yaml()
        spec, container = self.container()
        self.assertNotIn("command", container)  # the image's ENTRYPOINT reads CONFIG_PATH
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == os.path.dirname(CONFIG_PATH)]
        self.assertTrue(mount.get("readOnly"))
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        items = [i for s in volume["projected"]["sources"] for i in s.get("configMap", {}).get("items", [])]
        self.assertIn({"key": "warren.toml", "path": os.path.basename(CONFIG_PATH)}, items)

    def test_probes_reach_the_admin_endpoint(self):
        self.require_yaml()
        admin = self.config()["admin"]
        host, port = admin["address"].rsplit(":", 1)
        self.assertIn(host, ("0.0.0.0", "[::]"), "the kubelet probes the pod IP, not loopback")
        self.assertFalse(admin.get("protect_metrics", False), "probes carry no token")
        _, container = self.container()
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = container[probe]["httpGet"]
            self.assertEqual(get["path"], path)
            self.assertEqual(ports.get(get["port"], get["port"]), int(port), probe)

    def test_ports_match_listeners_and_services(self):
        self.require_yaml()
        config = self.config()
        _, container = self.container()
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        expected = {port_of(l["address"]) for l in config["listener"]} | {port_of(config["admin"]["address"])}
        self.assertEqual(set(ports.values()), expected)
        for service in self.kinds("Service"):
            for p in service["spec"]["ports"]:
                self.assertIn(p["targetPort"], ports, f"Service {service['metadata']['name']}")
        selector = self.pod_labels()
        for service in self.kinds("Service"):
            self.assertEqual(service["spec"]["selector"], selector)

    def pod_labels(self):
        (deployment,) = self.kinds("Deployment")
        self.assertEqual(deployment["spec"]["selector"]["matchLabels"], deployment["spec"]["template"]["metadata"]["labels"])
        return deployment["spec"]["selector"]["matchLabels"]

    def test_kustomization_lists_every_manifest(self):
        self.require_yaml()
        files = sorted(f for f in os.listdir(source("deploy", "kubernetes")) if f.endswith(".yaml"))
        self.assertEqual(sorted(self.kustomization()["resources"] + ["kustomization.yaml"]), files)

    def test_disruption_budget_keeps_a_pod(self):
        self.require_yaml()
        (pdb,) = self.kinds("PodDisruptionBudget")
        self.assertEqual(pdb["apiVersion"], "policy/v1")
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], self.pod_labels())
        (deployment,) = self.kinds("Deployment")
        self.assertLess(pdb["spec"]["maxUnavailable"], deployment["spec"]["replicas"])

    def test_network_policy_guards_only_the_admin_port(self):
        self.require_yaml()
        (policy,) = self.kinds("NetworkPolicy")
        self.assertEqual(policy["spec"]["podSelector"]["matchLabels"], self.pod_labels())
        self.assertEqual(policy["spec"]["policyTypes"], ["Ingress"])
        _, container = self.container()
        names = {p["name"] for p in container["ports"]}
        open_ports, guarded = set(), set()
        for rule in policy["spec"]["ingress"]:
            ports = {p["port"] for p in rule["ports"]}
            self.assertLessEqual(ports, names, "ports must be the container's port names")
            (guarded if rule.get("from") else open_ports).update(ports)
        self.assertEqual(guarded, {"admin"})
        self.assertEqual(open_ports, names - {"admin"}, "every AMQP port open to clients")

    def test_service_monitor_scrapes_the_admin_service(self):
        self.require_yaml()
        (monitor,) = self.kinds("ServiceMonitor")
        self.assertEqual(monitor["apiVersion"], "monitoring.coreos.com/v1")
        wanted = monitor["spec"]["selector"]["matchLabels"]
        matched = [svc for svc in self.kinds("Service")
                   if all(svc["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
        self.assertEqual([svc["metadata"]["name"] for svc in matched], ["warren-admin"])
        (endpoint,) = monitor["spec"]["endpoints"]
        self.assertEqual(endpoint["path"], "/metrics")
        self.assertIn(endpoint["port"], [p["name"] for p in matched[0]["spec"]["ports"]])
        admin_port = port_of(self.config()["admin"]["address"])
        (port,) = [p for p in matched[0]["spec"]["ports"] if p["name"] == endpoint["port"]]
        _, container = self.container()
        container_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        self.assertEqual(container_ports[port["targetPort"]], admin_port)

    def test_grace_period_covers_prestop_and_shutdown(self):
        self.require_yaml()
        spec, container = self.container()
        sleep = container["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(sleep[0], "sleep")
        shutdown = duration_seconds(self.config()["global"].get("shutdown_timeout", "30s"))
        self.assertGreater(spec["terminationGracePeriodSeconds"], int(sleep[1]) + shutdown)

    def test_runs_as_the_image_user(self):
        self.require_yaml()
        spec, container = self.container()
        uid = re.search(r"^USER (\d+):(\d+)$", read("deploy", "container", "Containerfile"), re.M)
        self.assertEqual(spec["securityContext"]["runAsUser"], int(uid.group(1)))
        self.assertTrue(spec["securityContext"]["runAsNonRoot"])
        self.assertTrue(container["securityContext"]["readOnlyRootFilesystem"])
        self.assertEqual(container["securityContext"]["capabilities"]["drop"], ["ALL"])


class RuntimeLibraries(unittest.TestCase):
    """deploy/packages/runtime-libs.txt (the image's runtime packages) covers `ldd warren`."""

    @unittest.skipUnless(shutil.which("ldd") and shutil.which("dpkg"), "needs ldd and dpkg")
    def test_every_loaded_library_is_listed(self):
        listed = {l.strip() for l in read("deploy", "packages", "runtime-libs.txt").splitlines()} - {""}
        listed = {l for l in listed if not l.startswith("#")}
        r = subprocess.run(["ldd", OPTS.warren], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("not found", r.stdout)
        paths = re.findall(r"=> (/\S+)", r.stdout)
        self.assertTrue(paths)
        missing = {}
        for path in paths:
            # usrmerge: dpkg knows /lib/... or /usr/lib/..., whichever the package ships.
            for candidate in (path, os.path.realpath(path), re.sub(r"^/usr/", "/", os.path.realpath(path))):
                q = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, timeout=10)
                if q.returncode == 0:
                    package = q.stdout.split(":", 1)[0]
                    break
            else:
                self.fail(f"no Debian package ships {path}")
            if package not in listed and not re.match(r"lib(asan|ubsan|lsan|tsan)\d", package):
                missing[package] = path
        self.assertEqual(missing, {}, "add these packages to deploy/packages/runtime-libs.txt")


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
