"""Cache keys of figures, computed from file contents and versions without importing torch.

A figure's inputs are: its spec (references, settings, size), the bytes of every repository
file it loaded last time (recorded by the worker) plus the files that define it and the
renderer, and the versions of the distributions it loaded. A figure is regenerated exactly
when one of these differs from what its cached output was made from.
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

from dlnotes.pipeline.spec import FigureSpec, ref_source_file

ALWAYS_VERSIONED = ("torch", "numpy", "matplotlib")
STATE_VERSION = 1


def spec_digest(spec: FigureSpec) -> str:
    described = {"compute": spec.compute, "draw": spec.draw, "settings": spec.settings,
                 "size": list(spec.size), "panels": list(spec.panels)}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


@functools.lru_cache(maxsize=None)   # per build: mkdocs_hook reloads this module before each one
def dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def renderer_files(root: Path) -> list[str]:
    """Files that shape every figure's bytes: the worker and the style sheets."""
    here = Path(__file__).parent
    paths = [here / "render.py", *sorted((here / "styles").glob("*.mplstyle"))]
    return [p.resolve().relative_to(root).as_posix() for p in paths]


def current_inputs(spec: FigureSpec, root: Path, previous: dict | None) -> dict:
    """The inputs as they are now, over the files and distributions known to matter."""
    files = set(renderer_files(root))
    files |= {ref_source_file(ref, root).relative_to(root).as_posix() for ref in (spec.compute, spec.draw)}
    dists = set(ALWAYS_VERSIONED)
    if previous:
        files |= set(previous["files"])
        dists |= set(previous["dists"])
    return {
        "spec": spec_digest(spec),
        "python": sys.version.split()[0],
        "files": {f: file_digest(root / f) for f in sorted(files)},
        "dists": {d: dist_version(d) for d in sorted(dists)},
    }


def stale_reason(now: dict, previous: dict | None, outputs_present: bool) -> str | None:
    """Why a figure must be regenerated, or None when its cached output is current."""
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


def load_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return state.get("figures", {}) if state.get("version") == STATE_VERSION else {}


def save_json(path: Path, payload: dict) -> None:
    """Write sorted JSON atomically, so an interrupted build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=path.name, delete=False) as tmp:
        tmp.write(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    os.replace(tmp.name, path)


def save_state(path: Path, figures: dict) -> None:
    save_json(path, {"version": STATE_VERSION, "figures": figures})
