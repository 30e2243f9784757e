"""The labs' sources: one jupytext script per language, one job per lab.

A lab is docs/<lang>/labs/NAME.py in jupytext's percent format, in every language with the same
file name. Only comments and Markdown cells are translated, so the code runs once for all
languages: the job's key is the code (comments left out), and each language's notebook gets the
shared outputs (notebooks.py). Sources whose code differs fail the build naming both files.
"""
from __future__ import annotations

import hashlib
import io
import json
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

from dlnotes.build.engine.jobs import Job
from dlnotes.build.engine.keys import file_digest
from dlnotes.build.engine.memo import Memo, digest, source_digest
from dlnotes.build.labs.html import LabView

LAB_DIR = "labs"
WORKER = "dlnotes.build.labs.kernel"
ALWAYS_VERSIONED = ("torch", "numpy", "matplotlib", "nbclient", "nbformat", "jupytext", "ipykernel")
TIME_LIMIT = 300.0      # seconds for a whole lab, kernel start included
CELL_TIMEOUT = 120.0    # seconds for one cell
HERE = Path(__file__).resolve().parent
WORKER_FILES = (HERE / "kernel.py", HERE / "sources.py", *sorted((HERE.parents[1] / "styles").glob("*.mplstyle")))
CODE_VERSION = source_digest(HERE / "sources.py", HERE / "notebooks.py")   # how sources become notebooks
PAGE_WORKER = "dlnotes.build.labs.page_worker"
PAGE_WORKER_FILES = (HERE / "page_worker.py", HERE / "html.py", HERE / "notebooks.py")
PAGE_VERSIONED = ("mkdocs-jupyter", "nbconvert", "mistune", "pygments", "beautifulsoup4", "nbformat", "jupytext")
PAGE_TIME_LIMIT = 120.0


class LabSourceError(ValueError):
    """A lab's sources disagree between languages, or link to a page or section that does not exist."""


@dataclass(frozen=True)
class Lab:
    name: str
    sources: dict[str, Path]     # language -> docs/<lang>/labs/NAME.py

    def output(self) -> str:
        """The executed notebook, relative to the cache folder."""
        return f"labs/executed/{self.name}.ipynb"


def find_labs(docs_dir: Path) -> list[Lab]:
    by_name: dict[str, dict[str, Path]] = {}
    for path in sorted(docs_dir.glob(f"*/{LAB_DIR}/*.py")):
        by_name.setdefault(path.stem, {})[path.parent.parent.name] = path
    return [Lab(name, sources) for name, sources in sorted(by_name.items())]


def prepare(source: str) -> nbformat.NotebookNode:
    """The notebook of a source: its cells with fixed ids (`cell-1`, `cell-2`, ...).

    Fixed ids make an unchanged lab give the same bytes. Nothing here depends on where the site
    is published, so a build for another address (`mkdocs serve`, CI) reuses the executed notebook.
    """
    import jupytext     # here, not above: a build whose labs are all unchanged never parses one

    nb = jupytext.reads(source, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for number, cell in enumerate(nb.cells, 1):
        cell.id = f"cell-{number}"
    return nb


def code_without_comments(code: str) -> str:
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type != tokenize.COMMENT]
    return "\n".join(line.rstrip() for line in tokenize.untokenize(tokens).splitlines() if line.strip())


def code_cells(nb: nbformat.NotebookNode) -> list[str]:
    return [code_without_comments(cell.source) for cell in nb.cells if cell.cell_type == "code"]


def shared_code(lab: Lab, root: Path) -> list[str]:
    """The code all languages run; LabSourceError naming both files where two languages differ."""
    codes = {lang: code_cells(prepare(path.read_text(encoding="utf-8"))) for lang, path in lab.sources.items()}
    (first, first_code), *others = codes.items()
    for lang, code in others:
        if code != first_code:
            where = next((n for n, (a, b) in enumerate(zip(first_code, code), 1) if a != b), None)
            detail = (f"code cell {where} differs" if where else
                      f"{len(first_code)} code cells against {len(code)}")
            raise LabSourceError(
                f"lab {lab.name!r}: {_rel(lab.sources[first], root)} and {_rel(lab.sources[lang], root)} must run the "
                f"same code (only comments and Markdown cells are translated); {detail}")
    return first_code


def lab_job(lab: Lab, root: Path, default_lang: str, memo: Memo) -> Job:
    """The job that executes a lab's code once, from the default language's source.

    Its key holds the digest of the code, which only a parse of every language's source gives:
    memo keeps it per set of source files, so unchanged sources are not parsed again.
    """
    source = lab.sources.get(default_lang) or next(iter(lab.sources.values()))
    sources_key = digest(CODE_VERSION, {lang: file_digest(path) for lang, path in sorted(lab.sources.items())})
    code_digest = memo.get(sources_key, lambda: hashlib.sha256(json.dumps(shared_code(lab, root)).encode()).hexdigest())
    payload = {"name": lab.name, "source": _rel(source, root), "code": code_digest, "cell_timeout": CELL_TIMEOUT,
               "sources": {lang: _rel(path, root) for lang, path in sorted(lab.sources.items())}}
    return Job(kind="lab", name=lab.name, worker=WORKER, payload=payload,
               files=tuple(sorted(_rel(f, root) for f in WORKER_FILES)), dists=ALWAYS_VERSIONED,
               outputs=(lab.output(),), time_limit=TIME_LIMIT,
               pages=tuple(_rel(path, root) for _, path in sorted(lab.sources.items())),
               estimate=30.0, done="executed", preloaded=False)     # the kernel imports torch on its own


def lab_view(name: str, lang: str, default_lang: str) -> LabView:
    """Where a lab's page in one language is (its links and buttons are relative to it)."""
    url = f"{'' if lang == default_lang else lang + '/'}{LAB_DIR}/{name}/"
    return LabView(lang, url, url + "index.html", f"{name}.ipynb")


def page_folder(name: str, lang: str) -> str:
    """What a lab page job writes, relative to the cache folder: page.json and the page's plots."""
    return f"labs/pages/{lang}/{name}/"


def page_job(lab: Lab, lang: str, root: Path, cache_dir: Path, default_lang: str, slugify: dict) -> Job:
    """The job that makes one language's page of a lab, after the lab has run (page_worker.py)."""
    view = lab_view(lab.name, lang, default_lang)
    executed = _rel(cache_dir / lab.output(), root)
    payload = {"view": {"lang": lang, "url": view.url, "dest_uri": view.dest_uri, "notebook_name": view.notebook_name},
               "source": _rel(lab.sources[lang], root), "executed": executed, "folder": page_folder(lab.name, lang),
               "lang_prefix": view.url.removesuffix(f"{LAB_DIR}/{lab.name}/"), "slugify": slugify}
    files = (payload["source"], executed, *(_rel(f, root) for f in PAGE_WORKER_FILES))
    return Job(kind="lab-page", name=f"{lab.name}.{lang}", worker=PAGE_WORKER, payload=payload, files=tuple(files),
               dists=PAGE_VERSIONED, outputs=(payload["folder"],), time_limit=PAGE_TIME_LIMIT,
               pages=(payload["source"],), estimate=3.0, done="rendered", after=(f"lab:{lab.name}",))


def source_line(source: str, cell_index: int) -> int | None:
    """The line of the `# %%` marker that starts the source's cell number cell_index (from 0)."""
    markers = [n for n, line in enumerate(source.splitlines(), 1) if line.startswith("# %%")]
    return markers[cell_index] if cell_index < len(markers) else None


def _rel(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
