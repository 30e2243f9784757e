"""The labs: jupytext sources executed at build time, shown by mkdocs-jupyter, downloadable.

A lab is docs/<lang>/labs/NAME.py in jupytext's percent format. At every build:

on_pre_build   execute exactly the stale labs, each in its own worker process and kernel
               (dlnotes.pipeline.labrun), in parallel; write .cache/dlnotes/labs/<lang>/NAME.ipynb
               and .cache/dlnotes/labs.json; a raising cell fails the build naming lab and cell.
on_files       turn each lab source into a page backed by its executed notebook, which
               mkdocs-jupyter renders (execute: false) and copies beside the page (include_source).
on_page_content  make the notebook HTML part of the site: KaTeX math, Material code blocks,
               Unicode heading ids and TOC, no CDN scripts, download and Colab buttons.

A lab's cache key works like a figure's (see cache.py): its source, the worker, the style
sheets, every repository file its kernel loaded, the versions of the distributions it loaded,
Python's version and its settings (the Colab cell, the site address).
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import shutil
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

from dlnotes.pipeline import cache

log = logging.getLogger("mkdocs.plugins.dlnotes")
LAB_DIR = "labs"
ALWAYS_VERSIONED = ("torch", "numpy", "matplotlib", "nbclient", "nbformat", "jupytext", "ipykernel")
STATE_VERSION = 1
TIME_LIMIT = 300.0      # seconds for a whole lab, kernel start included
CELL_TIMEOUT = 120.0    # seconds for one cell
DEFAULT_BRANCH = "gh-pages"

SETUP_CELL = {
    "ko": ("# Colab에서만 실행된다: 이 실습이 import하는 dlnotes 패키지를 저장소에서 설치한다.\n"
           "# 저장소를 내려받아 `pip install -e .`로 설치한 환경에서는 아무 일도 하지 않는다."),
    "en": ("# Runs only in Colab: installs the dlnotes package, which this lab imports, from the repository.\n"
           "# In a checkout installed with `pip install -e .` it does nothing."),
}
SETUP_CODE = """
import sys
if "google.colab" in sys.modules:
    import importlib, subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "git+{repo}"], check=True)
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
    return SETUP_CELL[lang] + SETUP_CODE.format(repo=repo)


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


def job_for(lab: Lab, root: Path, docs_dir: Path, conf: dict, default_lang: str) -> dict:
    return {"name": lab.name, "source": str(lab.source), "root": str(root),
            "docs_lang_dir": str(docs_dir / lab.lang), "setup_cell": setup_cell(lab.lang, conf["repo"]),
            "site_url": conf["site_url"], "lang_prefix": lang_prefix(lab.lang, default_lang),
            "cell_timeout": CELL_TIMEOUT}


def fixed_files(lab: Lab, root: Path) -> set[str]:
    """Files that shape every executed lab besides what its kernel imports."""
    here = Path(__file__).parent
    paths = [lab.source, here / "labrun.py", *sorted((here / "styles").glob("*.mplstyle"))]
    return {p.resolve().relative_to(root).as_posix() for p in paths}


def current_inputs(lab: Lab, job: dict, root: Path, previous: dict | None) -> dict:
    settings_digest = {k: v for k, v in job.items() if k not in ("source", "root", "docs_lang_dir")}
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
            where = f"cell {result['cell']}" if result["cell"] else "its source"
            if result["line"]:
                where += f" (line {result['line']})"
            return LabResult(lab.key, False, seconds, f"{where}: {result['error']}")
        out = cache_dir / "labs" / lab.lang
        out.mkdir(parents=True, exist_ok=True)
        (work_dir / f"{lab.name}.ipynb").replace(out / f"{lab.name}.ipynb")
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
    conf, default_lang = settings(config), default_language(config)
    state_path = cache_dir / "labs" / "state.json"
    state = load_state(state_path)
    report, stale, inputs, jobs = {}, [], {}, {}
    for lab in labs:
        previous = state.get(lab.key)
        jobs[lab.key] = job_for(lab, root, docs_dir, conf, default_lang)
        inputs[lab.key] = current_inputs(lab, jobs[lab.key], root, previous and previous["inputs"])
        present = (cache_dir / "labs" / lab.lang / f"{lab.name}.ipynb").exists()
        reason = cache.stale_reason(inputs[lab.key], previous and previous["inputs"], present)
        report[lab.key] = {"lab": lab.key, "source": lab.source.relative_to(root).as_posix(),
                           "status": "cached", "reason": reason or "unchanged", "seconds": 0.0,
                           "notebook": f"labs/{lab.lang}/{lab.name}.ipynb"}
        if reason:
            stale.append(lab)
    if os.environ.get("DLNOTES_LABS") == "off":
        log.info("labs: execution skipped (DLNOTES_LABS=off), serving the cached notebooks as they are")
        stale = [lab for lab in stale if not (cache_dir / "labs" / lab.lang / f"{lab.name}.ipynb").exists()]
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
    counts = {s: sum(e["status"] == s for e in report.values()) for s in ("executed", "cached", "failed")}
    log.info(f"labs: {len(report)} total, {counts['executed']} executed, {counts['cached']} cached, "
             f"{counts['failed']} failed in {time.perf_counter() - start:.1f} s")
    if failures:
        raise PluginError("\n\n".join(failures) + "\n\nThe previous notebook of each failed lab was kept.")


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
    """Replace each lab source of this language with a page backed by its executed notebook."""
    lang, default_lang = current_language(config), default_language(config)
    docs_dir = Path(config.docs_dir)
    for source in [f for f in files if _lab_name(f, docs_dir)]:
        name = _lab_name(source, docs_dir)
        notebook = cache_dir / "labs" / lang / f"{name}.ipynb"
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


def on_page_content(content: str, page, config) -> str:
    return content
