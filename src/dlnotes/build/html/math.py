"""Build-time math: every formula pymdownx.arithmatex wrote into a page, typeset by KaTeX.

Rendering at build time checks every formula (a rejected one fails the build with page and line
instead of showing red text to the reader) and spares pages the 270 KB KaTeX script.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

from dlnotes.build.engine.memo import Memo, digest, source_digest

ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex"(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=tag)>', re.S)
DISPLAY_ATTRS = ' tabindex="0"'
KATEX_RENDER = Path(__file__).with_name("katex_render.cjs")


class MathRenderer:
    """Typesets the formulas pymdownx.arithmatex wrote into a page, with KaTeX in one Node process."""

    def __init__(self, root: Path):
        self.root = root
        self.process = None
        self.memo = None
        # what turns TeX into markup: KaTeX's version and our script; part of every formula's key
        self.version = source_digest(KATEX_RENDER, root / "node_modules" / "katex" / "package.json")

    def start_build(self, memo: Memo) -> None:
        """Formulas typeset by an earlier build come from memo; Node runs only for new ones."""
        self.memo = memo

    def typeset(self, page_html: str) -> tuple[list[dict], list[dict]]:
        """The formulas of a page and KaTeX's results for them (from the memo when typeset before)."""
        formulas = []
        for match in ARITHMATEX.finditer(page_html):
            body = html.unescape(match["body"]).strip()
            formulas.append({"tex": body[2:-2].strip(), "display": match["tag"] == "div"})   # drop \( \) or \[ \]
        keys = [digest(self.version, f["tex"], f["display"]) for f in formulas]
        return formulas, self.memo.get_many(keys, lambda missing: self._ask([formulas[i] for i in missing]))

    def render_page(self, page_html: str, source: str) -> str:
        formulas, results = self.typeset(page_html)
        if not formulas:
            return page_html
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
