"""A lab page's HTML made part of the site.

mkdocs-jupyter writes the notebook as JupyterLab HTML: its own 600 KB of CSS, its own code
colours, MathJax and Mermaid loaders from a CDN, ASCII-only heading ids. Here the cells are
taken out of it and written the way the site writes everything else: Material's code blocks
(so the palettes and the copy button apply), pymdownx.arithmatex's math spans (typeset by the
site's KaTeX), heading ids from the site's own slugify, and no script or style at all.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import struct
from pathlib import Path

from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from dlnotes.build.engine.keys import dist_version, file_digest
from dlnotes.build.engine.memo import Memo, digest, source_digest
from dlnotes.build.labs.pages import colab_url, current_language, settings

# What turns a notebook into the page: this code and the converter's versions, in every memo key.
CODE_VERSION = source_digest(Path(__file__), Path(__file__).with_name("pages.py"))
CONVERTER = {name: dist_version(name) for name in ("mkdocs-jupyter", "nbconvert", "mistune", "pygments")}
TOC_DEPTH = 6      # mkdocs-jupyter's default: only the title comes from its TOC

BUTTONS = {
    "ko": ("노트북 내려받기 (.ipynb)", "Colab에서 열기"),
    "en": ("Download the notebook (.ipynb)", "Open in Colab"),
}

INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$(?!\$)", re.S)
DISPLAY_MATH = re.compile(r"<p>\s*\$\$(.+?)\$\$\s*</p>|\$\$(.+?)\$\$", re.S)
CODE_SPANS = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.S)
# when a cell gives no alt="..." (nbconvert would say "No description has been provided")
FALLBACK_ALT = {"ko": "위 코드가 그린 그림", "en": "The figure drawn by the code above"}


def render(page, config, memo: Memo, image_dir: Path) -> None:
    """Set the lab page's content, TOC and title (MkDocs' Page.render for a lab), and put the
    notebook and its plots beside it.

    The notebook goes through mkdocs-jupyter's converter, then is rewritten as above: both only
    when the notebook, this code, the converter's versions or the settings changed (memo). Its
    plugin is not used: it would be imported at every build (a second per build, most of what a
    build with nothing to redo costs beyond plain Material), its own cache kept only the first step,
    and everything else it does for a page (title, TOC, the notebook copy) is here.
    """
    source = Path(page.file.abs_src_path)
    notebook = source.read_text(encoding="utf-8")
    key = digest(CODE_VERSION, CONVERTER, file_digest(Path(config.config_file_path)), current_language(config),
                 settings(config), page.url, notebook)
    result = memo.get(key, lambda: _convert(source, json.loads(notebook), page, config, image_dir))
    if not all((image_dir / name).is_file() for name in result["images"]):    # the cache folder was cleaned
        result = memo.put(key, _convert(source, json.loads(notebook), page, config, image_dir))
    page.content, page.toc = result["html"], get_toc(result["toc"])
    if result["title"] is not None:
        page.title = result["title"]
    page_dir = Path(page.file.abs_dest_path).parent
    page_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, page_dir / source.name)          # the download button's notebook
    for name in result["images"]:
        shutil.copyfile(image_dir / name, page_dir / name)


def _convert(source: Path, notebook: dict, page, config, image_dir: Path) -> dict:
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    content = convert.nb2html(str(source), execute=False, kernel_name="", theme="", allow_errors=False,
                              show_input=True, no_input=False, no_prompt=False, remove_tag_config={},
                              highlight_extra_classes="", include_requirejs=False, custom_mathjax_url="")
    title = _get_nb_toc_tokens(str(source), TOC_DEPTH)[1]
    return {**_rewrite(content, notebook, page, config, image_dir), "title": title}


def _rewrite(content: str, notebook: dict, page, config, image_dir: Path) -> dict:
    from bs4 import BeautifulSoup

    lang = current_language(config)
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
    toc = _heading_ids(body, config)
    _add_buttons(body, page, config, lang)
    html_out = str(body)
    site_url = settings(config)["site_url"]
    html_out = re.sub(r'href="' + re.escape(site_url) + r'([^"]*)"',
                      lambda m: f'href="{_relative(m[1], page.url)}"', html_out)
    return {"html": f'<div class="dlnotes-lab">\n{html_out}\n</div>', "toc": toc, "images": images}


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


def _heading_ids(body, config) -> list:
    """Unicode ids from the site's slugify (mkdocs-jupyter's are ASCII-only), and the page's TOC."""
    from markdown.extensions.toc import nest_toc_tokens, slugify as default_slugify, unique

    slugify = config.mdx_configs.get("toc", {}).get("slugify", default_slugify)
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


def _add_buttons(body, page, config, lang: str) -> None:
    """The download and Colab buttons, under the title."""
    conf = settings(config)
    notebook = Path(page.file.abs_src_path).name
    published = f"{page.file.dest_uri.rsplit('/', 1)[0]}/{notebook}"
    download, colab = BUTTONS.get(lang, BUTTONS["en"])
    buttons = body.new_tag("p", attrs={"class": "dlnotes-lab-actions"})
    buttons.append(body.new_tag("a", attrs={"class": "md-button md-button--primary", "href": notebook,
                                            "download": notebook}))
    buttons.contents[-1].string = download
    buttons.append(" ")
    buttons.append(body.new_tag("a", attrs={"class": "md-button", "href": colab_url(conf["repo"], conf["branch"],
                                                                                    published)}))
    buttons.contents[-1].string = colab
    title = body.find("h1")
    if title is not None:
        title.insert_after(buttons)
    else:
        body.insert(0, buttons)


def _relative(target: str, page_url: str) -> str:
    path, hash_, anchor = target.partition("#")
    return get_relative_url(path or ".", page_url) + (hash_ + anchor if hash_ else "")
