"""Build-speed benchmark (`make bench`): prints `name: value unit` lines, asserts nothing.

All builds run in temporary copies of the project, so the repository's cache is untouched.
  cold        build with an empty cache: every figure and lab runs (their seconds, per figure and
              per chapter; jobs-cpu is the sum of every job's own seconds)
  true floor  the same Markdown pages built with plain Material, mkdocs-static-i18n, the same
              extensions and search, nothing of ours (projects.copy_true_floor_project)
  warm        build again, nothing changed; warm and true-floor builds alternate (median of
              REPEATS each), so that both see the same machine
  physical-limit  jobs-cpu / cores + true floor: the cold build if the cores never idled and
              everything else cost what plain Material costs
  floor       the warm build with the figure step skipped (DLNOTES_FIGURES=off), as before
  rebuild     after an edit to one figure module: only the figures that import it rerun
  serve       under a real `mkdocs serve`: a page save and a save of one figure's module, to the
              end of the rebuild (serve_bench.py)
  pages       bytes each page transfers (gzip, as a static host serves it), the heaviest listed
  lighthouse  performance and accessibility of the home page and the heaviest page, with
              Lighthouse's desktop and mobile settings, through Debian's Chromium (median of
              LIGHTHOUSE_RUNS, each run listed: one run's performance score moves by up to 10 points)
  digits      the digits MLP against scikit-learn's MLPClassifier (dlnotes.digits_bench)
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
from dlnotes_tools import serve_bench
from dlnotes_tools.projects import ROOT, append, copy_project, copy_true_floor_project, figure_report, mkdocs_build
from dlnotes_tools.static_server import page_paths, page_weights, serve

REPEATS = 5
LIGHTHOUSE_RUNS = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
EDITED_MODULE = "src/dlnotes/figures/linear_regression.py"
SERVE_PAGE, SERVE_MODULE, SERVE_FIGURE = "docs/en/history.md", "src/dlnotes/figures/history.py", "history-timeline"


def timed_build(project: Path, *extra: str, strict: bool = True, **env: str) -> float:
    start = time.perf_counter()
    proc = mkdocs_build(project, *extra, env=env, strict=strict)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr}")
    return seconds


def reports_by_kind(project: Path) -> dict[str, list[dict]]:
    """Every job's report entry by kind: figures, variants, labs, lab pages (and whatever kind comes next)."""
    return {path.stem: json.loads(path.read_text())[path.stem]
            for path in sorted((project / ".cache" / "dlnotes").glob("*s.json")) if path.name != "state.json"}


def regenerated(project: Path) -> list[str]:
    return sorted(n for n, e in figure_report(project).items() if e["status"] == "regenerated")


def main() -> None:
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        floor_project = copy_true_floor_project(Path(tmp) / "floor")
        cold = timed_build(project)
        print(f"cold-build: {cold:.2f} s")
        jobs_cpu, processor = print_job_seconds(project)
        print_explorable(project)
        warm_times, floor_times = [], []
        for _ in range(REPEATS):
            warm_times.append(timed_build(project))
            floor_times.append(timed_build(floor_project, strict=False))   # it links to lab pages it has not
        warm, true_floor = statistics.median(warm_times), statistics.median(floor_times)
        limit = jobs_cpu / cores + true_floor
        print(f"true-floor-build: {true_floor:.2f} s (runs {', '.join(f'{t:.2f}' for t in floor_times)})")
        print(f"warm-build: {warm:.2f} s (runs {', '.join(f'{t:.2f}' for t in warm_times)})")
        print(f"warm-over-true-floor: {warm / true_floor:.3f} ratio")
        print(f"cores: {cores} cores")
        print(f"physical-limit: {limit:.2f} s")
        print(f"cold-over-limit: {cold / limit:.3f} ratio")
        # the same with the jobs' processor time, which waiting (a kernel's start) does not count
        processor_limit = processor / cores + true_floor
        print(f"processor-limit: {processor_limit:.2f} s")
        print(f"cold-over-processor-limit: {cold / processor_limit:.3f} ratio")
        floor = statistics.median(timed_build(project, DLNOTES_FIGURES="off") for _ in range(3))
        print(f"floor-build: {floor:.2f} s")
        print(f"warm-over-floor: {warm / floor:.3f} ratio")
        append(project / EDITED_MODULE, "\n# benchmark edit\n")
        print(f"one-module-rebuild: {timed_build(project):.2f} s")
        print(f"one-module-rebuild-figures: {len(regenerated(project))} figures ({', '.join(regenerated(project))})")
        served = serve_bench.measure(project, SERVE_PAGE, SERVE_MODULE, SERVE_FIGURE)
        print(f"serve-page-edit: {served['page']:.2f} s ({served['page'] / true_floor:.2f} x true floor)")
        print(f"serve-figure-edit: {served['figure']:.2f} s (true floor + {(served['figure'] - true_floor):.2f} s)")
        print(f"serve-figure-compute: {served['figure-compute']:.2f} s ({SERVE_FIGURE})")
        print(f"serve-other-jobs-rerun: {served['other-jobs-ran']} jobs")
        print_page_weights_and_lighthouse(project / "site")
    digits_bench.main()


def print_job_seconds(project: Path) -> tuple[float, float]:
    """Each job's seconds in the cold build, per chapter for the figures; the sum of the jobs' own
    seconds (wall clock) and of their processor time."""
    chapters: dict[str, float] = {}
    for name, entry in sorted(figure_report(project).items()):
        print(f"figure-{name}: {entry['seconds']:.2f} s")
        chapter = Path(entry["pages"][0]).stem if entry["pages"] else "unused"
        chapters[chapter] = chapters.get(chapter, 0.0) + entry["seconds"]
    for chapter, seconds in sorted(chapters.items()):   # each figure runs on one core: its seconds are CPU seconds
        print(f"chapter-figures-{chapter}: {seconds:.2f} s")
    by_kind = reports_by_kind(project)
    for entry in by_kind["labs"]:
        print(f"lab-{entry['name']}: {entry['seconds']:.2f} s")
    entries = [entry for kind_entries in by_kind.values() for entry in kind_entries]
    jobs_cpu, processor = sum(e["seconds"] for e in entries), sum(e["cpu_seconds"] for e in entries)
    kinds = ", ".join(f"{len(kind_entries)} {kind}" for kind, kind_entries in by_kind.items())
    print(f"jobs-cpu: {jobs_cpu:.2f} s ({len(entries)} jobs: {kinds})")
    print(f"jobs-processor-time: {processor:.2f} s")
    return jobs_cpu, processor


def print_explorable(project: Path) -> None:
    """How many figures can be explored, how many variants that makes, and what they cost (cold build)."""
    variants = reports_by_kind(project).get("variants", [])
    names = sorted({entry["name"].split("[")[0] for entry in variants})
    figures = {name: entry for name, entry in figure_report(project).items() if name in names}
    seconds = sum(e["computed_seconds"] or 0 for e in variants) + sum(e["computed_seconds"] or 0 for e in figures.values())
    print(f"explorable-figures: {len(names)} figures ({', '.join(names)})")
    print(f"explorable-variants: {len(variants) + len(names)} variants (the defaults included)")
    print(f"explorable-variants-seconds: {seconds:.2f} s")


def print_page_weights_and_lighthouse(site: Path) -> None:
    heaviest = weigh_pages(site)
    with serve(site) as base_url:
        for label, path in (("home", ""), ("heaviest", heaviest)):
            for preset in ("desktop", "mobile"):
                runs = [lighthouse(f"{base_url}/{path}", preset) for _ in range(LIGHTHOUSE_RUNS)]
                for category in runs[0]:
                    scores = sorted(run[category] for run in runs)
                    print(f"lighthouse-{label}-{preset}-{category}: {statistics.median(scores):.0f} score"
                          f" (runs {', '.join(f'{s:.0f}' for s in scores)})")


def weigh_pages(site: Path) -> str:
    """Print the page weights, without and with every variant of the explorable figures loaded;
    return the heaviest page's path."""
    from playwright.sync_api import sync_playwright

    with serve(site) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS[1:])
        weights = page_weights(browser, base_url, page_paths(site))
        explorable = [path for path in page_paths(site) if 'class="dlnotes-knobs"' in (site / path / "index.html").read_text()]
        loaded = page_weights(browser, base_url, explorable, variants=True)
        browser.close()
    heaviest = max(weights, key=weights.get)
    print(f"page-weight-home: {weights[''] / 1e6:.3f} MB")
    print(f"page-weight-max: {weights[heaviest] / 1e6:.3f} MB (/{heaviest})")
    print(f"page-weight-median: {statistics.median(weights.values()) / 1e6:.3f} MB")
    if loaded:
        most = max(loaded, key=loaded.get)
        print(f"page-weight-max-explorable: {weights[most] / 1e6:.3f} MB (/{most}, as the page loads)")
        print(f"page-weight-max-explorable-all-variants: {loaded[most] / 1e6:.3f} MB (/{most}, every variant loaded)")
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
