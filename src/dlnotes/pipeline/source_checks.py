"""Checks of page sources that Markdown itself lets through silently.

Python-Markdown renders an unclosed code fence as code up to the end of the page, leaves a
malformed `--8<--` line as plain text, and KaTeX typesets in the reader's browser, where a bad
formula shows up as red text. Each of these fails the build here instead, naming page and line.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
SNIPPET_LINE = re.compile(r'^\s*--8<-- "[^"\s]+"\s*$')
ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.S)
KATEX_CHECK = Path(__file__).with_name("katex_check.cjs")


def check_markdown(text: str, page: str) -> list[str]:
    """Unclosed code fences and malformed snippet markers, as 'page:line: problem' strings."""
    errors, fence = [], None      # fence: (characters, line number) of the fence that is open
    for number, line in enumerate(text.splitlines(), 1):
        # pymdownx.snippets expands marker lines before fences are parsed, inside fences too
        if line.lstrip().startswith("--8<--") and not SNIPPET_LINE.match(line):
            errors.append(f"{page}:{number}: malformed snippet marker {line.strip()!r}; "
                          'expected --8<-- "path/to/file.py" or --8<-- "path/to/file.py:section"')
            continue
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence = (match["fence"], number)
        elif match and match["fence"][0] == fence[0][0] and len(match["fence"]) >= len(fence[0]) \
                and not match["rest"].strip():
            fence = None
    if fence is not None:
        errors.append(f"{page}:{fence[1]}: code fence {fence[0]} is never closed")
    return errors


def math_in_html(page_html: str) -> list[tuple[str, bool]]:
    """The formulas pymdownx.arithmatex wrote into a page: (tex, display)."""
    formulas = []
    for match in ARITHMATEX.finditer(page_html):
        body = html.unescape(match["body"]).strip()
        display = match["tag"] == "div"
        formulas.append((body[2:-2].strip(), display))   # drop \( \) or \[ \]
    return formulas


def check_math(formulas: list[tuple[str, str, bool]], root: Path) -> list[str]:
    """Typeset (page source, tex, display) triples with KaTeX in Node; errors with page and line."""
    if not formulas:
        return []
    proc = subprocess.run(["node", str(KATEX_CHECK)], input=json.dumps([{"tex": t, "display": d} for _, t, d in formulas]),
                          capture_output=True, text=True, cwd=root, timeout=120)
    if proc.returncode != 0:
        return [f"KaTeX check could not run (is `npm ci` done?): {proc.stderr.strip()[-500:]}"]
    errors = []
    for (page, tex, _), error in zip(formulas, json.loads(proc.stdout)):
        if error:
            errors.append(f"{page}:{source_line(root / page, tex)}: {error}")
    return errors


def source_line(path: Path, tex: str) -> int | str:
    """The line of the page source where a formula starts ('?' when it cannot be found)."""
    first = next((line.strip() for line in tex.splitlines() if line.strip()), tex)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return "?"
    return next((n for n, line in enumerate(lines, 1) if first in line), "?")
