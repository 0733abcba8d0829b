#!/usr/bin/env python3
"""Checks that the module layers of proxy/ are what proxy/CMakeLists.txt says they are.

Everything is derived from the tree: the modules and their dependencies from the
warren_module() / add_executable() / target_link_libraries() calls in proxy/CMakeLists.txt,
the includes from every proxy/**/*.h and *.cc. Only three lists are written here: the modules
that own TLS, the pure modules (issue 11 item 6), and which headers each third-party library
target provides.

A module is a folder proxy/NAME/ built as warren_NAME by `warren_module(NAME PUBLIC ...
PRIVATE ...)`; its files are the *.h and *.cc directly in that folder. An executable's files
are the sources listed in its add_executable(). The rules, each an error:

  folder     every folder of proxy/ holding .h/.cc files is a module, and every file
             directly in proxy/ is a source of an executable.
  include    `#include "X/..."` names a module X and an existing file proxy/X/...
  depends    a file of target T that includes "X/..." (X another module) has warren_X among
             T's DIRECT dependencies (PUBLIC or PRIVATE). A module that T reaches only
             transitively, even through PUBLIC dependencies, does not count: the lists are
             exact, each module lists every module it includes (CMake would let such an
             include compile, since proxy/ is every module's include directory, which is why
             it is checked here). The same for a third-party header: <spdlog/...> needs
             spdlog::spdlog in T's own list (LIBRARY_HEADERS says which target owns which
             headers).
  unused     ... and no more: each warren_X or library that T lists is included by some file
             of T; a library target LIBRARY_HEADERS does not know is an error too.
  visibility a dependency is PUBLIC in module T exactly when a header (.h) of T includes it:
             dependents of T then compile that header too. When only T's .cc files include it,
             it is PRIVATE. (Executables: PRIVATE only.)
  cycle      the module graph has no cycle.
  openssl    <openssl/...> (BoringSSL) is included only in the modules that own TLS
             (TLS_MODULES).
  pure       a pure module (PURE_MODULES) includes no <uv.h> / <uv/...>, links no libuv
             target, and depends only on pure modules (so no libuv type reaches it through a
             header either).
  tests      the unit and component test binaries link what their files include, exactly,
             by the set(unit_links_M ...) / set(component_links ...) lists of
             tests/CMakeLists.txt (see check_tests).

Usage: check_layers.py [SOURCE_DIR]   (the directory holding proxy/; default: this repo)
Exit status 0 when the tree follows the rules, 1 with one line per violation otherwise.
"""

import pathlib
import re
import sys

# The modules that own TLS: only they include BoringSSL headers. tls: contexts, certificates,
# SNI, tickets, diagnosis; transport: TlsStream, one TLS endpoint over a storage-free BIO.
# Every other module reaches TLS through their headers (tls/diagnosis.h, transport/tls_stream.h).
TLS_MODULES = {"tls", "transport"}

# Pure modules: no event loop, no I/O framework (issue 11 item 6).
PURE_MODULES = {"config", "proxy_protocol", "amqp", "upstream", "limits", "stats", "common"}

# Imported targets that are libuv.
LIBUV_TARGETS = {"PkgConfig::LIBUV", "uv", "uv_a", "libuv::uv", "libuv::uv_a"}

# Third-party library targets and the <...> includes they provide: a name ending in "/" is a
# directory prefix, any other an exact header. <thread> stands for Threads::Threads (std::thread
# is what needs it). Angle includes matching none of these are the system's and the standard's.
LIBRARY_HEADERS = {
    "spdlog::spdlog": ("spdlog/",),
    "fmt::fmt": ("fmt/",),
    "tomlplusplus::tomlplusplus": ("toml++/",),
    "PkgConfig::LIBUV": ("uv.h", "uv/"),
    "boringssl::ssl": ("openssl/",),
    "prometheus-cpp::core": ("prometheus/",),
    "nlohmann_json::nlohmann_json": ("nlohmann/",),
    "CLI11::CLI11": ("CLI/",),
    "Threads::Threads": ("thread",),
}


def library_of(name, library_headers=LIBRARY_HEADERS):
    """The library target providing <name>, or None for a system or standard header."""
    for target, headers in library_headers.items():
        for h in headers:
            if name == h or (h.endswith("/") and name.startswith(h)):
                return target
    return None

MODULE_PREFIX = "warren_"
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
CALL_RE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(([^()]*)\)", re.S)
KEYWORDS = {"PUBLIC", "PRIVATE", "INTERFACE"}


class Target:
    def __init__(self, name, kind):
        self.name = name  # module folder name, or executable name
        self.kind = kind  # "module" or "executable"
        self.deps = {}  # dependency (target name as written) -> "PUBLIC" | "PRIVATE" | "INTERFACE"
        self.files = []  # paths relative to proxy/

    def add_deps(self, words, default):
        visibility = default
        for word in words:
            if word in KEYWORDS:
                visibility = word
            else:
                self.deps[word] = visibility


def strip_cmake_comments(text):
    # A '#' starts a comment unless it is inside a quoted argument.
    out = []
    for line in text.splitlines():
        quoted = False
        for i, c in enumerate(line):
            if c == '"':
                quoted = not quoted
            elif c == "#" and not quoted:
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


def parse_cmake(text):
    """Returns (targets by CMake name, errors)."""
    targets = {}
    errors = []
    body = strip_cmake_comments(text)
    # The body of function(warren_module ...) ... endfunction() is the definition, not a use.
    body = re.sub(r"\bfunction\s*\(.*?\bendfunction\s*\([^)]*\)", "", body, flags=re.S)
    for command, args in CALL_RE.findall(body):
        words = args.split()
        command = command.lower()
        if command == "warren_module" and words:
            target = Target(words[0], "module")
            rest = words[1:]
            if rest and rest[0] not in KEYWORDS:
                errors.append(f"proxy/CMakeLists.txt: warren_module({words[0]} ...): say PUBLIC or PRIVATE before the dependencies")
            target.add_deps(rest, "PUBLIC")
            targets[MODULE_PREFIX + words[0]] = target
        elif command == "add_executable" and words:
            target = Target(words[0], "executable")
            target.files = [w for w in words[1:] if w.endswith((".cc", ".h"))]
            targets[words[0]] = target
        elif command == "target_link_libraries" and words:
            if words[0] not in targets:
                continue  # a target defined elsewhere; not ours to check
            targets[words[0]].add_deps(words[1:], "PUBLIC")
    return targets, errors


def includes_of(path):
    """(line number, '<' or '"', name) of each #include of the file."""
    found = []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = INCLUDE_RE.match(line)
        if m:
            found.append((number, m.group(1), m.group(2)))
    return found


def find_cycle(graph):
    state = {}
    stack = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(source_dir, tls_modules=TLS_MODULES, pure_modules=PURE_MODULES, library_headers=LIBRARY_HEADERS):
    """The violations in SOURCE_DIR/proxy, one line each (empty: none)."""
    proxy = pathlib.Path(source_dir) / "proxy"
    cmake = proxy / "CMakeLists.txt"
    if not cmake.is_file():
        return [f"{cmake}: not found"]
    targets, errors = parse_cmake(cmake.read_text())
    modules = {t.name: t for t in targets.values() if t.kind == "module"}
    if not modules:
        return errors + [f"{cmake}: no warren_module() found"]

    # folder: every source file belongs to exactly one target.
    owned = set()
    for module in modules.values():
        folder = proxy / module.name
        if not folder.is_dir():
            errors.append(f"proxy/CMakeLists.txt: warren_module({module.name}) has no folder proxy/{module.name}/")
            continue
        module.files = sorted(str(p.relative_to(proxy)) for p in folder.iterdir() if p.suffix in (".h", ".cc"))
        owned.update(module.files)
    for target in targets.values():
        if target.kind == "executable":
            owned.update(target.files)
    for path in sorted(proxy.rglob("*")):
        if path.suffix in (".h", ".cc") and str(path.relative_to(proxy)) not in owned:
            rel = path.relative_to(proxy)
            where = f"folder proxy/{rel.parts[0]}/ is no warren_module()" if len(rel.parts) > 1 else "no add_executable() lists it"
            errors.append(f"proxy/{rel}: belongs to no target ({where})")

    graph = {}
    for cmake_name, target in sorted(targets.items()):
        label = f"warren_{target.name}" if target.kind == "module" else target.name
        own = target.name if target.kind == "module" else None
        for d in target.deps:
            if d.startswith(MODULE_PREFIX):
                if d[len(MODULE_PREFIX):] not in modules:
                    errors.append(f"proxy/CMakeLists.txt: {label} depends on {d}, which is no warren_module()")
            elif d not in library_headers:
                errors.append(f"proxy/CMakeLists.txt: {label} links {d}, a library check_layers.py does not "
                              "know the headers of (add it to LIBRARY_HEADERS)")
        if target.kind == "module":
            graph[target.name] = {d[len(MODULE_PREFIX):] for d in target.deps
                                  if d.startswith(MODULE_PREFIX) and d[len(MODULE_PREFIX):] in modules}
        used_by_header = {}  # dependency -> the first "file:line" of a header including it
        used = {}  # dependency -> the first "file:line" including it
        reported = set()  # (file, dependency): one line per file even if it includes several headers
        for rel in target.files:
            path = proxy / rel
            if not path.is_file():
                errors.append(f"proxy/{rel}: listed in add_executable({target.name}) but missing")
                continue
            is_header = path.suffix == ".h"
            for line, delimiter, name in includes_of(path):
                where = f"proxy/{rel}:{line}"
                first = name.split("/", 1)[0]
                shown = f"<{name}>" if delimiter == "<" else f'"{name}"'
                forbidden = False  # fixed by moving the code, not by a dependency: no "add it" below
                if delimiter == "<":
                    if first == "openssl" and own not in tls_modules:
                        errors.append(f"{where}: includes {shown}, a BoringSSL header, outside the modules that "
                                      f"own TLS ({', '.join(sorted(tls_modules))}); {label} is not one of them")
                        forbidden = True
                    if (name == "uv.h" or first == "uv") and own in pure_modules:
                        errors.append(f"{where}: includes {shown} in the pure module {own} (no libuv in "
                                      f"{', '.join(sorted(pure_modules))})")
                        forbidden = True
                    dep = library_of(name, library_headers)
                    if dep is None:
                        continue  # a system or standard header
                else:
                    if "/" not in name or first not in modules:
                        errors.append(f"{where}: includes {shown}, which is in no module folder")
                        continue
                    if not (proxy / name).is_file():
                        errors.append(f"{where}: includes {shown}, which does not exist")
                    if first == own:
                        continue
                    dep = MODULE_PREFIX + first
                used.setdefault(dep, where)
                if is_header:
                    used_by_header.setdefault(dep, where)
                if dep not in target.deps and not forbidden and (rel, dep) not in reported:
                    reported.add((rel, dep))
                    visibility = "PUBLIC" if is_header and target.kind == "module" else "PRIVATE"
                    errors.append(f"{where}: includes {shown} but {label} does not depend on {dep} "
                                  f"(add it to its {visibility} dependencies in proxy/CMakeLists.txt)")
        for d, visibility in sorted(target.deps.items()):
            if d.startswith(MODULE_PREFIX) and d[len(MODULE_PREFIX):] not in modules:
                continue
            if not d.startswith(MODULE_PREFIX) and d not in library_headers:
                continue
            if d not in used:
                what = f'"{d[len(MODULE_PREFIX):]}/..."' if d.startswith(MODULE_PREFIX) else \
                    " or ".join(f"<{h}...>" if h.endswith("/") else f"<{h}>" for h in library_headers[d])
                errors.append(f"proxy/CMakeLists.txt: {label} depends on {d} but none of its files include {what} "
                              "(remove it)")
                continue
            if target.kind == "executable":
                wanted = "PRIVATE"
                why = "an executable has no dependents"
            elif d in used_by_header:
                wanted = "PUBLIC"
                why = f"the header {used_by_header[d]} includes it"
            else:
                wanted = "PRIVATE"
                why = f"only its .cc files include it, first {used[d]}"
            if visibility != wanted:
                errors.append(f"proxy/CMakeLists.txt: {label}'s dependency on {d} is {visibility}, "
                              f"should be {wanted} ({why})")
        if own in pure_modules:
            for d in sorted(target.deps):
                m = d[len(MODULE_PREFIX):]
                if d.startswith(MODULE_PREFIX) and m in modules and m not in pure_modules:
                    errors.append(f"proxy/CMakeLists.txt: the pure module {own} depends on {d}, which is not pure")
                if d in LIBUV_TARGETS:
                    errors.append(f"proxy/CMakeLists.txt: the pure module {own} links {d}")

    for name in sorted(pure_modules):
        if name not in modules:
            errors.append(f"tests/layers/check_layers.py: the pure module {name} is no warren_module()")
    for name in sorted(tls_modules):
        if name not in modules:
            errors.append(f"tests/layers/check_layers.py: the TLS module {name} is no warren_module()")

    cycle = find_cycle(graph)
    if cycle:
        errors.append("proxy/CMakeLists.txt: module dependency cycle: " + " -> ".join(cycle))
    errors += check_tests(pathlib.Path(source_dir), set(modules), library_headers)
    return errors


def check_tests(root, modules, library_headers=LIBRARY_HEADERS):
    """The test binaries link what they include, the same exact way (no visibility: nothing
    depends on a test). tests/CMakeLists.txt says it with set() lists:

      set(unit_links_M ...)   what unit_M links besides warren_M, for tests/unit/M/ (M a module)
      set(component_links ...) what component_tests links, for tests/component/ and tests/support/

    Includes of "unit/...", "support/..." (the tests' own helpers) and of headers no library of
    LIBRARY_HEADERS provides (GoogleTest, the system) need nothing. Skipped without tests/."""
    cmake = root / "tests" / "CMakeLists.txt"
    if not cmake.is_file():
        return []
    errors = []
    lists = {}
    for command, args in CALL_RE.findall(strip_cmake_comments(cmake.read_text())):
        words = args.split()
        if command.lower() == "set" and words and (words[0].startswith("unit_links_") or words[0] == "component_links"):
            lists[words[0]] = words[1:]
    binaries = []  # (label, list name, implicit dependency or None, folders)
    unit = root / "tests" / "unit"
    for folder in sorted(unit.iterdir()) if unit.is_dir() else []:
        if folder.is_dir() and folder.name in modules:
            binaries.append((f"unit_{folder.name}", f"unit_links_{folder.name}", MODULE_PREFIX + folder.name, [folder]))
    for name in sorted(lists):
        if name.startswith("unit_links_") and name[len("unit_links_"):] not in modules:
            errors.append(f"tests/CMakeLists.txt: set({name} ...) names no module with unit tests")
    if (root / "tests" / "component").is_dir():
        binaries.append(("component_tests", "component_links", None,
                         [root / "tests" / "component", root / "tests" / "support"]))
    for label, list_name, implicit, folders in binaries:
        listed = lists.get(list_name, [])
        deps = set(listed) | ({implicit} if implicit else set())
        for d in listed:
            if d.startswith(MODULE_PREFIX) and d[len(MODULE_PREFIX):] not in modules:
                errors.append(f"tests/CMakeLists.txt: {list_name} names {d}, which is no warren_module()")
            elif not d.startswith(MODULE_PREFIX) and d not in library_headers:
                errors.append(f"tests/CMakeLists.txt: {list_name} names {d}, a library check_layers.py does not "
                              "know the headers of (add it to LIBRARY_HEADERS, or link it outside the list)")
            elif d == implicit:
                errors.append(f"tests/CMakeLists.txt: {list_name} names {d}, which {label} links anyway")
        used = set()
        reported = set()
        files = sorted(p for f in folders if f.is_dir() for p in f.rglob("*") if p.suffix in (".h", ".cc"))
        for path in files:
            rel = path.relative_to(root)
            for line, delimiter, name in includes_of(path):
                first = name.split("/", 1)[0]
                if delimiter == "<":
                    dep = library_of(name, library_headers)
                elif "/" in name and first in modules:
                    dep = MODULE_PREFIX + first
                else:
                    dep = None  # the tests' own helpers
                if dep is None:
                    continue
                used.add(dep)
                if dep not in deps and (rel, dep) not in reported:
                    reported.add((rel, dep))
                    shown = f"<{name}>" if delimiter == "<" else f'"{name}"'
                    errors.append(f"{rel}:{line}: includes {shown} but {label} does not link {dep} "
                                  f"(add it to set({list_name} ...) in tests/CMakeLists.txt)")
        for d in sorted(set(listed) - used):
            if d in library_headers or (d.startswith(MODULE_PREFIX) and d[len(MODULE_PREFIX):] in modules):
                errors.append(f"tests/CMakeLists.txt: {list_name} names {d} but no file of {label} includes it "
                              "(remove it)")
    return errors


def main(argv):
    source_dir = argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
    errors = check(source_dir)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} layer violation(s)")
        return 1
    print("layers ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
