"""A lab page's HTML, made the way the site writes everything else (run in the lab page's job).

mkdocs-jupyter's converter writes the notebook as JupyterLab HTML: its own 600 KB of CSS, its own
code colours, MathJax and Mermaid loaders from a CDN, ASCII-only heading ids. Here the cells are
taken out of it and written as Material's code blocks (so the palettes and the copy button apply),
pymdownx.arithmatex's math spans (typeset by the site's KaTeX), heading ids from the site's own
slugify, and no script or style at all. The result does not depend on where the site is published:
links to the site and to Colab carry placeholders that the build fills in (pages.py).
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from mkdocs.utils import get_relative_url

BUTTONS = {
    "ko": ("노트북 내려받기 (.ipynb)", "Colab에서 열기"),
    "en": ("Download the notebook (.ipynb)", "Open in Colab"),
}
SITE, REPO, COLAB = "https://site.dlnotes.invalid/", "https://repo.dlnotes.invalid", "https://colab.dlnotes.invalid/"

INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$(?!\$)", re.S)
DISPLAY_MATH = re.compile(r"<p>\s*\$\$(.+?)\$\$\s*</p>|\$\$(.+?)\$\$", re.S)
CODE_SPANS = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.S)
# when a cell gives no alt="..." (nbconvert would say "No description has been provided")
FALLBACK_ALT = {"ko": "위 코드가 그린 그림", "en": "The figure drawn by the code above"}


@dataclass(frozen=True)
class LabView:
    """One language's page of a lab: what its HTML depends on besides the notebook."""
    lang: str
    url: str              # ko: labs/NAME/, en: en/labs/NAME/
    dest_uri: str         # ... /index.html
    notebook_name: str    # NAME.ipynb, beside the page


def convert(view: LabView, notebook_path: Path, notebook: dict, slugify: Callable, image_dir: Path) -> dict:
    """{"html", "toc", "title", "images"} of the page; its plots are written into image_dir."""
    from mkdocs_jupyter import convert as jupyter

    content = jupyter.nb2html(str(notebook_path), execute=False, kernel_name="", theme="", allow_errors=False,
                              show_input=True, no_input=False, no_prompt=False, remove_tag_config={},
                              highlight_extra_classes="", include_requirejs=False, custom_mathjax_url="")
    return _rewrite(content, notebook, view, slugify, image_dir)


def _rewrite(content: str, notebook: dict, view: LabView, slugify: Callable, image_dir: Path) -> dict:
    from bs4 import BeautifulSoup

    lang = view.lang
    cells = {cell["id"]: cell for cell in notebook["cells"]}
    soup = BeautifulSoup(content, "html.parser")
    parts, images = [], []
    for div in soup.select("div.jp-Cell[id]"):
        cell = cells[div["id"].removeprefix("cell-id=")]
        if cell["cell_type"] == "markdown":
            rendered = div.select_one(".jp-RenderedMarkdown")
            parts.append(_with_math(rendered.decode_contents() if rendered else ""))
        elif cell["cell_type"] == "code":
            parts.append(_code_cell(div, cell, lang, image_dir, images))
    body = BeautifulSoup("\n".join(parts), "html.parser")
    toc = _heading_ids(body, slugify)
    _add_buttons(body, view)
    html_out = re.sub(r'href="' + re.escape(SITE) + r'([^"]*)"',
                      lambda m: f'href="{_relative(m[1], view.url)}"', str(body))
    # the title, as mkdocs-jupyter takes it: the text of the first level-1 heading
    title = next((t["name"] for t in toc if t["level"] == 1), None)
    return {"html": f'<div class="dlnotes-lab">\n{html_out}\n</div>', "toc": toc, "title": title, "images": images}


def _with_math(markup: str) -> str:
    """$...$ and $$...$$ (kept verbatim by nbconvert) -> arithmatex's spans, outside code."""
    pieces = CODE_SPANS.split(markup)
    for i in range(0, len(pieces), 2):
        # tabindex: a display formula wider than the column scrolls, and keyboards must reach it
        text = DISPLAY_MATH.sub(lambda m: f'<div class="arithmatex" tabindex="0">\\[{m[1]}\\]</div>'
                                if m[1] is not None
                                else f'<span class="arithmatex">\\[{m[2]}\\]</span>', pieces[i])
        pieces[i] = INLINE_MATH.sub(lambda m: f'<span class="arithmatex">\\({m[1]}\\)</span>', text)
    return "".join(pieces)


def _code_cell(div, cell: dict, lang: str, image_dir: Path, image_names: list) -> str:
    source = div.select_one("div.highlight-ipynb > pre")
    tokens = source.decode_contents().removeprefix("<span></span>") if source else ""
    parts = [f'<div class="highlight"><pre><span></span><code>{tokens}</code></pre></div>']
    alts = cell.get("metadata", {}).get("alt", [])
    alts = [alts] if isinstance(alts, str) else list(alts) or [FALLBACK_ALT.get(lang, FALLBACK_ALT["en"])]
    images = 0
    for output in div.select("div.jp-OutputArea-output"):
        classes = output.get("class", [])
        if "jp-RenderedText" in classes:
            pre = output.find("pre")
            kind = "stderr" if output.get("data-mime-type") == "application/vnd.jupyter.stderr" else "stdout"
            parts.append(f'<div class="highlight dlnotes-lab-output dlnotes-lab-{kind}"><pre><span></span>'
                         f'<code>{pre.decode_contents() if pre else ""}</code></pre></div>')
        elif "jp-RenderedImage" in classes:
            for img in output.find_all("img"):
                img["alt"] = alts[min(images, len(alts) - 1)]
                images += 1
                img.attrs.update(_image_file(img["src"], image_dir, image_names))
                attrs = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in img.attrs.items()
                                 if k in ("src", "alt", "width", "height", "loading"))
                parts.append(f'<p class="dlnotes-lab-figure"><img {attrs}></p>')
        else:   # HTML, Markdown, LaTeX outputs: as nbconvert rendered them
            parts.append(f'<div class="dlnotes-lab-rich">{output.decode_contents()}</div>')
    return "\n".join(parts)


def _image_file(src: str, image_dir: Path, image_names: list) -> dict:
    """A PNG output as a file beside the page instead of a data: URL in it (kept in image_dir).

    Inline, a lab's plots made its HTML ~0.4 MB (gzip) that has to arrive before anything shows;
    as files they load lazily, and width and height keep the layout from jumping when they do.
    """
    header, _, data = src.partition(",")
    if header != "data:image/png;base64":
        return {}
    png = base64.b64decode(data)
    name = f"{hashlib.sha256(png).hexdigest()[:16]}.png"     # by content: the same bytes every build
    image_dir.mkdir(parents=True, exist_ok=True)
    (image_dir / name).write_bytes(png)
    image_names.append(name)
    width, height = struct.unpack(">II", png[16:24])          # the PNG header's IHDR chunk
    return {"src": name, "width": width, "height": height, "loading": "lazy"}


def _heading_ids(body, slugify: Callable) -> list:
    """Unicode ids from the site's slugify (mkdocs-jupyter's are ASCII-only), and the page's TOC."""
    from markdown.extensions.toc import nest_toc_tokens, unique

    used, tokens = set(), []
    for heading in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        for anchor in heading.select("a.anchor-link"):
            anchor.decompose()
        name = heading.get_text().strip()
        ident = unique(slugify(name, "-"), used)
        heading["id"] = ident
        link = body.new_tag("a", attrs={"class": "headerlink", "href": f"#{ident}", "title": "Permanent link"})
        link.string = "\u00b6"
        heading.append(link)
        tokens.append({"level": int(heading.name[1]), "id": ident, "name": html.escape(name), "children": []})
    return nest_toc_tokens(tokens)


def _add_buttons(body, view: LabView) -> None:
    """The download and Colab buttons, under the title (Colab's address filled in by the build)."""
    published = f"{view.dest_uri.rsplit('/', 1)[0]}/{view.notebook_name}"
    download, colab = BUTTONS.get(view.lang, BUTTONS["en"])
    buttons = body.new_tag("p", attrs={"class": "dlnotes-lab-actions"})
    buttons.append(body.new_tag("a", attrs={"class": "md-button md-button--primary", "href": view.notebook_name,
                                            "download": view.notebook_name}))
    buttons.contents[-1].string = download
    buttons.append(" ")
    buttons.append(body.new_tag("a", attrs={"class": "md-button", "href": COLAB + published}))
    buttons.contents[-1].string = colab
    title = body.find("h1")
    if title is not None:
        title.insert_after(buttons)
    else:
        body.insert(0, buttons)


def _relative(target: str, page_url: str) -> str:
    path, hash_, anchor = target.partition("#")
    return get_relative_url(path or ".", page_url) + (hash_ + anchor if hash_ else "")
