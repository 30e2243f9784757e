"""What the engine runs: a job, what came of it, and how a worker says that it failed.

A job is one build-time computation (a figure, a lab, a figure variant). Its kind decides only
three things: which worker module computes it, what its payload holds and which files are known
to shape it before it runs. Everything else (cache key, queue, time limit, work folder, report)
is the engine's and the same for every kind.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


class JobFailed(Exception):
    """Raised by a worker with a message ready for the reader (a lab's failing cell, say).

    Any other exception is shown as the last frames of its traceback.
    """


@dataclass(frozen=True)
class Job:
    kind: str                     # "figure", "lab", ...: the report file and log lines are per kind
    name: str                     # unique within its kind
    worker: str                   # module with run(payload, root, work_dir) -> {"outputs": [...], "loaded": {...}}
    payload: dict                 # JSON the worker needs; all of it is part of the cache key
    files: tuple[str, ...]        # repository files known to shape the outputs before any run
    dists: tuple[str, ...]        # distributions whose versions always count, loaded or not
    outputs: tuple[str, ...]      # the files the job writes, relative to the cache folder
    time_limit: float             # seconds for the whole process
    pages: tuple[str, ...] = ()   # the pages that show its outputs, for the report and errors
    estimate: float = 5.0         # seconds, for ordering the queue when no earlier run is known
    done: str = "regenerated"     # what the report and the log say of a job that ran
    preloaded: bool = True        # forked from the job server (torch imported) or a fresh interpreter
    after: tuple[str, ...] = ()   # keys of the jobs whose outputs this one reads: it runs after them
    title: str | None = None      # how errors name it, when "<kind> '<name>'" would not say it well

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def label(self) -> str:
        """How errors name the job: figure 'x' (used on a.md, b.md)."""
        return f"{self.title or f'{self.kind} {self.name!r}'} (used on {', '.join(self.pages) or 'no page'})"

    def payload_digest(self) -> str:
        return hashlib.sha256(json.dumps(self.payload, sort_keys=True).encode()).hexdigest()


@dataclass
class Result:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    files: list = field(default_factory=list)      # repository files the worker loaded
    dists: dict = field(default_factory=dict)      # distributions it loaded, with versions
    cpu_seconds: float = 0.0                       # processor time of the job's processes
