#!/usr/bin/env python3
"""Checks that the module layers of proxy/ are what proxy/CMakeLists.txt says they are.

Everything is derived from the tree: the modules and their dependencies from the
warren_module() / add_executable() / target_link_libraries() calls in proxy/CMakeLists.txt,
the includes from every proxy/**/*.h and *.cc. Only two lists are written here: the modules
that own TLS and the pure modules (issue 11 item 6), plus one list of known exceptions.

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
             include compile, which is why it is checked here).
  unused     ... and no more: each warren_X that T lists is included by some file of T.
  visibility warren_X is PUBLIC in module T exactly when a header (.h) of T includes
             "X/...": dependents of T then compile X's headers too. When only T's .cc files
             include X it is PRIVATE. (Executables: PRIVATE only.)
  cycle      the module graph has no cycle.
  openssl    <openssl/...> (BoringSSL) is included only in the modules that own TLS
             (TLS_MODULES), or in a module of OPENSSL_EXCEPTIONS, the known offenders to be
             moved; a module listed there that no longer includes OpenSSL headers is an error
             too, so that the list only shrinks.
  pure       a pure module (PURE_MODULES) includes no <uv.h> / <uv/...>, links no libuv
             target, and depends only on pure modules (so no libuv type reaches it through a
             header either).

Usage: check_layers.py [SOURCE_DIR]   (the directory holding proxy/; default: this repo)
Exit status 0 when the tree follows the rules, 1 with one line per violation otherwise.
"""

import pathlib
import re
import sys

# The modules that own TLS: only they include BoringSSL headers. (transport: the module for
# connection plumbing, TlsStream included, that issue 11 item 3 adds; allowed before it exists.)
TLS_MODULES = {"tls", "transport"}

# ---- KNOWN OFFENDERS: modules that still include <openssl/...> outside TLS_MODULES. ----
# To be emptied (issue 11 item 3: TlsStream leaves session/, session.cc's ERR_* calls go
# behind tls/ or transport/). Remove a module as soon as it no longer includes OpenSSL.
OPENSSL_EXCEPTIONS = {"session"}
# ---- end of known offenders ----

# Pure modules: no event loop, no I/O framework (issue 11 item 6).
PURE_MODULES = {"config", "proxy_protocol", "amqp", "upstream", "limits", "stats", "common"}

# Imported targets that are libuv.
LIBUV_TARGETS = {"PkgConfig::LIBUV", "uv", "uv_a", "libuv::uv", "libuv::uv_a"}

MODULE_PREFIX = "warren_"
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)
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
    return INCLUDE_RE.findall(path.read_text(errors="replace"))


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


def check(source_dir, tls_modules=TLS_MODULES, openssl_exceptions=OPENSSL_EXCEPTIONS, pure_modules=PURE_MODULES):
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
        deps = {d[len(MODULE_PREFIX):]: v for d, v in target.deps.items() if d.startswith(MODULE_PREFIX)}
        for d in deps:
            if d not in modules:
                errors.append(f"proxy/CMakeLists.txt: {label} depends on {MODULE_PREFIX}{d}, which is no warren_module()")
        if target.kind == "module":
            graph[target.name] = {d for d in deps if d in modules}
        used_by_header = set()
        used = set()
        reported = set()  # (file, module): one line per file even if it includes several headers
        for rel in target.files:
            path = proxy / rel
            if not path.is_file():
                errors.append(f"proxy/{rel}: listed in add_executable({target.name}) but missing")
                continue
            is_header = path.suffix == ".h"
            for delimiter, name in includes_of(path):
                first = name.split("/", 1)[0]
                if delimiter == "<":
                    if first == "openssl" and own not in tls_modules and own not in openssl_exceptions:
                        errors.append(f"proxy/{rel}: includes <{name}> outside the TLS modules "
                                      f"({', '.join(sorted(tls_modules))})")
                    if (name == "uv.h" or first == "uv") and own in pure_modules:
                        errors.append(f"proxy/{rel}: includes <{name}> in the pure module {own}")
                    continue
                if "/" not in name or first not in modules:
                    errors.append(f'proxy/{rel}: includes "{name}", which is in no module folder')
                    continue
                if not (proxy / name).is_file():
                    errors.append(f'proxy/{rel}: includes "{name}", which does not exist')
                if first == own:
                    continue
                used.add(first)
                if is_header:
                    used_by_header.add(first)
                if first not in deps and (rel, first) not in reported:
                    reported.add((rel, first))
                    errors.append(f'proxy/{rel}: includes "{name}" but {label} does not depend on '
                                  f"{MODULE_PREFIX}{first} (add it to its "
                                  f"{'PUBLIC' if is_header and target.kind == 'module' else 'PRIVATE'} dependencies)")
        for d, visibility in sorted(deps.items()):
            if d not in modules:
                continue
            if d not in used:
                errors.append(f"proxy/CMakeLists.txt: {label} depends on {MODULE_PREFIX}{d} but none of its files include \"{d}/...\"")
                continue
            if target.kind == "executable":
                wanted = "PRIVATE"
            else:
                wanted = "PUBLIC" if d in used_by_header else "PRIVATE"
            if visibility != wanted:
                why = ("a header of it includes" if wanted == "PUBLIC" else "only its .cc files include") \
                    if target.kind == "module" else "an executable has no dependents"
                errors.append(f"proxy/CMakeLists.txt: {label}'s dependency on {MODULE_PREFIX}{d} is {visibility}, "
                              f"should be {wanted} ({why} \"{d}/...\")")
        if own in pure_modules:
            for d in sorted(deps):
                if d in modules and d not in pure_modules:
                    errors.append(f"proxy/CMakeLists.txt: the pure module {own} depends on {MODULE_PREFIX}{d}, which is not pure")
            for d in sorted(target.deps):
                if d in LIBUV_TARGETS:
                    errors.append(f"proxy/CMakeLists.txt: the pure module {own} links {d}")

    for name in sorted(openssl_exceptions):
        module = modules.get(name)
        uses = module is not None and any(
            d == "<" and n.startswith("openssl/") for rel in module.files for d, n in includes_of(proxy / rel))
        if not uses:
            errors.append(f"tests/layers/check_layers.py: {name} is in OPENSSL_EXCEPTIONS but includes no "
                          "<openssl/...>: remove it from the list")
    for name in sorted(pure_modules):
        if name not in modules:
            errors.append(f"tests/layers/check_layers.py: the pure module {name} is no warren_module()")

    cycle = find_cycle(graph)
    if cycle:
        errors.append("proxy/CMakeLists.txt: module dependency cycle: " + " -> ".join(cycle))
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
