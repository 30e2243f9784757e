"""Figures as jobs of the engine: one job per registered figure and per variant, with the pages that show it."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from dlnotes.build.engine.jobs import Job
from dlnotes.build.figures import markers
from dlnotes.build.figures.worker import output_names, preview_names, variant_names
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


def figure_uses(docs_dir: Path, known: set[str]) -> dict[str, list[tuple[str, markers.Marker]]]:
    """Which pages show which figure, with their markers (line, caption); a bad or unknown marker
    raises MarkerError naming page and line."""
    uses: dict[str, list] = {name: [] for name in known}
    errors = []
    for page in sorted(docs_dir.rglob("*.md")):
        rel = f"docs/{page.relative_to(docs_dir).as_posix()}"
        try:
            for marker in markers.find_markers(page.read_text(encoding="utf-8"), rel, known):
                uses[marker.name].append((rel, marker))
        except markers.MarkerError as error:
            errors.append(str(error))
    if errors:
        raise markers.MarkerError("\n".join(errors))
    return uses


def figure_jobs(spec: FigureSpec, root: Path, pages: list[str]) -> list[Job]:
    """The figure's job and, for an explorable figure, one job per other combination of its knobs."""
    return [figure_job(spec, root, pages, choice) for choice in spec.variants()]


def figure_job(spec: FigureSpec, root: Path, pages: list[str], choice: dict | None = None) -> Job:
    """The job of a figure (choice None or the default) or of one variant (other values of its knobs).

    Each variant is cached on its own: adding a value to a knob computes only the new variants.
    """
    default = not choice or all(spec.settings[k] == v for k, v in choice.items())
    outputs = output_names(spec.name) if default else variant_names(spec.name, choice)
    previews = preview_names(spec.name) if default else ()
    payload = {"name": spec.name, "compute": spec.compute, "draw": spec.draw,
               "settings": {**spec.settings, **(choice or {})}, "size": list(spec.size),
               "panels": list(spec.panels), "outputs": list(outputs), "previews": list(previews)}
    files = {ref_source_file(ref, root) for ref in (spec.compute, spec.draw)} | set(WORKER_FILES)
    values = ", ".join(f"{k}={v!r}" for k, v in (choice or {}).items())
    return Job(kind="figure" if default else "variant", name=spec.name if default else f"{spec.name}[{values}]",
               worker=WORKER, payload=payload, files=tuple(sorted(_relative(f, root) for f in files)),
               dists=ALWAYS_VERSIONED, outputs=outputs + previews, time_limit=spec.time_limit, pages=tuple(pages),
               title=None if default else f"figure {spec.name!r} with {values}")


def _relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()
