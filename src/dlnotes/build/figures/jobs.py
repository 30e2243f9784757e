"""Figures as jobs of the engine: one job per registered figure, with the pages that show it."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from dlnotes.build.engine.jobs import Job
from dlnotes.build.figures import markers
from dlnotes.build.figures.worker import output_names
from dlnotes.spec import FigureSpec, check_registry, ref_source_file

WORKER = "dlnotes.build.figures.worker"
ALWAYS_VERSIONED = ("torch", "numpy", "matplotlib")
HERE = Path(__file__).resolve().parent
# The files that shape every figure's bytes besides its own code: the worker and the style sheets.
# (The probe records every module the worker loads; the style sheets are not modules.)
WORKER_FILES = (HERE / "worker.py", *sorted((HERE.parents[1] / "styles").glob("*.mplstyle")))


def load_registry() -> dict[str, FigureSpec]:
    """The registry as it is on disk now (under `mkdocs serve`, edited between builds)."""
    for name in [m for m in sys.modules if m == "dlnotes.registry" or m.startswith("dlnotes.registry.")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    return check_registry(importlib.import_module("dlnotes.registry").FIGURES)


def figure_uses(docs_dir: Path, known: set[str]) -> dict[str, list[str]]:
    """Which pages use which figure; a bad or unknown marker raises MarkerError naming page and line."""
    uses: dict[str, list[str]] = {name: [] for name in known}
    errors = []
    for page in sorted(docs_dir.rglob("*.md")):
        rel = f"docs/{page.relative_to(docs_dir).as_posix()}"
        try:
            for marker in markers.find_markers(page.read_text(encoding="utf-8"), rel, known):
                uses[marker.name].append(rel)
        except markers.MarkerError as error:
            errors.append(str(error))
    if errors:
        raise markers.MarkerError("\n".join(errors))
    return uses


def figure_job(spec: FigureSpec, root: Path, pages: list[str]) -> Job:
    payload = {"name": spec.name, "compute": spec.compute, "draw": spec.draw, "settings": spec.settings,
               "size": list(spec.size), "panels": list(spec.panels)}
    files = {ref_source_file(ref, root) for ref in (spec.compute, spec.draw)} | set(WORKER_FILES)
    return Job(kind="figure", name=spec.name, worker=WORKER, payload=payload,
               files=tuple(sorted(_relative(f, root) for f in files)), dists=ALWAYS_VERSIONED,
               outputs=output_names(spec.name), time_limit=spec.time_limit, pages=tuple(pages))


def _relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
