"""Which repository files and which distributions a process has loaded: part of every cache key.

Called at the end of every job, in the process that did the work (a figure's worker, a lab's
kernel), so that a job reruns exactly when code it actually ran changes. The one copy of this
logic: figures and labs call the same function.

The job server runs it once when it starts (preload.py), so that a forked job finds the modules
the server loaded already sorted and their distributions' versions already read: it was 0.14 s
of every job.
"""
from __future__ import annotations

import functools
import importlib.metadata
import sys
from pathlib import Path

THIRD_PARTY_FOLDERS = {"site-packages", "dist-packages"}


def loaded_dependencies(root: str | Path) -> dict:
    """{"files": repository files behind the loaded modules, "dists": {distribution: version}}.

    Files of a virtual environment (even one inside the checkout) are third-party code: the
    versions of their distributions stand for them.
    """
    root = Path(root).resolve()
    files, top_levels = set(), set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        place = _place(path, root)
        if place == UNPLACED:
            continue
        if place is None:
            top_levels.add(module.__name__.partition(".")[0])
        else:
            files.add(place)
    preloaded = sys.modules.get("dlnotes.build.engine.preload")     # a job forked from the job server
    providers = getattr(preloaded, "PROVIDERS", None) or importlib.metadata.packages_distributions()
    dists = {d for top in top_levels - set(sys.stdlib_module_names) for d in providers.get(top, ())}
    return {"files": sorted(files), "dists": {d: _version(d) for d in sorted(dists)}}


UNPLACED = ""     # a module that names no file we can place (a bare name)


@functools.lru_cache(maxsize=None)
def _place(path: str, root: Path) -> str | None:
    """The repository file behind a module's path, relative to root; None for third-party code."""
    if not Path(path).is_absolute():     # some extension modules report bare names
        return UNPLACED
    resolved = Path(path).resolve()
    third_party = (any(resolved.is_relative_to(env) for env in _environments())
                   or bool(THIRD_PARTY_FOLDERS & set(resolved.parts)))
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) and not third_party else None


@functools.lru_cache(maxsize=None)
def _environments() -> frozenset[Path]:
    return frozenset(Path(p).resolve() for p in (sys.prefix, sys.base_prefix))


@functools.lru_cache(maxsize=None)
def _version(distribution: str) -> str:
    # installed versions do not change under a running build; a pip install needs a new build
    # (under `make serve`, a restart), as any change to the environment does
    return importlib.metadata.version(distribution)
