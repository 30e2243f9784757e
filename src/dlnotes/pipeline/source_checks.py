"""Checks of page sources that Markdown itself lets through silently.

Python-Markdown renders an unclosed code fence as code up to the end of the page, leaves a
malformed `--8<--` line as plain text, and KaTeX in the reader's browser shows a bad formula as
red text. Each of these fails the build here instead, naming page and line.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
SNIPPET_LINE = re.compile(r'^\s*--8<-- "[^"\s]+"\s*$')
ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex"(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=tag)>', re.S)
DISPLAY_ATTRS = ' tabindex="0"'
KATEX_RENDER = Path(__file__).with_name("katex_render.cjs")


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


class MathRenderer:
    """Typesets the formulas pymdownx.arithmatex wrote into a page, with KaTeX in one Node process.

    Rendering at build time checks every formula (a rejected one fails the build with page and
    line instead of showing red text to the reader) and spares pages the 270 KB KaTeX script.
    """

    def __init__(self, root: Path):
        self.root = root
        self.process = None

    def render_page(self, page_html: str, source: str) -> str:
        matches = list(ARITHMATEX.finditer(page_html))
        if not matches:
            return page_html
        formulas = []
        for match in matches:
            body = html.unescape(match["body"]).strip()
            formulas.append({"tex": body[2:-2].strip(), "display": match["tag"] == "div"})   # drop \( \) or \[ \]
        results = self._ask(formulas)
        errors = [f"{source}:{source_line(self.root / source, f['tex'])}: {r['error']}"
                  for f, r in zip(formulas, results) if "error" in r]
        if errors:
            raise MathError("KaTeX rejects these formulas:\n" + "\n".join(errors))
        rendered = iter(results)
        # tabindex: a display formula wider than the column scrolls, and keyboards must reach it
        def typeset(match) -> str:
            attrs = match["attrs"] or (DISPLAY_ATTRS if match["tag"] == "div" else "")
            return f'<{match["tag"]} class="arithmatex"{attrs}>{next(rendered)["html"]}</{match["tag"]}>'
        return ARITHMATEX.sub(typeset, page_html)

    def _ask(self, formulas: list[dict]) -> list[dict]:
        if self.process is None:
            self.process = subprocess.Popen(["node", str(KATEX_RENDER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True, cwd=self.root)
        self.process.stdin.write(json.dumps(formulas) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise MathError(f"KaTeX could not run (is `npm ci` done?): {self.process.stderr.read()[-500:]}")
        return json.loads(answer)

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process.stdout.close()
            self.process.stderr.close()
            self.process = None


class MathError(ValueError):
    """A formula that KaTeX rejects."""


def source_line(path: Path, tex: str) -> int | str:
    """The line of the page source where a formula starts ('?' when it cannot be found)."""
    first = next((line.strip() for line in tex.splitlines() if line.strip()), tex)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return "?"
    return next((n for n, line in enumerate(lines, 1) if first in line), "?")
