#!/usr/bin/python3
"""Writes docs/man/warren.toml.5 from warren.toml.5.in and the key tables of config/README.md.

The template holds the prose; each line `@KEYS <heading>@` in it becomes the key table of
config/README.md under that heading (its text without the `#`s and backticks, e.g.
`@KEYS [global]@`, `@KEYS Nodes: [[cluster.node]]@`), one `.TP` entry per key:

    .TP
    \\fBworkers\\fR \\(em "auto" or integer; default "auto"; 1..256
    Worker threads. ...

Every key table of the reference must be placed in the template, and every marker must name
one: a key added to config/README.md cannot be missing from the man page.
tests/integration/test_man_pages.py fails when the committed page differs from the output.

    python3 docs/man/generate_warren_toml_5.py            # rewrite docs/man/warren.toml.5
    python3 docs/man/generate_warren_toml_5.py --check    # exit 1 if it is not up to date
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
README = os.path.join(SOURCE_DIR, "config", "README.md")
TEMPLATE = os.path.join(HERE, "warren.toml.5.in")
OUTPUT = os.path.join(HERE, "warren.toml.5")

MARKER = re.compile(r"^@KEYS (.+)@$")
# Characters groff knows by name; any other non-ASCII one is written as \[uXXXX].
NAMED = {"×": r"\(mu", "≤": r"\(<=", "≥": r"\(>=", "—": r"\(em", "–": r"\(en", "→": r"\(->",
         "…": r"\&...", "“": r"\(lq", "”": r"\(rq", "’": r"\(cq"}


def heading_text(line):
    """'## `[global]`' -> '[global]'; 'Nodes: `[[cluster.node]]`' keeps its words."""
    return line.lstrip("#").strip().replace("`", "")


def cells(line):
    """The cells of a markdown table row; `\\|` inside a cell is a literal bar."""
    parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [p.strip().replace(r"\|", "|") for p in parts]


def key_tables(readme_text):
    """{heading: [row dict]} of every table whose first column is `Key`, in file order."""
    tables, heading, header, rows = {}, None, None, None
    for line in readme_text.splitlines():
        if line.startswith("#"):
            heading = heading_text(line)
            header = None
            continue
        if not line.startswith("|"):
            header = None
            continue
        row = cells(line)
        if header is None:
            if row and row[0] == "Key":
                header, rows = row, []
                if heading in tables:
                    raise SystemExit(f"config/README.md: two key tables under {heading!r}")
                tables[heading] = rows
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in row):
            continue
        rows.append(dict(zip(header, row)))
    return tables


def escape(text):
    """Plain text to roff: backslashes, non-ASCII characters."""
    text = text.replace("\\", r"\e")
    return "".join(NAMED.get(c, c) if ord(c) < 128 or c in NAMED else r"\[u%04X]" % ord(c) for c in text)


def inline(markdown):
    """One table cell to roff: `code` in bold (its hyphens as \\-),
    *emphasis* in italics, **strong** in bold, [text](link) as text."""
    markdown = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    out = []
    for i, part in enumerate(re.split(r"`([^`]*)`", markdown)):
        if i % 2:
            out.append(r"\fB" + escape(part).replace("-", r"\-") + r"\fR")
        else:
            part = re.sub(r"\*\*([^*]+)\*\*", "\x01B\\1\x01R", part)
            part = re.sub(r"\*([^*\s][^*]*)\*", "\x01I\\1\x01R", part)
            out.append(escape(part).replace("\x01", r"\f"))
    text = "".join(out)
    return r"\&" + text if text.startswith((".", "'")) else text


def entry(row):
    """The .TP entry of one key: the key, then type, default and range when given."""
    key = row["Key"].strip("`")
    facts = [inline(row[c]) for c in ("Type",) if row.get(c)]
    if row.get("Default") == "required":
        facts.append("required")
    elif row.get("Default"):
        facts.append("default " + inline(row["Default"]))
    if row.get("Range"):
        facts.append(inline(row["Range"]))
    tag = r"\fB" + escape(key) + r"\fR"
    if facts:
        tag += r" \(em " + "; ".join(facts)
    return [".TP", tag, inline(row["Meaning"])]


def generate(template_text, readme_text):
    tables = key_tables(readme_text)
    used, out = set(), []
    for line in template_text.splitlines():
        m = MARKER.match(line)
        if not m:
            out.append(line)
            continue
        heading = m.group(1)
        if heading not in tables:
            raise SystemExit(f"warren.toml.5.in: no key table under the heading {heading!r} in config/README.md")
        used.add(heading)
        for row in tables[heading]:
            out += entry(row)
    unused = [h for h in tables if h not in used]
    if unused:
        raise SystemExit(f"warren.toml.5.in: no @KEYS marker for the key tables of config/README.md under {unused}")
    return "\n".join(out) + "\n"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    text = generate(read(TEMPLATE), read(README))
    if sys.argv[1:] == ["--check"]:
        if read(OUTPUT) != text:
            print("docs/man/warren.toml.5 is out of date: run docs/man/generate_warren_toml_5.py", file=sys.stderr)
            return 1
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
