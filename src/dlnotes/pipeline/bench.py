"""Build-speed benchmark (`make bench`): prints `name: value unit` lines, asserts nothing.

All builds run in a temporary copy of the project, so the repository's cache is untouched.
  cold    build with an empty figure cache
  warm    build again, nothing changed (median of REPEATS)
  floor   the same warm build with the figure step skipped (DLNOTES_FIGURES=off)
  rebuild after an edit to one figure module: only the figures that import it rerun
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from dlnotes.pipeline.sandbox import append, copy_project, figure_report, mkdocs_build

REPEATS = 3
EDITED_MODULE = "src/dlnotes/figures/linear_regression.py"


def timed_build(project: Path, **env: str) -> float:
    start = time.perf_counter()
    proc = mkdocs_build(project, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr}")
    return seconds


def regenerated(project: Path) -> list[str]:
    return sorted(n for n, e in figure_report(project).items() if e["status"] == "regenerated")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        cold = timed_build(project)
        print(f"cold-build: {cold:.2f} s")
        for name, entry in sorted(figure_report(project).items()):
            print(f"figure-{name}: {entry['seconds']:.2f} s")
        warm = statistics.median(timed_build(project) for _ in range(REPEATS))
        floor = statistics.median(timed_build(project, DLNOTES_FIGURES="off") for _ in range(REPEATS))
        print(f"warm-build: {warm:.2f} s")
        print(f"floor-build: {floor:.2f} s")
        print(f"warm-over-floor: {warm / floor:.3f} ratio")
        append(project / EDITED_MODULE, "\n# benchmark edit\n")
        rebuild = timed_build(project)
        print(f"one-module-rebuild: {rebuild:.2f} s")
        print(f"one-module-rebuild-figures: {len(regenerated(project))} figures ({', '.join(regenerated(project))})")


if __name__ == "__main__":
    main()
