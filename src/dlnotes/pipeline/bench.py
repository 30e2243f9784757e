"""Build-speed benchmark (`make bench`): prints `name: value unit` lines, asserts nothing.

All builds run in a temporary copy of the project, so the repository's cache is untouched.
  cold    build with an empty figure cache
  warm    build again, nothing changed (median of REPEATS)
  floor   the same warm build with the figure step skipped (DLNOTES_FIGURES=off)
  rebuild after an edit to one figure module: only the figures that import it rerun
  pages   bytes each page transfers (gzip, as a static host serves it), the heaviest listed
  lighthouse  performance and accessibility of the home page and the heaviest page, with
          Lighthouse's desktop and mobile settings, through Debian's Chromium (median of
          LIGHTHOUSE_RUNS, each run listed: one run's performance score moves by up to 10 points
          on this machine)
  digits  the digits MLP against scikit-learn's MLPClassifier (dlnotes.digits_bench)
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from dlnotes import digits_bench
from dlnotes.pipeline.sandbox import ROOT, append, copy_project, figure_report, mkdocs_build
from dlnotes.pipeline.static_server import page_paths, page_weights, serve

REPEATS = 3
LIGHTHOUSE_RUNS = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
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
        chapters: dict[str, float] = {}
        for name, entry in sorted(figure_report(project).items()):
            print(f"figure-{name}: {entry['seconds']:.2f} s")
            chapter = Path(entry["pages"][0]).stem if entry["pages"] else "unused"
            chapters[chapter] = chapters.get(chapter, 0.0) + entry["seconds"]
        for chapter, seconds in sorted(chapters.items()):   # each figure runs on one core: its seconds are CPU seconds
            print(f"chapter-figures-{chapter}: {seconds:.2f} s")
        warm = statistics.median(timed_build(project) for _ in range(REPEATS))
        floor = statistics.median(timed_build(project, DLNOTES_FIGURES="off") for _ in range(REPEATS))
        print(f"warm-build: {warm:.2f} s")
        print(f"floor-build: {floor:.2f} s")
        print(f"warm-over-floor: {warm / floor:.3f} ratio")
        append(project / EDITED_MODULE, "\n# benchmark edit\n")
        rebuild = timed_build(project)
        print(f"one-module-rebuild: {rebuild:.2f} s")
        print(f"one-module-rebuild-figures: {len(regenerated(project))} figures ({', '.join(regenerated(project))})")
        heaviest = weigh_pages(project / "site")
        with serve(project / "site") as base_url:
            for label, path in (("home", ""), ("heaviest", heaviest)):
                for preset in ("desktop", "mobile"):
                    runs = [lighthouse(f"{base_url}/{path}", preset) for _ in range(LIGHTHOUSE_RUNS)]
                    for category in runs[0]:
                        scores = sorted(run[category] for run in runs)
                        print(f"lighthouse-{label}-{preset}-{category}: {statistics.median(scores):.0f} score"
                              f" (runs {', '.join(f'{s:.0f}' for s in scores)})")
    digits_bench.main()


def weigh_pages(site: Path) -> str:
    """Print the page weights; return the heaviest page's path."""
    from playwright.sync_api import sync_playwright

    with serve(site) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS[1:])
        weights = page_weights(browser, base_url, page_paths(site))
        browser.close()
    heaviest = max(weights, key=weights.get)
    print(f"page-weight-home: {weights[''] / 1e6:.3f} MB")
    print(f"page-weight-max: {weights[heaviest] / 1e6:.3f} MB (/{heaviest})")
    print(f"page-weight-median: {statistics.median(weights.values()) / 1e6:.3f} MB")
    return heaviest


def lighthouse(url: str, preset: str) -> dict[str, float]:
    """Lighthouse's category scores (0-100) for one URL; preset 'mobile' is Lighthouse's default."""
    command = [str(ROOT / "node_modules/.bin/lighthouse"), url, "--output=json", "--output-path=stdout", "--quiet",
               "--only-categories=performance,accessibility", f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, CHROME_PATH=CHROMIUM))
    if proc.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    return {name: 100 * category["score"] for name, category in report["categories"].items()}


if __name__ == "__main__":
    main()
