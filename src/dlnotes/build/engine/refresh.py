"""Bring every job's outputs up to date: find the stale ones, run them in one queue, report.

The one refresh loop of the build, for every kind of job. It writes .cache/dlnotes/state.json
(the inputs each job's outputs were made from) and one report per kind,
.cache/dlnotes/<kind>s.json ({"figures": [...]}, {"labs": [...]}), each entry with name, status,
reason, seconds (wall clock, this build), cpu_seconds (processor time of its processes, this build),
computed_seconds (the run that made the outputs), outputs and pages.
"""
from __future__ import annotations

import functools
import logging
import shutil
import threading
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

    Jobs of skip_kinds whose outputs exist are served as they are, stale or not (drafts). A job
    that reads another's outputs (Job.after) is judged only once that one has run, since its
    inputs are those outputs; list jobs after the jobs they read.
    """
    return start(jobs, root, cache_dir, skip_kinds).wait()


def start(jobs: list[Job], root: Path, cache_dir: Path, skip_kinds: frozenset[str] = frozenset()) -> "Running":
    """Judge every job now and run the stale ones in a thread of their own: the build goes on
    meanwhile (a page's Markdown needs no figure) and waits (Running.wait) where it needs them."""
    begun = time.perf_counter()
    keys.dist_version.cache_clear()
    run = _Refresh(jobs, root, cache_dir, skip_kinds)
    stale = [job for job in jobs if not run.waits(job) and run.judge(job)]
    return Running(run, stale, begun)


class Running:
    """The stale jobs of one refresh, running; wait() gives the report (or raises JobsFailed)."""

    def __init__(self, run: "_Refresh", stale: list[Job], begun: float):
        self.run, self.begun = run, begun
        self.kinds = frozenset(job.kind for job in stale) | frozenset(job.kind for job in run.waiting)
        self.results: list[Result] = []
        self.error: BaseException | None = None
        self.ended = begun
        self.changed = threading.Condition()    # a job finished (the run's state changes under it)
        self.thread = threading.Thread(target=self._run, args=(stale,), name="dlnotes-jobs", daemon=True)
        self.thread.start()

    def _run(self, stale: list[Job]) -> None:
        try:
            # the longest first, so that the last job to start is a short one and the cores finish together
            runner.run_all(stale, self.run.root, self.run.cache_dir,      # results: see _finished
                           priority=self.run.expected_seconds, on_done=self._finished)
        except BaseException as error:      # raised again by wait(), in the build's thread
            self.error = error
        finally:
            self.ended = time.perf_counter()

    def _finished(self, result: Result) -> list[Job]:
        with self.changed:
            self.results.append(result)
            more = self.run.finished(result)
            self.changed.notify_all()
        return more

    def wait_for(self, kinds: frozenset[str]) -> None:
        """Until every job of these kinds has run (the others may go on); raise JobsFailed, after
        the others too, if one of them failed."""
        def pending() -> bool:
            failed = {result.job.key for result in self.results if not result.ok}
            return any(job.kind in kinds and (job in self.run.waiting or job.key in self.run.unfinished - failed)
                       for job in self.run.jobs)

        with self.changed:
            while self.thread is not None and self.thread.is_alive() and pending():
                self.changed.wait(1.0)
            failed = any(not result.ok and result.job.kind in kinds for result in self.results)
        if failed:
            self.wait()

    def wait(self) -> dict:
        """Once: the report entries by job key, after the state and reports are saved."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
            if self.error is not None:
                raise self.error
            for job in self.run.waiting:
                self.run.entries[job.key].update(status="not run", reason="a job it reads failed")
            self.run.save()
            log.info(summary(self.run.jobs, self.run.entries, self.ended - self.begun))
        failures = [f"{result.job.label} {result.error}" for result in self.results if not result.ok]
        if failures:
            raise JobsFailed("\n\n".join(failures) + "\n\nThe previous outputs of each failed job were kept.")
        return self.run.entries


class _Refresh:
    """The state of one refresh: what each job's inputs are now, what ran, what still waits."""

    def __init__(self, jobs: list[Job], root: Path, cache_dir: Path, skip_kinds: frozenset[str]):
        self.jobs, self.root, self.cache_dir, self.skip_kinds = jobs, root, cache_dir, skip_kinds
        self.state = keys.load_state(cache_dir / STATE_FILE)
        # each file once per refresh: the jobs of a figure's variants share all theirs
        self.digest_of = functools.lru_cache(maxsize=None)(lambda rel: keys.file_digest(root / rel))
        self.entries, self.inputs, self.unfinished, self.waiting = {}, {}, set(), []

    def waits(self, job: Job) -> bool:
        """Whether a job must wait for a stale job whose outputs it reads."""
        if any(key in self.unfinished for key in job.after):
            self.waiting.append(job)
            self.entries[job.key] = self._entry(job, self.state.get(job.key), "waiting")
            return True
        return False

    def judge(self, job: Job) -> bool:
        """Record the job's inputs and whether it must run."""
        previous = self.state.get(job.key)
        if job.after:      # it reads outputs just written: their digests are taken afresh
            self.digest_of.cache_clear()
        self.inputs[job.key] = keys.current_inputs(job, self.root, previous and previous["inputs"], self.digest_of)
        present = all(_present(self.cache_dir, output) for output in job.outputs)
        reason = keys.stale_reason(self.inputs[job.key], previous and previous["inputs"], present)
        self.entries[job.key] = self._entry(job, previous, reason or "unchanged")
        if reason and job.kind in self.skip_kinds and present:
            self.entries[job.key]["status"] = "skipped"
        elif reason:
            self.unfinished.add(job.key)
        return job.key in self.unfinished

    def expected_seconds(self, job: Job) -> float:
        return self.state[job.key]["seconds"] if job.key in self.state else job.estimate

    def finished(self, result: Result) -> list[Job]:
        """Record a job that ran; the jobs that were waiting for it and must run now."""
        job, entry = result.job, self.entries[result.job.key]
        entry["seconds"] = round(result.seconds, 2)
        if not result.ok:
            entry["status"] = "failed"
            return []
        self.unfinished.discard(job.key)
        entry.update(status=job.done, computed_seconds=entry["seconds"], cpu_seconds=round(result.cpu_seconds, 2))
        self.state[job.key] = {"inputs": keys.recorded_inputs(self.inputs[job.key], result, self.root),
                               "outputs": list(job.outputs), "seconds": entry["seconds"]}
        pages = f" for {', '.join(job.pages)}" if job.kind == "lab" else ""
        log.info(f"{job.kind} {job.name}: {job.done} ({entry['reason']}) "
                 f"in {result.seconds:.1f} s{pages}")
        ready = [waiting for waiting in self.waiting if not any(k in self.unfinished for k in waiting.after)]
        self.waiting = [waiting for waiting in self.waiting if waiting not in ready]
        return [waiting for waiting in ready if self.judge(waiting)]

    def save(self) -> None:
        """The state of the jobs of this build; outputs of jobs that are gone are deleted, unless a
        job of this build writes the same file."""
        current = {job.key for job in self.jobs}
        kept = {output for job in self.jobs for output in job.outputs}
        for key in set(self.state) - current:
            for output in set(self.state[key].get("outputs", [])) - kept:
                _remove(self.cache_dir / output)
        keys.save_state(self.cache_dir / STATE_FILE, {k: v for k, v in self.state.items() if k in current})
        by_kind: dict[str, list] = {}
        for job in sorted(self.jobs, key=lambda job: job.key):
            by_kind.setdefault(job.kind, []).append(self.entries[job.key])
        for kind, kind_entries in by_kind.items():
            keys.save_json(self.cache_dir / f"{kind}s.json", {f"{kind}s": kind_entries})

    @staticmethod
    def _entry(job: Job, previous: dict | None, reason: str) -> dict:
        return {"name": job.name, "status": "cached", "reason": reason, "seconds": 0.0, "cpu_seconds": 0.0,
                "computed_seconds": previous["seconds"] if previous else None,
                "outputs": list(job.outputs), "pages": list(job.pages)}


def _present(cache_dir: Path, output: str) -> bool:
    """An output is a file, or a folder (named with a trailing '/': a job's images, say)."""
    return (cache_dir / output).is_dir() if output.endswith("/") else (cache_dir / output).is_file()


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def summary(jobs: list[Job], entries: dict, seconds: float) -> str:
    """One line: 'jobs: 23 figures (1 regenerated, 22 cached), 4 labs (4 cached), 0 failed in 9.1 s on 2 cores'."""
    parts, failed = [], 0
    for kind in sorted({job.kind for job in jobs}):
        statuses = [entries[job.key]["status"] for job in jobs if job.kind == kind]
        failed += statuses.count("failed")
        counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(sorted(statuses)) if s != "failed")
        parts.append(f"{len(statuses)} {kind}s ({counts or 'none'})")
    return f"jobs: {', '.join(parts) or 'none'}, {failed} failed in {seconds:.1f} s on {runner.cores()} cores"
