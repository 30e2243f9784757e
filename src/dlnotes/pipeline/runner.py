"""Run figure workers in parallel, one process per figure, each with its own time limit."""
from __future__ import annotations

import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dlnotes.pipeline.spec import FigureSpec

TRACEBACK_LINES = 12   # how much of a failing worker's traceback the build error shows
PRELOAD_MODULE = "dlnotes.pipeline.preload"


@dataclass
class RunResult:
    name: str
    ok: bool
    seconds: float
    error: str = ""
    outputs: list = field(default_factory=list)
    files: list = field(default_factory=list)
    dists: dict = field(default_factory=dict)


def run_figure(spec: FigureSpec, root: Path, cache_dir: Path) -> RunResult:
    """Render one figure into a fresh work folder; only on success move its SVGs into the cache.

    The work folder is unique, so two builds of one checkout (say `make serve` and the tests)
    never see each other's half-written files.
    """
    (cache_dir / "work").mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=f"{spec.name}-", dir=cache_dir / "work"))
    try:
        return _render(spec, root, work_dir, cache_dir / "figures")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _render(spec: FigureSpec, root: Path, work_dir: Path, out_dir: Path) -> RunResult:
    job = {"name": spec.name, "compute": spec.compute, "draw": spec.draw, "settings": spec.settings,
           "size": list(spec.size), "panels": list(spec.panels), "root": str(root), "out_dir": str(work_dir)}
    error_file = work_dir / "error.txt"
    start = time.perf_counter()
    process = _fork_server().Process(target=_render_in_child, args=(job, str(error_file)), name=spec.name)
    process.start()
    process.join(spec.time_limit)
    if process.is_alive():
        process.kill()
        process.join()
        return RunResult(spec.name, False, time.perf_counter() - start,
                         f"ran past its time limit of {spec.time_limit:g} s and was stopped")
    seconds = time.perf_counter() - start
    if process.exitcode != 0:
        trace = error_file.read_text() if error_file.exists() else "(no traceback: the process died)"
        tail = "\n".join(trace.strip().splitlines()[-TRACEBACK_LINES:])
        return RunResult(spec.name, False, seconds, f"raised (exit {process.exitcode}):\n{tail}")
    deps = json.loads((work_dir / "deps.json").read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    for output in deps["outputs"]:
        (work_dir / output).replace(out_dir / output)
    return RunResult(spec.name, True, seconds, outputs=deps["outputs"], files=deps["files"], dists=deps["dists"])


def _fork_server():
    """Processes forked from a server that has imported torch and matplotlib once (preload.py).

    A fresh interpreter per figure spent about 3.5 s importing them, most of a figure's time.
    The server preloads only third-party code, so each figure imports dlnotes as it is now.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD_MODULE])
    return context


def _render_in_child(job: dict, error_file: str) -> None:
    try:
        from dlnotes.pipeline.render import render_job
        render_job(job)
    except BaseException:
        Path(error_file).write_text(traceback.format_exc())
        raise SystemExit(1) from None


def run_figures(specs: list[FigureSpec], root: Path, cache_dir: Path) -> list[RunResult]:
    """Render figures concurrently, as many at once as there are cores."""
    if not specs:
        return []
    workers = min(len(specs), os.cpu_count() or 1)
    _fork_server()
    multiprocessing.forkserver.ensure_running()   # started before the clocks, not inside one figure's time
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_figure, spec, root, cache_dir) for spec in specs]
        return [f.result() for f in futures]
