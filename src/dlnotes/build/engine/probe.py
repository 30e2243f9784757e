"""Which repository files and which distributions a process has loaded: part of every cache key.

Called at the end of every job, in the process that did the work (a figure's worker, a lab's
kernel), so that a job reruns exactly when code it actually ran changes. The one copy of this
logic: figures and labs call the same function.
"""
from __future__ import annotations

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
    environments = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
    files, top_levels = set(), set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not Path(path).is_absolute():     # some extension modules report bare names
            continue
        path = Path(path).resolve()
        third_party = (any(path.is_relative_to(env) for env in environments)
                       or bool(THIRD_PARTY_FOLDERS & set(path.parts)))
        if path.is_relative_to(root) and not third_party:
            files.add(path.relative_to(root).as_posix())
        else:
            top_levels.add(module.__name__.partition(".")[0])
    preloaded = sys.modules.get("dlnotes.build.engine.preload")     # a job forked from the job server
    providers = getattr(preloaded, "PROVIDERS", None) or importlib.metadata.packages_distributions()
    dists = {d for top in top_levels - set(sys.stdlib_module_names) for d in providers.get(top, ())}
    return {"files": sorted(files), "dists": {d: importlib.metadata.version(d) for d in sorted(dists)}}
