"""Run figure workers in parallel, one process per figure, each with its own time limit."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dlnotes.pipeline.spec import FigureSpec

TRACEBACK_LINES = 12   # how much of a failing worker's stderr the build error shows


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
    # The repository's own src/ first, so a copy of the project renders its own code.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")])))
    env.pop("MPLBACKEND", None)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "dlnotes.pipeline.render"], input=json.dumps(job),
                              capture_output=True, text=True, cwd=root, env=env, timeout=spec.time_limit)
    except subprocess.TimeoutExpired:
        return RunResult(spec.name, False, time.perf_counter() - start,
                         f"ran past its time limit of {spec.time_limit:g} s and was stopped")
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-TRACEBACK_LINES:])
        return RunResult(spec.name, False, seconds, f"raised (exit {proc.returncode}):\n{tail}")
    deps = json.loads((work_dir / "deps.json").read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    for output in deps["outputs"]:
        (work_dir / output).replace(out_dir / output)
    return RunResult(spec.name, True, seconds, outputs=deps["outputs"], files=deps["files"], dists=deps["dists"])


def run_figures(specs: list[FigureSpec], root: Path, cache_dir: Path) -> list[RunResult]:
    """Render figures concurrently, as many at once as there are cores."""
    if not specs:
        return []
    workers = min(len(specs), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_figure, spec, root, cache_dir) for spec in specs]
        return [f.result() for f in futures]
