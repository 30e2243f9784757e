"""Bring every job's outputs up to date: find the stale ones, run them in one queue, report.

The one refresh loop of the build, for every kind of job. It writes .cache/dlnotes/state.json
(the inputs each job's outputs were made from) and one report per kind,
.cache/dlnotes/<kind>s.json ({"figures": [...]}, {"labs": [...]}), each entry with name, status,
reason, seconds, computed_seconds, outputs and pages.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from dlnotes.build.engine import keys, runner
from dlnotes.build.engine.jobs import Job, Result

log = logging.getLogger("mkdocs.plugins.dlnotes")
STATE_FILE = "state.json"


class JobsFailed(Exception):
    """One or more jobs failed; the message names each, its pages and its error."""


def refresh(jobs: list[Job], root: Path, cache_dir: Path, skip_kinds: frozenset[str] = frozenset()) -> dict:
    """Run exactly the stale jobs; return the report entries by job key; raise JobsFailed on failure.

    Jobs of skip_kinds whose outputs exist are served as they are, stale or not (drafts).
    """
    start = time.perf_counter()
    keys.dist_version.cache_clear()
    state = keys.load_state(cache_dir / STATE_FILE)
    entries, inputs, stale = {}, {}, []
    for job in jobs:
        previous = state.get(job.key)
        inputs[job.key] = keys.current_inputs(job, root, previous and previous["inputs"])
        present = all((cache_dir / output).is_file() for output in job.outputs)
        reason = keys.stale_reason(inputs[job.key], previous and previous["inputs"], present)
        entries[job.key] = {"name": job.name, "status": "cached", "reason": reason or "unchanged", "seconds": 0.0,
                            "computed_seconds": previous["seconds"] if previous else None,
                            "outputs": list(job.outputs), "pages": list(job.pages)}
        if reason and job.kind in skip_kinds and present:
            entries[job.key]["status"] = "skipped"
        elif reason:
            stale.append(job)
    # the longest first, so that the last job to start is a short one and the cores finish together
    stale.sort(key=lambda job: -(state[job.key]["seconds"] if job.key in state else job.estimate))
    results = runner.run_all(stale, root, cache_dir, on_done=lambda result: _log_result(result, entries))
    failures = []
    for result in results:
        entry = entries[result.job.key]
        entry["seconds"] = round(result.seconds, 2)
        if result.ok:
            entry.update(status=result.job.done, computed_seconds=entry["seconds"])
            state[result.job.key] = {"inputs": keys.recorded_inputs(inputs[result.job.key], result, root),
                                     "outputs": list(result.job.outputs), "seconds": entry["seconds"]}
        else:
            entry["status"] = "failed"
            failures.append(f"{result.job.label} {result.error}")
    current = {job.key for job in jobs}
    keys.save_state(cache_dir / STATE_FILE, {k: v for k, v in state.items() if k in current})
    _write_reports(jobs, entries, cache_dir)
    log.info(summary(jobs, entries, time.perf_counter() - start))
    if failures:
        raise JobsFailed("\n\n".join(failures) + "\n\nThe previous outputs of each failed job were kept.")
    return entries


def _log_result(result: Result, entries: dict) -> None:
    if result.ok:
        pages = f" for {', '.join(result.job.pages)}" if result.job.kind != "figure" else ""
        log.info(f"{result.job.kind} {result.job.name}: {result.job.done} ({entries[result.job.key]['reason']}) "
                 f"in {result.seconds:.1f} s{pages}")


def _write_reports(jobs: list[Job], entries: dict, cache_dir: Path) -> None:
    by_kind: dict[str, list] = {}
    for job in sorted(jobs, key=lambda job: job.key):
        by_kind.setdefault(job.kind, []).append(entries[job.key])
    for kind, kind_entries in by_kind.items():
        keys.save_json(cache_dir / f"{kind}s.json", {f"{kind}s": kind_entries})


def summary(jobs: list[Job], entries: dict, seconds: float) -> str:
    """One line: 'jobs: 23 figures (1 regenerated, 22 cached), 4 labs (4 cached), 0 failed in 9.1 s on 2 cores'."""
    parts, failed = [], 0
    for kind in sorted({job.kind for job in jobs}):
        statuses = [entries[job.key]["status"] for job in jobs if job.kind == kind]
        failed += statuses.count("failed")
        counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(sorted(statuses)) if s != "failed")
        parts.append(f"{len(statuses)} {kind}s ({counts or 'none'})")
    return f"jobs: {', '.join(parts) or 'none'}, {failed} failed in {seconds:.1f} s on {runner.cores()} cores"
