"""Every formula of the pages and labs typesets to MathML that the W3C Nu HTML checker accepts.

KaTeX writes `\\lambda_{\\max}` as an <msub> with three children (the name and an invisible function
application operator after it); the checker rejects it. The formulas are collected the way the
build finds them (pymdownx.arithmatex) and typeset by the script the build uses.
"""
import html
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import markdown
import pytest

ROOT = Path(__file__).resolve().parents[1]
KATEX_SCRIPT = ROOT / "src" / "dlnotes" / "build" / "html" / "katex_render.cjs"    # the build's typesetter
SOURCES = sorted((ROOT / "docs").glob("*/*.md")) + sorted((ROOT / "docs").glob("*/labs/*"))
ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
# MathML elements whose number of children is fixed (MathML Core, as the checker enforces it)
CHILDREN = {"msub": 2, "msup": 2, "msubsup": 3, "mfrac": 2, "mroot": 2, "munder": 2, "mover": 2, "munderover": 3}
# an operator name alone in a sub- or superscript: KaTeX puts the name and the invisible operator that
# follows it straight into the <msub>/<msup> (with more in the script they get an <mrow> of their own)
NAMES = r"(?:max|min|log|ln|exp|sup|inf|lim|det|arg|sin|cos|tan|dim|ker|Pr)"
OPERATOR_IN_SCRIPT = re.compile(rf"[_^]\s*(?:\\{NAMES}\b|\{{\s*\\{NAMES}\s*\}})")


def markdown_formulas(text: str) -> list[tuple[str, bool]]:
    """(TeX, display?) of every formula of a Markdown text, found as mkdocs.yml's arithmatex finds them."""
    md = markdown.Markdown(extensions=["admonition", "attr_list", "md_in_html", "tables", "pymdownx.details",
                                       "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.arithmatex"],
                           extension_configs={"pymdownx.arithmatex": {"generic": True}})
    found = []
    for tag, body in ARITHMATEX.findall(md.convert(text)):
        body = html.unescape(body).strip()
        found.append((body[2:-2].strip(), tag == "div"))           # drop \( \) or \[ \]
    return found


def source_formulas(path: Path) -> list[tuple[str, bool]]:
    if path.suffix == ".md":
        return markdown_formulas(path.read_text(encoding="utf-8"))
    notebook = jupytext.read(path)
    return [f for cell in notebook.cells if cell.cell_type == "markdown" for f in markdown_formulas(cell.source)]


def typeset(formulas: list[tuple[str, bool]]) -> list[str]:
    """KaTeX's HTML for each formula, from the build's script (one JSON line in, one out)."""
    request = json.dumps([{"tex": tex, "display": display} for tex, display in formulas]) + "\n"
    proc = subprocess.run(["node", str(KATEX_SCRIPT)], input=request, capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    results = json.loads(proc.stdout)
    assert not [r for r in results if "error" in r], "KaTeX rejects a formula"
    return [r["html"] for r in results]


class ChildCounter(HTMLParser):
    """Collects the MathML elements whose number of children is not the one MathML prescribes."""

    def __init__(self):
        super().__init__()
        self.stack, self.wrong = [], []

    def handle_starttag(self, tag, attrs):
        if self.stack:
            self.stack[-1][1] += 1
        self.stack.append([tag, 0])

    def handle_startendtag(self, tag, attrs):
        if self.stack:
            self.stack[-1][1] += 1

    def handle_endtag(self, tag):
        name, children = self.stack.pop()
        assert name == tag, f"</{tag}> closes <{name}>"
        if name in CHILDREN and children != CHILDREN[name]:
            self.wrong.append(f"<{name}> with {children} children")


def mathml_problems(katex_html: str) -> list[str]:
    counter = ChildCounter()
    for math in re.findall(r"<math.*?</math>", katex_html, re.S):
        counter.feed(math)
    return counter.wrong


def test_every_formula_typesets_to_valid_mathml():
    formulas = [(path, f) for path in SOURCES for f in source_formulas(path)]
    assert len(formulas) > 1000, "few formulas found: the scan is broken"
    problems = []
    for (path, (tex, _)), katex_html in zip(formulas, typeset([f for _, f in formulas])):
        assert "<math" in katex_html
        problems += [f"{path.relative_to(ROOT)}: {tex!r}: {p}" for p in mathml_problems(katex_html)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tex, valid", [(r"\lambda_{\max}(H)", False), (r"a^{\log n}", True),
                                        (r"\lambda_{\mathrm{max}}(H)", True), (r"x_{\min}", False),
                                        (r"\frac{2}{\lambda_{\mathrm{min}}}", True)])
def test_the_check_finds_an_operator_name_alone_in_a_script(tex, valid):
    (katex_html,) = typeset([(tex, False)])
    assert (mathml_problems(katex_html) == []) == valid
    assert (OPERATOR_IN_SCRIPT.search(tex) is None) == valid


@pytest.mark.parametrize("path", SOURCES + sorted((ROOT / "snippets").glob("*.py")),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_source_puts_an_operator_name_in_a_script(path):
    """The same mistake caught in the sources too, with the line to fix (matplotlib labels included)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = OPERATOR_IN_SCRIPT.search(line)
        assert not match, f"{path.relative_to(ROOT)}:{number}: {match[0]!r}; write the name with \\mathrm{{...}}"
