"""Cache keys of jobs, computed from file contents and versions without importing torch.

A job's inputs are: its payload (settings, references, code), the bytes of its known files plus
every repository file its process loaded last time (recorded by the probe), the versions of the
distributions it loaded, and Python's version. A job reruns exactly when one of these differs
from what its cached outputs were made from. The state of every job lives in one file.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
from pathlib import Path

from dlnotes.build.engine.jobs import Job, Result

STATE_VERSION = 2


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


@functools.lru_cache(maxsize=None)   # cleared at every build (Engine.refresh): versions change only with installs
def dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def current_inputs(job: Job, root: Path, previous: dict | None, digest_of=None) -> dict:
    """The inputs as they are now, over the files and distributions known to matter.

    digest_of(relative path) may serve digests already taken in this build (jobs share most files).
    """
    digest_of = digest_of or (lambda rel: file_digest(root / rel))
    files, dists = set(job.files), set(job.dists)
    if previous:
        files |= set(previous["files"])
        dists |= set(previous["dists"])
    return {
        "spec": job.payload_digest(),
        "python": sys.version.split()[0],
        "files": {f: digest_of(f) for f in sorted(files)},
        "dists": {d: dist_version(d) for d in sorted(dists)},
    }


def stale_reason(now: dict, previous: dict | None, outputs_present: bool) -> str | None:
    """Why a job must run, or None when its cached outputs are current."""
    if previous is None:
        return "new"
    if not outputs_present:
        return "output missing"
    if now["spec"] != previous["spec"]:
        return "settings changed"
    changed = [f for f, digest in now["files"].items() if previous["files"].get(f) != digest]
    if changed:
        return "changed: " + ", ".join(changed)
    versions = [d for d, v in now["dists"].items() if previous["dists"].get(d) != v]
    if versions:
        return "versions changed: " + ", ".join(versions)
    if now["python"] != previous["python"]:
        return "python changed"
    return None


def recorded_inputs(before: dict, result: Result, root: Path) -> dict:
    """Inputs as hashed before the run, widened by the files and distributions the process loaded."""
    files = dict(before["files"])
    for f in result.files:
        files.setdefault(f, file_digest(root / f))
    dists = {**result.dists, **before["dists"]}
    return {**before, "files": dict(sorted(files.items())), "dists": dict(sorted(dists.items()))}


def load_state(path: Path) -> dict:
    """{job key: {"inputs", "outputs", "seconds"}} of the last successful run of each job."""
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return state.get("jobs", {}) if state.get("version") == STATE_VERSION else {}


def save_state(path: Path, jobs: dict) -> None:
    save_json(path, {"version": STATE_VERSION, "jobs": jobs})


def save_json(path: Path, payload: dict, sort_keys: bool = True) -> None:
    """Write JSON atomically, so an interrupted build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=path.name, delete=False) as tmp:
        tmp.write(json.dumps(payload, indent=1, sort_keys=sort_keys) + "\n")
    os.replace(tmp.name, path)
