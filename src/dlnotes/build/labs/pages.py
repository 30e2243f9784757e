"""The labs as pages of the site: per-language notebooks, MkDocs files, and where links point.

publish_all    after the engine ran the labs: write each language's notebook for readers into
               .cache/dlnotes/labs/published/<lang>/NAME.ipynb (notebooks.py), with the Colab cell
               and chapter links for this site and repository.
on_files       turn each lab source into a page backed by its published notebook.
render         a lab page's content, TOC and title: the output of its lab page job (page_worker.py)
               with this site's and repository's addresses filled in; the notebook and the plots go
               beside the page.
Where the site and the repository are (site_url, extra.repo) only shapes the published copies and
fills in the pages' placeholders, so `mkdocs serve` and a CI build reuse the executed labs and pages.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

from dlnotes.build.engine.keys import file_digest
from dlnotes.build.engine.memo import Memo, digest
from dlnotes.build.labs import html, notebooks
from dlnotes.build.labs.page_worker import PAGE_FILE
from dlnotes.build.labs.sources import CODE_VERSION, LAB_DIR, Lab, LabSourceError, lab_view, page_folder

DEFAULT_BRANCH = "gh-pages"


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
    executed notebook, the addresses, or a page it links to (its links are checked against them).
    """
    conf, default_lang, errors = settings(config), default_language(config), []
    docs_dir = Path(config.docs_dir)
    for lab in labs:
        executed = cache_dir / lab.output()
        for lang, source in sorted(lab.sources.items()):
            out = published_path(cache_dir, lang, lab.name)
            linked = {page: file_digest(docs_dir / lang / page) for page in notebooks.linked_pages(source)}
            key = digest(CODE_VERSION, conf, lang_prefix(lang, default_lang), file_digest(source),
                         file_digest(executed), linked)
            if out.is_file() and memo.get(key, lambda: None) == file_digest(out):
                continue
            try:
                nb = notebooks.for_readers(notebooks.with_outputs(source.read_text(encoding="utf-8"),
                                                                  nbformat.read(executed, as_version=4)),
                                           setup_cell=notebooks.setup_cell(lang, conf["repo"]), site_url=conf["site_url"],
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


def render(page, config, cache_dir: Path) -> None:
    """Set a lab page's content, TOC and title (its Page.render), and put its notebook and plots beside it.

    The page was made by its job through mkdocs-jupyter's converter. Its plugin is not used: MkDocs
    would import it at every build (a second, most of what a build with nothing to redo cost beyond
    plain Material), its cache kept only the conversion, and what else it does for a page (the
    title, the TOC, the notebook beside the page) is here.
    """
    conf = settings(config)
    folder = cache_dir / page_folder(Path(page.file.abs_src_path).stem, current_language(config))
    parts = json.loads((folder / PAGE_FILE).read_text(encoding="utf-8"))
    page.content = parts["html"].replace(html.REPO, conf["repo"]).replace(html.COLAB, colab_url(conf["repo"], conf["branch"], ""))
    page.toc = get_toc(parts["toc"])
    if parts["title"] is not None:
        page.title = parts["title"]
    page_dir = Path(page.file.abs_dest_path).parent
    page_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page.file.abs_src_path, page_dir / Path(page.file.abs_src_path).name)   # the download
    for name in parts["images"]:
        shutil.copyfile(folder / name, page_dir / name)


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
    return LabPage(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls,
                   dest_uri=lab_view(name, lang, default_lang).dest_uri)


def is_lab_page(page) -> bool:
    return isinstance(page.file, LabPage)


