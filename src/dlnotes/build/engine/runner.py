"""Run jobs from one queue, as many at once as there are cores, each in a process with a time limit.

A job's process is forked from one server that has imported torch and matplotlib once
(preload.py): a fresh interpreter spent about 3.5 s on those imports per job. The server
preloads only third-party code, so each job imports dlnotes as it is on disk now. The server
lives as long as the build process (all builds of one `mkdocs serve`).

A job writes into a work folder of its own; only when it succeeds are its outputs moved into the
cache, so a failure or a time-out keeps the last good outputs, and two builds of one checkout
(`make serve` and the tests, say) never see each other's half-written files.
"""
from __future__ import annotations

import heapq
import importlib
import itertools
import json
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import shutil
import signal
import tempfile
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterable

from dlnotes.build.engine.jobs import Job, JobFailed, Result

log = logging.getLogger("mkdocs.plugins.dlnotes")

PRELOAD_MODULE = "dlnotes.build.engine.preload"
TRACEBACK_LINES = 12      # how much of a failing job's traceback the build error shows
ERROR_FILE, RESULT_FILE, OUTPUT_FILE = "error.txt", "result.json", "output.txt"
NOTHING = "(nothing)"
# A forked job whose exit the job server did not report: multiprocessing gives exit code 255 when
# it cannot read the status from the server (popen_forkserver.Popen.poll). Seen once in a cold
# build, a variant that had printed nothing and written no error; the same job ran fine again. A
# job that printed nothing and ended so is run once more (jobs are deterministic); a second loss
# fails the build as any other death does.
LOST_EXIT_CODE = 255
LOST = "its process ended without a report from the job server"


def cores() -> int:
    return len(os.sched_getaffinity(0))


def fork_server():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD_MODULE])
    return context


def context_for(job: Job):
    """Forked from the job server, or (a job that does its work in processes of its own, such as a
    lab's kernel) a fresh interpreter, which starts at once instead of waiting for the server's
    first imports (about 4 s at the start of a cold build)."""
    return fork_server() if job.preloaded else multiprocessing.get_context("spawn")


def run_all(jobs: Iterable[Job], root: Path, cache_dir: Path, priority: Callable[[Job], float],
            on_done: Callable[[Result], list[Job]] = lambda result: []) -> list[Result]:
    """Run the jobs, cores() at a time, the highest priority (the longest) first.

    on_done(result) is called in this thread as each job finishes and returns the jobs that can
    run now (those waiting for that one's outputs); they join the queue.
    """
    queue, results, running = [], [], set()
    order = itertools.count()        # equal priorities keep the order given

    def enqueue(more: Iterable[Job]) -> None:
        for job in more:
            heapq.heappush(queue, (-priority(job), next(order), job))

    enqueue(jobs)
    if any(job.preloaded for _, _, job in queue):
        fork_server()
        multiprocessing.forkserver.ensure_running()    # its imports start now, beside the first jobs
    with ThreadPoolExecutor(max_workers=cores()) as pool:
        while queue or running:
            while queue and len(running) < cores():
                running.add(pool.submit(run_one, heapq.heappop(queue)[2], root, cache_dir))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                results.append(future.result())
                enqueue(on_done(results[-1]))
    return results


def run_one(job: Job, root: Path, cache_dir: Path) -> Result:
    """Run the job; once more if its process was lost (see LOST)."""
    for attempt in (1, 2):
        (cache_dir / "work").mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix=f"{job.kind}-{job.name}-", dir=cache_dir / "work"))
        try:
            result = _run_in_process(job, root, work_dir, cache_dir)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        if result.ok or not result.error.startswith(LOST) or attempt == 2:
            return result
        log.warning(f"{job.label}: {result.error.splitlines()[0]} It runs once more.")


def _run_in_process(job: Job, root: Path, work_dir: Path, cache_dir: Path) -> Result:
    process = context_for(job).Process(target=_child, args=(job.worker, job.payload, str(root), str(work_dir)),
                                       name=job.key)
    process.start()                 # (the first jobs wait here for the server's imports: not their time)
    start = time.perf_counter()
    process.join(job.time_limit)
    if process.is_alive():
        _kill_group(process)
        return Result(job, False, time.perf_counter() - start,
                      f"ran past its time limit of {job.time_limit:g} s and was stopped")
    seconds = time.perf_counter() - start
    if process.exitcode != 0:
        error = work_dir / ERROR_FILE
        printed = _tail(work_dir / OUTPUT_FILE)
        if error.exists():
            message = error.read_text()
        elif process.exitcode == LOST_EXIT_CODE and printed == NOTHING:
            message = f"{LOST} (exit {LOST_EXIT_CODE}, nothing printed)."
        else:
            message = f"died (exit {process.exitcode}) without a traceback; it printed:\n{printed}"
        return Result(job, False, seconds, message)
    missing = [o for o in job.outputs if not ((work_dir / o).is_dir() if o.endswith("/") else (work_dir / o).is_file())]
    if missing:
        return Result(job, False, seconds, f"finished without writing {', '.join(missing)}")
    for output in job.outputs:       # a folder output ("name/") replaces the folder as a whole
        target = cache_dir / output
        target.parent.mkdir(parents=True, exist_ok=True)
        if output.endswith("/") and target.exists():
            shutil.rmtree(target)
        (work_dir / output).replace(target)
    loaded = json.loads((work_dir / RESULT_FILE).read_text())
    return Result(job, True, seconds, files=loaded["files"], dists=loaded["dists"], cpu_seconds=loaded["cpu_seconds"])


def _kill_group(process) -> None:
    """The job's process and whatever it started (a lab's kernel driver and its children)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.join()


def _child(worker: str, payload: dict, root: str, work_dir: str) -> None:
    """In the job's process: run the worker, write what it loaded, or the error for the reader."""
    os.setpgid(0, 0)       # a group of its own, so that a time-out stops what it started too
    # What the job and the processes it starts print (a kernel's warnings, say) stays out of the
    # build log; the build shows it only when the job dies without a traceback.
    with open(Path(work_dir, OUTPUT_FILE), "wb") as printed:
        os.dup2(printed.fileno(), 1)
        os.dup2(printed.fileno(), 2)
    try:
        loaded = importlib.import_module(worker).run(payload, Path(root), Path(work_dir))
        Path(work_dir, RESULT_FILE).write_text(json.dumps({**loaded, "cpu_seconds": _cpu_seconds()}))
    except JobFailed as failure:
        Path(work_dir, ERROR_FILE).write_text(str(failure))
        raise SystemExit(1) from None
    except BaseException:
        tail = "\n".join(traceback.format_exc().strip().splitlines()[-TRACEBACK_LINES:])
        Path(work_dir, ERROR_FILE).write_text(f"raised:\n{tail}")
        raise SystemExit(1) from None


def _cpu_seconds() -> float:
    """The processor time of this job: its process and the processes it started and waited for
    (a lab's kernel), whatever else the machine was doing meanwhile."""
    own, started = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + started.ru_utime + started.ru_stime


def _tail(path: Path) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.strip().splitlines()[-TRACEBACK_LINES:]) or NOTHING
