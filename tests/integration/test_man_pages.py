#!/usr/bin/python3
"""The man pages against what they document. warren.toml(5): generated from the current
config/README.md, and every key of every key table there listed, in the same table and
order, with its default. warren(8): every subcommand and option of `warren --help` (and of
each subcommand's --help), every exit status of proxy/main.cc, every signal of README.md's
Command line and every endpoint of the admin API. Both name the binary's version in .TH and
render with `man --warnings` silently. Nothing is started; ~1 s.

    /usr/bin/python3 test_man_pages.py --warren build/proxy/warren --source-dir . [unittest args]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import cli_help, executable_warren, run_tests  # noqa: E402

OPTS = None

ESCAPES = {r"\-": "-", r"\(dq": '"', r"\(aq": "'", r"\(lq": '"', r"\(rq": '"', r"\(cq": "'",
           r"\(em": "—", r"\(en": "–", r"\(mu": "×", r"\(<=": "≤", r"\(>=": "≥", r"\(->": "→",
           r"\&": "", r"\%": "", r"\e": "\\"}
ALTERNATING = {"BR", "RB", "BI", "IB", "IR", "RI"}


def read(*parts):
    with open(os.path.join(OPTS.source_dir, *parts), encoding="utf-8") as f:
        return f.read()


def plain(text):
    """Roff text without font changes and with its escapes resolved."""
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    text = re.sub(r"\\\[u([0-9A-F]{4})\]", lambda m: chr(int(m.group(1), 16)), text)
    return re.sub("|".join(re.escape(e) for e in ESCAPES), lambda m: ESCAPES[m.group(0)], text)


def macro_args(rest):
    """The arguments of a macro line: words, or "quoted strings" ("" is a quote)."""
    return [a[1:-1].replace('""', '"') if a.startswith('"') else a
            for a in re.findall(r'"(?:[^"]|"")*"|\S+', rest)]


def line_text(line):
    """What one source line prints: a text line, or the words of a font macro."""
    m = re.match(r"^\.(\w+)\s*(.*)$", line)
    if not m:
        return plain(line)
    name, args = m.group(1), macro_args(m.group(2))
    if name in ALTERNATING:
        return plain("".join(args))
    if name in ("B", "I", "SH", "SS"):
        return plain(" ".join(args))
    return None


def sections(page):
    """{(section, subsection or None): [(tag, body)]} of the .TP entries of a page."""
    out, key, lines = {}, (None, None), page.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH "):
            key = (line_text(line), None)
        elif line.startswith(".SS "):
            key = (key[0], line_text(line))
        else:
            if line == ".TP" and i + 1 < len(lines):
                body = []
                for following in lines[i + 2:]:
                    if re.match(r"^\.(TP|SH|SS|PP|IP)\b", following):
                        break
                    text = line_text(following)
                    if text is not None:
                        body.append(text)
                out.setdefault(key, []).append((line_text(lines[i + 1]), " ".join(body)))
            continue
        out.setdefault(key, [])
    return out


def readme_key_tables():
    """[(heading, [(key, default)])] of every table of config/README.md whose first column is Key."""
    tables, heading, columns = [], None, None
    for line in read("config", "README.md").splitlines():
        if line.startswith("#"):
            heading, columns = line.lstrip("#").strip(), None
        elif not line.startswith("|"):
            columns = None
        else:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if columns is None and cells[0] == "Key":
                columns = cells
                tables.append((heading, []))
            elif columns is not None and cells[0].startswith("`"):
                row = dict(zip(columns, cells))
                tables[-1][1].append((row["Key"].strip("`"), row.get("Default", "").replace("`", "")))
    return tables


def readme_table(heading_word):
    """The rows (first cells) of the table of config/README.md whose header starts with it."""
    rows, inside = [], False
    for line in read("config", "README.md").splitlines():
        if line.startswith("| " + heading_word + " |"):
            inside = True
        elif inside and line.startswith("|"):
            rows.append(re.split(r"(?<!\\)\|", line)[1].strip().replace("`", ""))
        elif inside:
            break
    return [r for r in rows if not re.fullmatch(r":?-+:?", r)]


def man_title(heading):
    """The warren.toml(5) section of a README heading: its `[tables]` joined by " and ", or its text."""
    tables = re.findall(r"`([^`]+)`", heading)
    return (" and ".join(tables) if tables else heading).lower()


class WarrenToml5(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.page = read("docs", "man", "warren.toml.5")
        cls.sections = sections(cls.page)

    def test_generated_from_the_current_reference(self):
        sys.path.insert(0, os.path.join(OPTS.source_dir, "docs", "man"))
        import generate_warren_toml_5 as generator
        expected = generator.generate(read("docs", "man", "warren.toml.5.in"), read("config", "README.md"))
        self.assertTrue(expected == self.page,
                        "docs/man/warren.toml.5 is out of date: run docs/man/generate_warren_toml_5.py")

    def test_every_key_of_the_reference_is_listed_with_its_default(self):
        by_title = {}
        for (section, subsection), entries in self.sections.items():
            by_title.setdefault((subsection or section).lower(), []).extend(entries)
        tables = readme_key_tables()
        self.assertGreaterEqual(len(tables), 11)
        for heading, rows in tables:
            title = man_title(heading)
            self.assertIn(title, by_title, f"config/README.md '{heading}': no section '{title}' in warren.toml(5)")
            entries = by_title[title]
            self.assertEqual([tag.split()[0] for tag, _ in entries], [key for key, _ in rows], heading)
            for (tag, _), (key, default) in zip(entries, rows):
                if default:
                    self.assertIn(default, tag, f"{heading}: {key}")


class Warren8(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.page = read("docs", "man", "warren.8")
        cls.sections = sections(cls.page)

    def tags(self, section):
        self.assertIn((section, None), self.sections, f"no .SH {section} in warren(8)")
        return [tag for tag, _ in self.sections[(section, None)]]

    def test_every_subcommand_and_option(self):
        subcommands, options, _ = cli_help(OPTS.warren)
        self.assertIn("run", subcommands)
        commands = self.tags("COMMANDS")
        self.assertEqual({tag.split()[0] for tag in commands}, subcommands)
        for sub in subcommands:
            _, sub_options, positionals = cli_help(OPTS.warren, sub)
            options.update(sub_options)
            for positional in positionals:
                self.assertIn(f"{sub} {positional}", commands)
        documented = {o for tag in self.tags("OPTIONS") for o in re.findall(r"(?<!\w)--?[a-z][\w-]*", tag)}
        self.assertEqual(documented, set(options))
        synopsis = plain(self.page.split(".SH SYNOPSIS", 1)[1].split(".SH ", 1)[0])
        for word in subcommands:
            self.assertRegex(synopsis, r"(?<![\w-])%s(?![\w-])" % re.escape(word))

    def test_every_exit_status(self):
        enum = re.search(r"enum ExitCode \{([^}]*)\}", read("proxy", "main.cc")).group(1)
        self.assertEqual(self.tags("EXIT STATUS"), re.findall(r"= (\d+)", enum))

    def test_every_signal(self):
        readme = read("README.md")
        paragraph = readme[readme.index("Signals:"):].split("\n\n", 1)[0]
        documented = {s for tag in self.tags("SIGNALS") for s in re.findall(r"SIG[A-Z0-9]+", tag)}
        self.assertEqual(documented, set(re.findall(r"SIG[A-Z0-9]+", paragraph)))

    def test_every_admin_endpoint(self):
        endpoints = [e.replace("{", "").replace("}", "") for e in readme_table("Method and path")]
        self.assertIn("GET /metrics", endpoints)
        self.assertEqual(self.tags("ADMIN ENDPOINT"), endpoints)


class BothPages(unittest.TestCase):
    PAGES = ("warren.8", "warren.toml.5")

    def test_header_names_the_binarys_version(self):
        r = subprocess.run([OPTS.warren, "--version"], capture_output=True, text=True, timeout=10)
        version = r.stdout.split()[1]
        for page in self.PAGES:
            th = re.search(r'(?m)^\.TH .*"warren ([^"]+)"', read("docs", "man", page))
            self.assertIsNotNone(th, page)
            self.assertEqual(th.group(1), version, page)

    def test_render_without_warnings(self):
        self.assertTrue(shutil.which("man"), "man (man-db, deploy/packages/test.txt) is needed")
        env = dict(os.environ, LC_ALL="C.UTF-8", MANROFFSEQ="", MANWIDTH="80")
        for page in self.PAGES:
            r = subprocess.run(["man", "--warnings", "-l", os.path.join(OPTS.source_dir, "docs", "man", page)],
                               capture_output=True, text=True, timeout=30, env=env)
            self.assertEqual((r.returncode, r.stderr), (0, ""), page)
            self.assertIn("NAME", r.stdout, page)


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
