"""The labs as pages of the site: per-language notebooks, MkDocs files, and where links point.

publish_all    after the engine ran the labs: write each language's notebook for readers into
               .cache/dlnotes/labs/published/<lang>/NAME.ipynb (notebooks.py), with the Colab cell
               and chapter links for this site and repository.
on_files       turn each lab source into a page backed by its published notebook, which
               labs/html.py renders (through mkdocs-jupyter's converter) and copies beside the page.
Where the site and the repository are (site_url, extra.repo) only shapes the published copies,
so `mkdocs serve` and a CI build reuse the executed notebooks.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from dlnotes.build.engine.keys import file_digest
from dlnotes.build.engine.memo import Memo, digest
from dlnotes.build.labs import notebooks
from dlnotes.build.labs.sources import CODE_VERSION, LAB_DIR, Lab, LabSourceError

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


def published_path(cache_dir: Path, lang: str, name: str) -> Path:
    return cache_dir / "labs" / "published" / lang / f"{name}.ipynb"


def publish_all(labs: list[Lab], config, cache_dir: Path, memo: Memo) -> list[str]:
    """Write every language's notebook of every lab; the errors, naming the lab's source.

    A notebook is written again only when something it comes from changed: the source, the
    executed notebook, the addresses, or a page of its language (its links are checked against them).
    """
    conf, default_lang, errors = settings(config), default_language(config), []
    docs_dir = Path(config.docs_dir)
    pages = {lang: {p.relative_to(docs_dir).as_posix(): file_digest(p) for p in sorted((docs_dir / lang).rglob("*.md"))}
             for lang in {lang for lab in labs for lang in lab.sources}}
    for lab in labs:
        executed = cache_dir / lab.output()
        for lang, source in sorted(lab.sources.items()):
            out = published_path(cache_dir, lang, lab.name)
            key = digest(CODE_VERSION, conf, lang_prefix(lang, default_lang), file_digest(source),
                         file_digest(executed), pages[lang])
            if out.is_file() and memo.get(key, lambda: None) == file_digest(out):
                continue
            try:
                nb = notebooks.for_readers(notebooks.with_outputs(source.read_text(encoding="utf-8"),
                                                                  nbformat.read(executed, as_version=4)),
                                           setup_cell=setup_cell(lang, conf["repo"]), site_url=conf["site_url"],
                                           lang_prefix=lang_prefix(lang, default_lang), docs_lang_dir=docs_dir / lang)
            except LabSourceError as error:
                errors.append(f"lab docs/{lang}/{LAB_DIR}/{lab.name}.py: {error}")
                continue
            notebooks.write_if_changed(nb, out)
            memo.put(key, file_digest(out))
    return errors


class LabPage(File):
    """A lab source shown as a page: labs/html.py renders the notebook at abs_src_path."""

    def is_documentation_page(self) -> bool:
        return True


def no_markdown(page) -> None:
    """A lab page's Page.read_source: its source is a notebook, which labs/html.py renders."""
    page.markdown, page.meta = "", {}


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


