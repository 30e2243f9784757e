"""The labs: jupytext sources executed at build time, shown by mkdocs-jupyter, downloadable.

A lab is docs/<lang>/labs/NAME.py in jupytext's percent format. At every build:

on_pre_build   execute exactly the stale labs, each in its own worker process and kernel
               (dlnotes.pipeline.labrun), in parallel, into .cache/dlnotes/labs/executed/; a
               raising cell fails the build naming lab and cell. Then write the notebooks readers
               get, with the Colab cell and absolute chapter links, into .cache/dlnotes/labs/published/,
               and the report .cache/dlnotes/labs.json.
on_files       turn each lab source into a page backed by its published notebook, which
               mkdocs-jupyter renders (execute: false) and copies beside the page (include_source).
on_page_content  make the notebook HTML part of the site: KaTeX math, Material code blocks,
               Unicode heading ids and TOC, no CDN scripts, download and Colab buttons.

A lab's cache key works like a figure's (see cache.py): its source, the worker, the style
sheets, every repository file its kernel loaded, the versions of the distributions it loaded
and Python's version. Where the site and the repository are (site_url, extra.repo) only shape
the published copy, so `mkdocs serve` and a CI build reuse the executed notebooks.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

import nbformat

from dlnotes.pipeline import cache, labrun

log = logging.getLogger("mkdocs.plugins.dlnotes")
LAB_DIR = "labs"
ALWAYS_VERSIONED = ("torch", "numpy", "matplotlib", "nbclient", "nbformat", "jupytext", "ipykernel")
STATE_VERSION = 1
TIME_LIMIT = 300.0      # seconds for a whole lab, kernel start included
CELL_TIMEOUT = 120.0    # seconds for one cell
DEFAULT_BRANCH = "gh-pages"

SETUP_CELL = {
    "ko": ("# Colab에서만 하는 일: 이 실습이 쓰는 dlnotes 패키지를 저장소에서 설치한다.\n"
           "# 저장소를 받아 `pip install -e .`로 설치했다면 아무 일도 하지 않는다."),
    "en": ("# Only in Colab: install the dlnotes package, which this lab imports, from\n"
           "# the repository. A checkout installed with `pip install -e .` has it already."),
}
SETUP_CODE = """
import sys
if "google.colab" in sys.modules:
    import importlib, subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "--no-deps", "git+{repo}"],
                   check=True)
    importlib.invalidate_caches()"""
BUTTONS = {
    "ko": ("노트북 내려받기 (.ipynb)", "Colab에서 열기"),
    "en": ("Download the notebook (.ipynb)", "Open in Colab"),
}


@dataclass(frozen=True)
class Lab:
    lang: str
    name: str
    source: Path          # docs/<lang>/labs/NAME.py

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.name}"


@dataclass
class LabResult:
    key: str
    ok: bool
    seconds: float
    error: str = ""
    files: list = field(default_factory=list)
    dists: dict = field(default_factory=dict)


# ------------------------------------------------------------------ settings

def settings(config) -> dict:
    """Where the labs point readers to: the repository (Colab, pip) and the published site."""
    extra = config.extra or {}
    repo = str(extra.get("repo") or "").rstrip("/")
    parts = urlparse(repo)
    if parts.scheme != "https" or parts.netloc != "github.com" or len(parts.path.strip("/").split("/")) != 2:
        raise PluginError(f"mkdocs.yml: extra.repo must be a GitHub repository address like "
                          f"https://github.com/OWNER/NAME (the labs' Colab links need it), got {repo!r}")
    site_url = config.site_url or ""
    if not site_url:
        raise PluginError("mkdocs.yml: the labs need site_url (their chapter links point there)")
    return {"repo": repo, "branch": str(extra.get("labs_branch") or DEFAULT_BRANCH),
            "site_url": site_url if site_url.endswith("/") else site_url + "/"}


def setup_cell(lang: str, repo: str) -> str:
    return SETUP_CELL.get(lang, SETUP_CELL["en"]) + SETUP_CODE.format(repo=repo)


def lang_prefix(lang: str, default_lang: str) -> str:
    return "" if lang == default_lang else f"{lang}/"


def default_language(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.default_language if i18n else config.theme["language"]


def current_language(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.current_language if i18n else config.theme["language"]


def colab_url(repo: str, branch: str, notebook_path: str) -> str:
    """Colab opens notebooks from GitHub; the published site's branch holds NAME.ipynb."""
    owner_name = urlparse(repo).path.strip("/")
    return f"https://colab.research.google.com/github/{owner_name}/blob/{branch}/{notebook_path}"


# ------------------------------------------------------------------ execution and cache

def find_labs(docs_dir: Path) -> list[Lab]:
    return [Lab(path.parent.parent.name, path.stem, path)
            for path in sorted(docs_dir.glob(f"*/{LAB_DIR}/*.py"))]


def executed_path(cache_dir: Path, lab: Lab) -> Path:
    return cache_dir / "labs" / "executed" / lab.lang / f"{lab.name}.ipynb"


def published_path(cache_dir: Path, lang: str, name: str) -> Path:
    return cache_dir / "labs" / "published" / lang / f"{name}.ipynb"


def job_for(lab: Lab, root: Path) -> dict:
    return {"name": lab.name, "source": str(lab.source), "root": str(root), "cell_timeout": CELL_TIMEOUT}


def fixed_files(lab: Lab, root: Path) -> set[str]:
    """Files that shape every executed lab besides what its kernel imports."""
    here = Path(__file__).parent
    paths = [lab.source, here / "labrun.py", *sorted((here / "styles").glob("*.mplstyle"))]
    return {p.resolve().relative_to(root).as_posix() for p in paths}


def current_inputs(lab: Lab, job: dict, root: Path, previous: dict | None) -> dict:
    settings_digest = {k: v for k, v in job.items() if k not in ("source", "root")}
    files = fixed_files(lab, root)
    dists = set(ALWAYS_VERSIONED)
    if previous:
        files |= set(previous["files"])
        dists |= set(previous["dists"])
    return {
        "spec": hashlib.sha256(json.dumps(settings_digest, sort_keys=True).encode()).hexdigest(),
        "python": sys.version.split()[0],
        "files": {f: cache.file_digest(root / f) for f in sorted(files)},
        "dists": {d: cache.dist_version(d) for d in sorted(dists)},
    }


def load_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return state.get("labs", {}) if state.get("version") == STATE_VERSION else {}


def run_lab(lab: Lab, job: dict, root: Path, cache_dir: Path) -> LabResult:
    """Execute one lab in a fresh work folder; only on success move its notebook into the cache."""
    (cache_dir / "work").mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=f"lab-{lab.lang}-{lab.name}-", dir=cache_dir / "work"))
    # The repository's own src/ first, so a copy of the project runs its own code; no
    # MPLBACKEND, so that the kernel shows figures inline.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")])),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLBACKEND", None)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "dlnotes.pipeline.labrun"],
                              input=json.dumps({**job, "work_dir": str(work_dir)}), capture_output=True,
                              text=True, cwd=work_dir, env=env, timeout=TIME_LIMIT)
        seconds = time.perf_counter() - start
        result_path = work_dir / "result.json"
        if proc.returncode != 0 or not result_path.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
            return LabResult(lab.key, False, seconds, f"the lab's worker failed (exit {proc.returncode}):\n{tail}")
        result = json.loads(result_path.read_text())
        if not result["ok"]:
            where = f"cell {result['cell']}" + (f" (line {result['line']})" if result["line"] else "")
            return LabResult(lab.key, False, seconds, f"{where}: {result['error']}")
        out = executed_path(cache_dir, lab)
        out.parent.mkdir(parents=True, exist_ok=True)
        (work_dir / f"{lab.name}.ipynb").replace(out)
        return LabResult(lab.key, True, seconds, files=result["files"], dists=result["dists"])
    except subprocess.TimeoutExpired:
        return LabResult(lab.key, False, time.perf_counter() - start,
                         f"ran past its time limit of {TIME_LIMIT:g} s and was stopped")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def refresh(config, root: Path, cache_dir: Path) -> None:
    """Execute exactly the stale labs, record what happened, fail naming lab and cell."""
    start = time.perf_counter()
    docs_dir = Path(config.docs_dir)
    labs = find_labs(docs_dir)
    if not labs:
        return
    conf = settings(config)
    state_path = cache_dir / "labs" / "state.json"
    state = load_state(state_path)
    report, stale, inputs, jobs = {}, [], {}, {}
    for lab in labs:
        previous = state.get(lab.key)
        jobs[lab.key] = job_for(lab, root)
        inputs[lab.key] = current_inputs(lab, jobs[lab.key], root, previous and previous["inputs"])
        present = executed_path(cache_dir, lab).exists()
        reason = cache.stale_reason(inputs[lab.key], previous and previous["inputs"], present)
        report[lab.key] = {"lab": lab.key, "source": lab.source.relative_to(root).as_posix(),
                           "status": "cached", "reason": reason or "unchanged", "seconds": 0.0,
                           "notebook": executed_path(cache_dir, lab).relative_to(cache_dir).as_posix()}
        if reason:
            stale.append(lab)
    if os.environ.get("DLNOTES_LABS") == "off":
        log.info("labs: execution skipped (DLNOTES_LABS=off), serving the cached notebooks as they are")
        for lab in stale:
            if executed_path(cache_dir, lab).exists():
                report[lab.key]["status"] = "skipped"
        stale = [lab for lab in stale if report[lab.key]["status"] != "skipped"]
    failures = []
    workers = max(1, min(len(stale), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda lab: run_lab(lab, jobs[lab.key], root, cache_dir), stale))
    for lab, result in zip(stale, results):
        entry = report[lab.key]
        entry["seconds"] = round(result.seconds, 2)
        if result.ok:
            entry["status"] = "executed"
            state[lab.key] = {"inputs": _recorded_inputs(inputs[lab.key], result, root)}
            log.info(f"lab {lab.key}: executed ({entry['reason']}) in {result.seconds:.1f} s")
        else:
            entry["status"] = "failed"
            failures.append(f"lab {entry['source']}: {result.error}")
    _save(state_path, {"version": STATE_VERSION, "labs": state})
    _save(cache_dir / "labs.json", {"labs": [report[k] for k in sorted(report)]})
    if not failures:
        failures = [f"lab {report[lab.key]['source']}: {error}" for lab in labs
                    if (error := publish(lab, conf, config, cache_dir))]
    counts = {s: sum(e["status"] == s for e in report.values()) for s in ("executed", "cached", "failed", "skipped")}
    log.info(f"labs: {len(report)} total, {counts['executed']} executed, {counts['cached']} cached, "
             f"{counts['failed']} failed" + (f", {counts['skipped']} stale but skipped" if counts["skipped"] else "")
             + f" in {time.perf_counter() - start:.1f} s")
    if failures:
        raise PluginError("\n\n".join(failures) + "\n\nThe previous notebook of each failed lab was kept.")


def publish(lab: Lab, conf: dict, config, cache_dir: Path) -> str | None:
    """Write the notebook readers get (only when its bytes change); an error message, or None."""
    executed = nbformat.read(executed_path(cache_dir, lab), as_version=4)
    try:
        nb = labrun.publish(executed, setup_cell=setup_cell(lab.lang, conf["repo"]), site_url=conf["site_url"],
                            lang_prefix=lang_prefix(lab.lang, default_language(config)),
                            docs_lang_dir=Path(config.docs_dir) / lab.lang)
    except labrun.LabSourceError as error:
        return str(error)
    text = nbformat.writes(nb).rstrip("\n") + "\n"
    path = published_path(cache_dir, lab.lang, lab.name)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return None


def _recorded_inputs(before: dict, result: LabResult, root: Path) -> dict:
    files = dict(before["files"])
    for f in result.files:
        files.setdefault(f, cache.file_digest(root / f))
    dists = {**result.dists, **before["dists"]}
    return {**before, "files": dict(sorted(files.items())), "dists": dict(sorted(dists.items()))}


def _save(path: Path, payload: dict) -> None:
    cache.save_json(path, payload)


# ------------------------------------------------------------------ pages

class LabPage(File):
    """A lab source shown as a page: mkdocs-jupyter renders the notebook at abs_src_path."""

    def is_documentation_page(self) -> bool:
        return True


def configure_renderer(config, cache_dir: Path) -> None:
    """One mkdocs-jupyter HTML cache per language.

    mkdocs-static-i18n builds each language as a build of its own, and mkdocs-jupyter evicts
    every cache entry that a build did not use; with one folder, each language would evict
    the other's pages.
    """
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None:
        if find_labs(Path(config.docs_dir)):
            raise PluginError("mkdocs.yml: the labs need the mkdocs-jupyter plugin")
        return
    jupyter.config["cache_dir"] = str(cache_dir / "labs" / "html" / current_language(config))


def on_files(files, config, cache_dir: Path):
    """Replace each lab source of this language with a page backed by its published notebook."""
    lang, default_lang = current_language(config), default_language(config)
    docs_dir = Path(config.docs_dir)
    for source in [f for f in files if _lab_name(f, docs_dir)]:
        name = _lab_name(source, docs_dir)
        notebook = published_path(cache_dir, lang, name)
        if not notebook.exists():
            raise PluginError(f"lab {source.src_uri}: no executed notebook at {notebook}; "
                              "build without DLNOTES_LABS=off")
        page = _lab_page(source.src_uri, lang, name, config, default_lang)
        page.abs_src_path = str(notebook)
        alternates = {}
        for other in sorted({p.parent.parent.name for p in docs_dir.glob(f"*/{LAB_DIR}/{name}.py")}):
            alternates[other] = page if other == lang else _lab_page(f"{other}/{LAB_DIR}/{name}.py", other, name,
                                                                     config, default_lang)
        for attr in ("locale", "locale_alternate_of", "localization", "norm_src_uri"):
            if hasattr(source, attr):
                setattr(page, attr, getattr(source, attr))
        page.alternates = alternates
        files.remove(source)
        files.append(page)
        i18n = config.plugins.get("i18n")
        if i18n is not None:   # the sitemap lists every language's pages with their alternates
            i18n.i18n_files_per_language.setdefault(lang, []).append(page)
    return files


def _lab_name(file, docs_dir: Path) -> str | None:
    if file.abs_src_path is None or not file.src_uri.endswith(".py"):
        return None
    path = Path(file.abs_src_path)
    if path.parent.name == LAB_DIR and path.parent.parent.parent == docs_dir:
        return path.stem
    return None


def _lab_page(src_uri: str, lang: str, name: str, config, default_lang: str) -> LabPage:
    dest = f"{lang_prefix(lang, default_lang)}{LAB_DIR}/{name}/index.html"
    return LabPage(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls, dest_uri=dest)


def is_lab_page(page) -> bool:
    return isinstance(page.file, LabPage)


# ------------------------------------------------------------------ the notebook HTML, made a page of the site
#
# mkdocs-jupyter writes the notebook as JupyterLab HTML: its own 600 KB of CSS, its own code
# colours, MathJax and Mermaid loaders from a CDN, ASCII-only heading ids. Here the cells are
# taken out of it and written the way the site writes everything else: Material's code blocks
# (so the palettes and the copy button apply), pymdownx.arithmatex's math spans (typeset by the
# site's KaTeX), heading ids from the site's own slugify, and no script or style at all.

INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$(?!\$)", re.S)
DISPLAY_MATH = re.compile(r"<p>\s*\$\$(.+?)\$\$\s*</p>|\$\$(.+?)\$\$", re.S)
CODE_SPANS = re.compile(r"(<code>.*?</code>|<pre>.*?</pre>)", re.S)
# when a cell gives no alt="..." (nbconvert would say "No description has been provided")
FALLBACK_ALT = {"ko": "위 코드가 그린 그림", "en": "The figure drawn by the code above"}


def on_page_content(content: str, page, config) -> str:
    from bs4 import BeautifulSoup

    lang = current_language(config)
    notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    cells = {cell["id"]: cell for cell in notebook["cells"]}
    soup = BeautifulSoup(content, "html.parser")
    parts = []
    for div in soup.select("div.jp-Cell[id]"):
        cell = cells[div["id"].removeprefix("cell-id=")]
        if cell["cell_type"] == "markdown":
            rendered = div.select_one(".jp-RenderedMarkdown")
            parts.append(_with_math(rendered.decode_contents() if rendered else ""))
        elif cell["cell_type"] == "code":
            parts.append(_code_cell(div, cell, lang, Path(page.file.abs_dest_path).parent))
    body = BeautifulSoup("\n".join(parts), "html.parser")
    page.toc = get_toc(_heading_ids(body, config))
    _add_buttons(body, page, config, lang)
    html_out = str(body)
    site_url = settings(config)["site_url"]
    html_out = re.sub(r'href="' + re.escape(site_url) + r'([^"]*)"',
                      lambda m: f'href="{_relative(m[1], page.url)}"', html_out)
    return f'<div class="dlnotes-lab">\n{html_out}\n</div>'


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


def _code_cell(div, cell: dict, lang: str, page_dir: Path) -> str:
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
                img.attrs.update(_image_file(img["src"], page_dir))
                attrs = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in img.attrs.items()
                                 if k in ("src", "alt", "width", "height", "loading"))
                parts.append(f'<p class="dlnotes-lab-figure"><img {attrs}></p>')
        else:   # HTML, Markdown, LaTeX outputs: as nbconvert rendered them
            parts.append(f'<div class="dlnotes-lab-rich">{output.decode_contents()}</div>')
    return "\n".join(parts)


def _image_file(src: str, page_dir: Path) -> dict:
    """A PNG output as a file beside the page instead of a data: URL in it.

    Inline, a lab's plots made its HTML ~0.4 MB (gzip) that has to arrive before anything shows;
    as files they load lazily, and width and height keep the layout from jumping when they do.
    """
    header, _, data = src.partition(",")
    if header != "data:image/png;base64":
        return {}
    png = base64.b64decode(data)
    name = f"{hashlib.sha256(png).hexdigest()[:16]}.png"     # by content: the same bytes every build
    page_dir.mkdir(parents=True, exist_ok=True)
    (page_dir / name).write_bytes(png)
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
