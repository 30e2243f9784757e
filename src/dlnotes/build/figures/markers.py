"""Figure markers in pages: `<!-- figure: NAME | caption -->` on a line of its own.

An HTML comment keeps the page readable as plain Markdown; the hook replaces each marker
with the light and dark image, the caption (also the alt text) and the figure's code.
"""
from __future__ import annotations

import ast
import html
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dlnotes.build.figures import explore
from dlnotes.spec import FigureSpec, ref_source_file, split_ref

ANY_MARKER = re.compile(r"^\s*<!--\s*figure\b")
MARKER = re.compile(r"^<!--\s*figure:\s*(?P<name>[a-z0-9-]+)\s*\|\s*(?P<caption>[^|]*?\S[^|]*?)\s*-->\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# The label of the collapsed box that holds a figure's code, in the page's language (docs/ko, docs/en).
CODE_LABEL = {"ko": "코드", "en": "Code"}


class MarkerError(ValueError):
    """A page names an unknown figure or writes a marker that does not parse."""


@dataclass(frozen=True)
class Marker:
    line: int        # 1-based line number in the page source
    name: str
    caption: str


def find_markers(text: str, page: str, known: set[str]) -> list[Marker]:
    """Every figure marker of a page, outside code fences; raise on a bad or unknown one."""
    markers, errors, fence = [], [], None
    for number, line in enumerate(text.splitlines(), 1):
        opener = FENCE.match(line)
        if opener:
            fence = None if fence == opener.group(1) else (fence or opener.group(1))
            continue
        if fence or not ANY_MARKER.match(line):
            continue
        match = MARKER.match(line.strip())
        if not match:
            errors.append(f"{page}:{number}: malformed figure marker {line.strip()!r}; "
                          "expected '<!-- figure: NAME | caption -->'")
        elif match["name"] not in known:
            errors.append(f"{page}:{number}: unknown figure {match['name']!r}; "
                          f"registered figures: {', '.join(sorted(known))}")
        else:
            markers.append(Marker(number, match["name"], match["caption"]))
    if errors:
        raise MarkerError("\n".join(errors))
    return markers


def replace_markers(text: str, page_src_uri: str, specs: dict[str, FigureSpec], root: Path,
                    code_box: Callable[[FigureSpec, str], str] | None = None) -> str:
    """Expand each marker of a page into Markdown the site renders.

    code_box(spec, lang) gives the box that shows the figure's code (the build serves it as HTML
    from a memo); by default it is the Markdown of code_box_markdown.
    """
    markers = {m.line: m for m in find_markers(text, page_src_uri, set(specs))}
    lines = text.splitlines()
    lang = page_src_uri.split("/")[0]
    for number, marker in markers.items():
        spec = specs[marker.name]
        box = code_box(spec, lang) if code_box else code_box_markdown(spec, lang, figure_code(spec, root), root)
        lines[number - 1] = figure_markdown(marker, spec, page_src_uri, box)
    return "\n".join(lines) + "\n"


def code_box_markdown(spec: FigureSpec, lang: str, code: str, root: Path) -> str:
    """A collapsed box with the figure's code, in the page's language."""
    source = ref_source_file(spec.compute, root).relative_to(root).as_posix()
    code = "\n".join("    " + line if line else "" for line in code.splitlines())
    label = CODE_LABEL.get(lang, CODE_LABEL["en"])
    # The code stays out of the search index (data-search-exclude): it would only enlarge the
    # index every reader's browser downloads, and search finds a figure by its caption anyway.
    return (f'<div class="dlnotes-figure-code" data-search-exclude="" markdown>\n\n'
            f'??? abstract "{label}: `{spec.name}` · `{source}`"\n\n    ```python\n{code}\n    ```\n\n</div>\n')


def figure_markdown(marker: Marker, spec: FigureSpec, page_src_uri: str, box: str) -> str:
    base = posixpath.relpath("figures", posixpath.dirname(page_src_uri) or ".")
    lang = page_src_uri.split("/")[0]
    alt = explore.alt_text(marker.caption, spec, spec.variants()[0], lang).replace("[", "(").replace("]", ")")
    # width and height (in hundredths of an inch) keep the place of the figure before it loads, and
    # when a control swaps in a variant, which has the same size
    size = f"width={round(spec.size[0] * 100)} height={round(spec.size[1] * 100)}"
    images = "\n".join(f"![{alt}]({base}/{spec.name}.{variant}.svg#only-{variant}){{ loading=lazy {size} }}"
                       for variant in ("light", "dark"))
    controls = explore.controls_html(spec, marker.caption, lang) + "\n" if spec.explore else ""
    return (f'{controls}<figure class="dlnotes-figure" id="figure-{spec.name}" markdown="span">\n{images}\n'
            f"<figcaption>{html.escape(marker.caption)}</figcaption>\n</figure>\n\n{box}")


def figure_code(spec: FigureSpec, root: Path) -> str:
    """The settings and the source of the compute and draw functions, read without importing."""
    settings = ", ".join(f"{k}={json.dumps(v)}" for k, v in spec.settings.items())
    parts = [f"# {spec.name}: data = {split_ref(spec.compute)[1]}({settings}); "
             f"{split_ref(spec.draw)[1]}(axes, data)"]
    for knob in spec.explore:      # the page's controls: one figure per combination, computed at build time
        parts[0] += f"\n# on the page, {knob.setting} takes each of {json.dumps(list(knob.values))}"
    for ref in (spec.compute, spec.draw):
        parts.append(function_source(ref_source_file(ref, root), split_ref(ref)[1]))
    return "\n\n".join(parts)


def function_source(path: Path, name: str) -> str:
    text = path.read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(text, node, padded=True)
    raise MarkerError(f"{path}: no top-level function {name!r}")
